package retrieval

import (
	"context"
	"hash/fnv"
	"math"
	"math/rand"
	"sort"
	"strings"
	"testing"
)

// The memory index must return exactly the brute-force top k, ties by id.
func TestMemoryIndexExactTopK(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(1))
	const dim, n, k = 16, 300, 7
	idx := NewMemoryIndex(dim)
	vecs := map[string][]float32{}
	for i := 0; i < n; i++ {
		v := make([]float32, dim)
		for j := range v {
			v[j] = float32(rng.NormFloat64())
		}
		normalize(v)
		id := string(rune('a'+i%26)) + string(rune('A'+i/26))
		vecs[id] = v
		if err := idx.Add(id, v); err != nil {
			t.Fatal(err)
		}
	}
	for trial := 0; trial < 20; trial++ {
		q := vecs[string(rune('a'+trial))+"A"]
		got, err := idx.Search(context.Background(), q, k)
		if err != nil {
			t.Fatal(err)
		}
		var all []Hit
		for id, v := range vecs {
			all = append(all, Hit{id, Dot(q, v)})
		}
		sort.Slice(all, func(i, j int) bool { return better(all[i], all[j]) })
		for i := 0; i < k; i++ {
			// The index sums dimension by dimension, Dot four lanes at a
			// time: the same score but for the last bits of rounding.
			if got[i].ID != all[i].ID || math.Abs(float64(got[i].Score-all[i].Score)) > 1e-5 {
				t.Fatalf("trial %d rank %d: got %v, want %v", trial, i, got[i], all[i])
			}
		}
		if got[0].Score < 0.999 {
			t.Errorf("a vector is not its own nearest neighbour: %v", got[0])
		}
	}
	if _, err := idx.Search(context.Background(), make([]float32, dim+1), k); err == nil {
		t.Error("Search accepted a query of the wrong size")
	}
	if err := idx.Add("x", make([]float32, 3)); err == nil {
		t.Error("Add accepted a vector of the wrong size")
	}
}

func TestEditDistanceAtMostOne(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{"sertifikat", "sertifikat", true},
		{"sertifikat", "sertifikt", true},
		{"sertifikat", "sertifikaat", true},
		{"sertifikat", "sertifikit", true},
		{"sertifikat", "setrifikat", true},
		{"sertifikat", "sertfikit", false},
		{"kard", "kart", true},
		{"kard", "kardlo", false},
	}
	for _, tt := range tests {
		if got := editDistanceAtMostOne(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistanceAtMostOne(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}

// The built-in embedder's hash must stay hash/fnv's FNV-1a: the vectors
// stored in PostgreSQL were made with it.
func TestFNV1aIsHashFNV(t *testing.T) {
	for _, s := range []string{"", "a", "w\x00kard", "<ka", "rd>", "ఆదాయ", strings.Repeat("x", 300)} {
		f := fnv.New64a()
		f.Write([]byte(s))
		if got, want := fnv1a(fnvOffset, s), f.Sum64(); got != want {
			t.Errorf("%q: %x, want %x", s, got, want)
		}
		if got := fnv1a(fnv1a(fnvOffset, s[:len(s)/2]), []byte(s[len(s)/2:])); got != f.Sum64() {
			t.Errorf("%q in two parts: %x, want %x", s, got, f.Sum64())
		}
	}
}
