package nlu

import (
	"strings"
	"unicode"

	"github.com/pemistahl/lingua-go"

	"github.com/mitra-gov/mitra/catalog"
)

// Analysis is what nlu learns from one message.
type Analysis struct {
	// Text is the normalised message.
	Text   string
	Script Script
	// Lang is the language to reply in. When the message carries no
	// language of its own ("ok", "1", an emoji), it is the conversation's
	// language passed to Analyze, and LangFromText is false.
	Lang         catalog.Lang
	LangFromText bool
	// Confidence of the language decision, 0 to 1.
	Confidence float64
	// Romanized is true for Telugu or Hindi typed in Latin letters.
	Romanized bool
	// Words are the words of Text; Keys their transliteration keys, in order.
	Words []string
	Keys  []string
	// SmallTalk is "greeting" or "thanks" when that is all the message
	// says, "" otherwise.
	SmallTalk string
}

// Analyzer detects script and language. It is safe for concurrent use.
type Analyzer struct {
	native lingua.LanguageDetector
	latin  *LatinModel
	// minLatinConfidence is the posterior below which a one-word Latin
	// message keeps the conversation's language.
	minLatinConfidence float64
	// nounsConfidence is the posterior a short message without Telugu or
	// Hindi grammar needs before its spelling alone decides.
	nounsConfidence float64
}

// NewAnalyzer builds an analyzer from a romanized-language model (see
// LoadLatinModel). lingua-go is restricted to Telugu, Hindi and English,
// the only languages mitra answers in.
func NewAnalyzer(latin *LatinModel) *Analyzer {
	det := lingua.NewLanguageDetectorBuilder().
		FromLanguages(lingua.Telugu, lingua.Hindi, lingua.English).
		WithLowAccuracyMode().
		Build()
	return &Analyzer{native: det, latin: latin, minLatinConfidence: 0.8, nounsConfidence: 0.95}
}

// Analyze reads a message. prev is the conversation's language so far,
// kept when the message does not show one; "" means English.
func (a *Analyzer) Analyze(text string, prev catalog.Lang) Analysis {
	if prev == "" {
		prev = catalog.English
	}
	norm := Normalize(text)
	an := Analysis{Text: norm, Lang: prev, Confidence: 0}
	an.Words = Words(norm)
	an.Keys = make([]string, len(an.Words))
	for i, w := range an.Words {
		an.Keys[i] = Key(w)
	}
	counts := CountScripts(norm)
	an.Script = counts.Script()
	an.SmallTalk = smallTalk(an.Keys)
	switch {
	case counts.Telugu+counts.Devanagari > 0:
		// Any Indic script decides the reply language: someone who types
		// "నాకు income certificate కావాలి" reads Telugu.
		an.Lang, an.Confidence = a.nativeLang(norm, counts)
		an.LangFromText = true
	case counts.Latin > 0 && !neutralOnly(an.Keys) && !placesOnly(an.Words):
		glang, grammar := grammarLang(an.Words)
		s := a.latin.Identify(withoutPlaces(an.Words, norm), grammar)
		if glang != "" {
			s.Lang = glang
		}
		// A few nouns ("pattadar passbook", "ttd darshan ticket") are
		// names of things, not Telugu or Hindi sentences: unless their
		// spelling is unmistakable, they do not show which language the
		// sender reads, and the conversation's stays.
		nounsOnly := s.Lang != catalog.English && !grammar && len(an.Words) <= 4 && s.Confidence < a.nounsConfidence
		if !nounsOnly && (s.Words >= 2 || s.Confidence >= a.minLatinConfidence) {
			an.Lang, an.Confidence, an.LangFromText = s.Lang, s.Confidence, true
			an.Romanized = s.Lang != catalog.English
		}
	}
	return an
}

// nativeLang picks Telugu or Hindi for text with Indic letters. Text in
// both scripts goes to lingua-go, restricted to Telugu, Hindi and English,
// which reads the Indic part; when it cannot decide, the script with more
// letters does.
func (a *Analyzer) nativeLang(text string, c ScriptCounts) (catalog.Lang, float64) {
	// Of mitra's three languages, only Telugu is written in Telugu script
	// and only Hindi in Devanagari: one script alone decides, as lingua-go
	// would, at a tenth of a match's time.
	switch {
	case c.Devanagari == 0:
		return catalog.Telugu, 1
	case c.Telugu == 0:
		return catalog.Hindi, 1
	}
	var indic strings.Builder
	for _, r := range text {
		if (r >= 0x0900 && r <= 0x097F) || (r >= 0x0C00 && r <= 0x0C7F) || unicode.IsSpace(r) {
			indic.WriteRune(r)
		}
	}
	if lang, ok := a.native.DetectLanguageOf(indic.String()); ok {
		switch lang {
		case lingua.Telugu:
			return catalog.Telugu, 1
		case lingua.Hindi:
			return catalog.Hindi, 1
		}
	}
	if c.Telugu >= c.Devanagari {
		return catalog.Telugu, 0.5
	}
	return catalog.Hindi, 0.5
}

// NativeLanguage runs lingua-go alone on a text; the language-ID eval uses
// it to compare against Analyze.
func (a *Analyzer) NativeLanguage(text string) (catalog.Lang, bool) {
	lang, ok := a.native.DetectLanguageOf(text)
	if !ok {
		return "", false
	}
	switch lang {
	case lingua.Telugu:
		return catalog.Telugu, true
	case lingua.Hindi:
		return catalog.Hindi, true
	}
	return catalog.English, true
}

// placesOnly reports whether every word is a place name.
func placesOnly(words []string) bool {
	for _, w := range words {
		if !IsPlace(w) {
			return false
		}
	}
	return true
}

// withoutPlaces is the text without its place names, for telling its
// language.
func withoutPlaces(words []string, text string) string {
	kept := make([]string, 0, len(words))
	for _, w := range words {
		if !IsPlace(w) {
			kept = append(kept, w)
		}
	}
	if len(kept) == len(words) {
		return text
	}
	return strings.Join(kept, " ")
}
