package prompts

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/mitra-gov/mitra/internal/verhoeff"
)

// Redactor replaces personal data with placeholders before any text
// leaves for an LLM, keeping the mapping in memory only (it is never
// logged or stored).
type Redactor struct {
	Found map[string]string // placeholder -> original
}

var (
	aadhaarPattern = regexp.MustCompile(`\b[2-9]\d{3}[ -]?\d{4}[ -]?\d{4}\b`)
	phonePattern   = regexp.MustCompile(`(?:\+91[ -]?|\b0?)[6-9]\d{4}[ -]?\d{5}\b`)
	panPattern     = regexp.MustCompile(`(?i)\b[a-z]{5}\d{4}[a-z]\b`)
	emailPattern   = regexp.MustCompile(`(?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b`)
)

// Redact returns text with Aadhaar numbers (12 digits passing the Verhoeff
// check), Indian phone numbers, PAN and e-mail addresses replaced.
func (r *Redactor) Redact(text string) string {
	if r.Found == nil {
		r.Found = map[string]string{}
	}
	n := 0
	replace := func(kind string, p *regexp.Regexp, valid func(string) bool) {
		text = p.ReplaceAllStringFunc(text, func(m string) string {
			if valid != nil && !valid(m) {
				return m
			}
			n++
			ph := fmt.Sprintf("[%s_%d]", kind, n)
			r.Found[ph] = m
			return ph
		})
	}
	// Aadhaar first: a valid Aadhaar must not be taken for a phone number.
	replace("AADHAAR", aadhaarPattern, func(m string) bool { return verhoeff.Valid(digits(m)) })
	replace("EMAIL", emailPattern, nil)
	replace("PAN", panPattern, nil)
	replace("PHONE", phonePattern, nil)
	return text
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
