package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// DashboardFilter narrows the dashboard to a time range and, optionally,
// one department (the department of the service a message matched, or of
// a record).
type DashboardFilter struct {
	Since, Until time.Time
	Department   string
	// District narrows the messages to citizens of one district (as their
	// latest application's PIN code places them) and the open records to
	// those of its PIN codes.
	District string
}

// Count is one bar of a breakdown.
type Count struct {
	Key string
	N   int64
}

// DepartmentSLA counts a department's open records by where they stand
// against their due date.
type DepartmentSLA struct {
	Department, Kind     string
	OnTime, Due, Overdue int64
}

// Dashboard is everything the live dashboard shows, from PostgreSQL, so
// that every replica's console shows the same.
type Dashboard struct {
	Messages int64
	// PerMinute counts messages per Bucket ("minute", or "hour" for a
	// range read from the roll-ups); key: its start, RFC 3339.
	PerMinute                             []Count
	Bucket                                string
	ByLang, ByScript, ByInput, ByDecision []Count
	TopServices                           []Count
	LatencyP50, LatencyP99                float64 // milliseconds
	SendFailures                          []Count // key: the Graph API error code
	Queue                                 []Count // key: the job kind
	Open                                  []DepartmentSLA
}

// dueSoon is how close a due date must be for a record to count as due.
const dueSoon = 24 * time.Hour

// openStatuses are the statuses of records still with a department.
var openStatuses = []string{"submitted", "accepted", "needs_information", "approved", "escalated", "reopened"}

// rollupAfter is the range beyond which whole hours are read from the
// hourly roll-ups rather than the analyses themselves.
const rollupAfter = 2 * time.Hour

// latencyBounds are the upper bounds (ms) of the latency buckets the
// roll-ups count; percentiles over rolled-up hours are read from them, to
// the bucket.
var latencyBounds = []float64{25, 50, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000, 30000, 60000}

// latencyBucket is the SQL of an analysis's latency bucket key ($n: the
// bounds).
func latencyBucket(param string) string {
	return "COALESCE(((" + param + "::float8[])[width_bucket(a.latency_ms, " + param + "::float8[]) + 1])::text, 'inf')"
}

