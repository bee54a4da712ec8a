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
// both become "kast sertifikat"). catalog.Lint only sees exact duplicates;
// this sees what matching sees.
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
			keys := contentKeys(nlu.Words(nlu.Normalize(t)))
			if len(keys) == 0 {
				problems = append(problems, catalog.Problem{Where: s.Where(), Msg: fmt.Sprintf("service %s: %q has only words the matcher ignores", s.ID, t)})
				continue
			}
			sort.Strings(keys)
			k := strings.Join(keys, " ")
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
