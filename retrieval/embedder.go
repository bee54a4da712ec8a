// Package retrieval finds the catalogue services a message is about: it
// embeds texts (a built-in offline embedder, or any OpenAI-compatible
// endpoint), searches an index, fuses vector and lexical scores, and decides
// whether to route directly, offer a choice, or fall back to the menu.
package retrieval

import (
	"context"
	"math"
	"slices"

	"github.com/mitra-gov/mitra/nlu"
)

// Embedder turns texts into vectors of a fixed dimension. Vectors are
// L2-normalised so that a dot product is the cosine similarity.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
	Dimensions() int
	// Name identifies the model, so that vectors from different models are
	// never compared (an index records the name it was built with).
	Name() string
}

// HashEmbedder is the built-in offline embedder: hashed character n-grams
// and words of the transliteration keys. Because it works on nlu.Key, the
// same word in Telugu script, Devanagari or Latin letters lands on the same
// features. It is deterministic and needs no model file.
type HashEmbedder struct {
	dim int
}

// NewHashEmbedder returns a hash embedder of dim dimensions.
func NewHashEmbedder(dim int) *HashEmbedder { return &HashEmbedder{dim: dim} }

func (h *HashEmbedder) Dimensions() int { return h.dim }

func (h *HashEmbedder) Name() string { return "mitra-hash-v1" }

// Embed never fails; it takes a context to satisfy Embedder.
func (h *HashEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = h.EmbedKeys(contentKeys(nlu.Words(nlu.Normalize(t))))
	}
	return out, nil
}

// EmbedKeys embeds already-keyed words; the engine calls it to avoid
// analysing a message twice.
func (h *HashEmbedder) EmbedKeys(keys []string) []float32 {
	return h.EmbedKeysInto(nil, keys)
}

// EmbedKeysInto is EmbedKeys in v's memory, which it grows as needed: a
// match embeds into its scratch vector rather than allocating one.
func (h *HashEmbedder) EmbedKeysInto(v []float32, keys []string) []float32 {
	v = slices.Grow(v[:0], h.dim)[:h.dim]
	clear(v)
	var buf [64]byte
	for _, k := range keys {
		// The word itself, as the feature "w\x00"+k.
		h.add(v, fnv1a(fnv1a(fnvOffset, "w\x00"), k), 1)
		padded := append(append(append(buf[:0], '<'), k...), '>')
		if len(padded) < 4 {
			continue
		}
		// Trigrams carry the spelling; weighting each by 1/sqrt(count)
		// keeps long words from drowning short ones.
		n := len(padded) - 2
		w := float32(1 / math.Sqrt(float64(n)))
		for i := 0; i+3 <= len(padded); i++ {
			h.add(v, fnv1a(fnvOffset, padded[i:i+3]), w)
		}
	}
	normalize(v)
	return v
}

// FNV-1a, 64 bits, as hash/fnv's New64a computes it, over bytes the
// caller need not gather into one string: a match hashes a few hundred
// features.
const (
	fnvOffset uint64 = 14695981039346656037
	fnvPrime  uint64 = 1099511628211
)

func fnv1a[T string | []byte](h uint64, b T) uint64 {
	for i := 0; i < len(b); i++ {
		h ^= uint64(b[i])
		h *= fnvPrime
	}
	return h
}

// add adds w to the dimension feature hash x falls in.
func (h *HashEmbedder) add(v []float32, x uint64, w float32) {
	idx := int(x % uint64(h.dim))
	if x>>63 == 1 { // a sign bit keeps collisions from only ever adding up
		w = -w
	}
	v[idx] += w
}

func normalize(v []float32) {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= inv
	}
}

// Dot is the dot product of two equal-length vectors.
func Dot(a, b []float32) float32 {
	var s0, s1, s2, s3 float32
	n := len(a)
	b = b[:n]
	i := 0
	for ; i+4 <= n; i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < n; i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}
