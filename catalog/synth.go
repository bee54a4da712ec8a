package catalog

import (
	"fmt"
	"math/rand/v2"
)

// Synthesize returns a catalogue of n services made from c's, for
// measuring how matching scales to a national catalogue (36 states, each
// with its own copy of much the same services). The first len(c.Services)
// are c's own; each further service copies one of them under a new id
// with its aliases and situations shuffled and thinned, as another state
// would word the same service. Copies stay in their original's department;
// forms, families and templates are c's. The same seed gives the same
// catalogue. c itself is not changed.
func (c *Catalog) Synthesize(n int, seed uint64) *Catalog {
	rng := rand.New(rand.NewPCG(seed, 0x6d69747261))
	out := *c
	out.Departments = make([]*Department, len(c.Departments))
	byDept := make(map[string]*Department, len(c.Departments))
	for i, d := range c.Departments {
		copied := *d
		copied.Services = append([]*Service(nil), d.Services...)
		out.Departments[i] = &copied
		byDept[d.ID] = &copied
	}
	base := len(c.Services)
	for i := base; i < n && base > 0; i++ {
		orig := c.Services[i%base]
		s := *orig
		s.ID = fmt.Sprintf("%s-s%d", orig.ID, i/base)
		s.Aliases = orig.Aliases.shuffled(rng)
		s.Situations = orig.Situations.shuffled(rng)
		d := byDept[orig.Department]
		d.Services = append(d.Services, &s)
	}
	out.Services = nil // index fills it anew; c's array must not be written over
	out.index()
	return &out
}

// shuffled returns the aliases in a random order, each group keeping a
// random share of at least half of its phrases.
func (a Aliases) shuffled(rng *rand.Rand) Aliases {
	pick := func(group []string) []string {
		if len(group) == 0 {
			return nil
		}
		g := append([]string(nil), group...)
		rng.Shuffle(len(g), func(i, j int) { g[i], g[j] = g[j], g[i] })
		keep := (len(g) + 1) / 2
		keep += rng.IntN(len(g) - keep + 1)
		return g[:keep]
	}
	return Aliases{EN: pick(a.EN), TE: pick(a.TE), HI: pick(a.HI), TELatn: pick(a.TELatn), HILatn: pick(a.HILatn)}
}
