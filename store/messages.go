package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mitra-gov/mitra/dialog"
	"github.com/mitra-gov/mitra/whatsapp"
)

// Tx is one database transaction with mitra's operations on it.
type Tx struct {
	tx pgx.Tx
}

// Pgx returns the underlying transaction, for enqueueing jobs in it.
func (t Tx) Pgx() pgx.Tx { return t.tx }

// InTx runs fn in a transaction, committing when it returns nil.
func (s *Store) InTx(ctx context.Context, fn func(Tx) error) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error { return fn(Tx{tx}) })
}

// InsertInbound stores a message once. It reports false when the message
// was already stored: a duplicate delivery.
func (t Tx) InsertInbound(ctx context.Context, m whatsapp.Message) (bool, error) {
	raw, err := json.Marshal(m)
	if err != nil {
		return false, err
	}
	var sent *time.Time
	if !m.Time.IsZero() {
		sent = &m.Time
	}
	tag, err := t.tx.Exec(ctx, `INSERT INTO inbound_messages (wa_message_id, wa_from, phone_number_id, type, message, sent_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (wa_message_id) DO NOTHING`, m.ID, m.From, m.PhoneNumberID, m.Type, raw, sent)
	if err != nil {
		return false, fmt.Errorf("insert inbound %s: %w", m.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return false, nil
	}
	_, err = t.tx.Exec(ctx, `INSERT INTO contacts (wa_id, name) VALUES ($1, $2)
		ON CONFLICT (wa_id) DO UPDATE SET name = CASE WHEN EXCLUDED.name <> '' THEN EXCLUDED.name ELSE contacts.name END, updated_at = now()`,
		m.From, m.Name)
	return true, err
}

// ErrNotFound means a row that a job refers to does not exist.
var ErrNotFound = errors.New("store: not found")

// LoadInbound returns a stored message and whether it was processed
// already, locking it for this transaction so that two workers never
// process one message at once.
func (t Tx) LoadInbound(ctx context.Context, id string) (whatsapp.Message, bool, error) {
	var raw []byte
	var processed *time.Time
	err := t.tx.QueryRow(ctx, "SELECT message, processed_at FROM inbound_messages WHERE wa_message_id = $1 FOR UPDATE", id).Scan(&raw, &processed)
	if errors.Is(err, pgx.ErrNoRows) {
		return whatsapp.Message{}, false, ErrNotFound
	}
	if err != nil {
		return whatsapp.Message{}, false, err
	}
	var m whatsapp.Message
	if err := json.Unmarshal(raw, &m); err != nil {
		return m, false, fmt.Errorf("inbound %s: %w", id, err)
	}
	return m, processed != nil, nil
}

// MarkProcessed records that a message's replies are in the outbox.
func (t Tx) MarkProcessed(ctx context.Context, id string) error {
	_, err := t.tx.Exec(ctx, "UPDATE inbound_messages SET processed_at = now() WHERE wa_message_id = $1", id)
	return err
}

// Conversations returns the conversation store bound to this transaction:
// Load locks the citizen's row, so one citizen's messages are handled one
// at a time, in any number of processes.
func (t Tx) Conversations() dialog.Store { return txConversations{t.tx} }

type txConversations struct{ tx pgx.Tx }

func (c txConversations) Load(ctx context.Context, user string) (dialog.State, bool, error) {
	// Make sure a row exists to lock, even for a first message.
	if _, err := c.tx.Exec(ctx, `INSERT INTO conversations (wa_id, state) VALUES ($1, '{}') ON CONFLICT DO NOTHING`, user); err != nil {
		return dialog.State{}, false, err
	}
	var raw []byte
	if err := c.tx.QueryRow(ctx, "SELECT state FROM conversations WHERE wa_id = $1 FOR UPDATE", user).Scan(&raw); err != nil {
		return dialog.State{}, false, err
	}
	var st dialog.State
	if err := json.Unmarshal(raw, &st); err != nil {
		return dialog.State{}, false, fmt.Errorf("conversation state: %w", err)
	}
	return st, !st.Updated.IsZero(), nil
}

func (c txConversations) Save(ctx context.Context, user string, st dialog.State) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	_, err = c.tx.Exec(ctx, "UPDATE conversations SET state = $2, updated_at = now() WHERE wa_id = $1", user, raw)
	return err
}

// AddOutbox queues a reply. The (inbound, seq) pair is unique, so queueing
// the same reply twice is a no-op reported as inserted == false.
func (t Tx) AddOutbox(ctx context.Context, inboundID string, seq int, to string, payload whatsapp.Outbound) (id int64, inserted bool, err error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return 0, false, err
	}
	err = t.tx.QueryRow(ctx, `INSERT INTO outbox (inbound_id, seq, wa_to, payload) VALUES ($1, $2, $3, $4)
		ON CONFLICT (inbound_id, seq) DO NOTHING RETURNING id`, inboundID, seq, to, raw).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// statusRank orders delivery statuses: a late "delivered" never overwrites
