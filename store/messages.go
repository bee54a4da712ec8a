package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/mitra-gov/mitra/dialog"
	"github.com/mitra-gov/mitra/whatsapp"
)

// Tx is one database transaction with mitra's operations on it.
type Tx struct {
	s  *Store
	tx pgx.Tx
}

// InTx runs fn in a transaction, committing when it returns nil. Its
// BEGIN goes out with its first statement (tx.go).
func (s *Store) InTx(ctx context.Context, fn func(Tx) error) error {
	return inTx(ctx, s.pool, func(tx *pipelinedTx) error { return fn(Tx{s, tx}) })
}

// ErrNotFound means a row that a job or a request refers to does not
// exist.
var ErrNotFound = errors.New("store: not found")

// inboundRecord is how an inbound message is kept: its own JSON names, so
// that renaming a field of whatsapp.Message never breaks stored rows.
type inboundRecord struct {
	ID            string       `json:"id"`
	From          string       `json:"from"`
	Name          string       `json:"name,omitempty"`
	PhoneNumberID string       `json:"phone_number_id,omitempty"`
	Time          time.Time    `json:"time"`
	Type          string       `json:"type"`
	Text          string       `json:"text,omitempty"`
	OptionID      string       `json:"option_id,omitempty"`
	Media         *mediaRecord `json:"media,omitempty"`
	ReplyTo       string       `json:"reply_to,omitempty"`
	Location      *placeRecord `json:"location,omitempty"`
	FlowResponse  string       `json:"flow_response,omitempty"`
}

type placeRecord struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name,omitempty"`
	Address   string  `json:"address,omitempty"`
}

type mediaRecord struct {
	ID       string `json:"id"`
	MIMEType string `json:"mime_type,omitempty"`
	SHA256   string `json:"sha256,omitempty"`
	Voice    bool   `json:"voice,omitempty"`
}

func recordOf(m whatsapp.Message) inboundRecord {
	r := inboundRecord{ID: m.ID, From: m.From, Name: m.Name, PhoneNumberID: m.PhoneNumberID, Time: m.Time, Type: m.Type,
		Text: m.Text, OptionID: m.OptionID, ReplyTo: m.ReplyTo, FlowResponse: m.FlowResponse}
	if m.Media != nil {
		r.Media = &mediaRecord{ID: m.Media.ID, MIMEType: m.Media.MIMEType, SHA256: m.Media.SHA256, Voice: m.Media.Voice}
	}
	if l := m.Location; l != nil {
		r.Location = &placeRecord{Latitude: l.Latitude, Longitude: l.Longitude, Name: l.Name, Address: l.Address}
	}
	return r
}

func (r inboundRecord) message() whatsapp.Message {
	m := whatsapp.Message{ID: r.ID, From: r.From, Name: r.Name, PhoneNumberID: r.PhoneNumberID, Time: r.Time, Type: r.Type,
		Text: r.Text, OptionID: r.OptionID, ReplyTo: r.ReplyTo, FlowResponse: r.FlowResponse}
	if r.Media != nil {
		m.Media = &whatsapp.Media{ID: r.Media.ID, MIMEType: r.Media.MIMEType, SHA256: r.Media.SHA256, Voice: r.Media.Voice}
	}
	if l := r.Location; l != nil {
		m.Location = &whatsapp.Location{Latitude: l.Latitude, Longitude: l.Longitude, Name: l.Name, Address: l.Address}
	}
	return m
}

// querier is a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// loadInbound reads a stored message and whether it was processed; with
// lock, the row stays locked until the transaction ends.
func loadInbound(ctx context.Context, q querier, id string, lock bool) (whatsapp.Message, bool, error) {
	sql := selectInbound
	if lock {
		sql += " FOR UPDATE"
	}
	return scanInbound(q.QueryRow(ctx, sql, id), id)
}

const selectInbound = "SELECT message, processed_at FROM inbound_messages WHERE wa_message_id = $1"

