package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// Alerts and campaigns: opt-ins by topic and district, and the campaigns
// that reach them. A campaign is fanned out into campaign_messages in
// batches (each its own transaction, its cursor saved with it), claimed
// in batches by the sender, and moved forward by status webhooks; a
// recipient's row exists once, so nothing is sent twice however often a
// batch is retried.

// The channels an opt-in comes through.
const (
	ChannelWhatsApp = "whatsapp"
	ChannelWeb      = "web"
)

// Subscription is one opt-in to a topic's alerts.
type Subscription struct {
	WAID, Topic, District, Lang, Channel string
}

// alertConsent is the consent ledger's purpose for a topic's alerts.
func alertConsent(topic string) string { return "alerts:" + topic }

// Subscribe records an opt-in (again, after a withdrawal), with its line
// in the consent ledger.
func (t Tx) Subscribe(ctx context.Context, sub Subscription) error {
	if sub.Channel != ChannelWhatsApp && sub.Channel != ChannelWeb {
		return fmt.Errorf("subscribe: channel %q", sub.Channel)
	}
	var b pgx.Batch
	b.Queue(`INSERT INTO alert_subscriptions (wa_id, topic, channel, district, lang) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (wa_id, topic, channel) DO UPDATE SET district = EXCLUDED.district, lang = EXCLUDED.lang,
		  subscribed_at = now(), withdrawn_at = NULL`, sub.WAID, sub.Topic, sub.Channel, sub.District, sub.Lang)
	b.Queue(`INSERT INTO consents (wa_id, service_id, notice_version, channel, agreed) VALUES ($1, $2, 'alerts', $3, true)`,
		sub.WAID, alertConsent(sub.Topic), sub.Channel)
	b.Queue(`INSERT INTO contacts (wa_id) VALUES ($1) ON CONFLICT DO NOTHING`, sub.WAID)
	if err := t.tx.SendBatch(ctx, &b).Close(); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	return nil
}

// Subscribe records an opt-in outside a conversation (the web's, through
// the API).
func (s *Store) Subscribe(ctx context.Context, sub Subscription) error {
	return s.InTx(ctx, func(tx Tx) error { return tx.Subscribe(ctx, sub) })
}

