package nlu

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/mitra-gov/mitra/catalog"
)

// LatinModel tells English from Telugu and Hindi typed in Latin letters.
// lingua-go cannot: it labels all romanized Telugu and Hindi as English.
//
// Each language has a character n-gram model of words (n up to ngramOrder,
// with word boundaries), smoothed by interpolation. A message is scored as a
// mixture: a Telugu or Hindi message may contain English words (people
// write "naaku income certificate kavali"), while an English message rarely
// contains Telugu or Hindi words. So one clearly Telugu word outweighs a few
// English nouns, but not the other way round.
type LatinModel struct {
	langs  [numLatinLangs]ngramCounts
	alphab float64 // alphabet size for the uniform floor
	// IndicShare is the probability that a word of a Telugu or Hindi
	// message is Telugu or Hindi (else English); IndicInEnglish that a word
	// of an English message is Telugu or Hindi (place and scheme names,
	// "sachivalayam"). Defaults: DefaultIndicShare, DefaultIndicInEnglish.
	IndicShare, IndicInEnglish float64
	// words caches wordLogProb per word; Add, Prune and recount, which
	// change the counts, empty it.
	words *wordCache
}

const ngramOrder = 4

// latin model language slots.
const (
	slotEN = iota
	slotTE
	slotHI
	numLatinLangs
)

var slotLang = [numLatinLangs]catalog.Lang{catalog.English, catalog.Telugu, catalog.Hindi}

type ngramCounts struct {
	// counts[g] is how often n-gram g occurred; contexts[h] how often h
	// occurred as the history of a longer n-gram. Whole words are counted
	// too, under wordMark+word.
	counts   map[string]uint32
	contexts map[string]uint32
	total    uint32 // unigram total
	words    uint32 // word total
}

// wordMark prefixes whole-word entries; n-grams never contain it because
// only a-z words are counted.
const wordMark = "#"

// wordWeight is the weight of the whole-word estimate against the
// character model: frequent words ("tell", "kavali", "chahiye") are known
// outright, rare ones are judged by their spelling.
const wordWeight = 0.7

// Default mixture weights (see LatinModel), chosen on the Dakshina
// held-out prefixes and the eval suites' English messages.
const (
	DefaultIndicShare     = 0.7
	DefaultIndicInEnglish = 0.1
)

// NewLatinTrainer returns an empty model to be filled with Add.
func NewLatinTrainer() *LatinModel {
	m := &LatinModel{alphab: 40, IndicShare: DefaultIndicShare, IndicInEnglish: DefaultIndicInEnglish, words: newWordCache()}
	for i := range m.langs {
		m.langs[i] = ngramCounts{counts: map[string]uint32{}, contexts: map[string]uint32{}}
	}
	return m
}

// Add counts the words of one training line of the given language.
func (m *LatinModel) Add(lang catalog.Lang, line string) {
	m.words.reset()
	slot := langSlot(lang)
	if slot < 0 {
		return
	}
	c := &m.langs[slot]
	for _, w := range latinWords(Normalize(line)) {
		c.counts[wordMark+w]++
		padded := "^" + w + "$"
		for i := 1; i < len(padded); i++ { // the initial ^ is context only
			for n := 1; n <= ngramOrder && i-n+1 >= 0; n++ {
				g := padded[i-n+1 : i+1]
				c.counts[g]++
				if n > 1 {
					c.contexts[g[:n-1]]++
				} else {
					c.total++
				}
			}
		}
	}
}

func langSlot(l catalog.Lang) int {
	for i, x := range slotLang {
		if x == l {
			return i
		}
	}
	return -1
}

// latinWords keeps the ASCII-letter words of a text; digits and other
// scripts carry no evidence about romanized language.
func latinWords(s string) []string {
	var out []string
	for _, w := range Words(foldLatin(s)) {
		ok := true
		for i := 0; i < len(w); i++ {
			if w[i] < 'a' || w[i] > 'z' {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, w)
		}
	}
	return out
}

// wordLogProb is log P(word) under one language's character model, with
// interpolated smoothing down to a uniform floor.
func (m *LatinModel) wordLogProb(slot int, w string) float64 {
	c := &m.langs[slot]
	padded := "^" + w + "$"
	lp := 0.0
	for i := 1; i < len(padded); i++ {
		p := 1 / m.alphab
		for n := 1; n <= ngramOrder && i-n+1 >= 0; n++ {
			g := padded[i-n+1 : i+1]
			var denom uint32
			if n == 1 {
				denom = c.total
			} else {
				denom = c.contexts[g[:n-1]]
			}
			if denom == 0 {
				break
			}
			// Witten-Bell-like fixed weights: trust longer histories more
			// when they have been seen often.
			lam := float64(denom) / (float64(denom) + 3)
			p = lam*float64(c.counts[g])/float64(denom) + (1-lam)*p
		}
		lp += math.Log(p)
	}
	if c.words == 0 {
		return lp
	}
	pw := float64(c.counts[wordMark+w]) / float64(c.words)
	return math.Log(wordWeight*pw + (1-wordWeight)*math.Exp(lp))
}

// wordLogProbs returns a word's log-probability under each language's
// model, from the cache when it has been seen.
func (m *LatinModel) wordLogProbs(w string) [numLatinLangs]float64 {
	if lp, ok := m.words.get(w); ok {
		return lp
	}
	var lp [numLatinLangs]float64
	for s := range lp {
		lp[s] = m.wordLogProb(s, w)
	}
	m.words.put(w, lp)
	return lp
}

