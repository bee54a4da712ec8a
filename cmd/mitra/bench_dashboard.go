package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/store"
)

// `mitra bench dashboard`: the console's dashboard queries over a table of
// recorded analyses as large as a state's week (default 10 million rows,
// written in a scratch database that is dropped afterwards), timed per
// time range for all departments and for one.

type dashboardBenchCase struct {
	Range      string  `json:"range"`
	Department string  `json:"department"`
	Messages   int64   `json:"messages"`
	P50MS      float64 `json:"p50_ms"`
	P99MS      float64 `json:"p99_ms"`
}

type dashboardBenchReport struct {
	Rows        int                  `json:"rows"`
	LoadS       float64              `json:"load_s"`
	RolledHours int                  `json:"rolled_hours"`
	RollupS     float64              `json:"rollup_s"`
	Runs        int                  `json:"runs"`
	Cases       []dashboardBenchCase `json:"cases"`
	Dropped     bool                 `json:"database_dropped"`
	SpanDays    float64              `json:"span_days"`
}

func runDashboardBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := newFlagSet("bench dashboard", stderr)
	rows := fl.Int("rows", 10_000_000, "analyses recorded")
	runs := fl.Int("runs", 20, "timed runs of each query")
	span := fl.Duration("span", 7*24*time.Hour, "the time the analyses spread over")
	asJSON := fl.Bool("json", false, "print one JSON object")
	if err := fl.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if *rows < 1 || *runs < 2 {
		return usagef("bench dashboard: --rows at least 1, --runs at least 2")
	}
	admin := os.Getenv("MITRA_DATABASE_URL")
	if admin == "" {
		return usagef("bench dashboard needs MITRA_DATABASE_URL (scripts/pg start prints one)")
	}
	dbURL, drop, err := store.CreateDatabase(ctx, admin, fmt.Sprintf("mitra_bench_%d", time.Now().UnixNano()))
	if err != nil {
		return err
	}
	defer drop()
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	cat, err := catalog.Load(catalog.Embedded())
	if err != nil {
		return err
	}
	var services, depts []string
	for _, s := range cat.Services {
		services = append(services, s.ID)
	}
	for _, d := range cat.Departments {
		depts = append(depts, d.ID)
	}
	r := dashboardBenchReport{Rows: *rows, Runs: *runs, SpanDays: span.Hours() / 24}
	start := time.Now()
	if err := st.BulkAnalyses(ctx, *rows, *span, services, depts, application.Districts); err != nil {
		return err
	}
	r.LoadS = time.Since(start).Seconds()
	start = time.Now()
	if r.RolledHours, err = st.RollUpAnalyses(ctx); err != nil {
		return err
	}
	r.RollupS = time.Since(start).Seconds()
	for _, rng := range []struct {
		name string
		d    time.Duration
	}{{"hour", time.Hour}, {"day", 24 * time.Hour}, {"week", 7 * 24 * time.Hour}} {
		for _, scope := range []store.DashboardFilter{{}, {Department: "revenue"}, {District: "guntur"}} {
			dept := scope.Department + scope.District
			var times []float64
			var board store.Dashboard
			for i := 0; i < *runs; i++ {
				now := time.Now()
				t0 := time.Now()
				scope.Since, scope.Until = now.Add(-rng.d), now
				board, err = st.Dashboard(ctx, scope)
				if err != nil {
					return err
				}
				times = append(times, float64(time.Since(t0).Microseconds())/1000)
			}
			slices.Sort(times)
			r.Cases = append(r.Cases, dashboardBenchCase{Range: rng.name, Department: dept, Messages: board.Messages,
				P50MS: times[len(times)/2], P99MS: times[min(len(times)-1, len(times)*99/100)]})
		}
	}
	r.Dropped = true
	if *asJSON {
		return json.NewEncoder(stdout).Encode(r)
	}
	fmt.Fprintf(stdout, "%d analyses over %.0f days, loaded in %.1f s, %d hours rolled up in %.1f s; %d runs each\n",
		r.Rows, r.SpanDays, r.LoadS, r.RolledHours, r.RollupS, r.Runs)
	for _, c := range r.Cases {
		dept := c.Department
		if dept == "" {
			dept = "all departments"
		}
		fmt.Fprintf(stdout, "  %-5s %-16s %9d messages   p50 %7.1f ms   p99 %7.1f ms\n", c.Range, dept, c.Messages, c.P50MS, c.P99MS)
	}
	return nil
}
