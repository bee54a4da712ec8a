package nlu

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mitra-gov/mitra/catalog"
)

func TestDetectScript(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Script
	}{
		{"నాకు ఆదాయ ధృవీకరణ పత్రం కావాలి", ScriptTelugu},
		{"मुझे आय प्रमाण पत्र चाहिए", ScriptDevanagari},
		{"mujhe income certificate chahiye", ScriptLatin},
		{"నాకు income certificate కావాలి", ScriptMixed},
		{"मुझे caste certificate चाहिए", ScriptMixed},
		{"1B కావాలి", ScriptTelugu},
		{"123", ScriptNone},
		{"🙏🙏", ScriptNone},
		{"", ScriptNone},
	}
	for _, tt := range tests {
		if got := DetectScript(tt.in); got != tt.want {
			t.Errorf("DetectScript(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"  Income   CERTIFICATE ", "income certificate"},
		// ZWNJ is part of Telugu spelling and must survive.
		{"పాస్\u200cబుక్", "పాస్\u200cబుక్"},
		// Decomposed Devanagari nukta letter (ड + ़) composes where NFC allows.
		{"नमस्ते\u200b", "नमस्ते"},
		{"line\x00one\ttwo", "lineone two"},
		{"Ｉｎｃｏｍｅ", "ｉｎｃｏｍｅ"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := Normalize("ok\xff\xfe"); !utf8.ValidString(got) {
		t.Errorf("Normalize kept invalid UTF-8: %q", got)
	}
	long := strings.Repeat("అ", 10000)
	if n := utf8.RuneCountInString(Normalize(long)); n != MaxRunes {
		t.Errorf("Normalize(10000 runes) kept %d runes, want %d", n, MaxRunes)
	}
}

// The point of the key: the same word in three scripts, and its usual
// romanized spellings, meet.
func TestKeyMeetsAcrossScripts(t *testing.T) {
	t.Parallel()
	groups := [][]string{
		{"కార్డు", "कार्ड", "card", "kaardu", "kard"},
		{"సర్టిఫికెట్", "सर्टिफिकेट", "sartifiket", "sarTifiket"},
		{"ప్రమాణ", "प्रमाण", "pramaan", "praman"},
		{"కావాలి", "kavali", "kaavaali", "kaavali"},
		{"చాహిఏ", "चाहिए", "chahiye", "chaahie"},
		{"జోడ్నా", "जोड़ना", "jodna", "jodnaa"},
		{"బిల్లు", "बिल", "bill", "billu"},
		{"పాస్‌బుక్", "पासबुक", "passbook", "pasbuk"},
		{"అడంగల్", "adangal", "addangal"},
		{"కృషి", "कृषि", "krishi"},
	}
	for _, g := range groups {
		want := Key(g[0])
		for _, w := range g[1:] {
			if got := Key(w); got != want {
				t.Errorf("Key(%q) = %q, want %q (= Key(%q))", w, got, want, g[0])
			}
		}
	}
}

func TestRomanize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"రేషన్", "reshan"},
		{"కార్డు", "kaardu"},
		{"पत्र", "patr"},
		{"जोड़ना", "jodnaa"},
		{"ఆధార్", "aadhaar"},
		{"ఫీజు", "phiiju"},
		{"ऑफिस", "ophis"},
		{"౧౨", "12"},
	}
	for _, tt := range tests {
		if got := Romanize(tt.in); got != tt.want {
			t.Errorf("Romanize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAnalyzeLanguage(t *testing.T) {
	t.Parallel()
	latin, err := LoadLatinModel()
	if err != nil {
		t.Fatal(err)
	}
	an := NewAnalyzer(latin)
	tests := []struct {
		text      string
		prev      catalog.Lang
		want      catalog.Lang
		fromText  bool
		romanized bool
	}{
		{"naaku income certificate kavali", catalog.English, catalog.Telugu, true, true},
		{"current bill ekkuva vachindi", catalog.English, catalog.Telugu, true, true},
		{"mujhe income certificate chahiye", catalog.English, catalog.Hindi, true, true},
		{"bijli ka bill bahut zyada aaya hai", catalog.Telugu, catalog.Hindi, true, true},
		{"I need a caste certificate for my son", catalog.Telugu, catalog.English, true, false},
		{"how do i pay property tax", catalog.Hindi, catalog.English, true, false},
		{"నాకు income certificate కావాలి", catalog.English, catalog.Telugu, true, false},
		{"मुझे caste certificate चाहिए", catalog.English, catalog.Hindi, true, false},
		{"రేషన్ కార్డు", catalog.Hindi, catalog.Telugu, true, false},
		// SMS shorthand of grammar words, vowels dropped.
		{"cst cert kvl urgnt clg admsn", catalog.English, catalog.Telugu, true, true},
		{"stdnt bs pss kvli clg ki", catalog.English, catalog.Telugu, true, true},
		{"dl renw krna h", catalog.English, catalog.Hindi, true, true},
		{"pls send led bulb", catalog.Telugu, catalog.English, true, false},
		{"caste certificate still not approved by mro", catalog.Hindi, catalog.English, true, false},
		// Nothing to go on: the conversation's language stays.
		{"ok", catalog.Hindi, catalog.Hindi, false, false},
		{"2", catalog.Telugu, catalog.Telugu, false, false},
		{"🙏", catalog.Telugu, catalog.Telugu, false, false},
		{"pattadar passbook", catalog.Hindi, catalog.Hindi, false, false},
	}
	for _, tt := range tests {
		a := an.Analyze(tt.text, tt.prev)
		if a.Lang != tt.want || a.LangFromText != tt.fromText || a.Romanized != tt.romanized {
			t.Errorf("Analyze(%q, %s) = %s (from text %v, romanized %v), want %s (%v, %v)",
				tt.text, tt.prev, a.Lang, a.LangFromText, a.Romanized, tt.want, tt.fromText, tt.romanized)
		}
	}
	if a := an.Analyze("Namaste ji", catalog.English); a.SmallTalk != "greeting" {
		t.Errorf("Namaste ji: small talk %q", a.SmallTalk)
	}
	for text, want := range map[string]string{"good morning bhai kaise ho": "greeting", "theek hai bhai": "thanks",
		"thank you sir chala help ayindi": "thanks", "बहुत बहुत धन्यवाद जी": "thanks", "sir": "", "help": "", "hi rice card": ""} {
		if a := an.Analyze(text, catalog.English); a.SmallTalk != want {
			t.Errorf("%q: small talk %q, want %q", text, a.SmallTalk, want)
		}
	}
	if a := an.Analyze("ధన్యవాదాలు", catalog.English); a.SmallTalk != "thanks" {
		t.Errorf("ధన్యవాదాలు: small talk %q", a.SmallTalk)
	}
}

// A format character between a letter and its combining mark is dropped,
// and the two are then joined: Normalize is idempotent.
func TestNormalizeIdempotentAcrossDroppedFormatCharacters(t *testing.T) {
	for _, s := range []string{"e\u200b\u0301", "caf\u00ade\u0301", "ఆ\u200b\u0c3e", "A\u2060\u030a"} {
		once := Normalize(s)
		if twice := Normalize(once); twice != once {
			t.Errorf("Normalize(%q) = %q, then %q", s, once, twice)
		}
	}
}

// Place names do not make a terse English message Telugu or Hindi.
func TestPlacesAreNoLanguage(t *testing.T) {
	t.Parallel()
	latin, err := LoadLatinModel()
	if err != nil {
		t.Fatal(err)
	}
	a := NewAnalyzer(latin)
	for _, text := range []string{"patta transfer guntur", "nrega job card anantapur", "current cut kakinada since 2 hrs"} {
		if an := a.Analyze(text, ""); an.Lang != catalog.English {
			t.Errorf("%q read as %s", text, an.Lang)
		}
	}
	if an := a.Analyze("naaku guntur lo rice card kavali", catalog.English); an.Lang != catalog.Telugu {
		t.Errorf("a Telugu sentence with a place read as %s", an.Lang)
	}
}
