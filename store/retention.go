package store

import (
	"context"
	"fmt"
	"time"
)

// Retention is how long each kind of data is kept; a zero period keeps
// that kind for ever. The defaults and their reasons are in the README
// ("Retention").
type Retention struct {
	// Bodies: the words of messages both ways (inbound texts, captions,
	// locations, outbound payloads) and the WhatsApp profile name of a
	// citizen who has not written since. The rows stay, without words.
	Bodies time.Duration
	// Media: photos and documents sent for a form never submitted, and
	// the Flow tokens (with their answers) never used.
	Media time.Duration
	// Analyses: per-message analyses; the dashboard's hourly roll-ups
	// stay, and no analysis is deleted before it is rolled up.
	Analyses time.Duration
	// Statuses: Meta's delivery statuses of each message.
	Statuses time.Duration
	// Audit: staff and API audit, and the log of citizens' data requests.
	Audit time.Duration
	// Records: applications and grievances finished (issued, rejected,
	// closed) this long ago, with their answers, history and
	// attachments, as the consent notice promises. Certificates stay:
	// they are the citizen's documents and must go on verifying.
	Records time.Duration
}

// DefaultRetention: bodies 90 days, media 30, analyses 400, statuses 90,
// audit and finished records 3 years (README "Retention" gives the
// reasons).
var DefaultRetention = Retention{
	Bodies:   90 * 24 * time.Hour,
	Media:    30 * 24 * time.Hour,
	Analyses: 400 * 24 * time.Hour,
	Statuses: 90 * 24 * time.Hour,
	Audit:    3 * 365 * 24 * time.Hour,
	Records:  3 * 365 * 24 * time.Hour,
}

// Retained counts what one sweep cleared, by kind.
type Retained map[string]int64

// retentionStep clears one kind in batches: each statement touches at most
// $2 rows older than $1, locks only those (SKIP LOCKED passes over a row a
// worker holds) and commits on its own, so no lock is held for long.
type retentionStep struct {
	kind   string
	period func(Retention) time.Duration
	sql    string
}

var retentionSteps = []retentionStep{
	{"message_bodies", func(r Retention) time.Duration { return r.Bodies }, `UPDATE inbound_messages SET message = ` + redactedMessage + `
		WHERE wa_message_id IN (SELECT wa_message_id FROM inbound_messages
		  WHERE received_at < $1 AND NOT (message ? 'redacted') AND processed_at IS NOT NULL LIMIT $2 FOR UPDATE SKIP LOCKED)`},
	{"reply_bodies", func(r Retention) time.Duration { return r.Bodies }, `UPDATE outbox SET ` + redactReply + `
		WHERE id IN (SELECT id FROM outbox
		  WHERE created_at < $1 AND NOT (payload ? 'redacted') AND status NOT IN ('pending', 'sending') LIMIT $2 FOR UPDATE SKIP LOCKED)`},
	{"profile_names", func(r Retention) time.Duration { return r.Bodies }, `UPDATE contacts SET name = ''
		WHERE wa_id IN (SELECT wa_id FROM contacts WHERE updated_at < $1 AND name <> '' LIMIT $2 FOR UPDATE SKIP LOCKED)`},
	{"unfiled_media", func(r Retention) time.Duration { return r.Media }, `DELETE FROM attachments
		WHERE id IN (SELECT id FROM attachments WHERE created_at < $1 AND application_id IS NULL LIMIT $2 FOR UPDATE SKIP LOCKED)`},
	{"unused_flow_tokens", func(r Retention) time.Duration { return r.Media }, `DELETE FROM flow_tokens
		WHERE token IN (SELECT token FROM flow_tokens WHERE created_at < $1 AND application_id IS NULL LIMIT $2 FOR UPDATE SKIP LOCKED)`},
	{"analyses", func(r Retention) time.Duration { return r.Analyses }, `DELETE FROM message_analyses
		WHERE id IN (SELECT id FROM message_analyses
		  WHERE at < LEAST($1, COALESCE((SELECT rolled_until FROM analysis_rollup), '-infinity')) LIMIT $2)`},
	{"statuses", func(r Retention) time.Duration { return r.Statuses }, `DELETE FROM message_statuses
		WHERE (wa_message_id, status) IN (SELECT wa_message_id, status FROM message_statuses WHERE received_at < $1 LIMIT $2)`},
	{"staff_audit", func(r Retention) time.Duration { return r.Audit }, `DELETE FROM staff_audit
		WHERE id IN (SELECT id FROM staff_audit WHERE at < $1 LIMIT $2)`},
	{"api_audit", func(r Retention) time.Duration { return r.Audit }, `DELETE FROM api_audit
		WHERE id IN (SELECT id FROM api_audit WHERE at < $1 LIMIT $2)`},
	{"data_requests", func(r Retention) time.Duration { return r.Audit }, `DELETE FROM data_requests
		WHERE id IN (SELECT id FROM data_requests WHERE at < $1 AND done_at IS NOT NULL LIMIT $2)`},
	// One statement deletes a finished record with what hangs off it: the
	// foreign keys are checked at its end, when all of it is gone.
	{"finished_records", func(r Retention) time.Duration { return r.Records }, `WITH doomed AS (
			SELECT id FROM applications WHERE status IN ('issued', 'rejected', 'closed') AND updated_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED),
		a AS (DELETE FROM attachments WHERE application_id IN (SELECT id FROM doomed)),
		f AS (DELETE FROM flow_tokens WHERE application_id IN (SELECT id FROM doomed)),
		e AS (DELETE FROM application_events WHERE application_id IN (SELECT id FROM doomed))
		DELETE FROM applications WHERE id IN (SELECT id FROM doomed)`},
	// Expired sign-in sessions are of no use to anyone: a fixed day.
	{"expired_sessions", func(Retention) time.Duration { return 24 * time.Hour }, `DELETE FROM staff_sessions
		WHERE token_hash IN (SELECT token_hash FROM staff_sessions WHERE expires_at < $1 LIMIT $2)`},
}

// Retain clears, as of now (a parameter, so that tests can move the
// clock), whatever has outlived its period, batch rows per statement.
func (s *Store) Retain(ctx context.Context, now time.Time, r Retention, batch int) (Retained, error) {
	if batch <= 0 {
		batch = 5000
	}
	done := Retained{}
	for _, step := range retentionSteps {
		period := step.period(r)
		if period <= 0 {
			continue
		}
		cutoff := now.Add(-period)
		for {
			tag, err := s.pool.Exec(ctx, step.sql, cutoff, batch)
			if err != nil {
				return done, fmt.Errorf("retention %s: %w", step.kind, err)
			}
			done[step.kind] += tag.RowsAffected()
			if tag.RowsAffected() < int64(batch) {
				break
			}
			if err := ctx.Err(); err != nil {
				return done, err
			}
		}
	}
	return done, nil
}
