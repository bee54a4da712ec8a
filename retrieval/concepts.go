package retrieval

import (
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/nlu"
)

// The concept layer (data/concepts.yaml): words that mean the same thing
// across languages and scripts are read as one concept, on the citizen's
// side and the catalogue's alike, so that "my father passed away" meets
// the death certificate's "death"; noise words (time, courtesy, fillers)
// are dropped before matching.

//go:embed data/concepts.yaml
var conceptsYAML []byte

type conceptFile struct {
	Concepts  map[string][]string `yaml:"concepts"`
	Noise     map[string][]string `yaml:"noise"`
	Elsewhere map[string][]string `yaml:"elsewhere"`
}

// elsewhereKey is the concept every word of a topic served elsewhere
// (recipes, films, gold prices, mobile recharge) is read as. No service's
// words may hold it, so it always counts as a word the catalogue does not
// explain, and a message that has one and matches no service outright is
// out of scope.
const elsewhereKey = "@elsewhere"

// conceptLayer maps keys (and two-key phrases) to concept keys.
type conceptLayer struct {
	word   map[string]string
	phrase map[string]string
	noise  stopSet
}

var concepts = mustConcepts(conceptsYAML)

func mustConcepts(data []byte) *conceptLayer {
	c, problems := parseConcepts(data)
	if len(problems) > 0 {
		panic("retrieval: data/concepts.yaml: " + strings.Join(problems, "; "))
	}
	return c
}

// parseConcepts reads the concept file and says what is wrong with it.
func parseConcepts(data []byte) (*conceptLayer, []string) {
	var f conceptFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, []string{err.Error()}
	}
	c := &conceptLayer{word: map[string]string{}, phrase: map[string]string{}}
	var problems []string
	var noise []string
	for _, words := range f.Noise {
		noise = append(noise, words...)
	}
	c.noise = keySet(noise...)
	owner := map[string]string{}
	ids := make([]string, 0, len(f.Concepts))
	for id := range f.Concepts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	groups := make(map[string][]string, len(ids)+len(f.Elsewhere))
	for _, id := range ids {
		groups[id] = f.Concepts[id]
	}
	topics := make([]string, 0, len(f.Elsewhere))
	for topic, words := range f.Elsewhere {
		topics = append(topics, topic)
		groups["elsewhere/"+topic] = words
	}
	slices.Sort(topics)
	for _, t := range topics {
		ids = append(ids, "elsewhere/"+t)
	}
	for _, id := range ids {
		for _, w := range groups[id] {
			words := nlu.Words(nlu.Normalize(w))
			keys := make([]string, len(words))
			for i, word := range words {
				keys[i] = nlu.Key(word)
			}
			switch {
			case len(keys) == 0 || len(keys) > 2:
				problems = append(problems, fmt.Sprintf("concept %s: %q must be one or two words", id, w))
				continue
			case len(keys) == 1 && c.noise.stop(words[0], keys[0]):
				problems = append(problems, fmt.Sprintf("concept %s: %q is also a noise word", id, w))
				continue
			}
			k := strings.Join(keys, " ")
			if other, dup := owner[k]; dup && other != id {
				problems = append(problems, fmt.Sprintf("%q is in concepts %s and %s", w, other, id))
				continue
			}
			owner[k] = id
			key := "@" + id
			if strings.HasPrefix(id, "elsewhere/") {
				key = elsewhereKey
			}
			if len(keys) == 1 {
				c.word[k] = key
			} else {
				c.phrase[k] = key
			}
		}
	}
	return c, problems
}

// LintConcepts checks the concept file, for `mitra catalog lint`, and
// that no service is named or described with a word of a topic served
// elsewhere (it could never be matched by it).
func LintConcepts(cat *catalog.Catalog) []catalog.Problem {
	_, problems := parseConcepts(conceptsYAML)
	out := make([]catalog.Problem, len(problems))
	for i, p := range problems {
		out[i] = catalog.Problem{Where: "retrieval/data/concepts.yaml", Msg: p}
	}
	for _, s := range cat.Services {
		texts := append([]string{s.Name.EN, s.Name.TE, s.Name.HI, s.Short.EN, s.Short.TE, s.Short.HI}, s.Aliases.All()...)
		for _, t := range append(texts, s.Situations.All()...) {
			words := nlu.Words(nlu.Normalize(t))
			if slices.Contains(contentKeys(words), elsewhereKey) {
				out = append(out, catalog.Problem{Where: s.Where(),
					Msg: fmt.Sprintf("service %s: %q has a word of a topic served elsewhere (retrieval/data/concepts.yaml)", s.ID, t)})
			}
		}
	}
	return out
}

