package evals

import (
	"context"
	"sort"
	"time"
)

// LLMCounts is a snapshot of an LLM client's counters (prompts.Stats).
type LLMCounts struct {
	Calls, CacheHits, Failures, Skipped, Tokens int64
}

// LLMReport is what the LLM path did on a suite: how often it was taken,
// the latency it added over the engine alone, the cache on repeated runs,
// and the figures with it.
type LLMReport struct {
	Cases         int     `json:"cases"`
	Taken         int     `json:"taken"`
	AddedP50MS    float64 `json:"added_p50_ms"`
	AddedP99MS    float64 `json:"added_p99_ms"`
	RepeatHitRate float64 `json:"repeat_cache_hit_rate"`
	Calls         int64   `json:"model_calls"`
	Failures      int64   `json:"failures"`
	Tokens        int64   `json:"tokens"`
	Metrics       Metrics `json:"metrics"`
	Note          string  `json:"note,omitempty"`
}

// MeasureLLM runs cases through m (the engine with the LLM around it) and
// compares each with base, the engine's own outcomes on the same cases: a
// case took the LLM path when counts moved. Two more runs measure the
// cache (every call of the second and third run should hit it).
func MeasureLLM(ctx context.Context, m Matcher, counts func() LLMCounts, cases []Case, base []Outcome) (LLMReport, error) {
	r := LLMReport{Cases: len(cases)}
	var added []time.Duration
	used := func(c LLMCounts) int64 { return c.Calls + c.CacheHits + c.Skipped }
	for i, c := range cases {
		before := used(counts())
		start := time.Now()
		if _, err := m.Match(ctx, c.Text, ""); err != nil {
			return r, err
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
		return r, err
	}
	outcomes, err := Run(ctx, m, cases, nil)
	if err != nil {
		return r, err
	}
	r.Metrics = Summarize(outcomes)
	sort.Slice(added, func(i, j int) bool { return added[i] < added[j] })
	r.AddedP50MS, r.AddedP99MS = percentileUS(added, .5)/1000, percentileUS(added, .99)/1000
	final := counts()
	r.RepeatHitRate = float64(final.CacheHits-hitsBefore) / float64(max(1, 2*r.Taken))
	r.Calls, r.Failures, r.Tokens = final.Calls, final.Failures, final.Tokens
	return r, nil
}
