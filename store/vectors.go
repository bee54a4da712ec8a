package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/mitra-gov/mitra/retrieval"
)

// HNSWBuild is how a model's HNSW index is built: pgvector's m (links kept
// per node) and ef_construction (candidates weighed while linking a node).
type HNSWBuild struct {
	M              int
	EfConstruction int
	// Workers, when above 0, is the parallel workers the build may use
	// beside its own process (max_parallel_maintenance_workers); 0 leaves
	// the server's setting, which knows the server's cores.
	Workers int
}

// HNSWSearch is how a model's HNSW index is searched.
type HNSWSearch struct {
	// EfSearch is the candidate list kept while descending the graph: the
	// knob between recall and latency.
	EfSearch int
	// IterativeScan is pgvector's hnsw.iterative_scan: off, strict_order
	// or relaxed_order. With it on, a scan whose first ef_search candidates
	// were not enough (dead rows of an earlier sync, rows another filter
	// drops) goes on searching instead of returning fewer than k rows.
	IterativeScan string
	// MaxScanTuples bounds an iterative scan (hnsw.max_scan_tuples).
	MaxScanTuples int
}

// DefaultHNSWBuild and DefaultHNSWSearch are what SyncVectors builds and
// searches with, chosen with `mitra bench vectors` (figures in the
// README): over 100,000 clustered 256-dimension vectors on two cores they
// give recall@10 of 0.997 to 1 with a p50 near 1.6 ms and a p99 near
// 3.5 ms. pgvector's own build (m 16, ef_construction 64) reached 0.985
// there at ef_search 200, and 0.995 only at 300 with a p50 of 2.4 ms: a
// graph built with more candidates is what raises recall, for a build that
// takes longer once (35 to 57 s rather than 24 to 38).
func DefaultHNSWBuild() HNSWBuild { return HNSWBuild{M: 16, EfConstruction: 128} }

// DefaultHNSWSearch: see DefaultHNSWBuild. The iterative scan costs
// nothing while the first candidates suffice, and keeps k rows coming when
// they do not.
func DefaultHNSWSearch() HNSWSearch {
	return HNSWSearch{EfSearch: 150, IterativeScan: "strict_order", MaxScanTuples: 20000}
}

// VectorIndex is the pgvector implementation of retrieval.Index: an HNSW
// cosine index over one embedding model's catalogue vectors, shared by every
// server process.
type VectorIndex struct {
	store  *Store
	model  string
	dims   int
	index  string
	search HNSWSearch
}

// WithSearch is the same index searched with other settings (to compare
// them on one build).
func (v *VectorIndex) WithSearch(s HNSWSearch) *VectorIndex {
	w := *v
	w.search = s
	return &w
}

var nonIdent = regexp.MustCompile(`[^a-z0-9]+`)

// maxIdentifier is PostgreSQL's limit on a name (NAMEDATALEN - 1): a
// longer one is cut silently, and would then never be found again by the
// name it was made with.
const maxIdentifier = 63

// indexName names the HNSW index of one model, its dimension and its build
// parameters, so that an index built with other parameters is told apart
// by name.
func indexName(model string, dims int, b HNSWBuild) string {
	const prefix = "catalogue_vectors_hnsw_"
	suffix := fmt.Sprintf("_%d_m%d_efc%d", dims, b.M, b.EfConstruction)
	slug := strings.Trim(nonIdent.ReplaceAllString(strings.ToLower(model), "_"), "_")
	if room := maxIdentifier - len(prefix) - len(suffix); len(slug) > room {
		// Cut, with a hash of the whole model name so that two long names
		// sharing a beginning stay apart.
		sum := sha256.Sum256([]byte(model))
		slug = slug[:room-9] + "_" + hex.EncodeToString(sum[:4])
	}
	return prefix + slug + suffix
}

