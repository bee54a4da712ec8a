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
	if isASCII(s) {
		return normalizeASCII(s)
	}
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

// normalizeASCII is normalizeOnce for text of ASCII bytes alone, which is
// valid, in NFC and free of format characters as it stands: most
// romanized messages, normalised without decoding a rune or copying the
// text when it is already normal.
func normalizeASCII(s string) string {
	if asciiNormal(s) {
		return s
	}
	b := make([]byte, 0, min(len(s), MaxRunes))
	space := false
	for i := 0; i < len(s) && len(b) < MaxRunes; i++ {
		c := s[i]
		switch {
		case asciiSpace(c):
			space = len(b) > 0
		case c < 0x20 || c == 0x7F: // control characters
		default:
			if space {
				if len(b)+1 >= MaxRunes {
					return string(b)
				}
				b = append(b, ' ')
				space = false
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
		}
	}
	return string(b)
}

// asciiNormal reports whether ASCII text is already what normalizeASCII
// makes of it: no capitals or control characters, single spaces between
// words only, and short enough.
func asciiNormal(s string) bool {
	if len(s) > MaxRunes || len(s) > 0 && (s[0] == ' ' || s[len(s)-1] == ' ') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7F || 'A' <= c && c <= 'Z' || c == ' ' && s[i+1] == ' ' {
			return false
		}
	}
	return true
}

// asciiSpace is unicode.IsSpace for an ASCII byte.
func asciiSpace(c byte) bool { return c == ' ' || '\t' <= c && c <= '\r' }

// Words splits normalised text into words: runs of letters, combining
// marks, digits and the joiners. Everything else separates words.
func Words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || r == zwj || r == zwnj)
	})
}
