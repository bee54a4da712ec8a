package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/dialog"
)

// Applications and grievances: consent, the record, its attachments and
// its status history. Every status change inserts an event and, in the
// same transaction, the job that tells the citizen; a new record also
// queues the push to its department's own system.

// ErrForbidden is a record of another department (HTTP 403).
var ErrForbidden = errors.New("store: the record belongs to another department")

// RecordConsent keeps a citizen's answer to a consent notice.
func (t Tx) RecordConsent(ctx context.Context, waID string, c application.Consent) (int64, error) {
	var id int64
	err := t.tx.QueryRow(ctx, `INSERT INTO consents (wa_id, service_id, notice_version, channel, agreed)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, waID, c.Service, c.NoticeVersion, c.Channel, c.Agreed).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record consent: %w", err)
	}
	return id, nil
}

// AddAttachment keeps a photo, document or location a citizen sent, by the
// inbound message that brought it; a message processed twice adds it
// once.
func (t Tx) AddAttachment(ctx context.Context, waID, inboundID, mime, name string, data []byte) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO attachments (wa_id, inbound_id, mime, name, size, data)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (inbound_id) DO NOTHING`, waID, inboundID, mime, name, len(data), data)
	if err != nil {
		return fmt.Errorf("add attachment: %w", err)
	}
	return nil
}

// NewRecord is what a submission becomes, with what the catalogue says of
// its service.
type NewRecord struct {
	application.Submission
	Kind       application.Kind
	Department string
	ConsentID  int64
	// SLA is the service's time to deliver; zero when the catalogue has
	// none.
	SLA time.Duration
	// District is where the record is from (its PIN code's district), or
	// "".
	District string
}

// Submit stores a completed form as a record, links its attachments,
// records the first event and queues the department's push. A submission
// made twice (its key seen) returns the first record with fresh false.
func (t Tx) Submit(ctx context.Context, waID string, r NewRecord) (application.Record, bool, error) {
	answers, err := json.Marshal(r.Answers)
	if err != nil {
		return application.Record{}, false, err
	}
	var due *time.Time
	var sla *time.Duration
	if r.SLA > 0 {
		d := time.Now().Add(r.SLA)
		due, sla = &d, &r.SLA
	}
	var id int64
	err = t.tx.QueryRow(ctx, `INSERT INTO applications (ref, kind, department, service_id, wa_id, lang, channel,
			submission_key, consent_id, status, answers, due_at, sla, district)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
			coalesce(NULLIF($9, 0), (SELECT max(id) FROM consents WHERE wa_id = $5 AND service_id = $4 AND agreed)), 'submitted', $10, $11, $12, $13)
		ON CONFLICT (submission_key) DO NOTHING RETURNING id`,
		string(r.Ref), r.Kind, r.Department, r.Service, waID, r.Lang, r.Channel, r.Key, r.ConsentID, answers, due, sla, r.District).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		rec, err := recordBy(ctx, t.tx, "submission_key", r.Key)
		return rec, false, err
	}
	if err != nil {
		return application.Record{}, false, fmt.Errorf("submit: %w", err)
	}
	for field, inbound := range r.Media {
		if _, err := t.tx.Exec(ctx, `UPDATE attachments SET application_id = $1, field = $2
			WHERE inbound_id = ANY($3) AND wa_id = $4 AND application_id IS NULL`, id, field, inbound, waID); err != nil {
			return application.Record{}, false, fmt.Errorf("link attachments: %w", err)
		}
	}
	if _, err := t.addEvent(ctx, id, application.Submitted, string(application.ByCitizen), "", false); err != nil {
		return application.Record{}, false, err
	}
	if err := t.s.enqueue(ctx, t.tx, HookArgs{ApplicationID: id, Event: "record.submitted"}); err != nil {
		return application.Record{}, false, err
	}
	rec, err := recordBy(ctx, t.tx, "id", id)
	return rec, true, err
}

