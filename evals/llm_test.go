package evals

import (
	"context"
	"strings"
	"sync"
	"testing"

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
}
