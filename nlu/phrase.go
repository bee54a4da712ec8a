package nlu

import "strings"

// PhraseKey is a whole phrase's matching key: normalised, split into
// words, each word's transliteration Key, joined by single spaces. Phrases
// that differ only in script, case or common spelling variants get the
// same key ("Main Menu", "main  menu"), so a fixed command or an eval text
// can be compared in any script.
func PhraseKey(s string) string {
	words := Words(Normalize(s))
	for i, w := range words {
		words[i] = Key(w)
	}
	return strings.Join(words, " ")
}