// "read". failed is final.
var statusRank = map[string]int{"sent": 1, "delivered": 2, "read": 3, "played": 4, "failed": 9}

// ApplyStatus records a delivery status once and moves the outbox row
// forward (never backward: statuses arrive out of order).
func (t Tx) ApplyStatus(ctx context.Context, st whatsapp.Status) error {
	var code *int
	var title *string
	if len(st.Errors) > 0 {
		code, title = &st.Errors[0].Code, &st.Errors[0].Title
	}
	var at *time.Time
	if !st.Time.IsZero() {
		at = &st.Time
	}
	if _, err := t.tx.Exec(ctx, `INSERT INTO message_statuses (wa_message_id, status, status_at, error_code, error_title)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, st.MessageID, st.Status, at, code, title); err != nil {
		return err
	}
	rank, known := statusRank[st.Status]
	if !known {
		return nil // recorded above; Meta may add statuses
	}
	_, err := t.tx.Exec(ctx, `UPDATE outbox SET status = $2, error_code = COALESCE($3, error_code),
		last_error = COALESCE($4, last_error), updated_at = now()
		WHERE wa_message_id = $1 AND status <> 'failed' AND $5 > CASE status
		WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 WHEN 'played' THEN 4 ELSE 0 END`,
		st.MessageID, st.Status, code, title, rank)
	return err
}

// OutboxIDs lists the outbox rows of one inbound message, in order.
func (s *Store) OutboxIDs(ctx context.Context, inboundID string) ([]int64, error) {
	rows, err := s.Pool.Query(ctx, "SELECT id FROM outbox WHERE inbound_id = $1 ORDER BY seq", inboundID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// OutboxRow is a reply to send.
type OutboxRow struct {
	ID          int64
	To          string
	Payload     whatsapp.Outbound
	Status      string
	Attempts    int
	WAMessageID string
}

// ClaimOutbox locks an outbox row for sending and counts the attempt. A
// row already sent (or failed for good) comes back with that status, and
// the sender does nothing: sending is idempotent per row.
func (s *Store) ClaimOutbox(ctx context.Context, id int64) (OutboxRow, error) {
	var r OutboxRow
	var raw []byte
	var wamid *string
	err := s.Pool.QueryRow(ctx, `UPDATE outbox SET attempts = attempts + CASE WHEN status IN ('pending', 'sending') THEN 1 ELSE 0 END,
		status = CASE WHEN status = 'pending' THEN 'sending' ELSE status END, updated_at = now()
		WHERE id = $1 RETURNING id, wa_to, payload, status, attempts, wa_message_id`, id).
		Scan(&r.ID, &r.To, &raw, &r.Status, &r.Attempts, &wamid)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, err
	}
	if wamid != nil {
		r.WAMessageID = *wamid
	}
	return r, json.Unmarshal(raw, &r.Payload)
}

// OutboxSent records a successful send.
func (s *Store) OutboxSent(ctx context.Context, id int64, waMessageID string) error {
	_, err := s.Pool.Exec(ctx, `UPDATE outbox SET status = 'sent', wa_message_id = $2, sent_at = now(), last_error = NULL, updated_at = now()
		WHERE id = $1 AND status IN ('pending', 'sending')`, id, waMessageID)
	return err
}

// OutboxError records a failed attempt; a permanent failure ends the row.
func (s *Store) OutboxError(ctx context.Context, id int64, code int, msg string, permanent bool) error {
	status := "sending"
	if permanent {
		status = "failed"
	}
	_, err := s.Pool.Exec(ctx, `UPDATE outbox SET status = $2, error_code = NULLIF($3, 0), last_error = $4, updated_at = now()
		WHERE id = $1 AND status IN ('pending', 'sending')`, id, status, code, msg)
	return err
}

// PeekInbound reads a stored message without locking it, for work that
// must happen before the processing transaction (hearing a voice note).
func (s *Store) PeekInbound(ctx context.Context, id string) (whatsapp.Message, bool, error) {
	var raw []byte
	var processed *time.Time
	err := s.Pool.QueryRow(ctx, "SELECT message, processed_at FROM inbound_messages WHERE wa_message_id = $1", id).Scan(&raw, &processed)
	if errors.Is(err, pgx.ErrNoRows) {
		return whatsapp.Message{}, false, ErrNotFound
	}
	if err != nil {
		return whatsapp.Message{}, false, err
	}
	var m whatsapp.Message
	err = json.Unmarshal(raw, &m)
	return m, processed != nil, err
}

// ConversationLang returns a citizen's conversation language so far, ""
// when there is none: the language hint for speech recognition.
func (s *Store) ConversationLang(ctx context.Context, user string) (string, error) {
	var lang *string
	err := s.Pool.QueryRow(ctx, "SELECT state->>'lang' FROM conversations WHERE wa_id = $1", user).Scan(&lang)
	if errors.Is(err, pgx.ErrNoRows) || lang == nil {
		return "", nil
	}
	return *lang, err
}
