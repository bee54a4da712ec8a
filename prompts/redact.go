package prompts

import (
	"fmt"
	"regexp"
	"strings"
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
	replace("AADHAAR", aadhaarPattern, func(m string) bool { return Verhoeff(digits(m)) })
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

// Verhoeff tables (dihedral group D5), as UIDAI uses for Aadhaar's check
// digit.
var (
	verhoeffD = [10][10]int{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
		{3, 4, 0, 1, 2, 8, 9, 5, 6, 7}, {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
		{6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3}, {8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
		{9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
	}
	verhoeffP = [8][10]int{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4}, {5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
		{8, 9, 1, 6, 0, 4, 3, 5, 2, 7}, {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
		{2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8},
	}
)

// Verhoeff reports whether a digit string passes the Verhoeff checksum.
func Verhoeff(num string) bool {
	if num == "" {
		return false
	}
	c := 0
	for i := 0; i < len(num); i++ {
		d := num[len(num)-1-i]
		if d < '0' || d > '9' {
			return false
		}
		c = verhoeffD[c][verhoeffP[i%8][int(d-'0')]]
	}
	return c == 0
}
