package nlu

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Telugu (U+0C00) and Devanagari (U+0900) share the ISCII layout: the same
// offset in each block is the same letter. One table, indexed by offset,
// romanizes both, the way people type them on phones (ch, sh, th, aa),
// not in scholarly ISO 15919.
var (
	consonants = map[rune]string{
		0x15: "k", 0x16: "kh", 0x17: "g", 0x18: "gh", 0x19: "n",
		0x1A: "ch", 0x1B: "chh", 0x1C: "j", 0x1D: "jh", 0x1E: "n",
		0x1F: "t", 0x20: "th", 0x21: "d", 0x22: "dh", 0x23: "n",
		0x24: "t", 0x25: "th", 0x26: "d", 0x27: "dh", 0x28: "n", 0x29: "n",
		0x2A: "p", 0x2B: "ph", 0x2C: "b", 0x2D: "bh", 0x2E: "m",
		0x2F: "y", 0x30: "r", 0x31: "r", 0x32: "l", 0x33: "l", 0x34: "l",
		0x35: "v", 0x36: "sh", 0x37: "sh", 0x38: "s", 0x39: "h",
		// Devanagari nukta letters, precomposed (NFC splits most of them).
		0x58: "k", 0x59: "kh", 0x5A: "g", 0x5B: "z", 0x5C: "d", 0x5D: "dh", 0x5E: "f", 0x5F: "y",
	}
	independentVowels = map[rune]string{
		0x05: "a", 0x06: "aa", 0x07: "i", 0x08: "ii", 0x09: "u", 0x0A: "uu",
		0x0B: "ri", 0x0C: "lu", 0x0D: "e", 0x0E: "e", 0x0F: "e", 0x10: "ai",
		0x11: "o", 0x12: "o", 0x13: "o", 0x14: "au", 0x60: "rii", 0x61: "lu",
	}
	vowelSigns = map[rune]string{
		0x3E: "aa", 0x3F: "i", 0x40: "ii", 0x41: "u", 0x42: "uu", 0x43: "ri", 0x44: "rii",
		0x45: "e", 0x46: "e", 0x47: "e", 0x48: "ai", 0x49: "o", 0x4A: "o", 0x4B: "o", 0x4C: "au",
		0x62: "lu", 0x63: "lu",
	}
	// nuktaForms are what a nukta makes of the consonant before it.
	nuktaForms = map[string]string{"k": "k", "kh": "kh", "g": "g", "j": "z", "d": "d", "dh": "dh", "ph": "f", "y": "y"}
)

const (
	offAnusvara  = 0x02
	offCandra    = 0x01
	offVisarga   = 0x03
	offNukta     = 0x3C
	offVirama    = 0x4D
	teluguBase   = 0x0C00
	devaBase     = 0x0900
	indicBlockSz = 0x80
)

func indicOffset(r rune) (off rune, devanagari, ok bool) {
	switch {
	case r >= teluguBase && r < teluguBase+indicBlockSz:
		return r - teluguBase, false, true
	case r >= devaBase && r < devaBase+indicBlockSz:
		return r - devaBase, true, true
	}
	return 0, false, false
}

// syllable is one consonant or vowel unit of an Indic word while it is
// being romanized.
type syllable struct {
	cons   string // consonant, "" for an independent vowel
	vowel  string // vowel, "a" for an inherent one
	schwa  bool   // vowel is the inherent a, candidate for Hindi schwa deletion
	suffix string // anusvara, visarga
}

// Romanize writes a Telugu or Devanagari word in Latin letters as a typical
// phone user would: కార్డు -> kaardu, राशन -> raashan. Devanagari loses the
// inherent vowel where Hindi speech drops it (जोड़ना -> jodnaa). Other
// characters pass through unchanged.
func Romanize(word string) string {
	if isASCII(word) {
		return word // nothing to transliterate: most words of most messages
	}
	var out strings.Builder
	out.Grow(len(word)) // a Latin letter or two for each three-byte Indic one
	// Words of a dozen syllables or fewer, nearly all, keep them on the
	// stack.
	var room [12]syllable
	syl := room[:0]
	deva := false
	flush := func() {
		if len(syl) > 0 {
			if deva {
				deleteSchwas(syl)
			}
			for _, s := range syl {
				out.WriteString(s.cons)
				out.WriteString(s.vowel)
				out.WriteString(s.suffix)
			}
			syl = syl[:0]
		}
	}
	for _, r := range word {
		off, isDeva, ok := indicOffset(r)
		if !ok {
			flush()
			if r != zwj && r != zwnj {
				out.WriteRune(r)
			}
			continue
		}
		if len(syl) == 0 {
			deva = isDeva
		}
		last := len(syl) - 1
		switch {
		case consonants[off] != "":
			syl = append(syl, syllable{cons: consonants[off], vowel: "a", schwa: true})
		case independentVowels[off] != "":
			syl = append(syl, syllable{vowel: independentVowels[off]})
		case vowelSigns[off] != "" && last >= 0 && syl[last].schwa:
			syl[last].vowel, syl[last].schwa = vowelSigns[off], false
		case off == offVirama && last >= 0:
			syl[last].vowel, syl[last].schwa = "", false
		case off == offNukta && last >= 0:
			if f, ok := nuktaForms[syl[last].cons]; ok {
				syl[last].cons = f
			}
		case (off == offAnusvara || off == offCandra) && last >= 0:
			syl[last].suffix = "n"
		case off == offVisarga && last >= 0:
			syl[last].suffix = "h"
		case off >= 0x66 && off <= 0x6F:
			flush()
			out.WriteRune('0' + (off - 0x66))
		}
	}
	flush()
	return out.String()
}

