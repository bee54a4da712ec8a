package retrieval

import (
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"strings"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/nlu"
)

// lexicon scores services by how well the message's words cover one of
// their names or aliases, after transliteration, with tolerance for
// inflection (కార్డులో, cardlo), truncation and one-letter typos.
type lexicon struct {
	vocab    map[string]int32 // key -> token id
	idf      []float32        // by token id
	df       []int32          // by token id: how many services use the token
	postings lists            // token id -> doc ids
	// docs are the distinct token sets of the names and aliases: a phrase
	// many services share ("income certificate", in every state's copy of
	// the service) is one doc, scored once per message whatever the
	// number of services that use it.
	docWeight   []float32 // by doc: the sum of its tokens' idf
	docServices lists     // doc -> the services using it, ascending
	// tokenServices lists, by rare token, the services using it,
	// ascending; it is empty for the others.
	tokenServices lists
	svcDocs       docBlocks // service -> its docs
	services      int
	// deletes maps each single-letter deletion of a vocabulary key (and
	// the key itself) to the keys it came from: a symmetric-delete index for
	// edit distance one.
	deletes map[string][]int32
	// prefixes maps the first prefixLen letters of longer keys to the keys,
	// for messages that cut a word short ("certif").
	prefixes map[string][]int32
	// skeletons maps each key's consonants (skeleton) to the keys: SMS
	// shorthand drops the vowels ("crtfct", "pnsn", "tkt cncl").
	skeletons map[string][]int32
	keys      []string
	// conceptSpellings lists, for a concept's token ("@pension"), the keys
	// of its words, which typos and cut-short words are measured against.
	conceptSpellings map[int32][]string
}

// lists holds a list of int32s for each of n owners in one array: a
// match reads many of them, and one array keeps them close in memory.
type lists struct {
	start []int32 // owner i's list is items[start[i]:start[i+1]]
	items []int32
}

func newLists(nested [][]int32) lists {
	l := lists{start: make([]int32, 1, len(nested)+1)}
	for _, x := range nested {
		l.items = append(l.items, x...)
		l.start = append(l.start, int32(len(l.items)))
	}
	l.items = slices.Clip(l.items)
	return l
}

func (l *lists) of(i int32) []int32 { return l.items[l.start[i]:l.start[i+1]] }

// docBlocks holds each service's docs as a bitmap in blocks of 64 doc
// ids: a message touches a few of a service's forty-odd names and
// aliases, and a block ANDed with the message's bitmap of touched docs
// finds them without reading the rest. A service's docs were numbered
// together, so they fill one or two blocks; a national catalogue's copies
// share their original's.
type docBlocks struct {
	start []int32  // owner i's blocks are word[start[i]:start[i+1]]
	word  []int32  // a block's index in the bitmap: doc ids word*64 to word*64+63
	mask  []uint64 // the owner's docs in that block
}

func newDocBlocks(nested [][]int32) docBlocks {
	b := docBlocks{start: make([]int32, 1, len(nested)+1)}
	for _, docs := range nested {
		sorted := slices.Sorted(slices.Values(docs))
		for _, d := range sorted {
			w, bit := d>>6, uint64(1)<<(d&63)
			if n := len(b.word); n > int(b.start[len(b.start)-1]) && b.word[n-1] == w {
				b.mask[n-1] |= bit
				continue
			}
			b.word, b.mask = append(b.word, w), append(b.mask, bit)
		}
		b.start = append(b.start, int32(len(b.word)))
	}
	return b
}

const prefixLen = 4

