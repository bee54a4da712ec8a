package nlu

import (
	_ "embed"
	"strings"
)

// Place names say where, not what, and are no sign of the sender's
// language: "patta transfer guntur" is English, and "guntur" must not make
// it Telugu. The matcher drops them too (package retrieval).

//go:embed data/places.txt
var placesTxt string

var places = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(placesTxt, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			m[Normalize(line)] = true
		}
	}
	return m
}()

// IsPlace reports whether a normalised word is a place name.
func IsPlace(word string) bool { return places[word] }
