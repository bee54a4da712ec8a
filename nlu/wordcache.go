package nlu

import (
	"hash/maphash"
	"strings"
	"sync"
)

// wordCache remembers each Latin word's log-probabilities under the three
// character models. Words repeat across messages ("card", "kavali",
// "chahiye") and scoring one walks up to 4-grams through six maps, a
// quarter of a match's time without it. The cache is sharded so that
// concurrent messages rarely wait on one lock, and each shard is simply
// emptied when full: no eviction order to keep, and memory stays bounded.
type wordCache struct {
	seed   maphash.Seed
	shards [wordCacheShards]wordShard
}

type wordShard struct {
	mu sync.RWMutex
	m  map[string][numLatinLangs]float64
}

const (
	wordCacheShards   = 16
	wordCacheShardCap = 4096 // words per shard: 64k words, a few MB at most
	// maxCachedWord bounds the words kept: a 300-letter "word" is noise,
	// scored and forgotten.
	maxCachedWord = 32
)

func newWordCache() *wordCache { return &wordCache{seed: maphash.MakeSeed()} }

func (c *wordCache) shard(w string) *wordShard {
	return &c.shards[maphash.String(c.seed, w)%wordCacheShards]
}

func (c *wordCache) get(w string) ([numLatinLangs]float64, bool) {
	s := c.shard(w)
	s.mu.RLock()
	lp, ok := s.m[w]
	s.mu.RUnlock()
	return lp, ok
}

func (c *wordCache) put(w string, lp [numLatinLangs]float64) {
	if len(w) > maxCachedWord {
		return
	}
	s := c.shard(w)
	s.mu.Lock()
	if s.m == nil || len(s.m) >= wordCacheShardCap {
		s.m = make(map[string][numLatinLangs]float64, 256)
	}
	// A word is often a slice of its message: the copy keeps the map
	// from holding on to every message it saw a word of.
	s.m[strings.Clone(w)] = lp
	s.mu.Unlock()
}

// reset forgets every word, after the model's counts change.
func (c *wordCache) reset() {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		s.m = nil
		s.mu.Unlock()
	}
}
