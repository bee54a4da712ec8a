package nlu

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/mitra-gov/mitra/catalog"
)

// The cache gives back what scoring gives, stays within its bound under
// concurrent use, and forgets what it knew when the model is trained more.
func TestWordCache(t *testing.T) {
	t.Parallel()
	m := NewLatinTrainer()
	m.Add(catalog.Telugu, "naaku income certificate kavali")
	m.Add(catalog.English, "i need an income certificate")
	want := [numLatinLangs]float64{m.wordLogProb(slotEN, "kavali"), m.wordLogProb(slotTE, "kavali"), m.wordLogProb(slotHI, "kavali")}
	if got := m.wordLogProbs("kavali"); got != want {
		t.Fatalf("first scoring %v, want %v", got, want)
	}
	if got, ok := m.words.get("kavali"); !ok || got != want {
		t.Fatalf("cached %v %v, want %v", got, ok, want)
	}
	m.Add(catalog.Telugu, "kavali kavali kavali")
	if _, ok := m.words.get("kavali"); ok {
		t.Fatal("a word's scores survived training")
	}
	// A word cut from a message is kept in memory of its own, so that the
	// cache does not keep the message alive.
	message := "naaku income certificate kavali " + strings.Repeat("x", 4096)
	word := message[6:12]
	m.wordLogProbs(word)
	for k := range m.words.shard(word).m {
		if k == word && unsafe.StringData(k) == unsafe.StringData(word) {
			t.Fatal("the cache holds the word in its message's memory")
		}
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 3*wordCacheShards*wordCacheShardCap/4; i++ {
				m.wordLogProbs(fmt.Sprintf("w%d-%d", g, i))
			}
		}(g)
	}
	wg.Wait()
	for i := range m.words.shards {
		if n := len(m.words.shards[i].m); n > wordCacheShardCap {
			t.Errorf("shard %d holds %d words, over %d", i, n, wordCacheShardCap)
		}
	}
}
