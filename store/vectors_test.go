package store_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

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

// modelIndexes is the indexes on one model's rows, by name, with their
// reloptions.
func modelIndexes(t *testing.T, c *pgx.Conn, model string) map[string][]string {
	t.Helper()
	rows, err := c.Query(context.Background(), `SELECT c.relname, coalesce(c.reloptions, '{}') FROM pg_indexes x
		JOIN pg_class c ON c.relname = x.indexname AND c.relkind = 'i'
		WHERE x.tablename = 'catalogue_vectors' AND strpos(x.indexdef, format('(model = %L::text)', $1::text)) > 0`, model)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for rows.Next() {
		var name string
		var opts []string
		if err := rows.Scan(&name, &opts); err != nil {
			t.Fatal(err)
		}
		out[name] = opts
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// randomVectors is n unit vectors in random directions.
func randomVectors(rng *rand.Rand, prefix string, n, dims int) ([]string, [][]float32) {
	ids := make([]string, n)
	vecs := make([][]float32, n)
	for i := range vecs {
		ids[i] = fmt.Sprintf("%s-%05d", prefix, i)
		vecs[i] = make([]float32, dims)
		for j := range vecs[i] {
			vecs[i][j] = float32(rng.NormFloat64())
		}
		unit(vecs[i])
	}
	return ids, vecs
}

func unit(v []float32) {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	for i := range v {
		v[i] /= float32(math.Sqrt(s))
	}
}

// A model's index is built with the parameters the code names, replaces
// an index built otherwise (by an older mitra, with other parameters, or
// for another dimension), and is left alone by a sync that changes
// nothing.
func TestVectorIndexParameters(t *testing.T) {
	t.Parallel()
	s, url := storetest.Shared(t)
	c := storetest.Conn(t, url)
	ctx := context.Background()
	// A model of its own for each run (-count=N shares one database).
	model := fmt.Sprintf("params-test-%d", time.Now().UnixNano())
	// The index as mitra made it before its parameters were chosen.
	if _, err := c.Exec(ctx, fmt.Sprintf(`CREATE INDEX %s ON catalogue_vectors
		USING hnsw ((embedding::vector(8)) vector_cosine_ops) WHERE model = '%s'`,
		"catalogue_vectors_hnsw_"+strings.ReplaceAll(model, "-", "_")+"_8", model)); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	ids, vecs := randomVectors(rng, "svc", 50, 8)
	want := func(b store.HNSWBuild) []string {
		return []string{fmt.Sprintf("m=%d", b.M), fmt.Sprintf("ef_construction=%d", b.EfConstruction)}
	}
	only := func(b store.HNSWBuild) {
		t.Helper()
		got := modelIndexes(t, c, model)
		if len(got) != 1 {
			t.Fatalf("indexes of %s: %v, want one", model, got)
		}
		for name, opts := range got {
			if !slices.Equal(opts, want(b)) {
				t.Errorf("%s: %v, want %v", name, opts, want(b))
			}
		}
	}
	if _, err := s.SyncVectors(ctx, model, ids, vecs); err != nil {
		t.Fatal(err)
	}
	only(store.DefaultHNSWBuild())
	// The transaction that wrote each row: the first sync's, still.
	writers := `SELECT string_agg(DISTINCT xmin::text, ',') FROM catalogue_vectors WHERE model = $1`
	var before, after string
	if err := c.QueryRow(ctx, writers, model).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SyncVectors(ctx, model, ids, vecs); err != nil {
		t.Fatal(err)
	}
	if err := c.QueryRow(ctx, writers, model).Scan(&after); err != nil || after != before || strings.Contains(after, ",") {
		t.Errorf("rows written by transactions %s, then %s (%v): want one, unchanged by a sync of the same vectors", before, after, err)
	}
	other := store.HNSWBuild{M: 8, EfConstruction: 32}
	if _, err := s.SyncVectorsWith(ctx, other, model, ids, vecs); err != nil {
		t.Fatal(err)
	}
	only(other)
	// The model's vectors change dimension (another MITRA_EMBED_DIM):
	// neither the old index nor the old rows, dead but not yet vacuumed,
	// may stand in the way of the new ones.
	ids, vecs = randomVectors(rng, "svc", 50, 12)
	idx, err := s.SyncVectors(ctx, model, ids, vecs)
	if err != nil {
		t.Fatal(err)
	}
	only(store.DefaultHNSWBuild())
	if hits, err := idx.Search(ctx, vecs[0], 3); err != nil || len(hits) != 3 || hits[0].ID != ids[0] {
		t.Errorf("search after the change of dimension: %v, %v", hits, err)
	}
}

// A model's search is answered from its own index and returns its own k
// nearest, even when another model's rows outnumber its own and lie
// nearer the query, and after a sync left dead rows in the index.
func TestVectorSearchKeepsToItsModel(t *testing.T) {
	t.Parallel()
	s, _ := storetest.Shared(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 4))
	const dims, k = 16, 10
	q := make([]float32, dims)
	q[0] = 1
	// The other model's rows crowd around the query.
	manyIDs, many := randomVectors(rng, "many", 8000, dims)
	for _, v := range many {
		v[0] += 2
		unit(v)
	}
	run := time.Now().UnixNano()
	if _, err := s.SyncVectors(ctx, fmt.Sprint("filter-many-", run), manyIDs, many); err != nil {
		t.Fatal(err)
	}
	ids, vecs := randomVectors(rng, "few", 2000, dims)
	for _, sync := range []string{"first", "changed"} {
		idx, err := s.SyncVectors(ctx, fmt.Sprint("filter-few-", run), ids, vecs)
		if err != nil {
			t.Fatal(err)
		}
		if used, err := idx.UsesIndex(ctx, q, k); err != nil || !used {
			t.Fatalf("%s sync: search uses the model's index: %v, %v", sync, used, err)
		}
		// The smallest candidate list that can hold k rows: after the
		// second sync half the index's rows are dead, and a scan that did
		// not go on past them would come back short.
		short := idx.WithSearch(store.HNSWSearch{EfSearch: k, IterativeScan: "strict_order", MaxScanTuples: 20000})
		if hits, err := short.Search(ctx, q, k); err != nil || len(hits) != k {
			t.Fatalf("%s sync, ef_search %d: %d hits, %v; want %d", sync, k, len(hits), err, k)
		}
		hits, err := idx.Search(ctx, q, k)
		if err != nil {
			t.Fatal(err)
		}
		mem := retrieval.NewMemoryIndex(dims)
		for i := range ids {
			mem.Add(ids[i], vecs[i])
		}
		want, _ := mem.Search(ctx, q, k)
		if len(hits) != k {
			t.Fatalf("%s sync: %d hits, want %d", sync, len(hits), k)
		}
		found := 0
		for _, w := range want {
			if slices.ContainsFunc(hits, func(h retrieval.Hit) bool { return h.ID == w.ID }) {
				found++
			}
		}
		// HNSW is approximate; a model's search that saw the other
		// model's rows would find none of its own.
		if found < k-2 {
			t.Errorf("%s sync: %d of the exact %d found: %v", sync, found, k, hits)
		}
		for i := range vecs {
			for j := range vecs[i] {
				vecs[i][j] += float32(rng.NormFloat64() / 8)
			}
			unit(vecs[i])
		}
	}
}