// buildMemory is the maintenance_work_mem an HNSW build of n vectors
// needs to keep its whole graph in memory: once the graph outgrows it,
// pgvector goes on inserting into the on-disk index, many times slower.
// A parallel build allocates all of it as shared memory, so it is sized
// to the data rather than set high once.
func buildMemory(n, dims int, b HNSWBuild) string {
	// A node holds its vector and, at layer 0, 2m neighbour slots (an
	// item pointer and a distance each), plus pgvector's bookkeeping;
	// doubled for the upper layers, allocation overhead and the list of
	// candidates.
	perNode := dims*4 + 2*b.M*16 + 256
	mb := 2*n*perNode/(1<<20) + 64
	return fmt.Sprintf("%dMB", min(mb, 8192))
}

// SyncVectors stores the catalogue vectors of one model (replacing that
// model's old ones) and makes sure its HNSW index exists with the default
// parameters, in one transaction, and returns the index.
func (s *Store) SyncVectors(ctx context.Context, model string, ids []string, vecs [][]float32) (*VectorIndex, error) {
	return s.SyncVectorsWith(ctx, DefaultHNSWBuild(), model, ids, vecs)
}

// SyncVectorsWith is SyncVectors with the index built with b. Rows that
// did not change are left alone, so a restart with the same catalogue
// neither rewrites the index nor leaves dead rows in it. When the model has
// no index built with b (a first sync, other parameters, another
// dimension), one is built after the rows are in, many times faster than
// inserting them into a live index, and the model's other indexes are
// dropped.
func (s *Store) SyncVectorsWith(ctx context.Context, b HNSWBuild, model string, ids []string, vecs [][]float32) (*VectorIndex, error) {
	if len(ids) != len(vecs) || len(ids) == 0 {
		return nil, fmt.Errorf("sync vectors: %d ids for %d vectors", len(ids), len(vecs))
	}
	dims := len(vecs[0])
	rows := make([][]any, len(ids))
	for i, id := range ids {
		if len(vecs[i]) != dims {
			return nil, fmt.Errorf("sync vectors for %s: vector for %s has %d dimensions, want %d", model, id, len(vecs[i]), dims)
		}
		rows[i] = []any{id, pgvector.NewVector(vecs[i])}
	}
	name := indexName(model, dims, b)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// One sync at a time, while searches go on reading: two processes
		// starting together would otherwise each hold row locks the
		// other's CREATE INDEX waits for, and deadlock.
		if _, err := tx.Exec(ctx, "LOCK TABLE catalogue_vectors IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			return err
		}
		indexes, err := modelIndexes(ctx, tx, model)
		if err != nil {
			return err
		}
		have := false
		var stale []string
		for _, ix := range indexes {
			switch {
			case ix.name == name:
				have = true
			case ix.dims != dims:
				// It would refuse the new rows, and cannot serve their
				// searches.
				if err := dropIndex(ctx, tx, ix.name); err != nil {
					return err
				}
			default:
				stale = append(stale, ix.name)
			}
		}
		changed, err := replaceRows(ctx, tx, model, dims, rows)
		if err != nil {
			return err
		}
		if changed {
			// Without statistics a fresh table looks a few rows small, and
			// the planner sorts them all rather than asking the index.
			if _, err := tx.Exec(ctx, "ANALYZE catalogue_vectors"); err != nil {
				return err
			}
		}
		if !have {
			if err := createIndex(ctx, tx, b, name, model, dims, len(ids)); err != nil {
				return err
			}
		}
		// Searches went on using a stale index while the new one was
		// built; dropping it takes the table from them only from here to
		// the commit.
		for _, n := range stale {
			if err := dropIndex(ctx, tx, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sync vectors for %s: %w", model, err)
	}
	return &VectorIndex{store: s, model: model, dims: dims, index: name, search: DefaultHNSWSearch()}, nil
}

type modelIndex struct {
	name string
	dims int
}

// modelIndexes is the indexes on the model's rows, found by their
// predicates whatever their names: modelRows', or that of an index made
// before the dimension and the parameters were part of them.
func modelIndexes(ctx context.Context, tx pgx.Tx, model string) ([]modelIndex, error) {
	rows, err := tx.Query(ctx, `SELECT c.relname, coalesce(substring(pg_get_indexdef(i.indexrelid) FROM '::vector\((\d+)\)')::int, 0)
		FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid, LATERAL pg_get_expr(i.indpred, i.indrelid) AS pred
		WHERE i.indrelid = 'catalogue_vectors'::regclass
		AND (pred = format('(model = %L::text)', $1::text) OR starts_with(pred, format('((model = %L::text) AND (vector_dims(embedding) = ', $1::text)))`, model)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (modelIndex, error) {
		var ix modelIndex
		err := r.Scan(&ix.name, &ix.dims)
		return ix, err
	})
}

