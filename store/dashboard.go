package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// DashboardFilter narrows the dashboard to a time range and, optionally,
// one department (the department of the service a message matched, or of
// a record).
type DashboardFilter struct {
	Since, Until time.Time
	Department   string
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
	Messages                              int64
	PerMinute                             []Count // key: the minute, RFC 3339
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

// Dashboard reads the figures. The message breakdowns come from one scan
// of the range's analyses (grouping sets), the latency percentiles from a
// second.
func (s *Store) Dashboard(ctx context.Context, f DashboardFilter) (Dashboard, error) {
	var d Dashboard
	var b pgx.Batch
	b.Queue(`SELECT lang, script, input, decision, service, to_char(m AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:00"Z"'), count(*)
		FROM (SELECT lang, script, input, decision, service, date_trunc('minute', at) AS m
		      FROM message_analyses WHERE at >= $1 AND at < $2 AND ($3 = '' OR department = $3)) x
		GROUP BY GROUPING SETS ((lang), (script), (input), (decision), (service), (m))`, f.Since, f.Until, f.Department).
		Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var lang, script, input, decision, service, minute *string
				var n int64
				if err := rows.Scan(&lang, &script, &input, &decision, &service, &minute, &n); err != nil {
					return err
				}
				switch {
				case lang != nil:
					d.ByLang = append(d.ByLang, Count{*lang, n})
					d.Messages += n
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
			return rows.Err()
		})
	b.Queue(`SELECT COALESCE(percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms), 0),
		COALESCE(percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms), 0)
		FROM message_analyses WHERE at >= $1 AND at < $2 AND ($3 = '' OR department = $3)`, f.Since, f.Until, f.Department).
		QueryRow(func(row pgx.Row) error { return row.Scan(&d.LatencyP50, &d.LatencyP99) })
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
		FROM applications WHERE status = ANY($1) AND ($3 = '' OR department = $3)
		GROUP BY department, kind ORDER BY department, kind`, openStatuses, dueSoon.Seconds(), f.Department).
		Query(func(rows pgx.Rows) error {
			var err error
			d.Open, err = pgx.CollectRows(rows, pgx.RowToStructByPos[DepartmentSLA])
			return err
		})
	if err := s.pool.SendBatch(ctx, &b).Close(); err != nil {
		return Dashboard{}, fmt.Errorf("dashboard: %w", err)
	}
	sortCounts(d.ByLang, d.ByScript, d.ByInput, d.ByDecision, d.TopServices)
	if len(d.TopServices) > 10 {
		d.TopServices = d.TopServices[:10]
	}
	sortMinutes(d.PerMinute)
	return d, nil
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
// drawn from the given ids.
func (s *Store) BulkAnalyses(ctx context.Context, n int, span time.Duration, services, departments []string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO message_analyses (at, wa_message_id, input, lang, script, decision, service, department, score, latency_ms, group_key)
		SELECT now() - make_interval(secs => $2) + make_interval(secs => $2 * g / $1), 'bench.' || g,
		       (ARRAY['text','text','text','tap','tap','voice'])[1 + (g % 6)],
		       (ARRAY['te','te','te','hi','en'])[1 + (g % 5)],
		       (ARRAY['native','romanized','romanized','mixed','latin'])[1 + (g % 5)],
		       (ARRAY['direct','direct','choose','menu'])[1 + (g % 4)],
		       ($3::text[])[1 + (g % cardinality($3::text[]))],
		       ($4::text[])[1 + (g % cardinality($4::text[]))],
		       random(), 50 + random() * random() * 3000, md5((g % 5000)::text)
		FROM generate_series(1, $1) g`, n, span.Seconds(), services, departments)
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
