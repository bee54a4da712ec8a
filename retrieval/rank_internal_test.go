package retrieval

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/nlu"
)

// rank prunes (it visits services best-covered first, visits the rare
// tokens' services first and stops once no service left can reach its
// best few), and within its visit budget its best MaxCandidates must be
// exactly those of scoring every service and sorting them all. Checked on
// the eval suites' messages, over the shipped catalogue (where every
// vector is scored up front) and over a synthesised one sixteen times its
// size (where the vector side is bounded instead).
func TestRankEqualsScoringEveryService(t *testing.T) {
	cat, err := catalog.Load(catalog.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	latin, err := nlu.LoadLatinModel()
	if err != nil {
		t.Fatal(err)
	}
	texts := suiteTexts(t)
	for _, c := range []*catalog.Catalog{cat, cat.Synthesize(16*len(cat.Services), 1)} {
		e, err := NewEngine(context.Background(), Config{Catalog: c, Analyzer: nlu.NewAnalyzer(latin), Embedder: NewHashEmbedder(256)})
		if err != nil {
			t.Fatal(err)
		}
		compared, bounded := 0, 0
		for _, text := range texts {
			an := e.analyzer.Analyze(text, "")
			keys := filterKeys(an.Words, an.Keys)
			if an.SmallTalk != "" || len(keys) == 0 {
				continue
			}
			qvec := e.keyed.EmbedKeysInto(nil, keys)
			sc := &matchScratch{lexq: e.lex.newQuery()}
			sc.lexq.start(keys)
			_, cued := intentOf(an.Words, an.Keys)
			got, err := e.rank(context.Background(), sc, qvec, cued)
			if err != nil {
				t.Fatal(err)
			}
			if len(sc.lexq.visited) >= visitBudget {
				continue // past the budget rank is allowed to differ
			}
			compared++
			if len(c.Services)*len(sc.nz) > scoreAllWork {
				bounded++
			}
			want := e.scoreEveryService(sc.lexq, qvec, cued)
			n := min(MaxCandidates, len(want))
			if len(got) < n {
				t.Errorf("%d services, %q: rank gave %d candidates, want %d", len(c.Services), text, len(got), n)
				continue
			}
			for i := range n {
				if got[i].Service.ID != want[i].Service.ID || got[i].Score != want[i].Score {
					t.Errorf("%d services, %q: place %d is %s (%.6f), want %s (%.6f)", len(c.Services), text, i,
						got[i].Service.ID, got[i].Score, want[i].Service.ID, want[i].Score)
					break
				}
			}
		}
		if compared < len(texts)/2 {
			t.Errorf("%d services: only %d of %d messages compared", len(c.Services), compared, len(texts))
		}
		if big := c != cat; big && bounded < compared/2 || !big && bounded > compared/10 {
			t.Errorf("%d services: %d of %d messages took the bounded vector path", len(c.Services), bounded, compared)
		}
	}
}

// scoreEveryService is rank without its bounds: every service scored,
// lexically and by vector, best first.
func (e *Engine) scoreEveryService(q *lexQuery, qvec []float32, cued kindSet) []Candidate {
	nz := nonzero(qvec, nil)
	var all []Candidate
	for i := range e.cat.Services {
		if l := q.score(int32(i)); l > 0 {
			all = append(all, e.candidate(i, l, e.memory.scoreAt(qvec, nz, i), cued))
		} else {
			all = append(all, e.candidate(i, 0, e.memory.scoreAt(qvec, nz, i), cued))
		}
	}
	slices.SortFunc(all, rankOrder)
	return all
}

func suiteTexts(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../evals/suites/*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("eval suites: %v (%d files)", err, len(files))
	}
	var texts []string
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			var c struct{ Text string }
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			texts = append(texts, c.Text)
		}
		fh.Close()
	}
	return texts
}
