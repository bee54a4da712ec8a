package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/mitra-gov/mitra/dialog"
	"github.com/mitra-gov/mitra/whatsapp"
)

// IngestWebhook stores what one webhook delivery carries: each message
// not seen before with the job that will answer it, and every delivery
// status, committed before it returns. It returns how many messages were
// new; a retried delivery stores and queues nothing twice.
//
// Deliveries that arrive together share one transaction (a batcher):
// at a thousand messages a second, one commit for each would be most of
// the database's work.
func (s *Store) IngestWebhook(ctx context.Context, ev whatsapp.Events) (fresh int, err error) {
	done, err := s.ingestQueue.do(ctx, ingestCall{ev: ev})
	return done.fresh, err
}

// ingestCall is one delivery, and how many of its messages were new.
type ingestCall struct {
	ev    whatsapp.Events
	fresh int
}

// ingestBatchers is how many batches may be committing at once, and
// maxIngestBatch how many deliveries one holds.
const (
	ingestBatchers = 4
	maxIngestBatch = 128
)

// ingestTx stores a batch of deliveries in one transaction: the
// messages and their senders' contacts with one statement, the jobs of
// those that need one with another, then every status and template
// verdict with the COMMIT. Without jobs (plain messages going to the
// lane, or statuses alone, most of what Meta posts) that is one round
// trip, its BEGIN and COMMIT included (tx.go). A batch it fails is tried
// again a delivery at a time, so that one bad delivery answers its own
// error and never takes the others down.
func (s *Store) ingestTx(ctx context.Context, batch []*batchCall[ingestCall]) error {
	// Plain messages go to this process's lane once committed, with no
	// job (lane.go); the rest, and all of them when no lane runs here,
	// get their job in the transaction.
	ln := s.lane.Load()
	var local []ProcessArgs
	err := inTx(ctx, s.ingest, func(ptx *pipelinedTx) error {
		local = local[:0]
		var in inboundRows
		for _, call := range batch {
			call.arg.fresh = 0
			for _, m := range call.arg.ev.Messages {
				if err := in.add(m); err != nil {
					return err
				}
			}
		}
		fresh, err := insertInbound(ctx, ptx, &in)
		if err != nil {
			return err
		}
		var jobs []river.InsertManyParams
		for _, call := range batch {
			for _, m := range call.arg.ev.Messages {
				if !fresh[m.ID] {
					continue // a retried delivery: already stored and queued
				}
				delete(fresh, m.ID) // the same message twice in a batch is queued once
				call.arg.fresh++
				plain := m.Media == nil && m.FlowResponse == "" && m.Type != "audio" && m.Type != "image" && m.Type != "document"
				args := ProcessArgs{WAMessageID: m.ID, Plain: plain, From: m.From, Silent: dialog.Silent(whatsapp.ToInbound(m))}
				if plain && ln != nil {
					local = append(local, args)
					continue
				}
				jobs = append(jobs, river.InsertManyParams{Args: args})
			}
		}
		if _, err := s.enqueueMany(ctx, ptx, jobs); err != nil {
			return err
		}
		// Statuses in the order of their messages (each message's in the
		// order they came), so that two batches moving the same outbox rows
		// lock them in the same order and never deadlock.
		var statuses []whatsapp.Status
		for _, call := range batch {
			statuses = append(statuses, call.arg.ev.Statuses...)
		}
		slices.SortStableFunc(statuses, func(a, b whatsapp.Status) int { return strings.Compare(a.MessageID, b.MessageID) })
		var b pgx.Batch
		for _, st := range statuses {
			queueStatus(&b, st)
		}
		for _, call := range batch {
			for _, te := range call.arg.ev.Templates {
				b.Queue(applyTemplateSQL, templateArgs(te)...)
			}
		}
		if err := ptx.commitWith(ctx, &b); err != nil {
			return fmt.Errorf("statuses of %d deliveries: %w", len(batch), err)
		}
		return nil
	})
	if err == nil && len(local) > 0 {
		ln.queueJobs(context.WithoutCancel(ctx), ln.offer(local), 0)
	}
	return err
}

// inboundRows are messages as columns, for one INSERT of them all.
type inboundRows struct {
	ids, from, phoneNumberIDs, types, names []string
	records                                 []string
	sent                                    []*time.Time
}

func (r *inboundRows) add(m whatsapp.Message) error {
	raw, err := json.Marshal(recordOf(m))
	if err != nil {
		return fmt.Errorf("encode inbound %s: %w", m.ID, err)
	}
	var sent *time.Time
	if !m.Time.IsZero() {
		sent = &m.Time
	}
	r.ids, r.from, r.phoneNumberIDs, r.types = append(r.ids, m.ID), append(r.from, m.From), append(r.phoneNumberIDs, m.PhoneNumberID), append(r.types, m.Type)
	r.names, r.records, r.sent = append(r.names, m.Name), append(r.records, string(raw)), append(r.sent, sent)
	return nil
}

// insertInbound stores each message once and keeps its sender's profile
// name (the latest one given, of the messages not seen before), in one
// statement; it returns the ids it stored.
func insertInbound(ctx context.Context, tx *pipelinedTx, r *inboundRows) (map[string]bool, error) {
	fresh := map[string]bool{}
	if len(r.ids) == 0 {
		return fresh, nil
	}
	var b pgx.Batch
	b.Queue(insertInboundSQL, r.ids, r.from, r.phoneNumberIDs, r.types, r.records, r.sent, r.names).Query(func(rows pgx.Rows) error {
		stored, err := pgx.CollectRows(rows, pgx.RowTo[string])
		for _, id := range stored {
			fresh[id] = true
		}
		return err
	})
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return nil, fmt.Errorf("insert %d inbound: %w", len(r.ids), err)
	}
	return fresh, nil
}

// insertInboundSQL inserts the messages not seen before and their
// senders' contacts. One row a sender: ON CONFLICT cannot touch a row
// twice in one statement. Its latest non-empty name wins, as one message
// at a time would have left it.
const insertInboundSQL = `WITH input AS (
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]::jsonb[], $6::timestamptz[], $7::text[])
			WITH ORDINALITY AS i(id, wa_from, phone_number_id, type, message, sent_at, name, ord)
	), stored AS (
		INSERT INTO inbound_messages (wa_message_id, wa_from, phone_number_id, type, message, sent_at)
		SELECT id, wa_from, phone_number_id, type, message, sent_at FROM input
		ON CONFLICT (wa_message_id) DO NOTHING RETURNING wa_message_id
	), senders AS (
		INSERT INTO contacts (wa_id, name)
		SELECT DISTINCT ON (wa_from) wa_from, name FROM input JOIN stored ON stored.wa_message_id = input.id
		ORDER BY wa_from, name <> '' DESC, ord DESC
		ON CONFLICT (wa_id) DO UPDATE SET name = CASE WHEN EXCLUDED.name <> '' THEN EXCLUDED.name ELSE contacts.name END, updated_at = now()
	)
	SELECT wa_message_id FROM stored`
