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
// messages with one statement, their senders' contacts with another and
// their jobs with a third, then each status and template verdict. A
// batch it fails is tried again a delivery at a time, so that one bad
// delivery answers its own error and never takes the others down.
func (s *Store) ingestTx(ctx context.Context, batch []*batchCall[ingestCall]) error {
	// Plain messages go to this process's lane once committed, with no
	// job (lane.go); the rest, and all of them when no lane runs here,
	// get their job in the transaction.
	ln := s.lane.Load()
	var local []ProcessArgs
	err := pgx.BeginFunc(ctx, s.ingest, func(ptx pgx.Tx) error {
		local = local[:0]
		tx := Tx{s, ptx}
		var in inboundRows
		for _, call := range batch {
			call.arg.fresh = 0
			for _, m := range call.arg.ev.Messages {
				if err := in.add(m); err != nil {
					return err
				}
			}
		}
		fresh, err := tx.insertInbound(ctx, &in)
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
		for _, st := range statuses {
			if err := tx.applyStatus(ctx, st); err != nil {
				return err
			}
		}
		for _, call := range batch {
			for _, te := range call.arg.ev.Templates {
				if _, err := applyTemplate(ctx, ptx, te); err != nil {
					return err
				}
			}
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
// name (the latest one given, of the messages not seen before); it
// returns the ids it stored.
func (t Tx) insertInbound(ctx context.Context, r *inboundRows) (map[string]bool, error) {
	fresh := map[string]bool{}
	if len(r.ids) == 0 {
		return fresh, nil
	}
	rows, err := t.tx.Query(ctx, `INSERT INTO inbound_messages (wa_message_id, wa_from, phone_number_id, type, message, sent_at)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]::jsonb[], $6::timestamptz[])
		ON CONFLICT (wa_message_id) DO NOTHING RETURNING wa_message_id`,
		r.ids, r.from, r.phoneNumberIDs, r.types, r.records, r.sent)
	if err != nil {
		return nil, fmt.Errorf("insert %d inbound: %w", len(r.ids), err)
	}
	stored, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("insert %d inbound: %w", len(r.ids), err)
	}
	var from, names []string
	var order []int32
	for _, id := range stored {
		fresh[id] = true
	}
	for i, id := range r.ids {
		if fresh[id] {
			from, names, order = append(from, r.from[i]), append(names, r.names[i]), append(order, int32(i))
		}
	}
	if len(from) == 0 {
		return fresh, nil
	}
	// One row a sender: ON CONFLICT cannot touch a row twice in one
	// statement. Its latest non-empty name wins, as one message at a time
	// would have left it.
	_, err = t.tx.Exec(ctx, `INSERT INTO contacts (wa_id, name)
		SELECT DISTINCT ON (wa_id) wa_id, name FROM unnest($1::text[], $2::text[], $3::int[]) AS c(wa_id, name, ord)
		ORDER BY wa_id, name <> '' DESC, ord DESC
		ON CONFLICT (wa_id) DO UPDATE SET name = CASE WHEN EXCLUDED.name <> '' THEN EXCLUDED.name ELSE contacts.name END, updated_at = now()`,
		from, names, order)
	if err != nil {
		return nil, fmt.Errorf("contacts of %d inbound: %w", len(from), err)
	}
	return fresh, nil
}