// Unsubscribe withdraws an opt-in of one channel; ErrNotFound when there
// is none to withdraw.
func (s *Store) Unsubscribe(ctx context.Context, waID, topic, channel string) error {
	return s.InTx(ctx, func(tx Tx) error {
		tag, err := tx.tx.Exec(ctx, `UPDATE alert_subscriptions SET withdrawn_at = now()
			WHERE wa_id = $1 AND topic = $2 AND channel = $3 AND withdrawn_at IS NULL`, waID, topic, channel)
		if err != nil {
			return fmt.Errorf("unsubscribe: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		_, err = tx.tx.Exec(ctx, `INSERT INTO consents (wa_id, service_id, notice_version, channel, agreed) VALUES ($1, $2, 'alerts', $3, false)`,
			waID, alertConsent(topic), channel)
		return err
	})
}

// The states of a campaign.
const (
	CampaignScheduled = "scheduled"
	CampaignRunning   = "running"
	CampaignPaused    = "paused"
	CampaignDone      = "done"
	CampaignCancelled = "cancelled"
)

// Campaign is one alert to an audience: opted in to Topic, narrowed by
// districts, languages and a service the citizen applied for.
type Campaign struct {
	ID       int64
	Name     string
	Template string
	// Params are the template's parameters in each language.
	Params      map[string][]string
	Topic       string
	Districts   []string
	Langs       []string
	Service     string
	Status      string
	ScheduledAt time.Time
	// FanCursor is the last citizen fanned out (they are added in order of
	// their number), FannedOut whether the audience is all in.
	FanCursor  string
	FannedOut  bool
	CreatedBy  string
	CreatedAt  time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
}

const campaignColumns = `id, name, template, params, topic, districts, langs, service, status, scheduled_at, fan_cursor, fanned_out,
	created_by, created_at, started_at, finished_at`

func scanCampaign(row pgx.Row) (Campaign, error) {
	var c Campaign
	var params []byte
	err := row.Scan(&c.ID, &c.Name, &c.Template, &params, &c.Topic, &c.Districts, &c.Langs, &c.Service, &c.Status, &c.ScheduledAt,
		&c.FanCursor, &c.FannedOut, &c.CreatedBy, &c.CreatedAt, &c.StartedAt, &c.FinishedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("campaign: %w", err)
	}
	return c, json.Unmarshal(params, &c.Params)
}

// CreateCampaign stores a campaign and queues its job for its time.
func (s *Store) CreateCampaign(ctx context.Context, c Campaign) (Campaign, error) {
	params, err := json.Marshal(c.Params)
	if err != nil {
		return c, err
	}
	if c.ScheduledAt.IsZero() {
		c.ScheduledAt = time.Now()
	}
	err = s.InTx(ctx, func(tx Tx) error {
		row := tx.tx.QueryRow(ctx, `INSERT INTO campaigns (name, template, params, topic, districts, langs, service, scheduled_at, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+campaignColumns,
			c.Name, c.Template, params, c.Topic, nonNil(c.Districts), nonNil(c.Langs), c.Service, c.ScheduledAt, c.CreatedBy)
		if c, err = scanCampaign(row); err != nil {
			return err
		}
		_, err := s.queue.Load().InsertTx(ctx, tx.tx, CampaignArgs{ID: c.ID}, &river.InsertOpts{ScheduledAt: c.ScheduledAt})
		return err
	})
	return c, err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Campaign reads one campaign.
func (s *Store) Campaign(ctx context.Context, id int64) (Campaign, error) {
	return scanCampaign(s.pool.QueryRow(ctx, "SELECT "+campaignColumns+" FROM campaigns WHERE id = $1", id))
}

// Campaigns lists the newest campaigns.
func (s *Store) Campaigns(ctx context.Context, limit int) ([]Campaign, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+campaignColumns+" FROM campaigns ORDER BY id DESC LIMIT $1", limit)
	if err != nil {
		return nil, fmt.Errorf("campaigns: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Campaign, error) { return scanCampaign(r) })
}

// MoveCampaign changes a campaign's state if it is in one of from; a
// campaign resumed gets its job again. It reports whether it moved.
func (s *Store) MoveCampaign(ctx context.Context, id int64, from []string, to string) (bool, error) {
	moved := false
	err := s.InTx(ctx, func(tx Tx) error {
		tag, err := tx.tx.Exec(ctx, `UPDATE campaigns SET status = $3,
			started_at = CASE WHEN $3 = 'running' THEN COALESCE(started_at, now()) ELSE started_at END,
			finished_at = CASE WHEN $3 IN ('done', 'cancelled') THEN now() ELSE finished_at END
			WHERE id = $1 AND status = ANY($2)`, id, from, to)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		moved = true
		switch to {
		case CampaignCancelled:
			// What was never sent is skipped, and counted so.
			_, err = tx.tx.Exec(ctx, "UPDATE campaign_messages SET status = 'skipped' WHERE campaign_id = $1 AND status = 'queued'", id)
		case CampaignRunning:
			_, err = s.queue.Load().InsertTx(ctx, tx.tx, CampaignArgs{ID: id}, nil)
		}
		return err
	})
	return moved, err
}

// StartCampaign marks a scheduled campaign running as its job takes it up.
func (s *Store) StartCampaign(ctx context.Context, id int64) error {
	_, err := s.pool.Exec(ctx, "UPDATE campaigns SET status = 'running', started_at = COALESCE(started_at, now()) WHERE id = $1 AND status = 'scheduled'", id)
	return err
}

// FanOut adds the next batch of the campaign's audience to its messages,
// in one transaction with the cursor: opted in to the topic (any
// channel), in the districts (a whole-state opt-in is in every one) and
// languages asked, with a record of the service if one is named, and not
// opted out. done is true once the audience is exhausted.
func (s *Store) FanOut(ctx context.Context, c Campaign, batch int) (added int64, done bool, err error) {
	err = s.pool.QueryRow(ctx, `WITH cur AS (SELECT fan_cursor FROM campaigns WHERE id = $1 FOR UPDATE),
		next AS (
			SELECT a.wa_id, COALESCE(max(NULLIF(a.lang, '')), 'te') AS lang FROM alert_subscriptions a, cur
			WHERE a.topic = $2 AND a.withdrawn_at IS NULL AND a.wa_id > cur.fan_cursor
			  AND (cardinality($3::text[]) = 0 OR a.district = '' OR a.district = ANY($3))
			  AND (cardinality($4::text[]) = 0 OR a.lang = ANY($4))
			  AND ($5 = '' OR EXISTS (SELECT 1 FROM applications p WHERE p.wa_id = a.wa_id AND p.service_id = $5))
			  AND NOT EXISTS (SELECT 1 FROM contacts o WHERE o.wa_id = a.wa_id AND o.opted_out_at IS NOT NULL)
			GROUP BY a.wa_id ORDER BY a.wa_id LIMIT $6),
		ins AS (INSERT INTO campaign_messages (campaign_id, wa_id, lang) SELECT $1, wa_id, lang FROM next
			ON CONFLICT DO NOTHING RETURNING 1)
		UPDATE campaigns SET fan_cursor = COALESCE((SELECT max(wa_id) FROM next), fan_cursor),
			fanned_out = (SELECT count(*) FROM next) < $6
		WHERE id = $1 RETURNING (SELECT count(*) FROM ins), fanned_out`,
		c.ID, c.Topic, nonNil(c.Districts), nonNil(c.Langs), c.Service, batch).Scan(&added, &done)
	if err != nil {
		return 0, false, fmt.Errorf("fan out campaign %d: %w", c.ID, err)
	}
	return added, done, nil
}

// QueuedAtLeast counts a campaign's queued messages, stopping at limit
// (an index range of at most limit rows, however large the campaign).
func (s *Store) QueuedAtLeast(ctx context.Context, campaignID int64, limit int) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM campaign_messages WHERE campaign_id = $1 AND status = 'queued' LIMIT $2) q`,
		campaignID, limit).Scan(&n)
	return n, err
}

// Recipient is one campaign message claimed to send.
type Recipient struct {
	WAID, Lang string
	Attempts   int
}

// ClaimRecipients claims up to n queued messages of a campaign to send;
// any whose citizen has opted out since the fan-out is skipped instead
// (counted in skipped), so that a STOP in the middle of a campaign holds.
func (s *Store) ClaimRecipients(ctx context.Context, campaignID int64, n int) (claimed []Recipient, skipped int, err error) {
	rows, err := s.pool.Query(ctx, `WITH q AS (
			SELECT wa_id FROM campaign_messages WHERE campaign_id = $1 AND status = 'queued' ORDER BY wa_id LIMIT $2 FOR UPDATE SKIP LOCKED)
		UPDATE campaign_messages m SET status = CASE WHEN o.opted_out_at IS NOT NULL THEN 'skipped' ELSE 'sending' END,
			attempts = m.attempts + 1, claimed_at = now()
		FROM q LEFT JOIN contacts o ON o.wa_id = q.wa_id
		WHERE m.campaign_id = $1 AND m.wa_id = q.wa_id
		RETURNING m.wa_id, m.lang, m.attempts, m.status`, campaignID, n)
	if err != nil {
		return nil, 0, fmt.Errorf("claim campaign %d: %w", campaignID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Recipient
		var status string
		if err := rows.Scan(&r.WAID, &r.Lang, &r.Attempts, &status); err != nil {
			return nil, 0, err
		}
		if status == "skipped" {
			skipped++
			continue
		}
		claimed = append(claimed, r)
	}
	return claimed, skipped, rows.Err()
}

// SendResult is what sending one campaign message came to: a wamid, or
// an error code, final or to be retried.
type SendResult struct {
	WAID  string
	WAMID string
	Code  int
	Final bool
}

// RecordSends records a batch of results in one statement. A message a
// status webhook already moved on (its callback came first) keeps its
// status; one to retry goes back to the queue.
func (s *Store) RecordSends(ctx context.Context, campaignID int64, results []SendResult) error {
	if len(results) == 0 {
		return nil
	}
	ids, wamids, codes, finals := make([]string, len(results)), make([]string, len(results)), make([]int32, len(results)), make([]bool, len(results))
	for i, r := range results {
		ids[i], wamids[i], codes[i], finals[i] = r.WAID, r.WAMID, int32(r.Code), r.Final
	}
	var b pgx.Batch
	b.Queue(asyncCommit)
	b.Queue(`UPDATE campaign_messages m SET
			status = CASE WHEN v.wamid <> '' THEN (CASE WHEN m.status = 'sending' THEN 'sent' ELSE m.status END)
			              WHEN m.status <> 'sending' THEN m.status WHEN v.final THEN 'failed' ELSE 'queued' END,
			wa_message_id = COALESCE(m.wa_message_id, NULLIF(v.wamid, '')),
			error_code = CASE WHEN v.wamid = '' AND v.code <> 0 THEN v.code ELSE m.error_code END
		FROM unnest($2::text[], $3::text[], $4::int[], $5::bool[]) AS v(wa_id, wamid, code, final)
		WHERE m.campaign_id = $1 AND m.wa_id = v.wa_id`, campaignID, ids, wamids, codes, finals)
	if err := s.pool.SendBatch(ctx, &b).Close(); err != nil {
		return fmt.Errorf("record campaign %d sends: %w", campaignID, err)
	}
	return nil
}

// RequeueStale puts back in the queue the messages claimed longer than
// grace ago that nothing says were sent: no recorded result and no status
// webhook carrying their callback. A send whose process died in the
// middle is sent after the restart; one that Meta took is matched by its
// status first, so that none goes twice as long as a status arrives
// within grace.
func (s *Store) RequeueStale(ctx context.Context, campaignID int64, grace time.Duration) (int64, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE campaign_messages SET status = 'queued'
		WHERE campaign_id = $1 AND status = 'sending' AND wa_message_id IS NULL AND claimed_at < now() - make_interval(secs => $2)`,
		campaignID, grace.Seconds())
	if err != nil {
		return 0, fmt.Errorf("requeue campaign %d: %w", campaignID, err)
	}
	return tag.RowsAffected(), nil
}

// CampaignPending counts a campaign's messages still queued or being sent.
func (s *Store) CampaignPending(ctx context.Context, campaignID int64) (queued, sending int64, err error) {
	err = s.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status = 'sending')
		FROM campaign_messages WHERE campaign_id = $1 AND status IN ('queued', 'sending')`, campaignID).Scan(&queued, &sending)
	return queued, sending, err
}

// CampaignCounts are a campaign's messages by state, its failures by
// Meta's error code, and its billable messages by pricing category.
type CampaignCounts struct {
	ByStatus   map[string]int64
	FailedBy   map[int]int64
	Billable   map[string]int64
	Recipients int64
}

// Counts reads a campaign's counts.
func (s *Store) Counts(ctx context.Context, campaignID int64) (CampaignCounts, error) {
	c := CampaignCounts{ByStatus: map[string]int64{}, FailedBy: map[int]int64{}, Billable: map[string]int64{}}
	rows, err := s.pool.Query(ctx, `SELECT status, COALESCE(error_code, 0), COALESCE(category, ''), COALESCE(billable, false), count(*)
		FROM campaign_messages WHERE campaign_id = $1 GROUP BY 1, 2, 3, 4`, campaignID)
	if err != nil {
		return c, fmt.Errorf("campaign %d counts: %w", campaignID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var status, category string
		var code int
		var billable bool
		var n int64
		if err := rows.Scan(&status, &code, &category, &billable, &n); err != nil {
			return c, err
		}
		c.ByStatus[status] += n
		c.Recipients += n
		if status == "failed" {
			c.FailedBy[code] += n
		}
		if billable {
			c.Billable[category] += n
		}
	}
	return c, rows.Err()
}

// TakeQuota takes up to n of the portfolio's daily messaging limit (tier
// unique recipients in a rolling 24 hours; 0: unlimited) and returns how
// many it may send now. Replicas take turns under an advisory lock, so
// the limit holds across them.
func (s *Store) TakeQuota(ctx context.Context, tier int64, n int) (int, error) {
	if tier <= 0 {
		return n, nil
	}
	var k int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext('mitra messaging quota'))"); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT LEAST($2::bigint, GREATEST(0, $1::bigint - COALESCE(sum(n), 0)))::int
			FROM messaging_quota WHERE minute > now() - interval '24 hours'`, tier, n).Scan(&k); err != nil {
			return err
		}
		if k == 0 {
			return nil
		}
		_, err := tx.Exec(ctx, `INSERT INTO messaging_quota (minute, n) VALUES (date_trunc('minute', now()), $1)
			ON CONFLICT (minute) DO UPDATE SET n = messaging_quota.n + EXCLUDED.n`, k)
		if err == nil {
			_, err = tx.Exec(ctx, "DELETE FROM messaging_quota WHERE minute < now() - interval '2 days'")
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("messaging quota: %w", err)
	}
	return k, nil
}

// CampaignCallback is the biz_opaque_callback_data of a campaign message:
// Meta echoes it in every status, which ties a status to its recipient
// even when the send's answer was lost.
func CampaignCallback(campaignID int64, waID string) string {
	return "campaign:" + strconv.FormatInt(campaignID, 10) + ":" + waID
}

func parseCampaignCallback(s string) (int64, string, bool) {
	rest, ok := strings.CutPrefix(s, "campaign:")
	if !ok {
		return 0, "", false
	}
	idText, waID, ok := strings.Cut(rest, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	// Only what CampaignCallback makes: a positive id written plainly.
	return id, waID, ok && err == nil && id > 0 && strconv.FormatInt(id, 10) == idText && waID != ""
}

// queueCampaignStatus queues what moves a campaign message forward by a
// status, as queueStatus does an outbox row, and takes Meta's pricing.
func queueCampaignStatus(b *pgx.Batch, campaignID int64, waID string, st statusArgs) {
	b.Queue(`UPDATE campaign_messages SET
			status = CASE WHEN $3 = 'failed' THEN 'failed'
			              WHEN array_position($8::text[], $3) > COALESCE(array_position($8::text[], status), 0) THEN $3 ELSE status END,
			wa_message_id = COALESCE(wa_message_id, $4), error_code = COALESCE($5, error_code),
			category = COALESCE(NULLIF($6, ''), category), billable = COALESCE(billable, false) OR $7
		WHERE campaign_id = $1 AND wa_id = $2 AND status NOT IN ('failed', 'skipped')`,
		campaignID, waID, st.status, st.messageID, st.code, st.category, st.billable, statusOrder)
}

type statusArgs struct {
	messageID, status, category string
	code                        *int
	billable                    bool
}
