package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mitra-gov/mitra/retrieval"
	"github.com/mitra-gov/mitra/store"
)

// `mitra bench vectors`: recall@10 and latency of the pgvector catalogue
// index at a state's scale. Clustered unit vectors (services cluster by
// department and by what they are about) go through Store.SyncVectors'
// own path into a scratch database, beside another model's rows, so that
// the partial index and the model filter are what production has; queries
// near stored vectors go through VectorIndex.Search and are compared with
// the exact top 10, computed here over the same vectors.

const benchK = 10

type vectorPass struct {
	RecallAt10 float64 `json:"recall_at_10"`
	P50MS      float64 `json:"p50_ms"`
	P99MS      float64 `json:"p99_ms"`
	// ShortResults counts searches that returned fewer than k rows.
	ShortResults int `json:"short_results"`
}

// vectorSetting is one build and search setting with its passes and
// their medians.
type vectorSetting struct {
	M              int     `json:"m"`
	EfConstruction int     `json:"ef_construction"`
	BuildS         float64 `json:"build_s"`
	EfSearch       int     `json:"ef_search"`
	IterativeScan  string  `json:"iterative_scan"`
	// IndexScan says whether the planner used the model's HNSW index (a
	// sequential scan is exact, and slow at this size).
	IndexScan  bool         `json:"index_scan"`
	RecallAt10 float64      `json:"recall_at_10"`
	P50MS      float64      `json:"p50_ms"`
	P99MS      float64      `json:"p99_ms"`
	Passes     []vectorPass `json:"passes"`
}

type vectorBenchReport struct {
	// The first setting's figures, at the top for a run of one setting.
	vectorSetting
	Vectors         int             `json:"vectors"`
	OtherVectors    int             `json:"other_vectors"`
	Queries         int             `json:"queries"`
	Dims            int             `json:"dims"`
	Clusters        int             `json:"clusters"`
	Spread          float64         `json:"spread"`
	QueryNoise      float64         `json:"query_noise"`
	Seed            uint64          `json:"seed"`
	BuildWorkers    int             `json:"build_workers"`
	Cores           int             `json:"cores"`
	Settings        []vectorSetting `json:"settings"`
	DatabaseDropped bool            `json:"database_dropped"`
}

func runVectorBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	build, search := store.DefaultHNSWBuild(), store.DefaultHNSWSearch()
	fl := newFlagSet("bench vectors", stderr)
	n := fl.Int("vectors", 100_000, "vectors of the measured model")
	other := fl.Int("other", 25_000, "vectors of a second model in the same table (its own partial index)")
	nq := fl.Int("queries", 1000, "queries per pass")
	dims := fl.Int("dims", 256, "dimensions")
	clusters := fl.Int("clusters", 400, "cluster centres the vectors gather around")
	spread := fl.Float64("spread", 0.6, "length of a vector's offset from its centre, before normalising (the centre's is 1)")
	noise := fl.Float64("query-noise", 1.0, "length of a query's offset from the stored vector it is drawn near")
	seed := fl.Uint64("seed", 1, "random seed of vectors and queries")
	passes := fl.Int("passes", 3, "timed passes of every query per setting (the figures are their medians)")
	mSweep := intList(fl, "m", []int{build.M}, "HNSW m, comma-separated to sweep (each a rebuild)")
	efcSweep := intList(fl, "ef-construction", []int{build.EfConstruction}, "HNSW ef_construction, comma-separated to sweep")
	workers := fl.Int("build-workers", build.Workers, "parallel workers of the index build beside its own process (0: the server's max_parallel_maintenance_workers)")
	efSweep := intList(fl, "ef-search", []int{search.EfSearch}, "hnsw.ef_search, comma-separated to sweep")
	iterative := fl.String("iterative-scan", search.IterativeScan, "hnsw.iterative_scan (off, strict_order, relaxed_order), comma-separated to sweep")
	asJSON := fl.Bool("json", false, "print one JSON object")
	if err := fl.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if *n < benchK || *nq < 1 || *dims < 2 || *clusters < 1 || *passes < 1 || *other < 0 {
		return usagef("bench vectors: --vectors at least %d, --queries, --dims, --clusters and --passes at least 1", benchK)
	}
	admin := os.Getenv("MITRA_DATABASE_URL")
	if admin == "" {
		return usagef("bench vectors needs MITRA_DATABASE_URL (scripts/pg start prints one)")
	}
	r := vectorBenchReport{Vectors: *n, OtherVectors: *other, Queries: *nq, Dims: *dims, Clusters: *clusters,
		Spread: *spread, QueryNoise: *noise, Seed: *seed, BuildWorkers: *workers, Cores: runtime.NumCPU()}
	rng := rand.New(rand.NewPCG(*seed, 0x6d69747261))
	ids, vecs := clusteredVectors(rng, "svc", *n, *dims, *clusters, *spread)
	queries := make([][]float32, *nq)
	for i := range queries {
		queries[i] = nearby(rng, vecs[rng.IntN(len(vecs))], *noise)
	}
	exact := exactTopK(ids, vecs, queries, benchK)
	progress := io.Discard
	if !*asJSON {
		progress = stdout
		fmt.Fprintf(progress, "%d vectors of %d dimensions around %d centres (spread %.2f), %d more of another model; %d queries (noise %.2f), %d passes, %d cores\n",
			*n, *dims, *clusters, *spread, *other, *nq, *noise, *passes, r.Cores)
	}

	dbURL, drop, err := store.CreateDatabase(ctx, admin, fmt.Sprintf("mitra_bench_%d", time.Now().UnixNano()))
	if err != nil {
		return err
	}
	err = measureVectors(ctx, dbURL, &r, progress, vectorSweep{ids: ids, vecs: vecs, queries: queries, exact: exact,
		ms: *mSweep, efcs: *efcSweep, workers: *workers, efs: *efSweep, iterative: strings.Split(*iterative, ","), passes: *passes, rng: rng})
	if derr := drop(); derr != nil {
		fmt.Fprintln(stderr, "bench vectors:", derr)
	} else {
		r.DatabaseDropped = true
	}
	if err != nil {
		return err
	}
	r.vectorSetting = r.Settings[0]
	if *asJSON {
		return json.NewEncoder(stdout).Encode(r)
	}
	fmt.Fprintln(stdout, "   m  ef_c  build_s  ef_search  iterative      index  recall@10   p50 ms   p99 ms")
	for _, s := range r.Settings {
		fmt.Fprintf(stdout, "%4d  %4d  %7.1f  %9d  %-13s  %-5v  %9.4f  %7.2f  %7.2f\n",
			s.M, s.EfConstruction, s.BuildS, s.EfSearch, s.IterativeScan, s.IndexScan, s.RecallAt10, s.P50MS, s.P99MS)
	}
	fmt.Fprintf(stdout, "database dropped: %v\n", r.DatabaseDropped)
	return nil
}

type vectorSweep struct {
	ids           []string
	vecs, queries [][]float32
	exact         [][]string
	ms, efcs, efs []int
	workers       int
	iterative     []string
	passes        int
	rng           *rand.Rand
}

// measureVectors builds each index and runs each search setting on it.
func measureVectors(ctx context.Context, dbURL string, r *vectorBenchReport, progress io.Writer, sw vectorSweep) error {
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	if r.OtherVectors > 0 {
		oids, ovecs := clusteredVectors(sw.rng, "other", r.OtherVectors, r.Dims, r.Clusters, r.Spread)
		if _, err := st.SyncVectors(ctx, "bench-other", oids, ovecs); err != nil {
			return err
		}
	}
	for _, m := range sw.ms {
		for _, efc := range sw.efcs {
			b := store.HNSWBuild{M: m, EfConstruction: efc, Workers: sw.workers}
			t0 := time.Now()
			idx, err := st.SyncVectorsWith(ctx, b, "bench-clustered", sw.ids, sw.vecs)
			if err != nil {
				return err
			}
			built := time.Since(t0).Seconds()
			fmt.Fprintf(progress, "m %d, ef_construction %d: stored and indexed in %.1f s\n", m, efc, built)
			// A server searches a warm index: one untimed pass first.
			if _, err := searchPass(ctx, idx, sw.queries, sw.exact); err != nil {
				return err
			}
			for _, ef := range sw.efs {
				for _, it := range sw.iterative {
					s := vectorSetting{M: m, EfConstruction: efc, BuildS: built, EfSearch: ef, IterativeScan: it}
					search := store.DefaultHNSWSearch()
					search.EfSearch, search.IterativeScan = ef, it
					if s.IndexScan, err = idx.WithSearch(search).UsesIndex(ctx, sw.queries[0], benchK); err != nil {
						return err
					}
					for p := range sw.passes {
						pass, err := searchPass(ctx, idx.WithSearch(search), sw.queries, sw.exact)
						if err != nil {
							return err
						}
						fmt.Fprintf(progress, "  ef_search %d, %s, pass %d: recall@10 %.4f, p50 %.2f ms, p99 %.2f ms, %d short\n",
							ef, it, p+1, pass.RecallAt10, pass.P50MS, pass.P99MS, pass.ShortResults)
						s.Passes = append(s.Passes, pass)
					}
					s.RecallAt10 = medianOf(s.Passes, func(p vectorPass) float64 { return p.RecallAt10 })
					s.P50MS = medianOf(s.Passes, func(p vectorPass) float64 { return p.P50MS })
					s.P99MS = medianOf(s.Passes, func(p vectorPass) float64 { return p.P99MS })
					r.Settings = append(r.Settings, s)
				}
			}
		}
	}
	return nil
}

