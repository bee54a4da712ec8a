package nlu

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxRunes bounds how much of a message is analysed. WhatsApp allows 4,096
// characters in a text; nobody names a service in more than a few hundred,
// and bounding the input bounds the work per message.
const MaxRunes = 1000

const (
	zwnj = '\u200C'
	zwj  = '\u200D'
)

// Normalize returns s in NFC with invalid UTF-8 replaced, control and
// format characters removed except the zero-width joiner and non-joiner
// (Telugu and Devanagari spelling needs them: పాస్‌బుక్), Latin letters
// case-folded, whitespace collapsed, and at most MaxRunes characters kept.
// Indic letters are never case-folded: they have no case, and folding
// tables must not touch them.
func Normalize(s string) string {
	out := normalizeOnce(s)
	// Dropping a format character can leave a base letter next to a
	// combining mark that NFC would join ("e", ZWSP, U+0301); one more
	// pass joins them, so that Normalize(Normalize(s)) == Normalize(s).
	for range 3 {
		if norm.NFC.IsNormalString(out) {
			break
		}
		out = normalizeOnce(out)
	}
	return out
}

func normalizeOnce(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	n := 0
	for _, r := range s {
		if n >= MaxRunes {
			break
		}
		switch {
		case r == zwj || r == zwnj:
			b.WriteRune(r)
			space = false
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			continue
		default:
			if space {
				if n+1 >= MaxRunes {
					return b.String()
				}
				b.WriteByte(' ')
				space = false
				n++
			}
			if unicode.Is(unicode.Latin, r) {
				r = unicode.ToLower(r)
			}
			b.WriteRune(r)
		}
		n++
	}
	return b.String()
}

// Words splits normalised text into words: runs of letters, combining
// marks, digits and the joiners. Everything else separates words.
func Words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || r == zwj || r == zwnj)
	})
}