// newLexicon indexes every service's names, short names and aliases.
func newLexicon(services []*catalog.Service) *lexicon {
	lx := &lexicon{vocab: map[string]int32{}, deletes: map[string][]int32{}, prefixes: map[string][]int32{},
		skeletons: map[string][]int32{}, services: len(services)}
	var docTokens, docServices [][]int32
	svcDocs := make([][]int32, len(services))
	// Services come one at a time: a token's count of services grows
	// when it is first seen in a new one.
	var df, lastService []int32
	var tokenServices [][]int32
	docOf := map[string]int32{} // a doc's sorted tokens -> doc id
	var sig []byte
	for si, s := range services {
		texts := []string{s.Name.EN, s.Name.TE, s.Name.HI, s.Short.EN, s.Short.TE, s.Short.HI}
		texts = append(texts, s.Aliases.All()...)
		texts = append(texts, s.Situations.All()...)
		for _, t := range texts {
			keys := contentKeys(nlu.Words(nlu.Normalize(t)))
			if len(keys) == 0 {
				continue
			}
			var tokens []int32
			for _, k := range keys {
				id := lx.token(k)
				if !slices.Contains(tokens, id) {
					tokens = append(tokens, id)
				}
				if int(id) == len(df) {
					df, lastService = append(df, 0), append(lastService, -1)
					tokenServices = append(tokenServices, nil)
				}
				if lastService[id] != int32(si) {
					lastService[id] = int32(si)
					df[id]++
					tokenServices[id] = append(tokenServices[id], int32(si))
				}
			}
			slices.Sort(tokens)
			sig = sig[:0]
			for _, id := range tokens {
				sig = binary.LittleEndian.AppendUint32(sig, uint32(id))
			}
			d, ok := docOf[string(sig)]
			if !ok {
				d = int32(len(docTokens))
				docOf[string(sig)] = d
				docTokens = append(docTokens, tokens)
				docServices = append(docServices, nil)
			}
			if slices.Contains(svcDocs[si], d) { // "Income certificate" as name and short name
				continue
			}
			svcDocs[si] = append(svcDocs[si], d)
			docServices[d] = append(docServices[d], int32(si))
		}
	}
	lx.docServices, lx.svcDocs = newLists(docServices), newDocBlocks(svcDocs)
	lx.idf = make([]float32, len(lx.keys))
	lx.df = df
	postings := make([][]int32, len(lx.keys))
	for id := range lx.keys {
		n := df[id]
		lx.idf[id] = float32(math.Log(1 + float64(lx.services)/float64(n)))
	}
	lx.docWeight = make([]float32, len(docTokens))
	for d, tokens := range docTokens {
		for _, t := range tokens {
			lx.docWeight[d] += lx.idf[t]
			postings[t] = append(postings[t], int32(d))
		}
	}
	lx.postings = newLists(postings)
	// Only a rare token's services are looked up (visitRare); a common
	// token's list would be most of the memory a national catalogue takes.
	for id := range tokenServices {
		if df[id] > rareServices {
			tokenServices[id] = nil
		}
	}
	lx.tokenServices = newLists(tokenServices)
	// A concept's token is written as each of its words: "pention" is a
	// typo of "pension", and so of the concept.
	lx.conceptSpellings = map[int32][]string{}
	for word, concept := range concepts.word {
		if id, ok := lx.vocab[concept]; ok {
			lx.conceptSpellings[id] = append(lx.conceptSpellings[id], word)
		}
	}
	for id := range lx.conceptSpellings {
		slices.Sort(lx.conceptSpellings[id])
	}
	for id := range lx.keys {
		for _, k := range lx.spellings(int32(id)) {
			for _, del := range deletions(k) {
				lx.deletes[del] = append(lx.deletes[del], int32(id))
			}
			if len(k) > prefixLen {
				p := k[:prefixLen]
				lx.prefixes[p] = append(lx.prefixes[p], int32(id))
			}
			if sk := skeleton(k); len(sk) >= 3 {
				lx.skeletons[sk] = append(lx.skeletons[sk], int32(id))
			}
		}
	}
	return lx
}

