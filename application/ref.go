// Package application is citizens' applications and grievances as mitra
// keeps them: records, their statuses and who may move them where, and
// their reference numbers. A reference is digits only, because it is read
// out over the phone in any language and typed on numeric keypads, with a
// Verhoeff check digit that catches one wrong digit or two swapped
// neighbours.
package application

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode"

	"github.com/mitra-gov/mitra/internal/verhoeff"
)

// Ref is a reference number: two digits of the year, eight random digits
// and the check digit, 11 digits in all, e.g. 26123456780.
type Ref string

const (
	refDigits    = 11
	randomDigits = 8
)

// Errors of Parse: not a reference at all, or one with a typo in it (the
// citizen is asked to check the number).
var (
	ErrNotRef   = errors.New("application: not a reference number")
	ErrCheckSum = errors.New("application: the reference number has a mistake in it")
)

// NewRef makes a reference number for a record created at t. Uniqueness is
// the store's business (a unique column, and a new number on conflict).
func NewRef(t time.Time) (Ref, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
	if err != nil {
		return "", fmt.Errorf("application: reference number: %w", err)
	}
	body := fmt.Sprintf("%02d%0*d", t.Year()%100, randomDigits, n.Int64())
	c, _ := verhoeff.CheckDigit(body)
	return Ref(body + string(c)), nil
}

// String shows the number in groups a person can read out: 2612 3456 780.
func (r Ref) String() string {
	s := string(r)
	if len(s) != refDigits {
		return s
	}
	return s[:4] + " " + s[4:8] + " " + s[8:]
}

// ParseRef reads a reference number as a citizen types it: any spaces,
// dashes, dots or slashes between the digits, in Latin, Telugu (౦–౯) or
// Devanagari (०–९) numerals.
func ParseRef(s string) (Ref, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '౦' && r <= '౯':
			b.WriteRune('0' + (r - '౦'))
		case r >= '०' && r <= '९':
			b.WriteRune('0' + (r - '०'))
		case r == '-' || r == '.' || r == '/' || unicode.IsSpace(r):
		default:
			return "", ErrNotRef
		}
		if b.Len() > refDigits {
			return "", ErrNotRef
		}
	}
	digits := b.String()
	if len(digits) != refDigits {
		return "", ErrNotRef
	}
	if !verhoeff.Valid(digits) {
		return "", ErrCheckSum
	}
	return Ref(digits), nil
}

// FindRef finds a reference number typed anywhere in a message ("status
// of 2612 3456 785", "26-12345678-5 ఎక్కడ ఉంది"): a run of 11 digits in
// any script, with spaces, dashes or dots between groups. It returns
// ErrCheckSum when such a run fails its check digit (a typo) and ErrNotRef
// when the message holds none.
func FindRef(text string) (Ref, error) {
	found := error(ErrNotRef)
	digits := 0
	start := -1
	flush := func(end int) (Ref, bool) {
		defer func() { digits, start = 0, -1 }()
		if digits != refDigits {
			return "", false
		}
		ref, err := ParseRef(text[start:end])
		if err == nil {
			return ref, true
		}
		found = err
		return "", false
	}
	prevSep := false
	for i, r := range text {
		isDigit := (r >= '0' && r <= '9') || (r >= '౦' && r <= '౯') || (r >= '०' && r <= '९')
		isSep := r == '-' || r == '.' || r == ' '
		switch {
		case isDigit:
			if start < 0 {
				start = i
			}
			digits++
			prevSep = false
		case isSep && start >= 0 && !prevSep:
			prevSep = true
		default:
			if start >= 0 {
				if ref, ok := flush(trimSep(text, i)); ok {
					return ref, nil
				}
			}
			prevSep = false
		}
	}
	if start >= 0 {
		if ref, ok := flush(trimSep(text, len(text))); ok {
			return ref, nil
		}
	}
	return "", found
}

// trimSep moves end back over trailing separators.
func trimSep(text string, end int) int {
	for end > 0 && strings.ContainsRune("-. ", rune(text[end-1])) {
		end--
	}
	return end
}
