package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mitra-gov/mitra/whatsapp"
)

// Handover is a conversation held by a person rather than the bot.
type Handover struct {
	ID          int64
	Citizen     string
	Department  string // "" for the general queue
	Lang        string
	Status      string // waiting, active, closed
	RequestedAt time.Time
	TakenBy     string // the officer's name, once taken
	TakenByID   int64
	LastAt      time.Time
	// LastCitizen is when the citizen last wrote: outside 24 hours only
	// approved templates may be sent.
	LastCitizen time.Time
}

const handoverColumns = `h.id, h.wa_id, h.department, h.lang, h.status, h.requested_at, COALESCE(s.display_name, ''), COALESCE(h.taken_by, 0), h.last_at,
	h.citizen_at`

func scanHandover(row pgx.Row) (Handover, error) {
	var h Handover
	err := row.Scan(&h.ID, &h.Citizen, &h.Department, &h.Lang, &h.Status, &h.RequestedAt, &h.TakenBy, &h.TakenByID, &h.LastAt, &h.LastCitizen)
	return h, err
}

// OpenHandover opens a handover for a citizen, or keeps the one open.
func (t Tx) OpenHandover(ctx context.Context, waID, department, lang string) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO handovers (wa_id, department, lang, status) VALUES ($1, $2, $3, 'waiting')
		ON CONFLICT (wa_id) WHERE status <> 'closed' DO NOTHING`, waID, department, lang)
	if err != nil {
		return fmt.Errorf("open handover: %w", err)
	}
	return nil
}

// CloseHandover ends a handover.
func (t Tx) CloseHandover(ctx context.Context, id int64, by string) error {
	_, err := t.tx.Exec(ctx, "UPDATE handovers SET status = 'closed', closed_at = now(), closed_by = $2 WHERE id = $1 AND status <> 'closed'", id, by)
	return err
}

// Handovers lists the open handovers of a department, oldest first; all
// lists every department's and the general queue.
func (s *Store) Handovers(ctx context.Context, department string, all bool) ([]Handover, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+handoverColumns+` FROM handovers h LEFT JOIN staff s ON s.id = h.taken_by
		WHERE h.status <> 'closed' AND ($2 OR h.department = $1) ORDER BY h.requested_at LIMIT 200`, department, all)
	if err != nil {
		return nil, fmt.Errorf("handovers: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Handover, error) { return scanHandover(r) })
}

// HandoverByID returns one handover.
func (s *Store) HandoverByID(ctx context.Context, id int64) (Handover, error) {
	h, err := scanHandover(s.pool.QueryRow(ctx, "SELECT "+handoverColumns+" FROM handovers h LEFT JOIN staff s ON s.id = h.taken_by WHERE h.id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return h, ErrNotFound
	}
	return h, err
}

// ErrTakenByOther is a handover another officer holds.
var ErrTakenByOther = errors.New("store: another officer holds this conversation")

// TakeHandover gives an open handover to a staff member (waiting becomes
// active; one held by someone else is refused) and queues the notice to
// the citizen, in the same transaction.
func (s *Store) TakeHandover(ctx context.Context, id, staffID int64, notice []whatsapp.Outgoing) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var status string
		var taker int64
		var waID string
		err := tx.QueryRow(ctx, "SELECT status, COALESCE(taken_by, 0), wa_id FROM handovers WHERE id = $1 FOR UPDATE", id).Scan(&status, &taker, &waID)
		switch {
		case errors.Is(err, pgx.ErrNoRows) || err == nil && status == "closed":
			return ErrNotFound
		case err != nil:
			return err
		case taker == staffID:
			return nil
		case taker != 0:
			return ErrTakenByOther
		}
		if _, err := tx.Exec(ctx, "UPDATE handovers SET status = 'active', taken_by = $2, taken_at = now(), last_at = now() WHERE id = $1", id, staffID); err != nil {
			return err
		}
		return s.queueToCitizen(ctx, tx, handoverKey(id), waID, notice)
	})
}

// StartHandover has a staff member take a citizen's conversation from a
// record (or keep the handover already open, if no one else holds it),
// and queues the notice that they joined; it returns the handover's id.
func (s *Store) StartHandover(ctx context.Context, waID, department, lang string, staffID int64, notice []whatsapp.Outgoing) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var taker int64
		// The citizen may not have written for days: the window runs from
		// their last message, not from now.
		err := tx.QueryRow(ctx, `INSERT INTO handovers (wa_id, department, lang, status, taken_by, taken_at, citizen_at)
			VALUES ($1, $2, $3, 'active', $4, now(), COALESCE((SELECT max(received_at) FROM inbound_messages WHERE wa_from = $1), 'epoch'))
			ON CONFLICT (wa_id) WHERE status <> 'closed' DO UPDATE SET last_at = now()
			RETURNING id, COALESCE(taken_by, 0)`, waID, department, lang, staffID).Scan(&id, &taker)
		if err != nil {
			return err
		}
		switch taker {
		case staffID:
		case 0:
			if _, err := tx.Exec(ctx, "UPDATE handovers SET status = 'active', taken_by = $2, taken_at = now() WHERE id = $1", id, staffID); err != nil {
				return err
			}
		default:
			return ErrTakenByOther
		}
		return s.queueToCitizen(ctx, tx, handoverKey(id), waID, notice)
	})
	return id, err
}

// SayInHandover queues a staff member's message to the citizen (through
// the outbox, as every reply goes); closing also ends the handover.
func (s *Store) SayInHandover(ctx context.Context, id, staffID int64, items []whatsapp.Outgoing, close bool) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var waID string
		err := tx.QueryRow(ctx, "SELECT wa_id FROM handovers WHERE id = $1 AND status = 'active' AND taken_by = $2 FOR UPDATE", id, staffID).Scan(&waID)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		q := "UPDATE handovers SET last_at = now(), replies = replies + 1 WHERE id = $1"
		if close {
			q = "UPDATE handovers SET status = 'closed', closed_at = now(), closed_by = 'officer' WHERE id = $1"
		}
		if _, err := tx.Exec(ctx, q, id); err != nil {
			return err
		}
		return s.queueToCitizen(ctx, tx, handoverKey(id), waID, items)
	})
}

// handoverKey is a fresh outbox key for one message of a handover.
func handoverKey(id int64) string { return fmt.Sprintf("handover:%d:%d", id, time.Now().UnixNano()) }

// QueueToCitizen writes messages to a citizen that answer no inbound
// message (a handover's notices) to the outbox under key, and queues
// their sending; the same key twice queues them once.
func (s *Store) QueueToCitizen(ctx context.Context, key, waID string, items []whatsapp.Outgoing) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return s.queueToCitizen(ctx, tx, key, waID, items) })
}

func (s *Store) queueToCitizen(ctx context.Context, tx pgx.Tx, key, waID string, items []whatsapp.Outgoing) error {
	if len(items) == 0 {
		return nil
	}
	t := Tx{s, tx}
	for seq, it := range items {
		if _, _, err := t.AddOutbox(ctx, key, seq, waID, it); err != nil {
			return err
		}
	}
	return s.enqueue(ctx, tx, SendArgs{InboundID: key})
}

// StaleHandovers closes handovers nobody took within wait, and those idle
// for longer than idle, and returns them for their citizens' notices.
func (s *Store) StaleHandovers(ctx context.Context, wait, idle time.Duration) ([]Handover, error) {
	rows, err := s.pool.Query(ctx, `UPDATE handovers h SET status = 'closed', closed_at = now(), closed_by = 'timeout'
		WHERE h.status <> 'closed' AND ((h.status = 'waiting' AND h.requested_at < now() - make_interval(secs => $1))
		   OR (h.status = 'active' AND h.last_at < now() - make_interval(secs => $2)))
		RETURNING h.id, h.wa_id, h.department, h.lang, h.status, h.requested_at, '', 0::bigint, h.last_at, h.citizen_at`, wait.Seconds(), idle.Seconds())
	if err != nil {
		return nil, fmt.Errorf("stale handovers: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Handover, error) { return scanHandover(r) })
}

// Exchange is one message of a conversation, for the officer's view.
type Exchange struct {
	At      time.Time
	Citizen bool // from the citizen; otherwise mitra's or an officer's
	Text    string
}

// ConversationLog returns a citizen's last messages both ways, oldest
// first: the text of what they wrote (a tap shows as the title typed or
// its kind) and of what was sent.
func (s *Store) ConversationLog(ctx context.Context, waID string, limit int) ([]Exchange, error) {
	rows, err := s.pool.Query(ctx, `SELECT at, citizen, text FROM (
		SELECT received_at AS at, true AS citizen,
		       COALESCE(NULLIF(message->>'text', ''), '(' || type || ')') AS text
		FROM inbound_messages WHERE wa_from = $1
		UNION ALL
		SELECT created_at, false, COALESCE(payload->'text'->>'body', payload->'interactive'->'body'->>'text',
		       payload->>'text', '(' || kind || ')')
		FROM outbox WHERE wa_to = $1
		ORDER BY at DESC LIMIT $2) x ORDER BY at`, waID, limit)
	if err != nil {
		return nil, fmt.Errorf("conversation log: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Exchange])
}
