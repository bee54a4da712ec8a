package catalog

import (
	"slices"
	"testing"
)

// A synthesised catalogue has the size asked for, unique ids, the real
// services first, and copies whose phrases are their original's; the same
// seed gives the same catalogue, and the real one is left as it was.
func TestSynthesize(t *testing.T) {
	t.Parallel()
	c, err := Load(Embedded())
	if err != nil {
		t.Fatal(err)
	}
	base := len(c.Services)
	before := slices.Clone(c.Services)
	big := c.Synthesize(3*base+7, 1)
	if len(big.Services) != 3*base+7 {
		t.Fatalf("%d services, want %d", len(big.Services), 3*base+7)
	}
	if !slices.Equal(c.Services, before) {
		t.Fatal("the real catalogue changed")
	}
	seen := map[string]bool{}
	for _, s := range big.Services {
		if seen[s.ID] {
			t.Fatalf("id %s twice", s.ID)
		}
		seen[s.ID] = true
		if got, ok := big.Service(s.ID); !ok || got != s {
			t.Fatalf("%s not found by id", s.ID)
		}
	}
	for _, orig := range c.Services {
		if !seen[orig.ID] {
			t.Fatalf("real service %s missing", orig.ID)
		}
	}
	copied, ok := big.Service(c.Services[0].ID + "-s1")
	if !ok {
		t.Fatal("no copy of the first service")
	}
	all := c.Services[0].Aliases.All()
	for _, a := range copied.Aliases.All() {
		if !slices.Contains(all, a) {
			t.Errorf("copy's alias %q is not its original's", a)
		}
	}
	if n, m := len(copied.Aliases.EN), len(c.Services[0].Aliases.EN); m > 0 && 2*n < m {
		t.Errorf("copy kept %d of %d English aliases, want at least half", n, m)
	}
	again := c.Synthesize(3*base+7, 1)
	for i, s := range big.Services {
		if again.Services[i].ID != s.ID || !slices.Equal(again.Services[i].Aliases.All(), s.Aliases.All()) {
			t.Fatalf("service %d differs between two runs with one seed", i)
		}
	}
}