// SubmitFor stores a submission for a catalogue service under a fresh
// reference number: the record's kind, department and due date come from
// the catalogue. A reference number already taken fails the transaction,
// and the retried job (or request) draws another.
func (t Tx) SubmitFor(ctx context.Context, s *catalog.Service, waID string, sub application.Submission) (application.Record, bool, error) {
	ref, err := application.NewRef(time.Now())
	if err != nil {
		return application.Record{}, false, err
	}
	sub.Ref = ref
	nr := NewRecord{Submission: sub, Kind: application.KindOf(string(s.Kind)), Department: s.Department}
	if s.SLADays != nil && *s.SLADays > 0 {
		nr.SLA = time.Duration(*s.SLADays) * 24 * time.Hour
	}
	if d := application.DistrictOfPIN(sub.Answers["pin_code"]); d != "" {
		nr.District = d
		if _, err := t.tx.Exec(ctx, `INSERT INTO contacts (wa_id, district) VALUES ($1, $2)
			ON CONFLICT (wa_id) DO UPDATE SET district = $2, updated_at = now()`, waID, d); err != nil {
			return application.Record{}, false, fmt.Errorf("citizen's district: %w", err)
		}
	}
	return t.Submit(ctx, waID, nr)
}

// addEvent records a status change; with notify, the job that tells the
// citizen goes in the same transaction.
func (t Tx) addEvent(ctx context.Context, appID int64, st application.Status, actor, note string, notify bool) (int64, error) {
	var id int64
	if err := t.tx.QueryRow(ctx, `INSERT INTO application_events (application_id, status, actor, note)
		VALUES ($1, $2, $3, $4) RETURNING id`, appID, st, actor, note).Scan(&id); err != nil {
		return 0, fmt.Errorf("record event: %w", err)
	}
	if notify {
		if err := t.s.enqueue(ctx, t.tx, NotifyArgs{EventID: id}); err != nil {
			return 0, err
		}
	}
	return id, nil
}

const recordColumns = `id, ref, kind, department, service_id, wa_id, lang, channel, status, answers, question,
	due_at, coalesce(rating, 0), coalesce(certificate_id, ''), resolved_at, created_at, updated_at, district`

func scanRecord(row pgx.Row) (application.Record, error) {
	var r application.Record
	var answers []byte
	err := row.Scan(&r.ID, &r.Ref, &r.Kind, &r.Department, &r.Service, &r.Citizen, &r.Lang, &r.Channel, &r.Status,
		&answers, &r.Question, &r.DueAt, &r.Rating, &r.Certificate, &r.ResolvedAt, &r.CreatedAt, &r.UpdatedAt, &r.District)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("read record: %w", err)
	}
	if err := json.Unmarshal(answers, &r.Answers); err != nil {
		return r, fmt.Errorf("decode answers of %s: %w", r.Ref, err)
	}
	return r, nil
}

// recordBy reads one record by a unique column (id, ref, submission_key).
func recordBy(ctx context.Context, q querier, column string, value any) (application.Record, error) {
	return scanRecord(q.QueryRow(ctx, "SELECT "+recordColumns+" FROM applications WHERE "+column+" = $1", value))
}

// Application returns a record by its reference number, with its
// attachments and history.
func (s *Store) Application(ctx context.Context, ref application.Ref) (application.Record, error) {
	r, err := recordBy(ctx, s.pool, "ref", string(ref))
	if err != nil {
		return r, err
	}
	rows, err := s.pool.Query(ctx, `SELECT id, field, mime, size, name FROM attachments WHERE application_id = $1 ORDER BY id`, r.ID)
	if err != nil {
		return r, fmt.Errorf("attachments of %s: %w", ref, err)
	}
	r.Attachments, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (application.Attachment, error) {
		var a application.Attachment
		return a, row.Scan(&a.ID, &a.Field, &a.MIME, &a.Size, &a.Name)
	})
	if err != nil {
		return r, fmt.Errorf("attachments of %s: %w", ref, err)
	}
	rows, err = s.pool.Query(ctx, `SELECT id, status, actor, note, at FROM application_events WHERE application_id = $1 ORDER BY id`, r.ID)
	if err != nil {
		return r, fmt.Errorf("history of %s: %w", ref, err)
	}
	r.History, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (application.Event, error) {
		var e application.Event
		return e, row.Scan(&e.ID, &e.Status, &e.Actor, &e.Note, &e.At)
	})
	if err != nil {
		return r, fmt.Errorf("history of %s: %w", ref, err)
	}
	return r, nil
}

