package evals

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// LLMCounts is a snapshot of an LLM client's counters (prompts.Stats). The
// caller converts, so that evals does not depend on the LLM client and its
// network code.
type LLMCounts struct {
	Calls, CacheHits, Failures, Skipped, Tokens int64
}

// LLMReport is what the LLM path did on a suite: how often it was taken,
// the latency it added over the engine alone, the cache on repeated runs,
// and the figures with it.
type LLMReport struct {
	Cases      int     `json:"cases"`
	Taken      int     `json:"taken"`
	AddedP50MS float64 `json:"added_p50_ms"`
	AddedP99MS float64 `json:"added_p99_ms"`
	// RepeatHits counts the cache hits of the two repeated runs, which
	// should hit once per taken case each: RepeatHitRate is their share.
	RepeatHits    int64   `json:"repeat_cache_hits"`
	RepeatHitRate float64 `json:"repeat_cache_hit_rate"`
	Calls         int64   `json:"model_calls"`
	Failures      int64   `json:"failures"`
	Tokens        int64   `json:"tokens"`
	Metrics       Metrics `json:"metrics"`
	// Note qualifies the figures (a fake backend tests plumbing only); the
	// caller sets it.
	Note string `json:"note,omitempty"`
}

// TakenPercent is Taken as a percentage of Cases.
func (r LLMReport) TakenPercent() float64 { return 100 * float64(r.Taken) / float64(r.Cases) }

// RepeatHitPercent is RepeatHitRate as a percentage. It is computed from
// the counts, not as 100*RepeatHitRate, which loses a hair: 23 hits of 80
// print 28.8, not 28.7.
func (r LLMReport) RepeatHitPercent() float64 {
	return 100 * float64(r.RepeatHits) / float64(r.expectedRepeatHits())
}

// expectedRepeatHits is one hit per taken case in each of the two repeated
// runs; at least 1, so that a suite where the path was never taken reports
// 0 rather than NaN.
func (r LLMReport) expectedRepeatHits() int { return max(1, 2*r.Taken) }

// MeasureLLM runs cases through m (the engine with the LLM around it) and
// compares each with base, the engine's own outcomes on the same cases: a
// case took the LLM path when counts moved. Two more runs measure the
// cache (every call of the second and third run should hit it).
func MeasureLLM(ctx context.Context, m Matcher, counts func() LLMCounts, cases []Case, base []Outcome) (LLMReport, error) {
	r := LLMReport{Cases: len(cases)}
	var added []time.Duration
	// A skipped call (breaker open, budget spent) still took the path: it
	// is where the LLM would have been asked.
	used := func(c LLMCounts) int64 { return c.Calls + c.CacheHits + c.Skipped }
	for i, c := range cases {
		before := used(counts())
		start := time.Now()
		if _, err := m.Match(ctx, c.Text, ""); err != nil {
			return r, fmt.Errorf("llm eval of %q: %w", c.Text, err)
		}
		d := time.Since(start)
		if used(counts()) > before {
			r.Taken++
			if i < len(base) {
				added = append(added, d-base[i].Latency)
			}
		}
	}
	hitsBefore := counts().CacheHits
	if _, err := Run(ctx, m, cases, nil); err != nil {
		return r, fmt.Errorf("llm eval, first repeated run: %w", err)
	}
	outcomes, err := Run(ctx, m, cases, nil)
	if err != nil {
		return r, fmt.Errorf("llm eval, second repeated run: %w", err)
	}
	r.Metrics = Summarize(outcomes)
	slices.Sort(added)
	r.AddedP50MS, r.AddedP99MS = milliseconds(percentile(added, .5)), milliseconds(percentile(added, .99))
	final := counts()
	r.RepeatHits = final.CacheHits - hitsBefore
	r.RepeatHitRate = float64(r.RepeatHits) / float64(r.expectedRepeatHits())
	r.Calls, r.Failures, r.Tokens = final.Calls, final.Failures, final.Tokens
	return r, nil
}

// milliseconds is d in milliseconds, truncated to whole microseconds as
// the bench reports of cmd/mitra truncate theirs, so that the same
// latency prints the same everywhere.
func milliseconds(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
