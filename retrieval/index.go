package retrieval

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
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

// MemoryIndex is an exact (brute-force) cosine index. It keeps the vectors
// dimension by dimension, so that a query touches only the dimensions in
// which it is not zero: the built-in embedder's query vectors have a few
// dozen of 256, and a search costs that share of a full scan. A dense
// query (a model's embedding) costs what a row-by-row scan would.
type MemoryIndex struct {
	dim int
	ids []string
	pos map[string]int
	// cols[d][i] is dimension d of the i-th vector added.
	cols [][]float32
	// colMax and colMin are each dimension's extremes, which bound any
	// vector's score for a query (bound).
	colMax, colMin []float32
	// scratch holds a search's per-vector scores.
	scratch sync.Pool
}

// NewMemoryIndex returns an empty index for vectors of dim dimensions.
func NewMemoryIndex(dim int) *MemoryIndex {
	return &MemoryIndex{dim: dim, pos: map[string]int{}, cols: make([][]float32, dim),
		colMax: make([]float32, dim), colMin: make([]float32, dim)}
}

// Add stores a vector under id. It must not run concurrently with a
// search.
func (m *MemoryIndex) Add(id string, v []float32) error {
	if len(v) != m.dim {
		return fmt.Errorf("index: vector for %s has %d dimensions, want %d", id, len(v), m.dim)
	}
	m.pos[id] = len(m.ids)
	m.ids = append(m.ids, id)
	for d, x := range v {
		m.cols[d] = append(m.cols[d], x)
		m.colMax[d], m.colMin[d] = max(m.colMax[d], x), min(m.colMin[d], x)
	}
	return nil
}

// bound is at least the score of every vector for q (nz its nonzero
// dimensions): each dimension at its extreme, and never above 1.
func (m *MemoryIndex) bound(q []float32, nz []int32) float32 {
	var b float32
	for _, d := range nz {
		b += max(q[d]*m.colMax[d], q[d]*m.colMin[d])
	}
	return min(1, b+vectorEpsilon)
}

// Grow makes room for n more vectors, so that adding a catalogue's worth
// does not copy each dimension's array as it doubles.
func (m *MemoryIndex) Grow(n int) {
	for d := range m.cols {
		m.cols[d] = slices.Grow(m.cols[d], n)
	}
	m.ids = slices.Grow(m.ids, n)
}

// Len is how many vectors the index holds.
func (m *MemoryIndex) Len() int { return len(m.ids) }

// nonzero lists the dimensions in which q is not zero.
func nonzero(q []float32, out []int32) []int32 {
	for d, x := range q {
		if x != 0 {
			out = append(out, int32(d))
		}
	}
	return out
}

type searchScratch struct {
	scores []float32
	nz     []int32
}

// Search returns the k nearest vectors, best first; ties break by id so
// results are reproducible.
func (m *MemoryIndex) Search(_ context.Context, q []float32, k int) ([]Hit, error) {
	if len(q) != m.dim {
		return nil, fmt.Errorf("index: query has %d dimensions, want %d", len(q), m.dim)
	}
	sc, _ := m.scratch.Get().(*searchScratch)
	if sc == nil {
		sc = &searchScratch{}
	}
	defer m.scratch.Put(sc)
	sc.nz = nonzero(q, sc.nz[:0])
	sc.scores = m.scoreAll(q, sc.nz, sc.scores)
	return m.nearest(sc.scores, k), nil
}

// scoreAll returns q's score with every vector, by position, in out's
// memory: nz are q's nonzero dimensions, summed in scoreAt's order. Four
// dimensions go together through each pass over the vectors, so that a
// score is loaded and stored once for four products rather than for each;
// the sum's order, and so every bit of it, stays scoreAt's. Each product
// is rounded on its own (the float32 conversions), so that no build fuses
// one site's multiply-adds and not another's.
func (m *MemoryIndex) scoreAll(q []float32, nz []int32, out []float32) []float32 {
	n := len(m.ids)
	out = slices.Grow(out[:0], n)[:n]
	clear(out)
	for ; len(nz) >= 4; nz = nz[4:] {
		q0, q1, q2, q3 := q[nz[0]], q[nz[1]], q[nz[2]], q[nz[3]]
		c0, c1, c2, c3 := m.cols[nz[0]][:n], m.cols[nz[1]][:n], m.cols[nz[2]][:n], m.cols[nz[3]][:n]
		for i := range out {
			s := out[i]
			s += float32(q0 * c0[i])
			s += float32(q1 * c1[i])
			s += float32(q2 * c2[i])
			s += float32(q3 * c3[i])
			out[i] = s
		}
	}
	for _, d := range nz {
		col, qd := m.cols[d][:n], q[d]
		for i := range out {
			out[i] += float32(qd * col[i])
		}
	}
	return out
}

// nearest returns the k best of scores (scoreAll's), best first, ties by
// id.
func (m *MemoryIndex) nearest(scores []float32, k int) []Hit {
	hits := make([]Hit, 0, k+1)
	for i, s := range scores {
		if len(hits) == k && !better(Hit{m.ids[i], s}, hits[k-1]) {
			continue
		}
		hits = insertHit(hits, Hit{m.ids[i], s}, k)
	}
	return hits
}

// scoreAt is the cosine similarity of q with the i-th vector added,
// summed over q's nonzero dimensions nz in the order Search sums them, so
// that both give the same score.
func (m *MemoryIndex) scoreAt(q []float32, nz []int32, i int) float32 {
	var s float32
	for _, d := range nz {
		s += float32(q[d] * m.cols[d][i])
	}
	return s
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
	nz := nonzero(q, nil)
	out := make([]float32, len(ids))
	for i, id := range ids {
		if p, ok := m.pos[id]; ok {
			out[i] = m.scoreAt(q, nz, p)
		}
	}
	return out, nil
}
