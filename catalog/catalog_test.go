package catalog

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"
)

// The shipped catalogue must load and lint clean: this is the gate for
// content edits.
func TestEmbeddedCatalogIsClean(t *testing.T) {
	t.Parallel()
	c, err := Load(Embedded())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range c.Lint() {
		t.Errorf("%s", p)
	}
	if got := len(c.Departments); got != 36 {
		t.Errorf("departments = %d, want 36", got)
	}
	if got := len(c.Services); got < 400 {
		t.Errorf("services = %d, want at least 400", got)
	}
	for _, s := range c.Services {
		for _, l := range Langs {
			if n := utf8.RuneCountInString(s.Short.In(l)); n > MaxShort {
				t.Errorf("%s short.%s has %d characters", s.ID, l, n)
			}
		}
	}
}

func TestLintReportsEveryProblemWithFileAndLine(t *testing.T) {
	t.Parallel()
	c, err := Load(os.DirFS("testdata/bad"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.Lint() {
		got = append(got, p.String())
	}
	all := strings.Join(got, "\n")
	want := []string{
		`one.yaml:6: service alpha: short.en is 43 characters, over the limit of 24`,
		`one.yaml:6: service alpha: description.hi has no Devanagari letters: "Alpha"`,
		`one.yaml:19: duplicate service id "alpha" (first at one.yaml:6)`,
		`one.yaml:19: service alpha: kind "licence" is not one of`,
		`one.yaml:19: service alpha: name.hi is missing`,
		`one.yaml:19: service alpha: no romanized aliases`,
		`one.yaml:19: service alpha: documents must list the same items in each language (en 2, te 1, hi 2)`,
		`one.yaml:19: service alpha: fee_inr is negative`,
		`one.yaml:19: service alpha: delivery "pigeon" is not one of`,
		`one.yaml:19: source row 1 is also covered by "alpha"`,
		`one.yaml:25: service alpha: alias "Alpha" is also an alias of "alpha" (one.yaml:6)`,
		`one.yaml:25: service alpha: en alias "ఆల్ఫా" must be in Latin letters`,
		`menu.yaml:1: department "ghost" has no file`,
	}
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("lint output lacks %q; got:\n%s", w, all)
		}
	}
	if len(got) != len(want)+1 { // + the Telugu alias also shared
		t.Errorf("lint found %d problems, want %d:\n%s", len(got), len(want)+1, all)
	}
}

func TestLoadRejectsUnknownFieldsAndBadYAML(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"typo field": "id: x\nname: {en: X, te: ఎక్స్, hi: एक्स}\naliasses: []\n",
		"bad yaml":   "id: [unclosed\n",
	}
	for name, body := range tests {
		fsys := fstest.MapFS{"x.yaml": {Data: []byte(body)}}
		if _, err := Load(fsys); err == nil || !strings.Contains(err.Error(), "x.yaml") {
			t.Errorf("%s: Load error = %v, want one naming x.yaml", name, err)
		}
	}
	if _, err := Load(fstest.MapFS{}); err == nil {
		t.Error("Load of an empty folder succeeded")
	}
}

func TestMenuOrder(t *testing.T) {
	t.Parallel()
	c, err := Load(Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if c.Departments[0].ID != "revenue" {
		t.Errorf("first department = %s, want revenue (menu.yaml order)", c.Departments[0].ID)
	}
	if s, ok := c.Service("income-certificate"); !ok || s.Department != "revenue" {
		t.Errorf("income-certificate lookup = %v, %v", s, ok)
	}
}