func scanInbound(row pgx.Row, id string) (whatsapp.Message, bool, error) {
	var raw []byte
	var processed *time.Time
	err := row.Scan(&raw, &processed)
	if errors.Is(err, pgx.ErrNoRows) {
		return whatsapp.Message{}, false, fmt.Errorf("load inbound %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return whatsapp.Message{}, false, fmt.Errorf("load inbound %s: %w", id, err)
	}
	var r inboundRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		return whatsapp.Message{}, false, fmt.Errorf("decode inbound %s: %w", id, err)
	}
	return r.message(), processed != nil, nil
}

// Inbound reads a stored message without locking it, for work that must
// happen before the processing transaction (hearing a voice note).
func (s *Store) Inbound(ctx context.Context, id string) (whatsapp.Message, bool, error) {
	return loadInbound(ctx, s.pool, id, false)
}

// noteHeld finds the citizen's open handover, if any, and notes that
// they wrote (the 24-hour window and the idle timeout run from it).
const noteHeld = "UPDATE handovers SET last_at = now(), citizen_at = now() WHERE wa_id = $1 AND status <> 'closed' RETURNING id"

// lockHeld is Lock's third statement, after the conversation is locked
// (and the turn taken): the message noted on the citizen's open handovers
// and their certificates awaiting a reply read, returning the handovers'
// ids and the certificates'. One statement where there were two, each an
// executor's start and finish for PostgreSQL.
const lockHeld = "WITH held AS (" + noteHeld + ") SELECT ARRAY(SELECT id FROM held), ARRAY(" + certificatesAwaiting + ")"

// markProcessedCTE marks a message ($5 of answerSQL) processed and, with
// $14, forgets its words in the same write (redactedMessage).
const markProcessedCTE = "UPDATE inbound_messages SET processed_at = now(), message = CASE WHEN $14 THEN " + redactedMessage + " ELSE message END WHERE wa_message_id = $5"

// Locked is a message ready to be answered: the message, whether it was
// processed already, the citizen's conversation (locked) and, when a turn
// was taken, whether the citizen's rate allows an answer.
type Locked struct {
	Message   whatsapp.Message
	Processed bool
	State     dialog.State
	// Allowed is false above the citizen's rate; Notify is true for the
	// first refusal in a window.
	Allowed, Notify bool
	// Handover is the id of the handover a person holds the conversation
	// in (0 for none); the message is noted on it.
	Handover int64
	// Awaiting are the citizen's certificates held until they write (a
	// message from them reopens the 24-hour window): Answer queues their
	// delivery.
	Awaiting []string
}

// Lock locks a message and its sender's conversation, with turn taking
// one of the citizen's turns in the same write (Tx.TakeTurn), and notes
// the message on a handover that holds it, in one round trip: the
// start of every message's transaction. The message is locked first, as
// everywhere, so that two workers never wait on each other in turn.
func (t Tx) Lock(ctx context.Context, id, from string, turn bool, l Limit, window time.Duration) (Locked, error) {
	var out Locked
	var b pgx.Batch
	var msgErr, convErr error
	b.Queue(selectInbound+" FOR UPDATE", id).QueryRow(func(r pgx.Row) error {
		out.Message, out.Processed, msgErr = scanInbound(r, id)
		return nil
	})
	// With a turn, the statement that locks the conversation takes it.
	out.Allowed = true
	sql, args := lockConversation, []any{from}
	if turn {
		sql, args = lockTakingTurn, []any{from, l.Rate, l.Burst, window.Seconds()}
	}
	b.Queue(sql, args...).QueryRow(func(r pgx.Row) error {
		var raw []byte
		if turn {
			convErr = r.Scan(&raw, &out.Allowed, &out.Notify)
		} else {
			convErr = r.Scan(&raw)
		}
		if convErr == nil {
			out.State, convErr = decodeConversation(raw)
		}
		return nil
	})
	b.Queue(lockHeld, from).QueryRow(func(r pgx.Row) error {
		var held []int64
		if err := r.Scan(&held, &out.Awaiting); err != nil {
			return err
		}
		if len(held) > 0 {
			out.Handover = held[len(held)-1]
		}
		return nil
	})
	if err := t.tx.SendBatch(ctx, &b).Close(); err != nil {
		return out, fmt.Errorf("lock %s: %w", id, err)
	}
	if msgErr != nil {
		return out, msgErr
	}
	if convErr != nil {
		return out, fmt.Errorf("lock conversation: %w", convErr)
	}
	if out.Message.From != from {
		return out, fmt.Errorf("lock %s: the job's sender is not the message's", id)
	}
	return out, nil
}

