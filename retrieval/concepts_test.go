package retrieval

import (
	"slices"
	"testing"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/nlu"
)

func read(text string) []string {
	words := nlu.Words(nlu.Normalize(text))
	keys := make([]string, len(words))
	for i, w := range words {
		keys[i] = nlu.Key(w)
	}
	return concepts.read(words, keys)
}

// The words of one concept meet across languages and scripts, as one
// word or two; noise (time, courtesy, fillers, places) is dropped; a word
// said twice running counts once.
func TestConceptsMeetAcrossLanguages(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		text string
		want string
	}{
		{"my father passed away", "@death"},
		{"maa nanna chanipoyaru", "@death"},
		{"మా నాన్నగారు కాలం చేశారు", "@death"},
		{"पिताजी का देहांत हो गया", "@death"},
		{"abbu ka inteqal ho gaya", "@death"},
		{"the whole street is dark since the storm", "@power"},
		{"మా వీధిలో కరెంట్ లేదు", "@power"},
		{"गली में बिजली नहीं है", "@power"},
		{"pelli registration cheyali", "@marriage"},
		{"शादी का रजिस्ट्रेशन", "@marriage"},
		{"amma palleturi lo chanipoyindi", "@village"},
		{"మా అమ్మమ్మ ఊర్లో కాలం చేశారు", "@village"},
		{"गाँव में घर पर जन्म हुआ", "@village"},
		{"born in the city hospital", "@town"},
		{"నగరంలో పుట్టింది", "@town"},
		{"shahar ke aspatal mein", "@town"},
		{"gold rate today", elsewhereKey},
		{"biryani recipe cheppu", elsewhereKey},
	} {
		if got := read(tt.text); !slices.Contains(got, tt.want) {
			t.Errorf("%q reads %v, want %s in it", tt.text, got, tt.want)
		}
	}
	for _, tt := range []struct{ text, gone string }{
		{"income certificate last month", "last"},
		{"matlab pension chahiye", "matlab"},
		{"ante rice card kavali andi", "ante"},
		{"patta transfer guntur", "guntur"},
	} {
		for _, k := range read(tt.text) {
			if k == nlu.Key(tt.gone) {
				t.Errorf("%q keeps the noise word %q: %v", tt.text, tt.gone, read(tt.text))
			}
		}
	}
	if got := read("income income certificate certificate"); len(got) != 2 {
		t.Errorf("a repeated word counted twice: %v", got)
	}
}

// The concept file is clean: no word in two concepts, none also noise.
func TestConceptFileLints(t *testing.T) {
	t.Parallel()
	cat, err := catalog.Load(catalog.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if problems := LintConcepts(cat); len(problems) > 0 {
		t.Errorf("%v", problems)
	}
	if _, problems := parseConcepts([]byte("concepts:\n  a: [dead]\n  b: [died, dead]\nnoise:\n  x: [dead]\n")); len(problems) == 0 {
		t.Error("a word in two concepts, and one that is noise, passed")
	}
}

// SMS shorthand drops the vowels; the consonants still find the word.
func TestShorthandFindsItsWord(t *testing.T) {
	t.Parallel()
	for short, long := range map[string]string{"crtfct": "certificate", "pnsn": "pension", "tkt": "ticket", "mncplty": "municipality", "cncl": "cancel"} {
		if skeleton(nlu.Key(short)) != skeleton(nlu.Key(long)) {
			t.Errorf("%q (%s) and %q (%s) do not meet", short, skeleton(nlu.Key(short)), long, skeleton(nlu.Key(long)))
		}
	}
	if vowelless(nlu.Key("pension")) {
		t.Error("a whole word taken for shorthand")
	}
}

// A husband's death points to the widow's scheme, an age of 60 or more to
// old age; a father's death or a child's age does not.
func TestLifeStageCues(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		"my husband passed away last month":   "@widow",
		"शौहर का इंतकाल हो गया":               "@widow",
		"naa vayasu 63 pani cheyyalenu":       "@old-age",
		"मेरी माँ 68 साल की है":               "@old-age",
		"my father is 72 years old, no money": "@old-age",
	} {
		if got := read(text); !slices.Contains(got, want) {
			t.Errorf("%q reads %v, want %s", text, got, want)
		}
	}
	for text, not := range map[string]string{
		"my father passed away":      "@widow",
		"my son is 12 years old":     "@old-age",
		"survey number 65 land deed": "@old-age",
	} {
		if got := read(text); slices.Contains(got, not) {
			t.Errorf("%q reads %v, with %s", text, got, not)
		}
	}
}
