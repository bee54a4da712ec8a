package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/dialog"
)

// A citizen's data rights in the database: opting out of proactive
// messages, erasure, the summary of what is held, and forgetting the
// words of a citizen who has not agreed to the notice.

// redactedMessage keeps of an inbound message only what dedupe, ordering
// and the 24-hour window need: no text, name, media or location.
const redactedMessage = `jsonb_build_object('id', message->'id', 'from', message->'from', 'type', message->'type',
	'time', message->'time', 'redacted', true)`

// redactReply is what is left of a reply's payload once its words go.
const redactReply = "payload = jsonb_build_object('redacted', true), last_error = NULL"

// forgetName is queued in Answer's batch, with markProcessedCTE forgetting
// the message's words, for a citizen who has not agreed to the notice:
// the words were needed to answer, and are not kept.
const forgetName = "UPDATE contacts SET name = '' WHERE wa_id = $1 AND name <> ''"

// SetOptOut records STOP (stop true) or START: the contact's flag that
// every proactive send checks, a line in the consent ledger, and the
// request for the operators.
func (t Tx) SetOptOut(ctx context.Context, waID string, stop bool, channel string) error {
	var b pgx.Batch
	b.Queue(`INSERT INTO contacts (wa_id, opted_out_at) VALUES ($1, CASE WHEN $2 THEN now() END)
		ON CONFLICT (wa_id) DO UPDATE SET opted_out_at = CASE WHEN $2 THEN COALESCE(contacts.opted_out_at, now()) END, updated_at = now()`, waID, stop)
	b.Queue(`INSERT INTO consents (wa_id, service_id, notice_version, channel, agreed) VALUES ($1, $2, 'stop-start', $3, $4)`,
		waID, application.ProactiveConsent, channel, !stop)
	kind := map[bool]string{true: "stop", false: "start"}[stop]
	b.Queue(`INSERT INTO data_requests (wa_id, kind, done_at) VALUES ($1, $2, now())`, waID, kind)
	if err := t.tx.SendBatch(ctx, &b).Close(); err != nil {
		return fmt.Errorf("opt out: %w", err)
	}
	return nil
}

// OptedOut reports whether a citizen has asked for no proactive message.
func (s *Store) OptedOut(ctx context.Context, waID string) (bool, error) {
	var out bool
	err := s.pool.QueryRow(ctx, "SELECT opted_out_at IS NOT NULL FROM contacts WHERE wa_id = $1", waID).Scan(&out)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return out, err
}

// EraseCitizen deletes what mitra holds of a citizen beyond what a
// department must keep: the words of every message both ways (the rows
// stay, for dedupe and the order of sends), the profile name and
// district, the conversation with its drafts, the photos of a form never
// submitted, unused Flow tokens, alert opt-ins, and an open handover. Applications with their answers and attachments,
// certificates, the consent ledger and the transparency log's hashes
// stay; the request is recorded.
func (t Tx) EraseCitizen(ctx context.Context, waID string) error {
	var b pgx.Batch
	b.Queue("UPDATE inbound_messages SET message = "+redactedMessage+" WHERE wa_from = $1 AND NOT message ? 'redacted'", waID)
	// Replies echo what the citizen wrote (a form's summary); those
	// still to be sent go out, then the retention sweep takes them.
	b.Queue(`UPDATE outbox SET `+redactReply+`
		WHERE wa_to = $1 AND status NOT IN ('pending', 'sending') AND NOT payload ? 'redacted'`, waID)
	b.Queue("UPDATE contacts SET name = '', district = '', updated_at = now() WHERE wa_id = $1", waID)
	b.Queue("DELETE FROM conversations WHERE wa_id = $1", waID)
	b.Queue("DELETE FROM flow_tokens WHERE wa_id = $1 AND application_id IS NULL", waID)
	b.Queue("DELETE FROM attachments WHERE wa_id = $1 AND application_id IS NULL", waID)
	b.Queue("DELETE FROM alert_subscriptions WHERE wa_id = $1", waID)
	b.Queue("UPDATE handovers SET status = 'closed', closed_at = now(), closed_by = 'citizen' WHERE wa_id = $1 AND status IN ('waiting', 'active')", waID)
	b.Queue("INSERT INTO data_requests (wa_id, kind, done_at) VALUES ($1, 'erase', now())", waID)
	if err := t.tx.SendBatch(ctx, &b).Close(); err != nil {
		return fmt.Errorf("erase citizen: %w", err)
	}
	return nil
}

