package retrieval

import (
	"context"
	"fmt"
	"sort"
)

// Hit is one search result: a document id and its cosine similarity.
type Hit struct {
	ID    string
	Score float32
}

// Index finds the stored vectors nearest to a query vector. The in-memory
// index here is exact; store/ provides a pgvector one for the server.
type Index interface {
	Search(ctx context.Context, query []float32, k int) ([]Hit, error)
}

// MemoryIndex is an exact (brute-force) cosine index held in one flat
// slice, which for a catalogue of a few thousand vectors is faster than any
// approximate structure and always right.
type MemoryIndex struct {
	dim  int
	ids  []string
	pos  map[string]int
	vecs []float32
}

// NewMemoryIndex returns an empty index for vectors of dim dimensions.
func NewMemoryIndex(dim int) *MemoryIndex { return &MemoryIndex{dim: dim, pos: map[string]int{}} }

// Add stores a vector under id.
func (m *MemoryIndex) Add(id string, v []float32) error {
	if len(v) != m.dim {
		return fmt.Errorf("index: vector for %s has %d dimensions, want %d", id, len(v), m.dim)
	}
	m.pos[id] = len(m.ids)
	m.ids = append(m.ids, id)
	m.vecs = append(m.vecs, v...)
	return nil
}

// Search returns the k nearest vectors, best first; ties break by id so
// results are reproducible.
func (m *MemoryIndex) Search(_ context.Context, q []float32, k int) ([]Hit, error) {
	if len(q) != m.dim {
		return nil, fmt.Errorf("index: query has %d dimensions, want %d", len(q), m.dim)
	}
	hits := make([]Hit, 0, k+1)
	for i, id := range m.ids {
		s := Dot(q, m.vecs[i*m.dim:(i+1)*m.dim])
		if len(hits) == k && !better(Hit{id, s}, hits[k-1]) {
			continue
		}
		hits = insertHit(hits, Hit{id, s}, k)
	}
	return hits, nil
}

func better(a, b Hit) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return a.ID < b.ID
}

// insertHit keeps hits sorted, best first, at most k long.
func insertHit(hits []Hit, h Hit, k int) []Hit {
	i := sort.Search(len(hits), func(i int) bool { return better(h, hits[i]) })
	hits = append(hits, Hit{})
	copy(hits[i+1:], hits[i:])
	hits[i] = h
	if len(hits) > k {
		hits = hits[:k]
	}
	return hits
}

// ScoreIDs returns the cosine similarity of q with each id's vector (0 for
// an unknown id). The engine uses it to give lexical candidates that are not
// among the nearest vectors their true vector score.
func (m *MemoryIndex) ScoreIDs(_ context.Context, q []float32, ids []string) ([]float32, error) {
	if len(q) != m.dim {
		return nil, fmt.Errorf("index: query has %d dimensions, want %d", len(q), m.dim)
	}
	out := make([]float32, len(ids))
	for i, id := range ids {
		if p, ok := m.pos[id]; ok {
			out[i] = Dot(q, m.vecs[p*m.dim:(p+1)*m.dim])
		}
	}
	return out, nil
}