// LockConversation returns a citizen's conversation state (empty for a
// first message) and locks it for this transaction, so that one citizen's
// messages are handled one at a time, in any number of processes.
func (t Tx) LockConversation(ctx context.Context, user string) (dialog.State, error) {
	// One statement makes the row if this is a first message and locks
	// it either way: an upsert's update takes the row lock.
	var raw []byte
	err := t.tx.QueryRow(ctx, lockConversation, user).Scan(&raw)
	if err != nil {
		return dialog.State{}, fmt.Errorf("lock conversation: %w", err)
	}
	return decodeConversation(raw)
}

const lockConversation = `INSERT INTO conversations (wa_id, state) VALUES ($1, '{}')
	ON CONFLICT (wa_id) DO UPDATE SET wa_id = EXCLUDED.wa_id RETURNING state`

func decodeConversation(raw []byte) (dialog.State, error) {
	var st dialog.State
	if err := json.Unmarshal(raw, &st); err != nil {
		return dialog.State{}, fmt.Errorf("decode conversation: %w", err)
	}
	return st, nil
}

// Conversation reads a citizen's conversation state without locking it:
// the language hint for speech recognition, read before the transaction.
func (s *Store) Conversation(ctx context.Context, user string) (dialog.State, error) {
	st, err := loadConversation(ctx, s.pool, user, false)
	if errors.Is(err, ErrNotFound) {
		return dialog.State{}, nil
	}
	return st, err
}

func loadConversation(ctx context.Context, q querier, user string, lock bool) (dialog.State, error) {
	sql := "SELECT state FROM conversations WHERE wa_id = $1"
	if lock {
		sql += " FOR UPDATE"
	}
	var raw []byte
	err := q.QueryRow(ctx, sql, user).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return dialog.State{}, fmt.Errorf("load conversation: %w", ErrNotFound)
	}
	if err != nil {
		return dialog.State{}, fmt.Errorf("load conversation: %w", err)
	}
	return decodeConversation(raw)
}

// SaveConversation writes a citizen's new conversation state.
func (t Tx) SaveConversation(ctx context.Context, user string, st dialog.State) error {
	args, err := conversationArgs(user, st)
	if err != nil {
		return err
	}
	if _, err = t.tx.Exec(ctx, updateConversation, args...); err != nil {
		return fmt.Errorf("save conversation: %w", err)
	}
	return nil
}

// conversationArgs are updateConversation's arguments.
func conversationArgs(user string, st dialog.State) ([]any, error) {
	raw, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("encode conversation: %w", err)
	}
	// A draft's last answer is kept in columns too, so that the sweep
	// finds idle drafts by index.
	var touched *time.Time
	reminded := false
	if st.Draft != nil {
		touched, reminded = &st.Draft.Touched, st.Draft.Reminded
	}
	return []any{user, raw, touched, reminded}, nil
}

const updateConversation = "UPDATE conversations SET state = $2, updated_at = now(), draft_touched_at = $3, draft_reminded = $4 WHERE wa_id = $1"

// Outbox row kinds: a Cloud API message ready to send, or text that the
// sender speaks into a voice note just before sending it.
const (
	kindMessage = "message"
	kindSpeech  = "speech"
)

// speechRecord is how a spoken reply waits in the outbox.
type speechRecord struct {
	Text string `json:"text"`
	Lang string `json:"lang"`
}

