// Package nlu reads a citizen's message: which scripts it is written in,
// which language to answer in (Telugu, Hindi or English, including Telugu
// and Hindi typed in Latin letters), a normalised form, and a
// transliteration key that lets "రేషన్ కార్డు", "राशन कार्ड" and
// "ration card" meet. It never touches the network.
package nlu

import (
	"unicode"
)

// Script is the writing system of a message.
type Script string

const (
	ScriptNone       Script = "none" // no letters at all: digits, emoji, punctuation
	ScriptTelugu     Script = "telugu"
	ScriptDevanagari Script = "devanagari"
	ScriptLatin      Script = "latin"
	ScriptMixed      Script = "mixed"
)

// ScriptCounts counts the letters of each script in a text.
type ScriptCounts struct {
	Telugu, Devanagari, Latin, Other int
}

// CountScripts counts letters (and combining marks) by script.
func CountScripts(s string) ScriptCounts {
	var c ScriptCounts
	for _, r := range s {
		switch {
		case r < 0x80: // ASCII: only its letters are of a script
			if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
				c.Latin++
			}
		case r >= 0x0C00 && r <= 0x0C7F:
			if !unicode.IsDigit(r) {
				c.Telugu++
			}
		case r >= 0x0900 && r <= 0x097F:
			if !unicode.IsDigit(r) && r != 0x0964 && r != 0x0965 {
				c.Devanagari++
			}
		case unicode.Is(unicode.Latin, r):
			c.Latin++
		case unicode.IsLetter(r):
			c.Other++
		}
	}
	return c
}

// DetectScript names the script of s. A message counts as mixed when a
// second script has at least two letters, so "1B కావాలి" stays Telugu but
// "నాకు income certificate కావాలి" is mixed.
func DetectScript(s string) Script {
	return CountScripts(s).Script()
}

// Script names the dominant script of the counts (see DetectScript).
func (c ScriptCounts) Script() Script {
	type kv struct {
		s Script
		n int
	}
	counts := []kv{{ScriptTelugu, c.Telugu}, {ScriptDevanagari, c.Devanagari}, {ScriptLatin, c.Latin + c.Other}}
	present := 0
	best := kv{ScriptNone, 0}
	for _, x := range counts {
		if x.n >= 2 {
			present++
		}
		if x.n > best.n {
			best = x
		}
	}
	switch {
	case best.n == 0:
		return ScriptNone
	case present >= 2:
		return ScriptMixed
	}
	return best.s
}