// Dashboard reads the figures. Up to two hours are read from the analyses
// (one scan with grouping sets, a second for the exact percentiles); a
// longer range reads its whole rolled-up hours from analysis_hours and
// only the hours not rolled up yet from the analyses, per hour, with the latency
// percentiles to the bucket.
func (s *Store) Dashboard(ctx context.Context, f DashboardFilter) (Dashboard, error) {
	var d Dashboard
	var rolledUntil time.Time
	// The roll-ups hold all departments (''), each department, and each
	// district ("district:guntur"), one at a time.
	scope := f.Department
	if f.District != "" {
		scope = "district:" + f.District
	}
	if f.Until.Sub(f.Since) > rollupAfter && (f.Department == "" || f.District == "") {
		err := s.pool.QueryRow(ctx, "SELECT rolled_until FROM analysis_rollup").Scan(&rolledUntil)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return d, fmt.Errorf("dashboard: %w", err)
		}
	}
	// Raw ranges [r1, r2) and [r3, r4); rolled hours [hs, he). A range
	// over two hours starts at the top of its first hour: a day or a week
	// is read in whole hours, and only the hour under way from the
	// analyses.
	hs, he := f.Since.Truncate(time.Hour), minTime(f.Until.Truncate(time.Hour), rolledUntil.Truncate(time.Hour))
	rolled := !rolledUntil.IsZero() && hs.Before(he)
	r1, r2, r3, r4 := f.Since, f.Until, f.Until, f.Until
	bucket := "minute"
	if rolled {
		r1, r2, r3, r4, bucket = he, f.Until, f.Until, f.Until, "hour"
	}
	d.Bucket = bucket
	hist := map[string]int64{}
	var b pgx.Batch
	b.Queue(`SELECT lang, script, input, decision, service, to_char(m AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:00"Z"'), latency, count(*)
		FROM (SELECT a.lang, a.script, a.input, a.decision, a.service, date_trunc($6, a.at) AS m,
		             CASE WHEN $7 THEN `+latencyBucket("$8")+` END AS latency
		      FROM message_analyses a WHERE ((a.at >= $1 AND a.at < $2) OR (a.at >= $3 AND a.at < $4)) AND ($5 = '' OR a.department = $5)
		        AND ($9 = '' OR a.district = $9)) x
		GROUP BY GROUPING SETS ((lang), (script), (input), (decision), (service), (m), (latency))`,
		r1, r2, r3, r4, f.Department, bucket, rolled, latencyBounds, f.District).
		Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var lang, script, input, decision, service, minute, latency *string
				var n int64
				if err := rows.Scan(&lang, &script, &input, &decision, &service, &minute, &latency, &n); err != nil {
					return err
				}
				d.addCount(lang, script, input, decision, service, minute, n)
				if latency != nil {
					hist[*latency] += n
				}
			}
			return rows.Err()
		})
	// The rolled-up hours are read on a second connection while the
	// first scans the hour under way: the two take about as long.
	var part Dashboard
	partHist := map[string]int64{}
	var partErr error
	var wg sync.WaitGroup
	if rolled {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Summed in the database: a week is 168 hours of some 500
			// keys, and only the hourly totals are wanted one by one.
			rows, err := s.pool.Query(ctx, `SELECT dim, key, '', sum(n)::bigint FROM analysis_hours
				WHERE hour >= $1 AND hour < $2 AND department = $3 AND dim <> 'total' GROUP BY dim, key
				UNION ALL
				SELECT dim, key, to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:00"Z"'), n FROM analysis_hours
				WHERE hour >= $1 AND hour < $2 AND department = $3 AND dim = 'total'`, hs, he, scope)
			if err != nil {
				partErr = err
				return
			}
			defer rows.Close()
			for rows.Next() {
				var dim, key, hour string
				var n int64
				if err := rows.Scan(&dim, &key, &hour, &n); err != nil {
					partErr = err
					return
				}
				part.addRolled(dim, key, hour, n, partHist)
			}
			partErr = rows.Err()
		}()
	} else {
		b.Queue(`SELECT COALESCE(percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms), 0),
			COALESCE(percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms), 0)
			FROM message_analyses WHERE at >= $1 AND at < $2 AND ($3 = '' OR department = $3) AND ($4 = '' OR district = $4)`,
			f.Since, f.Until, f.Department, f.District).
			QueryRow(func(row pgx.Row) error { return row.Scan(&d.LatencyP50, &d.LatencyP99) })
	}
	b.Queue(`SELECT COALESCE(error_code::text, '?'), count(*) FROM message_statuses
		WHERE status = 'failed' AND received_at >= $1 AND received_at < $2 GROUP BY 1 ORDER BY 2 DESC`, f.Since, f.Until).
		Query(func(rows pgx.Rows) error { return collectCounts(rows, &d.SendFailures) })
	b.Queue(`SELECT kind, count(*) FROM river_job WHERE state IN ('available', 'scheduled', 'retryable', 'running')
		GROUP BY kind ORDER BY kind`).
		Query(func(rows pgx.Rows) error { return collectCounts(rows, &d.Queue) })
	b.Queue(`SELECT department, kind,
		count(*) FILTER (WHERE due_at IS NULL OR due_at > now() + make_interval(secs => $2)),
		count(*) FILTER (WHERE due_at > now() AND due_at <= now() + make_interval(secs => $2)),
		count(*) FILTER (WHERE due_at <= now())
		FROM applications WHERE status = ANY($1) AND ($3 = '' OR department = $3) AND ($4 = '' OR district = $4)
		GROUP BY department, kind ORDER BY department, kind`, openStatuses, dueSoon.Seconds(), f.Department, f.District).
		Query(func(rows pgx.Rows) error {
			var err error
			d.Open, err = pgx.CollectRows(rows, pgx.RowToStructByPos[DepartmentSLA])
			return err
		})
	err := s.pool.SendBatch(ctx, &b).Close()
	wg.Wait()
	if err == nil {
		err = partErr
	}
	if err != nil {
		return Dashboard{}, fmt.Errorf("dashboard: %w", err)
	}
	d.ByLang, d.ByScript, d.ByInput = append(d.ByLang, part.ByLang...), append(d.ByScript, part.ByScript...), append(d.ByInput, part.ByInput...)
	d.ByDecision, d.TopServices = append(d.ByDecision, part.ByDecision...), append(d.TopServices, part.TopServices...)
	d.PerMinute = append(d.PerMinute, part.PerMinute...)
	for k, n := range partHist {
		hist[k] += n
	}
	if rolled {
		d.LatencyP50, d.LatencyP99 = histogramPercentile(hist, 0.5), histogramPercentile(hist, 0.99)
	}
	d.ByLang, d.ByScript, d.ByInput = merged(d.ByLang), merged(d.ByScript), merged(d.ByInput)
	d.ByDecision, d.TopServices, d.PerMinute = merged(d.ByDecision), merged(d.TopServices), merged(d.PerMinute)
	d.Messages = 0
	for _, c := range d.ByLang {
		d.Messages += c.N
	}
	sortCounts(d.ByLang, d.ByScript, d.ByInput, d.ByDecision, d.TopServices)
	if len(d.TopServices) > 10 {
		d.TopServices = d.TopServices[:10]
	}
	sortMinutes(d.PerMinute)
	return d, nil
}