// AddOutbox queues a reply. The (inbound, seq) pair is unique, so queueing
// the same reply twice is a no-op reported as inserted == false.
func (t Tx) AddOutbox(ctx context.Context, inboundID string, seq int, to string, item whatsapp.Outgoing) (id int64, inserted bool, err error) {
	args, err := outboxArgs(inboundID, seq, to, item, false)
	if err != nil {
		return 0, false, err
	}
	err = t.tx.QueryRow(ctx, insertOutbox, args...).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("add outbox %s/%d: %w", inboundID, seq, err)
	}
	return id, true, nil
}

const insertOutbox = `INSERT INTO outbox (inbound_id, seq, wa_to, kind, payload, status, attempts) VALUES ($1, $2, $3, $4, $5, $6, $7)
	ON CONFLICT (inbound_id, seq) DO NOTHING RETURNING id`

// outboxArgs are insertOutbox's arguments. A claimed row is born
// "sending", its first attempt counted: the caller sends it at once.
func outboxArgs(inboundID string, seq int, to string, item whatsapp.Outgoing, claimed bool) ([]any, error) {
	kind, raw, err := outboxPayload(inboundID, seq, item)
	if err != nil {
		return nil, err
	}
	status, attempts := "pending", 0
	if claimed {
		status, attempts = "sending", 1
	}
	return []any{inboundID, seq, to, kind, raw, status, attempts}, nil
}

// outboxPayload is how a reply is kept in the outbox: its kind and payload.
func outboxPayload(inboundID string, seq int, item whatsapp.Outgoing) (kind string, raw []byte, err error) {
	kind, payload := kindMessage, any(item.Message)
	if item.Speech != nil {
		kind, payload = kindSpeech, speechRecord{Text: item.Speech.Text, Lang: item.Speech.Lang}
	} else if item.Message == nil {
		return "", nil, fmt.Errorf("outbox %s/%d: nothing to send", inboundID, seq)
	}
	if raw, err = json.Marshal(payload); err != nil {
		return "", nil, fmt.Errorf("encode outbox %s/%d: %w", inboundID, seq, err)
	}
	return kind, raw, nil
}

// answerSQL writes what answering a message changed, in one statement: the
// conversation ($1 to $4, as updateConversation), the analysis (the
// message $5, the reading $6 to $13), the message processed (forgetting
// its words with $14) and the replies ($15 their places, $16 kinds, $17
// payloads), each born "sending" with its first attempt counted, since the
// caller sends it at once. It returns the replies inserted, in order; one
// already there (the message answered before) is left as it is. A
// statement's parts see one snapshot, so the analysis reads the message
// as it was before it was marked.
const answerSQL = `WITH conversation AS (` + updateConversation + `),
	analysis AS (` + analysisCTE + `),
	processed AS (` + markProcessedCTE + `),
	replies AS (INSERT INTO outbox (inbound_id, seq, wa_to, kind, payload, status, attempts)
		SELECT $5, r.seq, $1, r.kind, r.payload, 'sending', 1 FROM unnest($15::int[], $16::text[], $17::text[]::jsonb[]) AS r(seq, kind, payload)
		ON CONFLICT (inbound_id, seq) DO NOTHING RETURNING id, seq)
	SELECT id, seq FROM replies ORDER BY seq`

