package retrieval

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/nlu"
)

// LintAliases finds names and aliases of different services that the
// matcher cannot tell apart: equal once transliterated and stripped of the
// words it ignores ("caste certificate kho gaya" and "caste certificate"
// both become "kast sertifikat"), unless a cue in the alias points to its
// own service's kind ("pension raledu" on a status check). catalog.Lint
// only sees exact duplicates; this sees what matching sees.
func LintAliases(cat *catalog.Catalog) []catalog.Problem {
	type owner struct {
		svc  *catalog.Service
		text string
	}
	seen := map[string]owner{}
	var problems []catalog.Problem
	for _, s := range cat.Services {
		texts := append([]string{s.Name.EN, s.Name.TE, s.Name.HI}, s.Aliases.All()...)
		for _, t := range texts {
			words := nlu.Words(nlu.Normalize(t))
			keys := contentKeys(words)
			if len(keys) == 0 {
				problems = append(problems, catalog.Problem{Where: s.Where(), Msg: fmt.Sprintf("service %s: %q has only words the matcher ignores", s.ID, t)})
				continue
			}
			sort.Strings(keys)
			k := strings.Join(keys, " ")
			all := make([]string, len(words))
			for i, w := range words {
				all[i] = nlu.Key(w)
			}
			if cuedKinds(words, all)&kindOf(s.Kind) != 0 {
				k += " |" + string(s.Kind)
			}
			if o, ok := seen[k]; ok && o.svc != s {
				problems = append(problems, catalog.Problem{Where: s.Where(), Msg: fmt.Sprintf(
					"service %s: %q matches exactly like %q of %s (%s); add a distinguishing word",
					s.ID, t, o.text, o.svc.ID, o.svc.Where())})
				continue
			}
			seen[k] = owner{s, t}
		}
	}
	return problems
}