// skeleton is a key's consonants, the letters shorthand keeps: vowels
// dropped, s and k as one (a "c" written without its vowel keys as k),
// doubled letters as one.
func skeleton(k string) string {
	b := make([]byte, 0, len(k))
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch c {
		case 'a', 'e', 'i', 'o', 'u':
			continue
		case 's':
			c = 'k'
		}
		if n := len(b); n > 0 && b[n-1] == c {
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

// vowelless reports whether a key is shorthand: three or more letters and
// no vowel.
func vowelless(k string) bool {
	return len(k) >= 3 && !strings.ContainsAny(k, "aeiou")
}

// spellings returns the keys a token is written as: its own, or a
// concept's words.
func (lx *lexicon) spellings(id int32) []string {
	if s, ok := lx.conceptSpellings[id]; ok {
		return s
	}
	return lx.keys[id : id+1]
}

// near reports whether key q is within one edit of a spelling of token id.
func (lx *lexicon) near(q string, id int32) bool {
	for _, k := range lx.spellings(id) {
		if editDistanceAtMostOne(q, k) {
			return true
		}
	}
	return false
}

// extends reports whether key q is a spelling of token id cut short.
func (lx *lexicon) extends(q string, id int32) bool {
	for _, k := range lx.spellings(id) {
		if len(k) > len(q) && k[:len(q)] == q {
			return true
		}
	}
	return false
}

func (lx *lexicon) token(k string) int32 {
	if id, ok := lx.vocab[k]; ok {
		return id
	}
	id := int32(len(lx.keys))
	lx.vocab[k] = id
	lx.keys = append(lx.keys, k)
	return id
}

// deletions returns k and every string made by deleting one letter of it,
// for keys long enough that one letter is a typo rather than another word.
func deletions(k string) []string {
	out := []string{k}
	if len(k) < 4 {
		return out
	}
	for i := 0; i < len(k); i++ {
		out = append(out, k[:i]+k[i+1:])
	}
	return out
}

// genericServices is how many services must share a word for it to be
// generic: "pension", "bill", "complaint", "licence" name a family of
// services, not one.
const genericServices = 5

// generic reports whether a message made of the single key k names a
// family of services rather than one.
func (lx *lexicon) generic(k string) bool {
	id, ok := lx.vocab[k]
	return ok && lx.df[id] >= genericServices
}

// Match qualities: an exact key, a known key plus a suffix (Telugu and
// Hindi attach case endings: cardlo, kardulo), a typo, a cut-short word.
const (
	simExact  = 1.0
	simSuffix = 0.85
	simTypo   = 0.8
	simPrefix = 0.7
)

type tokenMatch struct {
	token int32
	sim   float32
}

// known counts the keys the catalogue's words hold exactly: what tells a
// message about services from one that only brushes against their words
// (a typo's or a suffix's near match is not enough to call a word known).
func (lx *lexicon) known(keys []string) int {
	n := 0
	for _, k := range keys {
		if _, ok := lx.vocab[k]; ok {
			n++
		}
	}
	return n
}

// matches finds the vocabulary tokens a message key may stand for.
func (lx *lexicon) matches(q string, out []tokenMatch) []tokenMatch {
	if id, ok := lx.vocab[q]; ok {
		return append(out, tokenMatch{id, simExact})
	}
	best := map[int32]float32{}
	note := func(id int32, s float32) {
		if s > best[id] {
			best[id] = s
		}
	}
	// Known key + suffix: the longest known prefix of q of 3+ letters.
	for n := len(q) - 1; n >= 3 && len(q)-n <= 4; n-- {
		stem := q[:n]
		if concept, ok := concepts.word[stem]; ok {
			stem = concept // "pensionku": the concept's word and a suffix
		}
		if id, ok := lx.vocab[stem]; ok {
			note(id, simSuffix)
			break
		}
	}
	if vowelless(q) {
		for _, id := range lx.skeletons[skeleton(q)] {
			note(id, simTypo)
		}
	}
	if len(q) >= 4 {
		// deletions(q), each built in one buffer: the map lookup of a
		// converted []byte does not allocate the string.
		var buf [64]byte
		for i := -1; i < len(q); i++ {
			del := append(buf[:0], q...)
			if i >= 0 {
				del = append(del[:i], q[i+1:]...)
			}
			for _, id := range lx.deletes[string(del)] {
				if lx.near(q, id) {
					note(id, simTypo)
				}
			}
		}
	}
	if len(q) >= prefixLen+1 {
		for _, id := range lx.prefixes[q[:prefixLen]] {
			if lx.extends(q, id) {
				note(id, simPrefix)
			}
		}
	}
	for id, s := range best {
		out = append(out, tokenMatch{id, s})
	}
	return out
}

// editDistanceAtMostOne reports whether a and b differ by at most one
// insertion, deletion, substitution or adjacent swap.
func editDistanceAtMostOne(a, b string) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(a)-len(b) > 1 {
		return false
	}
	i := 0
	for i < len(b) && a[i] == b[i] {
		i++
	}
	if i == len(b) {
		return true
	}
	if len(a) == len(b) {
		if a[i+1:] == b[i+1:] {
			return true
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	}
	return a[i+1:] == b[i:]
}

// longMessage is how many of a message's words count at most towards
// what a service must explain.
const longMessage = 6

const maxQueryWords = 24

// unknownIDF weighs a message word that matches nothing in the catalogue:
// as informative as a middling catalogue word, so that "nanna chanipoyaru
// death certificate" still leans on "death certificate" but a message of
// unknown words scores low everywhere.
const unknownIDF = 3.0

// elsewhereIDF weighs a word of a topic served elsewhere ("train",
// "recipe"): as much as the rarest catalogue word, since it says what the
// message is about, and that no service explains it.
const elsewhereIDF = 6.0

// lexQuery scores one message against the lexicon. A service's lexical
// score, in [0,1], is the geometric mean of how much of its best-matching
// name or alias the message covers and how much of the message the
// service's words explain. The docs are scored first, each once; services
// are then visited doc by doc, best-covered first, so that the caller can
// stop once no service left can reach its best few (see Engine.rank). A
// lexQuery is reused across messages, one at a time.
type lexQuery struct {
	lx       *lexicon
	qWeights []float32 // by word
	qTotal   float32
	// reachable is the most weight a service's words may explain: every
	// word the catalogue matches, at its best match's quality. It may
	// exceed qTotal (a long message's total counts only its weightiest
	// words) and falls short of it by the words nothing matches.
	reachable float32
	// rare lists the message's rare tokens, and reachableCommon is
	// reachable with only the common tokens' matches: the most a service
	// that has no rare token may explain (see visitRare).
	rare            []int32
	reachableCommon float32
	hits            []docHit // by doc; zero outside a message
	docs            []int32  // the docs with a score
	order           []int32  // docs by buckets of coverage, the best first
	next            int      // the next of order to visit
	// bucketEnd is where each coverage bucket ends in order; bucket is
	// the one next to visit.
	bucketEnd [coverBuckets]int32
	bucket    int
	// bucketOf is each of docs' bucket; order holds the buckets from
	// placedFrom up (place).
	bucketOf   []uint8
	placedFrom int
	fill       [coverBuckets]int32 // where place puts a bucket's next doc
	seen       []bool              // by service: visited
	visited    []int32
	touched    []uint64 // a bit by doc: the docs with a score
	sorted     []float32
	matchBuf   []tokenMatch
	keys       []string // the message's keys, each once
}

// docHit is what a message makes of one doc, kept together because a
// posting updates all of it at once, in sixteen bytes: a message touches
// hundreds of docs, and their hits staying in cache is much of a match's
// speed.
type docHit struct {
	// score is first the idf of the doc's matched tokens times the
	// match's quality; once every word is in, the share of the doc's
	// weight that is, at most 1 (its cover).
	score float32
	// level holds each word's best match quality in the doc, an index
	// into simLevels, in three bit planes of a bit a word. No match is
	// level 0, so a word matches the doc when any plane has its bit.
	level [3]uint32
}

// words marks the message's words that match the doc.
func (h *docHit) words() uint32 { return h.level[0] | h.level[1] | h.level[2] }

func (h *docHit) levelOf(w int) uint8 {
	return uint8(h.level[0]>>w&1 | (h.level[1]>>w&1)<<1 | (h.level[2]>>w&1)<<2)
}

// raise marks word w as matching the doc with quality level (above 0),
// unless it already matches it better.
func (h *docHit) raise(w int, level uint8) {
	bit := uint32(1) << w
	if h.words()&bit != 0 {
		if h.levelOf(w) >= level {
			return
		}
		for p := range h.level {
			h.level[p] &^= bit
		}
	}
	for p := range h.level {
		if level>>p&1 != 0 {
			h.level[p] |= bit
		}
	}
}

// levelPlanes is word w's bit in each bit plane of level.
func levelPlanes(w int, level uint8) (planes [3]uint32) {
	for p := range planes {
		planes[p] = uint32(level>>p&1) << w
	}
	return planes
}

// The levels of match quality, in increasing order, as a docHit holds
// them; no match is level 0.
const (
	levelPrefix uint8 = iota + 1
	levelTypo
	levelSuffix
	levelExact
)

// simLevels are the match qualities by level.
var simLevels = [...]float32{0, levelPrefix: simPrefix, levelTypo: simTypo, levelSuffix: simSuffix, levelExact: simExact}

func simLevel(sim float32) uint8 {
	for i := len(simLevels) - 1; i > 0; i-- {
		if sim >= simLevels[i] {
			return uint8(i)
		}
	}
	return 0
}

func (lx *lexicon) newQuery() *lexQuery {
	return &lexQuery{lx: lx, hits: make([]docHit, len(lx.docWeight)), seen: make([]bool, lx.services),
		touched: make([]uint64, (len(lx.docWeight)+63)/64)}
}

// start scores the docs for a message's keys, forgetting the last message.
func (q *lexQuery) start(keys []string) {
	q.reset()
	lx := q.lx
	q.keys = dedupeInto(q.keys[:0], keys)
	keys = q.keys
	if len(keys) > maxQueryWords {
		keys = keys[:maxQueryWords]
	}
	for qi, k := range keys {
		q.matchBuf = lx.matches(k, q.matchBuf[:0])
		if len(q.matchBuf) == 0 && allDigits(k) {
			// "survey number 123": a number no service is named by
			// is a detail of the request, not a sign it is out of scope.
			q.qWeights = append(q.qWeights, 0)
			continue
		}
		w := float32(unknownIDF)
		if k == elsewhereKey {
			w = elsewhereIDF
		}
		if len(q.matchBuf) > 0 {
			w = 0
			for _, m := range q.matchBuf {
				w = max(w, lx.idf[m.token])
			}
		}
		q.qWeights = append(q.qWeights, w)
		q.qTotal += w
		var top, topCommon uint8
		for mi, m := range q.matchBuf {
			level := simLevel(m.sim)
			top = max(top, level)
			if lx.df[m.token] <= rareServices {
				q.rare = append(q.rare, m.token)
			} else {
				topCommon = max(topCommon, level)
			}
			// Two message words matching one token would count it
			// twice; the keys are deduped and the coverage is capped
			// at 1 below.
			contrib := lx.idf[m.token] * m.sim
			postings := lx.postings.of(m.token)
			if mi > 0 {
				for _, d := range postings {
					h := q.hit(d)
					h.score += contrib
					h.raise(qi, level)
				}
				continue
			}
			// The word's first match finds it in no doc yet: its
			// level's bit planes are set without reading them.
			planes := levelPlanes(qi, level)
			for _, d := range postings {
				h := q.hit(d)
				h.score += contrib
				h.level[0] |= planes[0]
				h.level[1] |= planes[1]
				h.level[2] |= planes[2]
			}
		}
		// Summed in word order, as score sums what a service explains,
		// so that the bound holds to the last bit.
		q.reachable += simLevels[top] * w
		q.reachableCommon += simLevels[topCommon] * w
	}
	// A long message is judged by its weightiest words: a citizen who
	// tells their whole story explains more than any one service needs,
	// and the rest must not dilute what does match.
	if len(keys) > longMessage {
		ws := append(q.sorted[:0], q.qWeights...)
		slices.Sort(ws)
		var top float32
		for _, w := range ws[len(ws)-longMessage:] {
			top += w
		}
		q.sorted = ws
		q.qTotal = min(q.qTotal, top)
	}
	// Docs in order of coverage, by buckets of it: visiting them best
	// first needs no more order than that, and a sort of every doc a
	// common word touches costs more than the rest of the match.
	var counts [coverBuckets]int32
	q.bucketOf = slices.Grow(q.bucketOf[:0], len(q.docs))[:len(q.docs)]
	for i, d := range q.docs {
		h := &q.hits[d]
		c := min(1, h.score/lx.docWeight[d])
		h.score = c
		b := coverBucket(c)
		q.bucketOf[i] = uint8(b)
		counts[b]++
	}
	// Each bucket's place in order, the best bucket first; the visit
	// nearly always stops within the best few, so only they are placed
	// now (eagerDocs), and the rest when the visit first reaches them.
	eager := -1 // the lowest bucket placed now
	for b, n := coverBuckets-1, int32(0); b >= 0; b-- {
		q.fill[b] = n
		n += counts[b]
		q.bucketEnd[b] = n
		if eager < 0 && n >= eagerDocs {
			eager = b
		}
	}
	q.order = slices.Grow(q.order[:0], len(q.docs))[:len(q.docs)]
	q.placedFrom = coverBuckets
	q.place(max(0, eager))
	q.bucket = coverBuckets - 1
}

// eagerDocs is how many docs start places at least, best buckets first.
const eagerDocs = 64

// place puts the docs of the buckets from `from` up to the last placed
// into order.
func (q *lexQuery) place(from int) {
	if from >= q.placedFrom {
		return
	}
	for i, d := range q.docs {
		if b := int(q.bucketOf[i]); b >= from && b < q.placedFrom {
			q.order[q.fill[b]] = d
			q.fill[b]++
		}
	}
	q.placedFrom = from
}

// coverBuckets is how finely rank's visit orders docs by coverage.
const coverBuckets = 32

func coverBucket(cover float32) int {
	return min(coverBuckets-1, int(cover*coverBuckets))
}

// hit is doc d's hit, noted among the message's docs the first time a
// posting reaches it.
func (q *lexQuery) hit(d int32) *docHit {
	h := &q.hits[d]
	if h.score == 0 {
		q.docs = append(q.docs, d)
		q.touched[d>>6] |= 1 << (d & 63)
	}
	return h
}

// reset clears what the last message wrote, and only that.
func (q *lexQuery) reset() {
	for _, d := range q.docs {
		q.hits[d] = docHit{}
		q.touched[d>>6] = 0
	}
	for _, s := range q.visited {
		q.seen[s] = false
	}
	q.docs, q.visited, q.qWeights, q.rare = q.docs[:0], q.visited[:0], q.qWeights[:0], q.rare[:0]
	q.qTotal, q.reachable, q.reachableCommon, q.next = 0, 0, 0, 0
}

// peek returns the most a doc not yet visited may cover of itself: the
// top of the best bucket left; ok is false when every doc has been
// visited.
func (q *lexQuery) peek() (cover float32, ok bool) {
	for q.bucket >= 0 && int(q.bucketEnd[q.bucket]) <= q.next {
		q.bucket--
	}
	if q.bucket < 0 {
		return 0, false
	}
	if q.bucket < q.placedFrom {
		q.place(0) // past the docs placed up front: the rest, in one pass
	}
	return float32(q.bucket+1) / coverBuckets, true
}

// bound is the highest lexical score a service not yet visited may have,
// when the best doc left covers cover of itself.
func (q *lexQuery) bound(cover float32) float32 {
	if q.qTotal == 0 {
		return 0
	}
	return float32(math.Sqrt(float64(cover * q.reachable / q.qTotal)))
}

// rareServices is how many services may use a token that is rare: a word
// that names a few services, unlike "card" or "certificate".
const rareServices = 32

// visitRare gives each service that has a rare token of the message to
// yield, with the most its docs may cover (1: they were not ranked), until
// yield returns false. The services left then explain no more than the
// common tokens do, which bounds them far more tightly when the message's
// weightiest words are its rare ones ("income" in "income certificate"):
// the covers visit must come down to are those of the services that miss
// them.
func (q *lexQuery) visitRare(yield func(service int32, cover float32) bool) {
	for _, t := range q.rare {
		for _, s := range q.lx.tokenServices.of(t) {
			if q.seen[s] {
				continue
			}
			q.seen[s] = true
			q.visited = append(q.visited, s)
			if !yield(s, 1) {
				return
			}
		}
	}
	q.reachable = q.reachableCommon
}

// visit gives each service of the next bucket's docs not yet visited to
// yield, with the most its docs may cover (the bucket's top: none of them
// was in a better bucket, or it would have been visited), until yield
// returns false. The caller scores it (score), or not, when the bound
// says it cannot reach the best few.
func (q *lexQuery) visit(yield func(service int32, cover float32) bool) {
	end := int(q.bucketEnd[q.bucket])
	cover := float32(q.bucket+1) / coverBuckets
	for ; q.next < end; q.next++ {
		for _, s := range q.lx.docServices.of(q.order[q.next]) {
			if q.seen[s] {
				continue
			}
			q.seen[s] = true
			q.visited = append(q.visited, s)
			if !yield(s, cover) {
				q.next++ // the doc's other services stay unvisited
				return
			}
		}
	}
}

// score returns a service's lexical score, 0 when no word of the message
// matches it: its docs' best coverage, and how much of the message its
// words explain, each word's weight times its best match's quality in any
// of the service's docs.
func (q *lexQuery) score(s int32) float32 {
	if q.qTotal == 0 {
		return 0
	}
	var cover float32
	// The words at each level in some doc. In three bit planes the
	// levels are 001 to 100, so the exact ones are the third plane's and
	// the others tell apart by the first two: the best level of a word is
	// then the highest of these that has its bit.
	var exact, suffix, typo, prefix uint32
	blocks := &q.lx.svcDocs
	for b := blocks.start[s]; b < blocks.start[s+1]; b++ {
		base := blocks.word[b]
		for hit := q.touched[base] & blocks.mask[b]; hit != 0; hit &= hit - 1 {
			h := &q.hits[base<<6|int32(bits.TrailingZeros64(hit))]
			cover = max(cover, h.score)
			p0, p1 := h.level[0], h.level[1]
			exact |= h.level[2]
			suffix |= p0 & p1
			typo |= p1 &^ p0
			prefix |= p0 &^ p1
		}
	}
	if cover == 0 {
		return 0
	}
	// Summed over the matched words alone, in word order: a word no doc
	// matches adds zero, which leaves every bit of the sum as it was.
	var explained float32
	for words := exact | suffix | typo | prefix; words != 0; words &= words - 1 {
		w := bits.TrailingZeros32(words)
		bit := uint32(1) << w
		var level uint8
		switch {
		case exact&bit != 0:
			level = levelExact
		case suffix&bit != 0:
			level = levelSuffix
		case typo&bit != 0:
			level = levelTypo
		case prefix&bit != 0:
			level = levelPrefix
		}
		explained += simLevels[level] * q.qWeights[w]
	}
	return float32(math.Sqrt(float64(cover * explained / q.qTotal)))
}

// dedupeInto appends keys to out, each once, in order.
func dedupeInto(out, keys []string) []string {
	for i, k := range keys {
		dup := false
		for _, p := range keys[:i] {
			if p == k {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, k)
		}
	}
	return out
}
