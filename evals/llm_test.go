package evals

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/retrieval"
)

// cachingLLM asks its "model" for texts with a question mark, once each;
// repeats hit its cache.
type cachingLLM struct {
	mu     sync.Mutex
	seen   map[string]bool
	counts LLMCounts
}

func (l *cachingLLM) Match(_ context.Context, text string, _ catalog.Lang) (retrieval.Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if strings.Contains(text, "?") {
		if l.seen[text] {
			l.counts.CacheHits++
		} else {
			l.seen[text] = true
			l.counts.Calls++
			l.counts.Tokens += 100
		}
	}
	return retrieval.Result{Decision: retrieval.Menu}, nil
}

func TestMeasureLLM(t *testing.T) {
	t.Parallel()
	cases := []Case{{Text: "which pension?", Lang: "en"}, {Text: "ration card", Lang: "en"}, {Text: "fee?", Lang: "en"}, {Text: "hi", Lang: "en"}}
	llm := &cachingLLM{seen: map[string]bool{}}
	rep, err := MeasureLLM(context.Background(), llm, func() LLMCounts {
		llm.mu.Lock()
		defer llm.mu.Unlock()
		return llm.counts
	}, cases, make([]Outcome, len(cases)))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Cases != 4 || rep.Taken != 2 || rep.Calls != 2 || rep.Tokens != 200 || rep.RepeatHitRate != 1 {
		t.Errorf("report %+v", rep)
	}
	if rep.Metrics.Cases != 4 {
		t.Errorf("metrics over %d cases", rep.Metrics.Cases)
	}
	if rep.RepeatHits != 4 || rep.RepeatHitPercent() != 100 || rep.TakenPercent() != 50 {
		t.Errorf("repeat hits %d (%.1f%%), taken %.1f%%", rep.RepeatHits, rep.RepeatHitPercent(), rep.TakenPercent())
	}
	if rep.AddedP50MS < 0 || rep.AddedP99MS < rep.AddedP50MS {
		t.Errorf("added latency p50 %.3f ms, p99 %.3f ms", rep.AddedP50MS, rep.AddedP99MS)
	}
}

// The printed percentages round as the counts say: 100*23/80 is 28.75,
// which 100*(23/80) misses by a hair and prints as 28.7.
func TestLLMReportPercentsRoundFromCounts(t *testing.T) {
	t.Parallel()
	rep := LLMReport{Cases: 80, Taken: 40, RepeatHits: 23}
	if got := fmt.Sprintf("%.1f", rep.RepeatHitPercent()); got != "28.8" {
		t.Errorf("RepeatHitPercent prints %s, want 28.8", got)
	}
	if got := fmt.Sprintf("%.1f", rep.TakenPercent()); got != "50.0" {
		t.Errorf("TakenPercent prints %s, want 50.0", got)
	}
}

// A failing match stops the measurement and says which case failed.
func TestMeasureLLMMatchError(t *testing.T) {
	t.Parallel()
	_, err := MeasureLLM(context.Background(), failingMatcher{}, func() LLMCounts { return LLMCounts{} },
		[]Case{{Text: "ration card", Lang: "en"}}, nil)
	if !errors.Is(err, errMatch) || !strings.Contains(err.Error(), `"ration card"`) {
		t.Errorf("error = %v, want errMatch naming the case", err)
	}
}

var errMatch = errors.New("match failed")

type failingMatcher struct{}

func (failingMatcher) Match(context.Context, string, catalog.Lang) (retrieval.Result, error) {
	return retrieval.Result{}, errMatch
}

func TestMilliseconds(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]float64{0: 0, 1234567 * time.Nanosecond: 1.234, -1500 * time.Nanosecond: -0.001, 2 * time.Second: 2000} {
		if got := milliseconds(d); got != want {
			t.Errorf("milliseconds(%v) = %v, want %v", d, got, want)
		}
	}
}
