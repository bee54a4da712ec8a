package store_test

import (
	"context"
	"math"
	"testing"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/evals"
	"github.com/mitra-gov/mitra/nlu"
	"github.com/mitra-gov/mitra/retrieval"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/store/storetest"
)

func TestMigrationsAndReady(t *testing.T) {
	t.Parallel()
	s, url := storetest.Shared(t)
	ctx := context.Background()
	if err := s.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	// Opening again (a second replica starting) applies nothing twice.
	s2, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if n := storetest.Int(t, storetest.Conn(t, url), "SELECT count(*) FROM mitra_migrations"); n != store.LatestMigration() {
		t.Errorf("migrations recorded %d, want %d", n, store.LatestMigration())
	}
}

// The pgvector index returns the same top-k as the in-memory index for
// every message of the eval suite (ties between equal scores may swap).
func TestVectorIndexMatchesMemoryIndex(t *testing.T) {
	t.Parallel()
	s, _ := storetest.Shared(t)
	ctx := context.Background()
	cat, err := catalog.Load(catalog.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	emb := retrieval.NewHashEmbedder(256)
	vecs, err := retrieval.EmbedServices(ctx, emb, cat.Services)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(cat.Services))
	mem := retrieval.NewMemoryIndex(emb.Dimensions())
	for i, svc := range cat.Services {
		ids[i] = svc.ID
		mem.Add(svc.ID, vecs[i])
	}
	pg, err := s.SyncVectors(ctx, emb.Name(), ids, vecs)
	if err != nil {
		t.Fatal(err)
	}
	// Syncing again replaces rather than duplicates.
	if pg, err = s.SyncVectors(ctx, emb.Name(), ids, vecs); err != nil {
		t.Fatal(err)
	}
	cases, err := evals.LoadSuites(evals.EmbeddedSuites(), cat)
	if err != nil {
		t.Fatal(err)
	}
	const k = 10
	for _, c := range cases {
		q, _ := emb.Embed(ctx, []string{c.Text})
		want, _ := mem.Search(ctx, q[0], k)
		got, err := pg.Search(ctx, q[0], k)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d hits, want %d", c.Text, len(got), len(want))
		}
		for i := range want {
			if got[i].ID != want[i].ID && math.Abs(float64(got[i].Score-want[i].Score)) > 1e-5 {
				t.Errorf("%q rank %d: pgvector %v, memory %v", c.Text, i, got[i], want[i])
				break
			}
		}
	}
	scores, err := pg.ScoreIDs(ctx, make([]float32, 256), []string{ids[0], "no-such-service"})
	if err != nil || len(scores) != 2 || scores[1] != 0 {
		t.Errorf("ScoreIDs = %v, %v", scores, err)
	}
	// An engine over pgvector routes like one over memory.
	latin, _ := nlu.LoadLatinModel()
	an := nlu.NewAnalyzer(latin)
	memEng, _ := retrieval.NewEngine(ctx, retrieval.Config{Catalog: cat, Analyzer: an, Embedder: emb})
	pgEng, _ := retrieval.NewEngine(ctx, retrieval.Config{Catalog: cat, Analyzer: an, Embedder: emb, Index: pg})
	for _, c := range cases[:100] {
		a, _ := memEng.Match(ctx, c.Text, "")
		b, err := pgEng.Match(ctx, c.Text, "")
		if err != nil {
			t.Fatal(err)
		}
		if a.Decision != b.Decision || (len(a.Candidates) > 0 && a.Candidates[0].Service.ID != b.Candidates[0].Service.ID) {
			t.Errorf("%q: memory %s, pgvector %s", c.Text, a.Decision, b.Decision)
		}
	}
}