func dropIndex(ctx context.Context, tx pgx.Tx, name string) error {
	_, err := tx.Exec(ctx, "DROP INDEX "+pgx.Identifier{name}.Sanitize())
	return err
}

// createIndex builds the model's HNSW index over its rows, with the
// memory to hold the whole graph.
func createIndex(ctx context.Context, tx pgx.Tx, b HNSWBuild, name, model string, dims, n int) error {
	if _, err := tx.Exec(ctx, "SELECT set_config('maintenance_work_mem', $1, true)", buildMemory(n, dims, b)); err != nil {
		return err
	}
	if b.Workers > 0 {
		if _, err := tx.Exec(ctx, "SELECT set_config('max_parallel_maintenance_workers', $1, true)", fmt.Sprint(b.Workers)); err != nil {
			return err
		}
	}
	// A plain CREATE INDEX: an index of another model that happens to have
	// this name is an error to see, not one to skip.
	_, err := tx.Exec(ctx, fmt.Sprintf(`CREATE INDEX %s ON catalogue_vectors
		USING hnsw ((embedding::vector(%d)) vector_cosine_ops) WITH (m = %d, ef_construction = %d) WHERE %s`,
		pgx.Identifier{name}.Sanitize(), dims, b.M, b.EfConstruction, modelRows(model, dims)))
	return err
}

// replaceRows makes the model's rows exactly rows (service id, vector of
// dims), touching only those that changed, and says whether any did.
func replaceRows(ctx context.Context, tx pgx.Tx, model string, dims int, rows [][]any) (bool, error) {
	if _, err := tx.Exec(ctx, "CREATE TEMP TABLE incoming_vectors (service_id text PRIMARY KEY, embedding vector NOT NULL) ON COMMIT DROP"); err != nil {
		return false, err
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"incoming_vectors"}, []string{"service_id", "embedding"}, pgx.CopyFromRows(rows)); err != nil {
		return false, err
	}
	// Vectors of another dimension first: comparing them would fail.
	resized, err := tx.Exec(ctx, "DELETE FROM catalogue_vectors WHERE model = $1 AND vector_dims(embedding) <> $2", model, dims)
	if err != nil {
		return false, err
	}
	deleted, err := tx.Exec(ctx, `DELETE FROM catalogue_vectors c WHERE c.model = $1 AND NOT EXISTS
		(SELECT 1 FROM incoming_vectors i WHERE i.service_id = c.service_id AND i.embedding = c.embedding)`, model)
	if err != nil {
		return false, err
	}
	inserted, err := tx.Exec(ctx, `INSERT INTO catalogue_vectors (model, service_id, embedding)
		SELECT $1, i.service_id, i.embedding FROM incoming_vectors i
		WHERE NOT EXISTS (SELECT 1 FROM catalogue_vectors c WHERE c.model = $1 AND c.service_id = i.service_id)`, model)
	if err != nil {
		return false, err
	}
	return resized.RowsAffected()+deleted.RowsAffected()+inserted.RowsAffected() > 0, nil
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// modelRows is the predicate of a model's partial index, and the filter of
// its searches, which must say the same for the planner to use the index.
// The dimension is part of it: a model whose vectors change dimension
// leaves rows of the old one in the table until they are vacuumed, and
// casting those to the new dimension, as building or inserting into the
// index would, fails.
func modelRows(model string, dims int) string {
	return fmt.Sprintf("model = %s AND vector_dims(embedding) = %d", quoteLiteral(model), dims)
}