// phraseOf is the concept two keys make together, if any. The pair is
// looked up through a buffer, which the compiler does without a string
// of its own: every pair of a message's words is tried.
func (c *conceptLayer) phraseOf(a, b string) (string, bool) {
	var buf [64]byte
	pair := append(append(append(buf[:0], a...), ' '), b...)
	id, ok := c.phrase[string(pair)]
	return id, ok
}

// read turns a text's keyed words into the keys matching uses: noise and
// stop words dropped, concept words (and two-word concept phrases) read
// as their concept, and a word said twice running ("certificate
// certificate", as a voice note repeats) counted once.
func (c *conceptLayer) read(words, keys []string) []string {
	out := make([]string, 0, len(keys))
	for i := 0; i < len(keys); i++ {
		k := keys[i]
		if k == "" {
			continue
		}
		if i+1 < len(keys) {
			if id, ok := c.phraseOf(k, keys[i+1]); ok {
				out = appendOnce(out, id)
				i++
				continue
			}
		}
		if stopKeys.stop(words[i], k) || c.noise.stop(words[i], k) || nlu.IsPlace(words[i]) {
			continue
		}
		if id, ok := c.word[k]; ok {
			k = id
		}
		out = appendOnce(out, k)
	}
	return lifeStage(words, keys, out)
}

// unphrased returns the words and keys with those of two-word concept
// phrases blanked: the "नहीं" of "नहीं रहे" (passed away) is no "not yet".
func (c *conceptLayer) unphrased(words, keys []string) ([]string, []string) {
	var w2, k2 []string
	for i := 0; i+1 < len(keys); i++ {
		if _, ok := c.phraseOf(keys[i], keys[i+1]); ok {
			if w2 == nil {
				w2, k2 = slices.Clone(words), slices.Clone(keys)
			}
			w2[i], w2[i+1], k2[i], k2[i+1] = "", "", "", ""
		}
	}
	if w2 == nil {
		return words, keys
	}
	return w2, k2
}

// Life-stage cues: what a citizen says of themselves points to the
// scheme for them. A husband's death is a widow's situation; an age of 60
// or more is old age.
var (
	spouseWords = keySet("husband", "shauhar", "pati", "patidev", "khavind", "bharta", "bhartha", "mogudu", "మొగుడు",
		"భర్త", "मियाँ", "पति", "शौहर", "ख़ाविंद", "खाविंद")
	ageWords = keySet("age", "aged", "years", "year", "yrs", "yr", "old", "saal", "sal", "umar", "umr", "vayasu", "vayassu",
		"yellu", "ellu", "endlu", "साल", "उम्र", "वर्ष", "వయసు", "ఏళ్ళు", "ఏళ్లు", "సంవత్సరాలు")
)

// lifeStage adds the concepts a message's life-stage cues point to.
func lifeStage(words, keys, out []string) []string {
	spouse, age := false, false
	for i, w := range words {
		if spouseWords.stop(w, keys[i]) {
			spouse = true
		}
		// Numbers are rare among words, and Atoi allocates the error
		// of each word that is none.
		if !allDigits(w) {
			continue
		}
		if n, err := strconv.Atoi(w); err == nil && n >= 60 && n <= 110 {
			for _, j := range []int{i - 1, i + 1} {
				if j >= 0 && j < len(words) && ageWords.stop(words[j], keys[j]) {
					age = true
				}
			}
		}
	}
	if spouse && slices.Contains(out, "@death") && !slices.Contains(out, "@widow") {
		out = append(out, "@widow")
	}
	if age && !slices.Contains(out, "@old-age") {
		out = append(out, "@old-age")
	}
	return out
}

func appendOnce(keys []string, k string) []string {
	if n := len(keys); n > 0 && keys[n-1] == k {
		return keys
	}
	return append(keys, k)
}