// LatinScores are the log-likelihoods of a message under each language.
type LatinScores struct {
	Lang       catalog.Lang
	Confidence float64 // posterior probability of Lang, 1/3 to 1
	Words      int     // Latin words that counted
}

// Identify scores a Latin-script message. With no Latin words it returns
// English with confidence 1/3. indicOnly restricts the choice to Telugu and
// Hindi: the caller saw Telugu or Hindi grammar ("kavali", "chahiye"),
// which no English sentence has, however many English nouns surround it.
func (m *LatinModel) Identify(text string, indicOnly bool) LatinScores {
	words := latinWords(text)
	var total [numLatinLangs]float64
	// The mixture's weights, the same for every word.
	english, indicInEnglish := math.Log(1-m.IndicInEnglish), math.Log(m.IndicInEnglish/2)
	indic, englishInIndic := math.Log(m.IndicShare), math.Log(1-m.IndicShare)
	functionWord := math.Log(functionWordMixing)
	for _, w := range words {
		lp := m.wordLogProbs(w)
		total[slotEN] += logSumExp(english+lp[slotEN], indicInEnglish+logSumExp(lp[slotTE], lp[slotHI]))
		// People mix English nouns into Telugu and Hindi, not English
		// grammar: "naaku income certificate kavali", never "for my
		// certificate kavali". So English function words are rare in an
		// Indic message.
		mixed := englishInIndic
		if englishFunctionWords[w] {
			mixed += functionWord
		}
		total[slotTE] += logSumExp(indic+lp[slotTE], mixed+lp[slotEN])
		total[slotHI] += logSumExp(indic+lp[slotHI], mixed+lp[slotEN])
	}
	if indicOnly {
		total[slotEN] = math.Inf(-1)
	}
	best := slotTE
	for s := range total {
		if total[s] > total[best] {
			best = s
		}
	}
	var z float64
	for s := range total {
		z += math.Exp(total[s] - total[best])
	}
	return LatinScores{Lang: slotLang[best], Confidence: 1 / z, Words: len(words)}
}

// functionWordMixing scales the chance of an English function word inside
// a Telugu or Hindi message.
const functionWordMixing = 0.1

// englishFunctionWords are English grammar words that are not also common
// romanized Hindi or Telugu words ("is", "in", "to", "me", "us", "par" are
// Hindi too, so they are left out).
var englishFunctionWords = map[string]bool{
	"the": true, "of": true, "for": true, "my": true, "how": true, "what": true, "with": true, "from": true,
	"and": true, "i": true, "you": true, "your": true, "it": true, "this": true, "that": true, "are": true,
	"was": true, "were": true, "can": true, "does": true, "did": true, "will": true, "would": true,
	"should": true, "not": true, "when": true, "where": true, "which": true, "who": true, "why": true,
	"have": true, "has": true, "an": true, "at": true, "by": true, "our": true, "we": true, "they": true,
	"their": true, "there": true, "been": true, "about": true, "into": true, "any": true, "some": true,
	"get": true, "got": true, "want": true, "need": true, "also": true, "am": true, "its": true, "them": true,
}

func logSumExp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// WriteTo stores the model as text: one "lang<TAB>ngram<TAB>count" line per
// n-gram, sorted, so the file diffs well and loads without reflection.
func (m *LatinModel) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriter(w)
	var n int64
	for s, c := range m.langs {
		keys := make([]string, 0, len(c.counts))
		for g := range c.counts {
			keys = append(keys, g)
		}
		sort.Strings(keys)
		for _, g := range keys {
			k, err := fmt.Fprintf(bw, "%s\t%s\t%d\n", slotLang[s], g, c.counts[g])
			n += int64(k)
			if err != nil {
				return n, err
			}
		}
	}
	return n, bw.Flush()
}

// Prune drops n-grams seen fewer than min times, to keep the shipped model
// small; the smoothing covers what is dropped.
func (m *LatinModel) Prune(min uint32) {
	m.words.reset()
	for s := range m.langs {
		for g, n := range m.langs[s].counts {
			if n < min && len(g) > 1 {
				delete(m.langs[s].counts, g)
			}
		}
	}
	m.recount()
}

// recount rebuilds the context and unigram totals from the n-gram counts.
func (m *LatinModel) recount() {
	m.words.reset()
	for s := range m.langs {
		c := &m.langs[s]
		c.contexts = make(map[string]uint32, len(c.counts)/2)
		c.total, c.words = 0, 0
		for g, n := range c.counts {
			if g[:1] == wordMark {
				c.words += n
				continue
			}
			if len(g) == 1 {
				c.total += n
			} else {
				c.contexts[g[:len(g)-1]] += n
			}
		}
	}
}

// ReadLatinModel loads a model written by WriteTo, gzip-compressed.
func ReadLatinModel(r io.Reader) (*LatinModel, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("latin language model: %w", err)
	}
	m := NewLatinTrainer()
	sc := bufio.NewScanner(zr)
	line := 0
	for sc.Scan() {
		line++
		parts := strings.Split(sc.Text(), "\t")
		if len(parts) != 3 {
			return nil, fmt.Errorf("latin language model line %d: want 3 fields", line)
		}
		slot := langSlot(catalog.Lang(parts[0]))
		n, err := strconv.ParseUint(parts[2], 10, 32)
		if slot < 0 || err != nil || parts[1] == "" {
			return nil, fmt.Errorf("latin language model line %d: bad entry", line)
		}
		m.langs[slot].counts[parts[1]] = uint32(n)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("latin language model: %w", err)
	}
	m.recount()
	return m, nil
}