// RequestExport records a request for the summary and queues the job
// that makes and sends it.
func (t Tx) RequestExport(ctx context.Context, waID, lang string) error {
	var id int64
	if err := t.tx.QueryRow(ctx, "INSERT INTO data_requests (wa_id, kind) VALUES ($1, 'export') RETURNING id", waID).Scan(&id); err != nil {
		return fmt.Errorf("export request: %w", err)
	}
	return t.s.enqueue(ctx, t.tx, ExportArgs{RequestID: id, WAID: waID, Lang: lang})
}

// CitizenData reads what is held of a citizen.
func (s *Store) CitizenData(ctx context.Context, waID string) (dialog.HeldData, error) {
	d := dialog.HeldData{WAID: waID}
	var b pgx.Batch
	b.Queue("SELECT name, district, opted_out_at FROM contacts WHERE wa_id = $1", waID).QueryRow(func(row pgx.Row) error {
		if err := row.Scan(&d.Name, &d.District, &d.OptedOut); !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		return nil
	})
	b.Queue("SELECT count(*), min(received_at) FROM inbound_messages WHERE wa_from = $1 AND NOT message ? 'redacted'", waID).
		QueryRow(func(row pgx.Row) error { return row.Scan(&d.Messages, &d.OldestKept) })
	b.Queue("SELECT service_id, notice_version, channel, agreed, at FROM consents WHERE wa_id = $1 ORDER BY at", waID).
		Query(func(rows pgx.Rows) error {
			var err error
			d.Consents, err = pgx.CollectRows(rows, pgx.RowToStructByPos[dialog.HeldConsent])
			return err
		})
	b.Queue(`SELECT topic, district, channel FROM alert_subscriptions WHERE wa_id = $1 AND withdrawn_at IS NULL ORDER BY topic, channel`, waID).
		Query(func(rows pgx.Rows) error {
			var err error
			d.Alerts, err = pgx.CollectRows(rows, pgx.RowToStructByPos[dialog.HeldAlert])
			return err
		})
	b.Queue("SELECT id FROM certificates WHERE wa_id = $1 ORDER BY created_at", waID).Query(func(rows pgx.Rows) error {
		var err error
		d.Certificates, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err := s.pool.SendBatch(ctx, &b).Close(); err != nil {
		return d, fmt.Errorf("citizen data: %w", err)
	}
	// Every record, not the chat's latest few: the summary is whole.
	var err error
	d.Records, err = s.citizenRecords(ctx, waID, 0)
	return d, err
}

// ExportDone marks a summary sent.
func (s *Store) ExportDone(ctx context.Context, id int64) error {
	_, err := s.pool.Exec(ctx, "UPDATE data_requests SET done_at = now() WHERE id = $1", id)
	return err
}

// DataRequest is one use of a right, for the operators' console.
type DataRequest struct {
	ID     int64
	WAID   string
	Kind   string
	At     time.Time
	DoneAt *time.Time
}

// DataRequests lists the latest uses of rights, newest first.
func (s *Store) DataRequests(ctx context.Context, limit int) ([]DataRequest, error) {
	rows, err := s.pool.Query(ctx, "SELECT id, wa_id, kind, at, done_at FROM data_requests ORDER BY at DESC, id DESC LIMIT $1", limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[DataRequest])
}