// Answer records what processing a message produced and commits, in one
// round trip rather than one a statement, with the transaction's COMMIT:
// its replies in the outbox, claimed for the caller to send, the
// citizen's new conversation state and the message marked processed. It
// is the transaction's last statement. When certificates were held for
// this reply (Locked.Awaiting), their delivery jobs are queued after the
// batch, in the same transaction, which InTx then commits.
//
// The caller sends the replies itself once the transaction commits, at
// their places in the send rate (SendLease). If it dies first, or gives
// up (SendLater), a send job takes the rows over: the recovery sweep
// (SweepOutbox) queues one for replies still unsent SendFallback after
// they were written. That costs nothing a message, where a fallback job
// of each answer's own cost an insert and a delete.
//
// Unless lasting, the commit does not wait for the disk: a database
// crash in the next fraction of a second can only make the message be
// processed again from its stored copy (the webhook's commit always
// waits), and its replies go out again. A step that stores what a
// citizen was told is kept (a submission and its reference number, a
// consent, a file, an answer, a rating, a Flow's token) is lasting.
func (t Tx) Answer(ctx context.Context, inboundID, user string, items []whatsapp.Outgoing, st dialog.State, lasting bool, awaiting []string) (Answered, error) {
	var b pgx.Batch
	if !lasting {
		b.Queue("SET LOCAL synchronous_commit = off")
	}
	var answered Answered
	args, err := conversationArgs(user, st)
	if err != nil {
		return answered, err
	}
	seqs, kinds, payloads := make([]int32, len(items)), make([]string, len(items)), make([]string, len(items))
	for seq, item := range items {
		kind, raw, err := outboxPayload(inboundID, seq, item)
		if err != nil {
			return answered, err
		}
		seqs[seq], kinds[seq], payloads[seq] = int32(seq), kind, string(raw)
	}
	args = append(append(append(args, inboundID), analysisArgs(st)...), st.Effects.Forget, seqs, kinds, payloads)
	b.Queue(answerSQL, args...).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var id int64
			var seq int32
			if err := rows.Scan(&id, &seq); err != nil {
				return err
			}
			answered.Outbox = append(answered.Outbox, OutboxRow{ID: id, To: user, Item: items[seq], Status: "sending", Attempts: 1})
		}
		return rows.Err()
	})
	if st.Effects.Forget {
		b.Queue(forgetName, user)
	}
	if ptx, ok := t.tx.(*pipelinedTx); ok && len(awaiting) == 0 {
		if err := ptx.commitWith(ctx, &b); err != nil {
			return Answered{}, fmt.Errorf("answer %s: %w", inboundID, err)
		}
		return answered, nil
	}
	if err := t.tx.SendBatch(ctx, &b).Close(); err != nil {
		return answered, fmt.Errorf("answer %s: %w", inboundID, err)
	}
	jobs := make([]river.InsertManyParams, 0, len(awaiting))
	for _, id := range awaiting {
		jobs = append(jobs, river.InsertManyParams{Args: DeliverArgs{CertID: id}})
	}
	_, err = t.s.enqueueMany(ctx, t.tx, jobs)
	return answered, err
}

// Answered is what Answer stored: the outbox rows to send, in order, each
// claimed.
type Answered struct {
	Outbox []OutboxRow
}

// SendFallback is how long after they were written unsent replies wait
// for the outbox sweep to queue their send job. It outlasts the caller's
// own sending (worker.inlineSendWindow, a Graph API call's timeout, and
// recording a send while the database restarts), so that the two never
// send at once.
const SendFallback = 60 * time.Second

// SendLater queues the send job of an inbound message's replies at once:
// the caller stopped before every reply went out. The job is unique to
// the message while it waits or runs, so that the sweep never doubles it.
func (s *Store) SendLater(ctx context.Context, inboundID string) error {
	if _, err := s.queue.Load().Insert(ctx, SendArgs{InboundID: inboundID}, nil); err != nil {
		return fmt.Errorf("queue the sending of %s: %w", inboundID, err)
	}
	return nil
}

