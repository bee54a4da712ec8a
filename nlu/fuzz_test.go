package nlu

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mitra-gov/mitra/catalog"
)

var fuzzSeeds = []string{
	"naaku income certificate kavali", "నాకు ఆదాయ ధృవీకరణ పత్రం కావాలి", "मुझे आय प्रमाण पत्र चाहिए",
	"పాస్\u200cబుక్", "क़\u093c", "\xff\xfe", "", " ", "🙏", "1", "ok", "A\u0301", "ऑफिस", "ృ", "्", "ఁం",
	strings.Repeat("a", 2000), strings.Repeat("a ", 600), " Income\tCERTIFICATE \x01 kavali\r\n", "a\x7f b",
}

func FuzzNormalizeAndKey(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if isASCII(s) && n != normalizeOnce(s) {
			t.Fatalf("Normalize(%q) = %q by the ASCII path, %q by the general one", s, n, normalizeOnce(s))
		}
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) is not valid UTF-8", s)
		}
		if utf8.RuneCountInString(n) > MaxRunes {
			t.Fatalf("Normalize kept %d runes", utf8.RuneCountInString(n))
		}
		if Normalize(n) != n {
			t.Fatalf("Normalize is not idempotent on %q", s)
		}
		for _, w := range Words(n) {
			k := Key(w)
			if !utf8.ValidString(k) {
				t.Fatalf("Key(%q) = %q invalid", w, k)
			}
		}
		_ = Romanize(s)
		_ = DetectScript(s)
	})
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	latin, err := LoadLatinModel()
	if err != nil {
		f.Fatal(err)
	}
	an := NewAnalyzer(latin)
	f.Fuzz(func(t *testing.T, s string) {
		a := an.Analyze(s, catalog.Hindi)
		switch a.Lang {
		case catalog.Telugu, catalog.Hindi, catalog.English:
		default:
			t.Fatalf("lang %q", a.Lang)
		}
		if !a.LangFromText && a.Lang != catalog.Hindi {
			t.Fatalf("language not from text but changed to %s", a.Lang)
		}
		if len(a.Words) != len(a.Keys) {
			t.Fatal("words and keys differ in length")
		}
		if a.Romanized && a.Script != ScriptLatin {
			t.Fatalf("romanized but script %s", a.Script)
		}
	})
}