// Attachment returns one attachment's bytes, if it belongs to the record.
func (s *Store) Attachment(ctx context.Context, appID, id int64) (application.Attachment, []byte, error) {
	var a application.Attachment
	var data []byte
	err := s.pool.QueryRow(ctx, `SELECT id, field, mime, size, name, data FROM attachments WHERE id = $1 AND application_id = $2`, id, appID).
		Scan(&a.ID, &a.Field, &a.MIME, &a.Size, &a.Name, &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, nil, ErrNotFound
	}
	if err != nil {
		return a, nil, fmt.Errorf("attachment %d: %w", id, err)
	}
	return a, data, nil
}

// Filter selects a department's records for its back office.
type Filter struct {
	Department string
	Status     application.Status
	Service    string
	// District narrows to records from one district ("" for all).
	District string
	Since    time.Time
	// After is the cursor: the id of the last record of the previous
	// page.
	After int64
	Limit int
}

// Applications lists a department's records, oldest first, a page at a
// time; next is the cursor of the following page (0 at the end).
func (s *Store) Applications(ctx context.Context, f Filter) (list []application.Record, next int64, err error) {
	limit := min(max(f.Limit, 1), 200)
	rows, err := s.pool.Query(ctx, "SELECT "+recordColumns+` FROM applications
		WHERE department = $1 AND id > $2 AND ($3 = '' OR status = $3) AND ($4 = '' OR service_id = $4)
		  AND created_at >= $5 AND ($7 = '' OR district = $7)
		ORDER BY id LIMIT $6`, f.Department, f.After, string(f.Status), f.Service, f.Since, limit+1, f.District)
	if err != nil {
		return nil, 0, fmt.Errorf("list applications: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list applications: %w", err)
	}
	if len(list) > limit {
		list = list[:limit]
		next = list[limit-1].ID
	}
	return list, next, nil
}

// ApplicationsOf lists a citizen's records, newest first (for "my
// applications").
func (s *Store) ApplicationsOf(ctx context.Context, waID string) ([]application.Record, error) {
	return s.citizenRecords(ctx, waID, 20)
}