// SweepOutbox queues a send job for each message whose replies have gone
// unsent for SendFallback with no send job waiting or running (a process
// died between its commit and its sends), and fails the replies still
// unsent after a day: past WhatsApp's 24-hour window, a reply can no
// longer be sent. A message whose rows were tried as many times as a send
// job's attempts is left alone, as its discarded job left it (the send
// job also fails its rows on its last attempt). It returns how many jobs
// it queued.
//
// Messages with a live job are skipped in the query itself (River's index
// on job arguments serves it), not only by the job's uniqueness: a send
// job backing off must not fill the sweep's page, and one queued before
// jobs were unique has no key to be seen by.
func (s *Store) SweepOutbox(ctx context.Context) (int, error) {
	if _, err := s.pool.Exec(ctx, `UPDATE outbox SET status = 'failed', last_error = 'not sent within 24 hours', updated_at = now()
		WHERE status IN ('pending', 'sending') AND created_at < now() - interval '24 hours'`); err != nil {
		return 0, fmt.Errorf("fail stale replies: %w", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT o.inbound_id FROM outbox o
		WHERE o.status IN ('pending', 'sending') AND o.created_at < now() - make_interval(secs => $1)
		AND NOT EXISTS (SELECT 1 FROM river_job j WHERE j.kind = $3
			AND j.args @> jsonb_build_object('inbound_id', o.inbound_id) AND j.state = ANY($4::river_job_state[]))
		GROUP BY o.inbound_id HAVING max(o.attempts) < $2 ORDER BY min(o.created_at) LIMIT 1000`,
		SendFallback.Seconds(), SendArgs{}.InsertOpts().MaxAttempts, SendArgs{}.Kind(), liveStateNames())
	if err != nil {
		return 0, fmt.Errorf("unsent replies: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	jobs := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		jobs[i] = river.InsertManyParams{Args: SendArgs{InboundID: id}}
	}
	inserted, err := s.queue.Load().InsertMany(ctx, jobs)
	if err != nil {
		return 0, fmt.Errorf("queue %d send jobs: %w", len(jobs), err)
	}
	n := 0
	for _, r := range inserted {
		if !r.UniqueSkippedAsDuplicate {
			n++
		}
	}
	return n, nil
}

// SweepInbound queues a process job for each message left unanswered for
// LaneFallback with no job of its own: a process died with it in its
// lane (lane.go). A message whose job ran out of attempts keeps that job
// (River keeps a discarded job for days) and is left alone, and so is a
// message older than a day, past the window in which it could still be
// answered. It returns how many jobs it queued.
func (s *Store) SweepInbound(ctx context.Context) (int, error) {
	rows, err := s.pool.Query(ctx, `SELECT m.wa_message_id, m.wa_from FROM inbound_messages m
		WHERE m.processed_at IS NULL AND m.received_at < now() - make_interval(secs => $1)
		AND m.received_at > now() - interval '24 hours'
		AND NOT EXISTS (SELECT 1 FROM river_job j WHERE j.kind = $2
			AND j.args @> jsonb_build_object('wa_message_id', m.wa_message_id))
		ORDER BY m.received_at LIMIT 1000`, LaneFallback.Seconds(), ProcessArgs{}.Kind())
	if err != nil {
		return 0, fmt.Errorf("unanswered messages: %w", err)
	}
	jobs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (river.InsertManyParams, error) {
		var a ProcessArgs // not Plain: the job reads the message first, whatever it is
		err := r.Scan(&a.WAMessageID, &a.From)
		return river.InsertManyParams{Args: a}, err
	})
	if err != nil || len(jobs) == 0 {
		return 0, err
	}
	if _, err := s.queue.Load().InsertMany(ctx, jobs); err != nil {
		return 0, fmt.Errorf("queue %d process jobs: %w", len(jobs), err)
	}
	return len(jobs), nil
}

// statusOrder orders delivery statuses: a late "delivered" never
// overwrites "read". "failed" is final and outside the order. It is the
// one source of the order; the SQL below takes it as a parameter.
var statusOrder = []string{"sent", "delivered", "read", "played"}

// queueStatus queues what records a delivery status once and moves the
// outbox row forward (never backward: statuses arrive out of order).
func queueStatus(b *pgx.Batch, st whatsapp.Status) {
	var code *int
	var title *string
	if len(st.Errors) > 0 {
		code, title = &st.Errors[0].Code, &st.Errors[0].Title
	}
	// A campaign's message keeps its statuses in its own row (a crore of
	// them would swamp message_statuses).
	if id, waID, ok := parseCampaignCallback(st.Callback); ok {
		queueCampaignStatus(b, id, waID, statusArgs{messageID: st.MessageID, status: st.Status, category: st.Category, code: code, billable: st.Billable})
		return
	}
	var at *time.Time
	if !st.Time.IsZero() {
		at = &st.Time
	}
	b.Queue(`INSERT INTO message_statuses (wa_message_id, status, status_at, error_code, error_title)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, st.MessageID, st.Status, at, code, title)
	// array_position is 1-based and NULL for a status outside the order:
	// "failed" always applies (unless already failed), unknown statuses
	// (Meta may add some) are recorded above and move nothing.
	b.Queue(`UPDATE outbox SET status = $2, error_code = COALESCE($3, error_code),
		last_error = COALESCE($4, last_error), updated_at = now()
		WHERE wa_message_id = $1 AND status <> 'failed'
		AND ($2 = 'failed' OR array_position($5::text[], $2) > COALESCE(array_position($5::text[], status), 0))`,
		st.MessageID, st.Status, code, title, statusOrder)
}

// OutboxIDs lists the outbox rows of one inbound message, in order.
func (s *Store) OutboxIDs(ctx context.Context, inboundID string) ([]int64, error) {
	rows, err := s.pool.Query(ctx, "SELECT id FROM outbox WHERE inbound_id = $1 ORDER BY seq", inboundID)
	if err != nil {
		return nil, fmt.Errorf("outbox of %s: %w", inboundID, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("outbox of %s: %w", inboundID, err)
	}
	return ids, nil
}

// OutboxRow is a reply to send.
type OutboxRow struct {
	ID          int64
	To          string
	Item        whatsapp.Outgoing
	Status      string
	Attempts    int
	WAMessageID string
}

// ClaimToSend claims an outbox row (counting the attempt; a row already
// sent, or failed for good, comes back with that status and the sender
// does nothing: sending is idempotent per row) and reserves its place in
// the business number's send rate, in one round trip: what sending a row costs the
// database before the Graph API is called. Neither write waits for the
// disk: a claim lost in a database crash is claimed again, and a lost
// reservation loses a moment's pacing.
func (s *Store) ClaimToSend(ctx context.Context, id int64, key string, l Limit) (OutboxRow, time.Duration, error) {
	var b pgx.Batch
	b.Queue(asyncCommit)
	var row OutboxRow
	var claimErr error
	b.Queue(claimOutbox, id).QueryRow(func(r pgx.Row) error {
		row, claimErr = scanOutbox(r, id)
		return nil
	})
	var tokens float64
	b.Queue(reserveSend, key, l.Rate, l.Burst, 1).QueryRow(func(r pgx.Row) error { return r.Scan(&tokens) })
	if err := s.pool.SendBatch(ctx, &b).Close(); err != nil {
		return row, 0, fmt.Errorf("claim outbox %d to send: %w", id, err)
	}
	return row, l.wait(tokens), claimErr
}

// asyncCommit makes the batch's implicit transaction commit without
// waiting for the disk.
const asyncCommit = "SELECT set_config('synchronous_commit', 'off', true)"

const claimOutbox = `UPDATE outbox SET attempts = attempts + CASE WHEN status IN ('pending', 'sending') THEN 1 ELSE 0 END,
		status = CASE WHEN status = 'pending' THEN 'sending' ELSE status END, updated_at = now()
		WHERE id = $1 RETURNING id, wa_to, kind, payload, status, attempts, wa_message_id`

func scanOutbox(row pgx.Row, id int64) (OutboxRow, error) {
	var r OutboxRow
	var kind string
	var raw []byte
	var wamid *string
	err := row.Scan(&r.ID, &r.To, &kind, &raw, &r.Status, &r.Attempts, &wamid)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, fmt.Errorf("claim outbox %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("claim outbox %d: %w", id, err)
	}
	if wamid != nil {
		r.WAMessageID = *wamid
	}
	switch kind {
	case kindSpeech:
		var sp speechRecord
		err = json.Unmarshal(raw, &sp)
		r.Item.Speech = &whatsapp.Speech{Text: sp.Text, Lang: sp.Lang}
	default:
		r.Item.Message = &whatsapp.Outbound{}
		err = json.Unmarshal(raw, r.Item.Message)
	}
	if err != nil {
		return r, fmt.Errorf("decode outbox %d: %w", id, err)
	}
	return r, nil
}

// OutboxSent records a successful send. Records that arrive together are
// written in one round trip and one commit (sentQueue): each reply sent
// would otherwise cost a commit of its own. It returns once its record
// committed. The time sent is the call's, right after the Graph API
// accepted the message, not the batch's.
func (s *Store) OutboxSent(ctx context.Context, id int64, waMessageID string) error {
	if _, err := s.sentQueue.do(ctx, sentRecord{id: id, waMessageID: waMessageID, at: time.Now()}); err != nil {
		return fmt.Errorf("record outbox %d sent: %w", id, err)
	}
	return nil
}

// sentRecord is one reply the Graph API accepted.
type sentRecord struct {
	id          int64
	waMessageID string
	at          time.Time
}

// sentBatchers and maxSentBatch size the batches of sent records.
const (
	sentBatchers = 2
	maxSentBatch = 256
)

// recordSent writes a batch of sent records in one implicit transaction,
// a statement a record in the order of their ids, so that two batches
// never lock rows in turn against each other (a batch it fails is
// written again a record at a time). It never shares a row
// with the statuses the webhook applies: those match sends already
// recorded, and these only rows not recorded yet.
func (s *Store) recordSent(ctx context.Context, batch []*batchCall[sentRecord]) error {
	// The commit need not wait for the disk: a database crash in the next
	// moment can only leave these replies unsent on record, and the outbox
	// sweep sends them again, as a lost Answer commit makes the message's
	// replies go out again (Answer). Waiting cost a disk flush a batch.
	var b pgx.Batch
	b.Queue(asyncCommit)
	for _, call := range slices.SortedFunc(slices.Values(batch), func(x, y *batchCall[sentRecord]) int { return cmp.Compare(x.arg.id, y.arg.id) }) {
		b.Queue(recordSentSQL, call.arg.id, call.arg.waMessageID, call.arg.at)
	}
	return s.pool.SendBatch(ctx, &b).Close()
}

// recordSentSQL marks a reply sent, unless already past sending: one
// statement a reply, queued in one batch, looked up by id. A single
// statement over arrays (UPDATE ... FROM unnest) cost more at a batch's
// usual few rows: costed for their real number, a custom plan always
// looked cheaper than the generic plan's guess of ten, so the plan cache
// planned it again at every batch (0.35 ms of PostgreSQL's CPU a message
// at 200 a second); and the generic plan it did use at times scanned
// outbox_pending, whose entries for every reply long sent stay until
// VACUUM (some 2,450 buffers a batch under load).
const recordSentSQL = `UPDATE outbox SET status = 'sent', wa_message_id = $2, sent_at = $3, last_error = NULL, updated_at = now()
	WHERE id = $1 AND status IN ('pending', 'sending')`

// OutboxGiveUp fails the replies to an inbound message still unsent: its
// send job's last attempt failed, and the sweep must not start it again.
func (s *Store) OutboxGiveUp(ctx context.Context, inboundID, reason string) error {
	_, err := s.pool.Exec(ctx, `UPDATE outbox SET status = 'failed', last_error = $2, updated_at = now()
		WHERE inbound_id = $1 AND status IN ('pending', 'sending')`, inboundID, reason)
	if err != nil {
		return fmt.Errorf("give up on the replies to %s: %w", inboundID, err)
	}
	return nil
}

// OutboxError records a failed attempt; a permanent failure ends the row.
func (s *Store) OutboxError(ctx context.Context, id int64, code int, msg string, permanent bool) error {
	status := "sending"
	if permanent {
		status = "failed"
	}
	_, err := s.pool.Exec(ctx, `UPDATE outbox SET status = $2, error_code = NULLIF($3, 0), last_error = $4, updated_at = now()
		WHERE id = $1 AND status IN ('pending', 'sending')`, id, status, code, msg)
	if err != nil {
		return fmt.Errorf("record outbox %d error: %w", id, err)
	}
	return nil
}