// addCount adds one row of the analyses' grouping sets.
func (d *Dashboard) addCount(lang, script, input, decision, service, minute *string, n int64) {
	switch {
	case lang != nil:
		d.ByLang = append(d.ByLang, Count{*lang, n})
	case script != nil && *script != "":
		d.ByScript = append(d.ByScript, Count{*script, n})
	case input != nil:
		d.ByInput = append(d.ByInput, Count{*input, n})
	case decision != nil && *decision != "":
		d.ByDecision = append(d.ByDecision, Count{*decision, n})
	case service != nil && *service != "":
		d.TopServices = append(d.TopServices, Count{*service, n})
	case minute != nil:
		d.PerMinute = append(d.PerMinute, Count{*minute, n})
	}
}

// addRolled adds one row of an hourly roll-up.
func (d *Dashboard) addRolled(dim, key, hour string, n int64, hist map[string]int64) {
	switch dim {
	case "total":
		d.PerMinute = append(d.PerMinute, Count{hour, n})
	case "lang":
		d.ByLang = append(d.ByLang, Count{key, n})
	case "script":
		d.ByScript = append(d.ByScript, Count{key, n})
	case "input":
		d.ByInput = append(d.ByInput, Count{key, n})
	case "decision":
		d.ByDecision = append(d.ByDecision, Count{key, n})
	case "service":
		d.TopServices = append(d.TopServices, Count{key, n})
	case "latency":
		hist[key] += n
	}
}

// merged sums the counts of equal keys (a key from the roll-ups and from
// the ragged ends).
func merged(l []Count) []Count {
	sums := map[string]int64{}
	var keys []string
	for _, c := range l {
		if _, ok := sums[c.Key]; !ok {
			keys = append(keys, c.Key)
		}
		sums[c.Key] += c.N
	}
	out := make([]Count, 0, len(keys))
	for _, k := range keys {
		out = append(out, Count{k, sums[k]})
	}
	return out
}

