package evals

import (
	"context"
	"fmt"
	"time"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/retrieval"
)

// Matcher is what the runner evaluates; *retrieval.Engine is one.
type Matcher interface {
	Match(ctx context.Context, text string, prev catalog.Lang) (retrieval.Result, error)
}

// Outcome is what happened to one case.
type Outcome struct {
	Case     Case
	Lang     catalog.Lang
	Decision retrieval.Decision
	Got      []string // candidate ids, best first
	Scores   []float32
	Rank     int // 1-based rank of the first expected id; 0 if absent
	Latency  time.Duration
	Err      string
}

// Top1 reports whether the best candidate was right.
func (o Outcome) Top1() bool { return o.Rank == 1 }

// ConfidentWrong reports a direct routing to a wrong service, the worst
// thing mitra can do: the citizen is sent somewhere else with confidence.
func (o Outcome) ConfidentWrong() bool { return o.Decision == retrieval.Direct && o.Rank != 1 }

// Run evaluates every case in order. Each case starts a fresh conversation
// (no previous language). progress, if not nil, is called after each case.
func Run(ctx context.Context, m Matcher, cases []Case, progress func(done, total int)) ([]Outcome, error) {
	out := make([]Outcome, 0, len(cases))
	for i, c := range cases {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		start := time.Now()
		res, err := m.Match(ctx, c.Text, "")
		o := Outcome{Case: c, Latency: time.Since(start)}
		if err != nil {
			o.Err = err.Error()
			o.Decision = retrieval.Menu
		} else {
			o.Lang = res.Analysis.Lang
			o.Decision = res.Decision
			for _, cand := range res.Candidates {
				o.Got = append(o.Got, cand.Service.ID)
				o.Scores = append(o.Scores, cand.Score)
			}
			o.Rank = rankOf(o.Got, c.Expect)
		}
		out = append(out, o)
		if progress != nil {
			progress(i+1, len(cases))
		}
	}
	return out, nil
}

func rankOf(got, expect []string) int {
	for i, id := range got {
		for _, e := range expect {
			if id == e {
				return i + 1
			}
		}
	}
	return 0
}

// Calibrate searches routing thresholds on outcomes and returns the ones
// that route the most in-scope cases directly and correctly while keeping
// the confident-wrong rate at or below maxWrong.
func Calibrate(outcomes []Outcome, maxWrong float64) (retrieval.Thresholds, Metrics) {
	best := retrieval.DefaultThresholds
	bestRight := -1
	for ds := float32(0.40); ds <= 0.95; ds += 0.01 {
		for dm := float32(0.0); dm <= 0.30; dm += 0.01 {
			t := retrieval.Thresholds{DirectScore: ds, DirectMargin: dm, ChooseScore: best.ChooseScore}
			right, wrong := 0, 0
			for _, o := range outcomes {
				if t.Decide(o.Scores) != retrieval.Direct {
					continue
				}
				if o.Rank == 1 {
					right++
				} else {
					wrong++
				}
			}
			if float64(wrong) <= maxWrong*float64(len(outcomes)) && right > bestRight {
				best.DirectScore, best.DirectMargin, bestRight = ds, dm, right
			}
		}
	}
	// The choose threshold: the lowest score at which offering three
	// options still usually contains the right one; below it, the menu.
	for cs := float32(0.10); cs <= best.DirectScore; cs += 0.01 {
		hit, shown := 0, 0
		for _, o := range outcomes {
			if len(o.Scores) == 0 || o.Scores[0] < cs || o.Scores[0] >= cs+0.05 {
				continue
			}
			shown++
			if o.Rank >= 1 && o.Rank <= 3 {
				hit++
			}
		}
		if shown >= 5 && float64(hit)/float64(shown) >= 0.5 {
			best.ChooseScore = cs
			break
		}
	}
	best.DirectScore = round2(best.DirectScore)
	best.DirectMargin = round2(best.DirectMargin)
	best.ChooseScore = round2(best.ChooseScore)
	rerouted := make([]Outcome, len(outcomes))
	for i, o := range outcomes {
		o.Decision = best.Decide(o.Scores)
		rerouted[i] = o
	}
	return best, Summarize(rerouted)
}

// String renders thresholds for a person.
func thresholdsString(t retrieval.Thresholds) string {
	return fmt.Sprintf("direct_score=%.2f direct_margin=%.2f choose_score=%.2f", t.DirectScore, t.DirectMargin, t.ChooseScore)
}

func round2(f float32) float32 { return float32(int(f*100+0.5)) / 100 }
