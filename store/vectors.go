package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/mitra-gov/mitra/retrieval"
)

// VectorIndex is the pgvector implementation of retrieval.Index: an HNSW
// cosine index over one embedding model's catalogue vectors, shared by every
// server process.
type VectorIndex struct {
	store *Store
	model string
	dims  int
	// efSearch is the HNSW candidate list size; at a catalogue's scale a
	// generous value makes the approximate search return the exact top-k.
	efSearch int
}

var nonIdent = regexp.MustCompile(`[^a-z0-9]+`)

// indexName is the HNSW index of one model: its own partial index on a
// cast to the model's dimension.
func indexName(model string, dims int) string {
	return fmt.Sprintf("catalogue_vectors_hnsw_%s_%d", strings.Trim(nonIdent.ReplaceAllString(strings.ToLower(model), "_"), "_"), dims)
}

// SyncVectors stores the catalogue vectors of one model (replacing that
// model's old ones) and makes sure its HNSW index exists, in one
// transaction, and returns the index.
func (s *Store) SyncVectors(ctx context.Context, model string, ids []string, vecs [][]float32) (*VectorIndex, error) {
	if len(ids) != len(vecs) || len(ids) == 0 {
		return nil, fmt.Errorf("sync vectors: %d ids for %d vectors", len(ids), len(vecs))
	}
	dims := len(vecs[0])
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM catalogue_vectors WHERE model = $1", model); err != nil {
			return err
		}
		rows := make([][]any, len(ids))
		for i, id := range ids {
			if len(vecs[i]) != dims {
				return fmt.Errorf("vector for %s has %d dimensions, want %d", id, len(vecs[i]), dims)
			}
			rows[i] = []any{model, id, pgvector.NewVector(vecs[i])}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"catalogue_vectors"}, []string{"model", "service_id", "embedding"}, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		ddl := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON catalogue_vectors
			USING hnsw ((embedding::vector(%d)) vector_cosine_ops) WHERE model = %s`,
			pgx.Identifier{indexName(model, dims)}.Sanitize(), dims, quoteLiteral(model))
		_, err := tx.Exec(ctx, ddl)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sync vectors for %s: %w", model, err)
	}
	return &VectorIndex{store: s, model: model, dims: dims, efSearch: 200}, nil
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Search returns the k services nearest to q by cosine similarity.
func (v *VectorIndex) Search(ctx context.Context, q []float32, k int) ([]retrieval.Hit, error) {
	if len(q) != v.dims {
		return nil, fmt.Errorf("pgvector index: query has %d dimensions, want %d", len(q), v.dims)
	}
	var hits []retrieval.Hit
	// The expression must match the partial index's to use it.
	sql := fmt.Sprintf(`SELECT service_id, 1 - (embedding::vector(%[1]d) <=> $1) FROM catalogue_vectors
		WHERE model = $2 ORDER BY embedding::vector(%[1]d) <=> $1, service_id LIMIT $3`, v.dims)
	err := pgx.BeginFunc(ctx, v.store.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL hnsw.ef_search = %d", v.efSearch)); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, sql, pgvector.NewVector(q), v.model, k)
		if err != nil {
			return err
		}
		defer rows.Close()
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