// citizenRecords lists a citizen's records, newest first, at most limit
// of them (every one when limit is 0).
func (s *Store) citizenRecords(ctx context.Context, waID string, limit int) ([]application.Record, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+recordColumns+" FROM applications WHERE wa_id = $1 ORDER BY id DESC LIMIT NULLIF($2, 0)", waID, limit)
	if err != nil {
		return nil, fmt.Errorf("applications of citizen: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (application.Record, error) { return scanRecord(row) })
}

// CitizenApplication returns a record by its reference only to the
// citizen who made it: another citizen's number is not found, never
// shown.
func (s *Store) CitizenApplication(ctx context.Context, waID string, ref application.Ref) (application.Record, error) {
	r, err := recordBy(ctx, s.pool, "ref", string(ref))
	if err == nil && r.Citizen != waID {
		return application.Record{}, ErrNotFound
	}
	return r, err
}

// Change is one status change asked for.
type Change struct {
	Ref application.Ref
	To  application.Status
	// Department is the acting department (empty for the citizen or
	// mitra itself).
	Department string
	// Citizen is the acting citizen, for their own moves: another's
	// record is not found.
	Citizen string
	By      application.Actor
	Note    string
	// Certificate is the certificate issued with the change, if any.
	Certificate string
}

// Move changes a record's status, if its kind allows the change from where
// it stands and the acting department owns it. A question ("needs
// information") waits in the citizen's conversation for their answer; a
// resolution waits for their rating.
func (s *Store) Move(ctx context.Context, c Change) (application.Record, error) {
	r, err := recordBy(ctx, s.pool, "ref", string(c.Ref))
	if err != nil {
		return r, err
	}
	var out application.Record
	err = s.InTx(ctx, func(tx Tx) error {
		// The conversation is locked before the record, as processing a
		// citizen's message does: the two never wait on each other.
		if _, err := tx.LockConversation(ctx, r.Citizen); err != nil {
			return err
		}
		var err error
		out, err = tx.Move(ctx, c)
		return err
	})
	return out, err
}

// Move is Store.Move inside a transaction (the citizen's answer, taken in
// the same transaction as their message).
func (t Tx) Move(ctx context.Context, c Change) (application.Record, error) {
	r, err := scanRecord(t.tx.QueryRow(ctx, "SELECT "+recordColumns+" FROM applications WHERE ref = $1 FOR UPDATE", string(c.Ref)))
	if err != nil {
		return r, err
	}
	if c.By == application.ByDepartment && r.Department != c.Department {
		return application.Record{}, ErrForbidden
	}
	if c.By == application.ByCitizen && r.Citizen != c.Citizen {
		return application.Record{}, ErrNotFound
	}
	if !application.CanMove(r.Kind, r.Status, c.To, c.By) {
		return r, fmt.Errorf("%w: %s to %s", application.ErrTransition, r.Status, c.To)
	}
	if c.To == application.Reopened && (r.ResolvedAt == nil || time.Since(*r.ResolvedAt) > application.ReopenWindow) {
		return r, fmt.Errorf("%w: the reopening window has passed", application.ErrTransition)
	}
	question := r.Question
	if c.To == application.NeedsInformation {
		question = c.Note
	}
	// An escalation happens once per delay; a reopened grievance starts a
	// new one, with its service's time to deliver again.
	if _, err := t.tx.Exec(ctx, `UPDATE applications SET status = $2, question = $3, updated_at = now(),
			certificate_id = coalesce(NULLIF($4, ''), certificate_id),
			resolved_at = CASE WHEN $2 = 'resolved' THEN now() ELSE resolved_at END,
			escalated_at = CASE WHEN $2 = 'escalated' THEN now() WHEN $2 = 'reopened' THEN NULL ELSE escalated_at END,
			due_at = CASE WHEN $2 = 'reopened' AND sla IS NOT NULL THEN now() + sla ELSE due_at END
		WHERE id = $1`, r.ID, c.To, question, c.Certificate); err != nil {
		return r, fmt.Errorf("move %s: %w", c.Ref, err)
	}
	actor := string(c.By)
	if c.Department != "" {
		actor += ":" + c.Department
	}
	// The citizen is told of what others do; what they did themselves
	// was answered in the chat.
	if _, err := t.addEvent(ctx, r.ID, c.To, actor, c.Note, c.By != application.ByCitizen); err != nil {
		return r, err
	}
	// The department's system hears of what others did to its record:
	// an escalation, the citizen's answer, a reopening, a rating.
	if c.By != application.ByDepartment {
		if err := t.s.enqueue(ctx, t.tx, HookArgs{ApplicationID: r.ID, Event: "record." + string(c.To)}); err != nil {
			return r, err
		}
	}
	// What the record waits for from its citizen follows the
	// department's move; the conversation was locked first (Store.Move).
	if c.By == application.ByDepartment {
		switch c.To {
		case application.NeedsInformation:
			err = t.await(ctx, r.Citizen, string(r.Ref), &dialog.Awaiting{Kind: dialog.AwaitInfo, Ref: string(r.Ref), Service: r.Service})
		case application.Resolved:
			err = t.await(ctx, r.Citizen, string(r.Ref), &dialog.Awaiting{Kind: dialog.AwaitRating, Ref: string(r.Ref), Service: r.Service})
		default:
			err = t.await(ctx, r.Citizen, string(r.Ref), nil)
		}
	}
	if err != nil {
		return r, err
	}
	return recordBy(ctx, t.tx, "id", r.ID)
}

// await puts what a record waits for into the citizen's conversation, so
// that their next message answers it; nil clears what the conversation
// awaited from that record, if anything.
func (t Tx) await(ctx context.Context, waID, ref string, a *dialog.Awaiting) error {
	st, err := t.LockConversation(ctx, waID)
	if err != nil {
		return err
	}
	switch {
	case a != nil:
		st.Await(*a)
	case st.Awaiting != nil && st.Awaiting.Ref == ref:
		st.Awaiting = nil
	default:
		return nil
	}
	return t.SaveConversation(ctx, waID, st)
}

// Rate records a citizen's rating of a resolved grievance, and closes it.
func (t Tx) Rate(ctx context.Context, waID string, ref application.Ref, stars int) error {
	tag, err := t.tx.Exec(ctx, `UPDATE applications SET rating = $3, updated_at = now()
		WHERE ref = $1 AND wa_id = $2 AND status = 'resolved'`, string(ref), waID, stars)
	if err != nil {
		return fmt.Errorf("rate %s: %w", ref, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	_, err = t.Move(ctx, Change{Ref: ref, To: application.Closed, By: application.ByCitizen, Citizen: waID, Note: fmt.Sprintf("rated %d/5", stars)})
	return err
}

// Notice is what a citizen is told of one status change.
type Notice struct {
	Event  application.Event
	Record application.Record
	// Notified is set once they have been told.
	Notified bool
}

// Notice reads one event with its record.
func (s *Store) Notice(ctx context.Context, eventID int64) (Notice, error) {
	var n Notice
	var appID int64
	var notified *time.Time
	err := s.pool.QueryRow(ctx, `SELECT id, application_id, status, actor, note, at, notified_at FROM application_events WHERE id = $1`, eventID).
		Scan(&n.Event.ID, &appID, &n.Event.Status, &n.Event.Actor, &n.Event.Note, &n.Event.At, &notified)
	if errors.Is(err, pgx.ErrNoRows) {
		return n, ErrNotFound
	}
	if err != nil {
		return n, fmt.Errorf("event %d: %w", eventID, err)
	}
	n.Notified = notified != nil
	n.Record, err = recordBy(ctx, s.pool, "id", appID)
	return n, err
}

// MarkNotified records that the citizen was told of an event.
func (s *Store) MarkNotified(ctx context.Context, eventID int64) error {
	if _, err := s.pool.Exec(ctx, "UPDATE application_events SET notified_at = now() WHERE id = $1", eventID); err != nil {
		return fmt.Errorf("mark event %d notified: %w", eventID, err)
	}
	return nil
}

// Sweep escalates grievances past their due date and closes resolved ones
// whose reopening window has passed; it returns how many of each.
func (s *Store) Sweep(ctx context.Context) (escalated, closed int, err error) {
	err = s.InTx(ctx, func(tx Tx) error {
		window := time.Now().Add(-application.ReopenWindow)
		for _, step := range []struct {
			where string
			to    application.Status
			n     *int
		}{
			{`kind = 'grievance' AND escalated_at IS NULL AND status IN ('submitted', 'accepted', 'reopened') AND due_at < $1`, application.Escalated, &escalated},
			{`kind = 'grievance' AND status = 'resolved' AND resolved_at < $2`, application.Closed, &closed},
		} {
			note := "overdue"
			if step.to == application.Closed {
				note = "not reopened within 7 days"
			}
			rows, err := tx.tx.Query(ctx, "SELECT ref FROM applications WHERE "+step.where+" AND $1::timestamptz IS NOT NULL AND $2::timestamptz IS NOT NULL ORDER BY id LIMIT 500 FOR UPDATE SKIP LOCKED",
				time.Now(), window)
			if err != nil {
				return fmt.Errorf("sweep: %w", err)
			}
			refs, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return fmt.Errorf("sweep: %w", err)
			}
			for _, ref := range refs {
				if _, err := tx.Move(ctx, Change{Ref: application.Ref(ref), To: step.to, By: application.BySystem, Note: note}); err != nil {
					return err
				}
				*step.n++
			}
		}
		// What was never submitted is not kept: files of abandoned forms
		// after a day, the answers a Flow collected once it is used or a
		// day old.
		if _, err := tx.tx.Exec(ctx, "DELETE FROM attachments WHERE application_id IS NULL AND created_at < now() - interval '1 day'"); err != nil {
			return fmt.Errorf("sweep files: %w", err)
		}
		if _, err := tx.tx.Exec(ctx, `UPDATE flow_tokens SET answers = '{}'
			WHERE answers <> '{}' AND (used_at IS NOT NULL OR created_at < now() - interval '1 day')`); err != nil {
			return fmt.Errorf("sweep flow drafts: %w", err)
		}
		return nil
	})
	return escalated, closed, err
}

// DepartmentHook is a department's own system, told of new records.
type DepartmentHook struct {
	URL, Secret string
}

// SetDepartmentHook configures (or, with an empty URL, removes) the
// webhook a department's system receives new records on.
func (s *Store) SetDepartmentHook(ctx context.Context, department string, h DepartmentHook) error {
	var err error
	if h.URL == "" {
		_, err = s.pool.Exec(ctx, "DELETE FROM department_webhooks WHERE department = $1", department)
	} else {
		_, err = s.pool.Exec(ctx, `INSERT INTO department_webhooks (department, url, secret) VALUES ($1, $2, $3)
			ON CONFLICT (department) DO UPDATE SET url = $2, secret = $3, updated_at = now()`, department, h.URL, h.Secret)
	}
	if err != nil {
		return fmt.Errorf("department webhook of %s: %w", department, err)
	}
	return nil
}

// HookFor returns a record and its department's webhook; ok is false when
// the department has none.
func (s *Store) HookFor(ctx context.Context, appID int64) (application.Record, DepartmentHook, bool, error) {
	r, err := recordBy(ctx, s.pool, "id", appID)
	if err != nil {
		return r, DepartmentHook{}, false, err
	}
	var h DepartmentHook
	err = s.pool.QueryRow(ctx, "SELECT url, secret FROM department_webhooks WHERE department = $1", r.Department).Scan(&h.URL, &h.Secret)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, h, false, nil
	}
	if err != nil {
		return r, h, false, fmt.Errorf("department webhook: %w", err)
	}
	return r, h, true, nil
}

// RevokeAPIKey revokes every key of a department with the given label (or
// all its keys when label is empty); it returns how many.
func (s *Store) RevokeAPIKey(ctx context.Context, department, label string) (int64, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE api_keys SET revoked_at = now()
		WHERE department = $1 AND ($2 = '' OR label = $2) AND revoked_at IS NULL`, department, label)
	if err != nil {
		return 0, fmt.Errorf("revoke keys of %s: %w", department, err)
	}
	return tag.RowsAffected(), nil
}

// AttachTo links a file a citizen sent in answer to a department's
// question to the record.
func (t Tx) AttachTo(ctx context.Context, ref application.Ref, inboundID, field string) error {
	if _, err := t.tx.Exec(ctx, `UPDATE attachments SET application_id = a.id, field = $3
		FROM applications a WHERE a.ref = $1 AND attachments.inbound_id = $2 AND attachments.wa_id = a.wa_id`, string(ref), inboundID, field); err != nil {
		return fmt.Errorf("attach to %s: %w", ref, err)
	}
	return nil
}

// IdleDrafts lists citizens whose draft was last touched before since,
// not yet reminded (reminded false) or already reminded (true).
func (s *Store) IdleDrafts(ctx context.Context, since time.Time, reminded bool) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT wa_id FROM conversations
		WHERE draft_touched_at IS NOT NULL AND draft_touched_at < $1 AND draft_reminded = $2 ORDER BY draft_touched_at LIMIT 500`, since, reminded)
	if err != nil {
		return nil, fmt.Errorf("idle drafts: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// FlowToken is a Flow's token: the citizen and service it was issued
// for, and what they have filled in so far.
type FlowToken struct {
	Token, Citizen, Service, Lang string
	Answers                       map[string]string
	Used                          bool
	Created                       time.Time
}

// NewFlowToken issues a token for a citizen's Flow for a service.
func (t Tx) NewFlowToken(ctx context.Context, token, waID, service, lang string) error {
	if _, err := t.tx.Exec(ctx, `INSERT INTO flow_tokens (token, wa_id, service_id, lang) VALUES ($1, $2, $3, $4)`, token, waID, service, lang); err != nil {
		return fmt.Errorf("new flow token: %w", err)
	}
	return nil
}

// LookupFlowToken reads a token; ErrNotFound when it was never issued.
func (s *Store) LookupFlowToken(ctx context.Context, token string) (FlowToken, error) {
	return flowToken(ctx, s.pool, token, false)
}

func flowToken(ctx context.Context, q querier, token string, lock bool) (FlowToken, error) {
	sql := "SELECT token, wa_id, service_id, lang, answers, used_at IS NOT NULL, created_at FROM flow_tokens WHERE token = $1"
	if lock {
		sql += " FOR UPDATE"
	}
	var ft FlowToken
	var answers []byte
	err := q.QueryRow(ctx, sql, token).Scan(&ft.Token, &ft.Citizen, &ft.Service, &ft.Lang, &answers, &ft.Used, &ft.Created)
	if errors.Is(err, pgx.ErrNoRows) {
		return ft, ErrNotFound
	}
	if err != nil {
		return ft, fmt.Errorf("flow token: %w", err)
	}
	if err := json.Unmarshal(answers, &ft.Answers); err != nil {
		return ft, fmt.Errorf("flow token answers: %w", err)
	}
	return ft, nil
}

// LockFlowToken reads a token and locks it: one screen of one Flow at a
// time.
func (t Tx) LockFlowToken(ctx context.Context, token string) (FlowToken, error) {
	return flowToken(ctx, t.tx, token, true)
}

// SaveFlowAnswers keeps what a Flow's screens collected so far. Unless
// lasting (a consent recorded in the same transaction), the commit does
// not wait for the disk: a screen's answers lost in a database crash are
// asked again, as the screen comes back with them missing.
func (t Tx) SaveFlowAnswers(ctx context.Context, token string, answers map[string]string, lasting bool) error {
	raw, err := json.Marshal(answers)
	if err != nil {
		return err
	}
	var b pgx.Batch
	if !lasting {
		b.Queue(asyncCommit)
	}
	b.Queue("UPDATE flow_tokens SET answers = $2 WHERE token = $1", token, raw)
	if err := t.tx.SendBatch(ctx, &b).Close(); err != nil {
		return fmt.Errorf("save flow answers: %w", err)
	}
	return nil
}

// UseFlowToken marks a token used by the record it made.
func (t Tx) UseFlowToken(ctx context.Context, token string, appID int64) error {
	if _, err := t.tx.Exec(ctx, "UPDATE flow_tokens SET used_at = now(), application_id = $2 WHERE token = $1", token, appID); err != nil {
		return fmt.Errorf("use flow token: %w", err)
	}
	return nil
}