// Search returns the k services nearest to q by cosine similarity, in
// one round trip.
func (v *VectorIndex) Search(ctx context.Context, q []float32, k int) ([]retrieval.Hit, error) {
	var hits []retrieval.Hit
	err := v.query(ctx, "", q, k, func(rows pgx.Rows) error {
		for rows.Next() {
			var h retrieval.Hit
			var score float64
			if err := rows.Scan(&h.ID, &score); err != nil {
				return err
			}
			h.Score = float32(score)
			hits = append(hits, h)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("pgvector search: %w", err)
	}
	return hits, nil
}

// UsesIndex says whether PostgreSQL answers Search(q, k) from the model's
// HNSW index rather than by reading every row of the model; over a small
// catalogue reading them is cheaper, and exact.
func (v *VectorIndex) UsesIndex(ctx context.Context, q []float32, k int) (bool, error) {
	var plan strings.Builder
	err := v.query(ctx, "EXPLAIN ", q, k, func(rows pgx.Rows) error {
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return err
			}
			plan.WriteString(line + "\n")
		}
		return rows.Err()
	})
	if err != nil {
		return false, fmt.Errorf("pgvector plan: %w", err)
	}
	return strings.Contains(plan.String(), "Index Scan using "+v.index+" "), nil
}

// query runs Search's statement, after prefix (EXPLAIN), under the
// index's search settings.
func (v *VectorIndex) query(ctx context.Context, prefix string, q []float32, k int, scan func(pgx.Rows) error) error {
	if len(q) != v.dims {
		return fmt.Errorf("query has %d dimensions, want %d", len(q), v.dims)
	}
	if !slices.Contains([]string{"off", "strict_order", "relaxed_order"}, v.search.IterativeScan) {
		// pgvector would only warn and search without it.
		return fmt.Errorf("iterative scan %q: want off, strict_order or relaxed_order", v.search.IterativeScan)
	}
	// The HNSW index orders by distance alone: ordering by anything more
	// (the service id, for ties) in the same query makes the planner sort
	// every row instead, so ties are broken outside. The expression and
	// the filter, as literals, match the partial index's, so that a cached
	// generic plan can use it too.
	sql := fmt.Sprintf(`%sWITH nearest AS MATERIALIZED (
		SELECT service_id, embedding::vector(%d) <=> $1 AS distance FROM catalogue_vectors
		WHERE %s ORDER BY distance LIMIT %d)
		SELECT service_id, 1 - distance FROM nearest ORDER BY distance, service_id`, prefix, v.dims, modelRows(v.model, v.dims), k)
	// A batch is one implicit transaction: the settings are local to it.
	b := &pgx.Batch{}
	b.Queue(`SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', $2, true),
		set_config('hnsw.max_scan_tuples', $3, true)`, fmt.Sprint(v.search.EfSearch), v.search.IterativeScan, fmt.Sprint(v.search.MaxScanTuples))
	b.Queue(sql, pgvector.NewVector(q)).Query(scan)
	return v.store.pool.SendBatch(ctx, b).Close()
}

// ScoreIDs returns the cosine similarity of q with each given service's
// vector (0 for unknown ids); the engine uses it for lexical candidates.
func (v *VectorIndex) ScoreIDs(ctx context.Context, q []float32, ids []string) ([]float32, error) {
	rows, err := v.store.pool.Query(ctx, fmt.Sprintf(`SELECT service_id, 1 - (embedding::vector(%d) <=> $1)
		FROM catalogue_vectors WHERE model = $2 AND service_id = ANY($3)`, v.dims), pgvector.NewVector(q), v.model, ids)
	if err != nil {
		return nil, fmt.Errorf("pgvector scores: %w", err)
	}
	defer rows.Close()
	byID := map[string]float32{}
	for rows.Next() {
		var id string
		var score float64
		if err := rows.Scan(&id, &score); err != nil {
			return nil, err
		}
		byID[id] = float32(score)
	}
	out := make([]float32, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, rows.Err()
}
