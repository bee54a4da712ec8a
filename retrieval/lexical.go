package retrieval

import (
	"math"
	"slices"
	"strings"
	"sync"

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
	postings [][]int32        // token id -> doc ids
	docs     []lexDoc
	services int
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
	scratch          sync.Pool
}

type lexDoc struct {
	service int32
	tokens  []int32
	weight  float32 // sum of idf of tokens
}

const prefixLen = 4

// newLexicon indexes every service's names, short names and aliases.
func newLexicon(services []*catalog.Service) *lexicon {
	lx := &lexicon{vocab: map[string]int32{}, deletes: map[string][]int32{}, prefixes: map[string][]int32{},
		skeletons: map[string][]int32{}, services: len(services)}
	df := map[int32]map[int32]bool{}
	for si, s := range services {
		texts := []string{s.Name.EN, s.Name.TE, s.Name.HI, s.Short.EN, s.Short.TE, s.Short.HI}
		texts = append(texts, s.Aliases.All()...)
		texts = append(texts, s.Situations.All()...)
		seen := map[string]bool{}
		for _, t := range texts {
			keys := contentKeys(nlu.Words(nlu.Normalize(t)))
			if len(keys) == 0 {
				continue
			}
			var doc lexDoc
			doc.service = int32(si)
			sig := ""
			uniq := map[int32]bool{}
			for _, k := range keys {
				id := lx.token(k)
				if !uniq[id] {
					uniq[id] = true
					doc.tokens = append(doc.tokens, id)
					sig += k + " "
				}
				if df[id] == nil {
					df[id] = map[int32]bool{}
				}
				df[id][int32(si)] = true
			}
			if seen[sig] { // "Income certificate" as name and short name
				continue
			}
			seen[sig] = true
			lx.docs = append(lx.docs, doc)
		}
	}
	lx.idf = make([]float32, len(lx.keys))
	lx.df = make([]int32, len(lx.keys))
	lx.postings = make([][]int32, len(lx.keys))
	for id := range lx.keys {
		n := len(df[int32(id)])
		lx.df[id] = int32(n)
		lx.idf[id] = float32(math.Log(1 + float64(lx.services)/float64(n)))
	}
	for di := range lx.docs {
		d := &lx.docs[di]
		for _, t := range d.tokens {
			d.weight += lx.idf[t]
			lx.postings[t] = append(lx.postings[t], int32(di))
		}
	}
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
	lx.scratch.New = func() any { return newLexScratch(len(lx.docs), lx.services) }
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
		for _, del := range deletions(q) {
			for _, id := range lx.deletes[del] {
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

type lexScratch struct {
	docScore  []float32
	touched   []int32
	svcCover  []float32 // per service, per query word: best similarity
	svcTouch  []int32
	svcSeen   []bool
	qWeights  []float32
	sorted    []float32
	matchBuf  []tokenMatch
	maxQWords int
}

// longMessage is how many of a message's words count at most towards
// what a service must explain.
const longMessage = 6

const maxQueryWords = 24

func newLexScratch(docs, services int) *lexScratch {
	return &lexScratch{
		docScore:  make([]float32, docs),
		svcCover:  make([]float32, services*maxQueryWords),
		svcSeen:   make([]bool, services),
		maxQWords: maxQueryWords,
	}
}

// unknownIDF weighs a message word that matches nothing in the catalogue:
// as informative as a middling catalogue word, so that "nanna chanipoyaru
// death certificate" still leans on "death certificate" but a message of
// unknown words scores low everywhere.
const unknownIDF = 3.0

// elsewhereIDF weighs a word of a topic served elsewhere ("train",
// "recipe"): as much as the rarest catalogue word, since it says what the
// message is about, and that no service explains it.
const elsewhereIDF = 6.0

// score returns, per service, the lexical score in [0,1]: the geometric
// mean of how much of the best-matching name or alias the message covers
// and how much of the message the service's words explain.
func (lx *lexicon) score(keys []string, out []float32) {
	for i := range out {
		out[i] = 0
	}
	keys = dedupe(keys)
	if len(keys) > maxQueryWords {
		keys = keys[:maxQueryWords]
	}
	if len(keys) == 0 {
		return
	}
	sc := lx.scratch.Get().(*lexScratch)
	defer lx.scratch.Put(sc)
	sc.qWeights = sc.qWeights[:0]
	var qTotal float32
	for qi, q := range keys {
		sc.matchBuf = lx.matches(q, sc.matchBuf[:0])
		if len(sc.matchBuf) == 0 && allDigits(q) {
			// "survey number 123": a number no service is named by
			// is a detail of the request, not a sign it is out of scope.
			sc.qWeights = append(sc.qWeights, 0)
			continue
		}
		w := float32(unknownIDF)
		if q == elsewhereKey {
			w = elsewhereIDF
		}
		if len(sc.matchBuf) > 0 {
			w = 0
			for _, m := range sc.matchBuf {
				if lx.idf[m.token] > w {
					w = lx.idf[m.token]
				}
			}
		}
		sc.qWeights = append(sc.qWeights, w)
		qTotal += w
		for _, m := range sc.matchBuf {
			contrib := lx.idf[m.token] * m.sim
			for _, d := range lx.postings[m.token] {
				if sc.docScore[d] == 0 {
					sc.touched = append(sc.touched, d)
				}
				// Two message words matching one token would count it
				// twice; score() dedupes the keys and the coverage is
				// capped at 1 below.
				sc.docScore[d] += contrib
				s := lx.docs[d].service
				if !sc.svcSeen[s] {
					sc.svcSeen[s] = true
					sc.svcTouch = append(sc.svcTouch, s)
				}
				cell := &sc.svcCover[int(s)*maxQueryWords+qi]
				if m.sim > *cell {
					*cell = m.sim
				}
			}
		}
	}
	// A long message is judged by its weightiest words: a citizen who
	// tells their whole story explains more than any one service needs,
	// and the rest must not dilute what does match.
	if len(keys) > longMessage {
		ws := append(sc.sorted[:0], sc.qWeights...)
		slices.Sort(ws)
		var top float32
		for _, w := range ws[len(ws)-longMessage:] {
			top += w
		}
		sc.sorted = ws
		qTotal = min(qTotal, top)
	}
	for _, d := range sc.touched {
		doc := &lx.docs[d]
		cov := sc.docScore[d] / doc.weight
		if cov > 1 {
			cov = 1
		}
		if cov > out[doc.service] {
			out[doc.service] = cov
		}
		sc.docScore[d] = 0
	}
	for _, s := range sc.svcTouch {
		var explained float32
		row := sc.svcCover[int(s)*maxQueryWords : int(s)*maxQueryWords+len(keys)]
		for qi := range row {
			explained += row[qi] * sc.qWeights[qi]
			row[qi] = 0
		}
		out[s] = float32(math.Sqrt(float64(out[s] * explained / qTotal)))
		sc.svcSeen[s] = false
	}
	sc.touched = sc.touched[:0]
	sc.svcTouch = sc.svcTouch[:0]
}

func dedupe(keys []string) []string {
	out := make([]string, 0, len(keys))
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