// histogramPercentile is the upper bound of the latency bucket holding
// the q-th quantile (the last bound for the open-ended bucket).
func histogramPercentile(hist map[string]int64, q float64) float64 {
	var total int64
	for _, n := range hist {
		total += n
	}
	if total == 0 {
		return 0
	}
	var seen int64
	for _, bound := range latencyBounds {
		seen += hist[strconv.FormatFloat(bound, 'f', -1, 64)]
		if float64(seen) >= q*float64(total) {
			return bound
		}
	}
	return latencyBounds[len(latencyBounds)-1]
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// RollUpAnalyses rolls every whole hour of analyses not rolled up yet
// into analysis_hours, an hour per transaction, up to the hour that ended
// more than a minute ago (a message answered at 10:59:59 commits a moment
// later). Replicas may call it at once: an advisory lock lets one work.
func (s *Store) RollUpAnalyses(ctx context.Context) (hours int, err error) {
	for {
		done := false
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			var locked bool
			if err := tx.QueryRow(ctx, "SELECT pg_try_advisory_xact_lock(hashtext('mitra analysis rollup'))").Scan(&locked); err != nil || !locked {
				done = true
				return err
			}
			var from *time.Time
			if err := tx.QueryRow(ctx, `SELECT COALESCE((SELECT rolled_until FROM analysis_rollup),
				(SELECT date_trunc('hour', min(at)) FROM message_analyses))`).Scan(&from); err != nil {
				return err
			}
			var limit time.Time
			if err := tx.QueryRow(ctx, "SELECT date_trunc('hour', now() - interval '1 minute')").Scan(&limit); err != nil {
				return err
			}
			if from == nil || !from.Before(limit) {
				done = true
				return nil
			}
			to := from.Add(time.Hour)
			if _, err := tx.Exec(ctx, `INSERT INTO analysis_hours (hour, department, dim, key, n)
				SELECT $1::timestamptz, d.dept, v.dim, v.key, count(*)
				FROM message_analyses a
				CROSS JOIN LATERAL (VALUES (''), (NULLIF(a.department, '')), ('district:' || NULLIF(a.district, ''))) d(dept)
				CROSS JOIN LATERAL (VALUES ('total', ''), ('lang', a.lang), ('script', a.script), ('input', a.input),
				     ('decision', a.decision), ('service', a.service), ('latency', `+latencyBucket("$3")+`)) v(dim, key)
				WHERE a.at >= $1 AND a.at < $2 AND d.dept IS NOT NULL AND (v.key <> '' OR v.dim = 'total')
				GROUP BY 2, 3, 4
				ON CONFLICT (hour, department, dim, key) DO UPDATE SET n = EXCLUDED.n`, *from, to, latencyBounds); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO analysis_rollup (rolled_until) VALUES ($1)
				ON CONFLICT (one) DO UPDATE SET rolled_until = EXCLUDED.rolled_until`, to)
			return err
		})
		if err != nil {
			return hours, fmt.Errorf("roll up analyses: %w", err)
		}
		if done {
			return hours, nil
		}
		hours++
	}
}

func collectCounts(rows pgx.Rows, out *[]Count) error {
	var err error
	*out, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Count])
	return err
}

// sortCounts orders breakdowns largest first, then by key.
func sortCounts(lists ...[]Count) {
	for _, l := range lists {
		slices.SortFunc(l, func(a, b Count) int {
			if a.N != b.N {
				return cmp.Compare(b.N, a.N)
			}
			return cmp.Compare(a.Key, b.Key)
		})
	}
}

// sortMinutes orders the per-minute counts in time.
func sortMinutes(l []Count) {
	slices.SortFunc(l, func(a, b Count) int { return cmp.Compare(a.Key, b.Key) })
}

// BulkAnalyses writes n synthetic analyses spread evenly over the span
// before now, in time order as real ones arrive, in one statement, for `mitra bench dashboard`: languages,
// scripts, inputs and decisions in proportions like a state's, services
// drawn from the given ids, districts too (and some citizens of no known
// district).
func (s *Store) BulkAnalyses(ctx context.Context, n int, span time.Duration, services, departments, districts []string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO message_analyses (at, wa_message_id, input, lang, script, decision, service, department, score, latency_ms, group_key, district)
		SELECT now() - make_interval(secs => $2) + make_interval(secs => $2 * g / $1), 'bench.' || g,
		       (ARRAY['text','text','text','tap','tap','voice'])[1 + (g % 6)],
		       (ARRAY['te','te','te','hi','en'])[1 + (g % 5)],
		       (ARRAY['native','romanized','romanized','mixed','latin'])[1 + (g % 5)],
		       (ARRAY['direct','direct','choose','menu'])[1 + (g % 4)],
		       ($3::text[])[1 + (g % cardinality($3::text[]))],
		       ($4::text[])[1 + (g % cardinality($4::text[]))],
		       random(), 50 + random() * random() * 3000, md5((g % 5000)::text),
		       COALESCE(($5::text[])[1 + (g % (cardinality($5::text[]) + 1))], '')
		FROM generate_series(1, $1) g`, n, span.Seconds(), services, departments, districts)
	if err != nil {
		return fmt.Errorf("bulk analyses: %w", err)
	}
	// A steady table has its block ranges summarised as they fill; a
	// bulk load in one statement has none until this.
	if _, err := s.pool.Exec(ctx, "SELECT brin_summarize_new_values('message_analyses_at')"); err != nil {
		return fmt.Errorf("bulk analyses: summarise: %w", err)
	}
	_, err = s.pool.Exec(ctx, "ANALYZE message_analyses")
	return err
}