// searchPass runs every query once, one at a time as a server's requests
// do, and scores each against its exact answer.
func searchPass(ctx context.Context, idx *store.VectorIndex, queries [][]float32, exact [][]string) (vectorPass, error) {
	var p vectorPass
	lat := make([]time.Duration, len(queries))
	found := 0
	for i, q := range queries {
		t0 := time.Now()
		hits, err := idx.Search(ctx, q, benchK)
		lat[i] = time.Since(t0)
		if err != nil {
			return p, err
		}
		if len(hits) < benchK {
			p.ShortResults++
		}
		for _, h := range hits {
			if slices.Contains(exact[i], h.ID) {
				found++
			}
		}
	}
	slices.Sort(lat)
	p.RecallAt10 = float64(found) / float64(benchK*len(queries))
	p.P50MS, p.P99MS = ms(pct(lat, 0.5)), ms(pct(lat, 0.99))
	return p, nil
}

func medianOf[T any](xs []T, f func(T) float64) float64 {
	v := make([]float64, len(xs))
	for i, x := range xs {
		v[i] = f(x)
	}
	slices.Sort(v)
	if len(v)%2 == 0 {
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return v[len(v)/2]
}

// intList is a flag of comma-separated integers.
func intList(fl *flag.FlagSet, name string, def []int, usage string) *[]int {
	v := slices.Clone(def)
	fl.Func(name, fmt.Sprintf("%s (default %v)", usage, strings.Trim(fmt.Sprint(def), "[]")), func(s string) error {
		v = v[:0]
		for _, f := range strings.Split(s, ",") {
			x, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || x < 1 {
				return fmt.Errorf("%q: want positive integers", f)
			}
			v = append(v, x)
		}
		return nil
	})
	return &v
}

// clusteredVectors draws n unit vectors around clusters centres (random
// directions), each its centre plus a gaussian offset of length about
// spread, and names them prefix-000000 on.
func clusteredVectors(rng *rand.Rand, prefix string, n, dims, clusters int, spread float64) ([]string, [][]float32) {
	centres := make([][]float32, clusters)
	for i := range centres {
		centres[i] = nearby(rng, make([]float32, dims), 1)
	}
	ids := make([]string, n)
	vecs := make([][]float32, n)
	for i := range vecs {
		ids[i] = fmt.Sprintf("%s-%06d", prefix, i)
		vecs[i] = nearby(rng, centres[rng.IntN(clusters)], spread)
	}
	return ids, vecs
}

// nearby is v plus a gaussian offset of length about d, normalised.
func nearby(rng *rand.Rand, v []float32, d float64) []float32 {
	out := make([]float32, len(v))
	sd := d / math.Sqrt(float64(len(v)))
	var norm float64
	for i := range v {
		x := float64(v[i]) + rng.NormFloat64()*sd
		out[i] = float32(x)
		norm += x * x
	}
	norm = math.Sqrt(norm)
	for i := range out {
		out[i] = float32(float64(out[i]) / norm)
	}
	return out
}

// exactTopK is the ids of the k vectors nearest each query, from the
// exact in-memory index, on every core.
func exactTopK(ids []string, vecs, queries [][]float32, k int) [][]string {
	mem := retrieval.NewMemoryIndex(len(vecs[0]))
	for i := range ids {
		mem.Add(ids[i], vecs[i])
	}
	out := make([][]string, len(queries))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for qi := range next {
				hits, _ := mem.Search(context.Background(), queries[qi], k)
				for _, h := range hits {
					out[qi] = append(out[qi], h.ID)
				}
			}
		}()
	}
	for i := range queries {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}
