package flows

import (
	"testing"
	"unicode/utf8"

	"github.com/mitra-gov/mitra/catalog"
)

var problemCodes = []string{
	catalog.ProblemRequired, catalog.ProblemTooShort, catalog.ProblemTooLong, catalog.ProblemNumber,
	catalog.ProblemRange, catalog.ProblemDate, catalog.ProblemFuture, catalog.ProblemPattern,
	catalog.ProblemChoice, catalog.ProblemAadhaar, catalog.ProblemPhone, catalog.ProblemPINCode,
	catalog.ProblemYesNo, catalog.ProblemMediaOnly,
}

func TestProblemTextsAreShortAndInTheRightScript(t *testing.T) {
	t.Parallel()
	for _, code := range problemCodes {
		if _, ok := problemTexts[code]; !ok {
			t.Errorf("%s has no text", code)
		}
		seen := map[string]bool{}
		for _, lang := range catalog.Langs {
			s := ProblemText(lang, code)
			if n := utf8.RuneCountInString(s); n == 0 || n > maxErrorRunes {
				t.Errorf("%s/%s: %q is %d characters, want 1..%d", code, lang, s, n, maxErrorRunes)
			}
			if seen[s] {
				t.Errorf("%s/%s: %q is not translated", code, lang, s)
			}
			seen[s] = true
			if lang != catalog.English {
				checkScript(t, lang, "problem "+code, s)
			}
		}
	}
	if got := ProblemText(catalog.Telugu, "brand_new_check"); got != genericProblem[catalog.Telugu] {
		t.Errorf("unknown code: %q", got)
	}
}

func TestUITextsAreTranslated(t *testing.T) {
	t.Parallel()
	for key, texts := range uiTexts {
		for _, lang := range []catalog.Lang{catalog.Telugu, catalog.Hindi} {
			if texts[lang] == "" || texts[lang] == texts[catalog.English] {
				t.Errorf("%s/%s is not translated", key, lang)
				continue
			}
			checkScript(t, lang, key, texts[lang])
		}
	}
	// The short labels stand in for a long question: they must fit
	// every input's label limit.
	for _, key := range []string{"label_answer", "label_choose", "label_date", "label_photo", "label_document"} {
		for _, lang := range catalog.Langs {
			if n := utf8.RuneCountInString(say(lang, key)); n > 20 {
				t.Errorf("%s/%s is %d characters", key, lang, n)
			}
		}
	}
	for _, key := range []string{"continue", "submit"} {
		for _, lang := range catalog.Langs {
			if n := utf8.RuneCountInString(say(lang, key)); n > labelLimit["Footer"] {
				t.Errorf("%s/%s is %d characters", key, lang, n)
			}
		}
	}
}