// deleteSchwas drops the inherent vowel where Hindi does not pronounce it:
// at the end of a word, and between a vowel-consonant and a
// consonant-vowel (the usual rule: कमरा kamra, जोड़ना jodna).
func deleteSchwas(syl []syllable) {
	n := len(syl)
	if n > 1 && syl[n-1].schwa && syl[n-1].suffix == "" {
		syl[n-1].vowel, syl[n-1].schwa = "", false
	}
	for i := n - 2; i >= 1; i-- {
		s := syl[i]
		if !s.schwa || s.suffix != "" || s.cons == "" {
			continue
		}
		prevHasVowel := syl[i-1].vowel != "" && syl[i-1].suffix == ""
		next := syl[i+1]
		if prevHasVowel && next.cons != "" && next.vowel != "" {
			syl[i].vowel, syl[i].schwa = "", false
			i-- // never delete two schwas in a row
		}
	}
}

// Key maps a word in any of mitra's scripts to one comparable Latin form:
// romanized when Indic, then squashed so that the usual spelling variants
// of romanized Telugu and Hindi meet (aa/a, ee/i, th/t, sh/s, double
// letters, c as k or s, a dropped final vowel). Key("కార్డు"),
// Key("कार्ड") and Key("card") are all "kard".
func Key(word string) string {
	for _, r := range word {
		if _, _, ok := indicOffset(r); ok {
			return squash(Romanize(word))
		}
	}
	return squash(word)
}

// squash folds a Latin word to its matching key. It is not meant to be
// read, only compared.
func squash(w string) string {
	w = foldLatin(w)
	b := make([]byte, 0, len(w))
	n := len(w)
	at := func(i int) byte {
		if i >= 0 && i < n {
			return w[i]
		}
		return 0
	}
	for i := 0; i < n; i++ {
		c := w[i]
		if c >= utf8.RuneSelf {
			// Letters of other scripts pass through whole, unsquashed.
			_, size := utf8.DecodeRuneInString(w[i:])
			b = append(b, w[i:i+size]...)
			i += size - 1
			continue
		}
		next := at(i + 1)
		var out byte
		switch {
		case c == 'c' && next == 'h':
			out = 'c'
			i++
			if at(i+1) == 'h' { // chh
				i++
			}
		case c == 'c' && next == 'k':
			out = 'k'
			i++
		case c == 'c':
			if next == 'e' || next == 'i' || next == 'y' {
				out = 's'
			} else {
				out = 'k'
			}
		case c == 's' && next == 'h':
			out, i = 's', i+1
		case c == 'p' && next == 'h':
			out, i = 'f', i+1
		case (c == 'k' || c == 'g' || c == 't' || c == 'd' || c == 'b' || c == 'j') && next == 'h':
			out, i = c, i+1
		case c == 'q':
			out = 'k'
		case c == 'z':
			out = 'j'
		case c == 'w':
			out = 'v'
		case c == 'x':
			b = appendDedup(b, 'k')
			out = 's'
		case c == 'a' && next == 'i':
			out, i = 'e', i+1
		case c == 'a' && next == 'u':
			out, i = 'o', i+1
		case c == 'e' && next == 'e':
			out, i = 'i', i+1
		case c == 'o' && next == 'o':
			out, i = 'u', i+1
		case c == 'y' && at(i-1) == 'i' && isVowel(next):
			continue // chahiye ~ chaahie
		default:
			out = c
		}
		b = appendDedup(b, out)
	}
	// A final vowel after a consonant is the least stable part of a
	// romanized word (kaardu/kard, kavali/kavaali, patra/patr).
	if len(b) > 3 && isVowel(b[len(b)-1]) && !isVowel(b[len(b)-2]) {
		b = b[:len(b)-1]
	}
	return string(b)
}

// appendDedup appends c unless it repeats the last byte: doubled letters
// (cheyyali, kattali, bill) carry no meaning for matching.
func appendDedup(b []byte, c byte) []byte {
	if len(b) > 0 && b[len(b)-1] == c {
		return b
	}
	return append(b, c)
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}

// foldLatin lowercases and strips diacritics (ā -> a, ṭ -> t) so that ISO
// romanizations typed by hand meet plain ASCII ones.
func foldLatin(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 || (w[i] >= 'A' && w[i] <= 'Z') {
			ascii = false
			break
		}
	}
	if ascii {
		return w
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(w) {
		if unicode.IsMark(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
