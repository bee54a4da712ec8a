package catalog

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

// A family naming a service that does not exist, a service under an
// intent its kind does not allow, one listed twice, and a family of one
// intent are each reported with the family's line.
func TestFamilyLint(t *testing.T) {
	t.Parallel()
	base, err := fs.ReadFile(Embedded(), "civil-supplies.yaml")
	if err != nil {
		t.Fatal(err)
	}
	menu, _ := fs.ReadFile(Embedded(), "menu.yaml")
	fsys := fstest.MapFS{
		"civil-supplies.yaml": {Data: base},
		"menu.yaml":           {Data: menu},
		"families/f.yaml": {Data: []byte(`families:
  - id: rice-card
    apply: [new-rice-card, no-such-service]
    status: [new-rice-card, rice-card-split]
  - id: lonely
    apply: [deepam-gas-connection]
`)},
	}
	c, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.Lint() {
		if strings.HasPrefix(p.Where, "families/") {
			got = append(got, p.String())
		}
	}
	for _, want := range []string{
		`families/f.yaml:2: family "rice-card": apply member "no-such-service" is not a service`,
		`families/f.yaml:2: family "rice-card": "new-rice-card" is listed under both apply and status`,
		`families/f.yaml:2: family "rice-card": status member "rice-card-split" is of kind application, not status`,
		`families/f.yaml:5: family "lonely" lists services under 1 intent(s); a family tells at least two apart`,
	} {
		found := false
		for _, g := range got {
			found = found || g == want
		}
		if !found {
			t.Errorf("missing %q in %q", want, got)
		}
	}
	if fams := c.FamiliesOf("rice-card-split"); len(fams) != 1 || fams[0].IntentOf("rice-card-split") != IntentStatus {
		t.Errorf("rice-card-split families: %v", fams)
	}
}

// The shipped families are clean and cover the rice card's members.
func TestShippedFamilies(t *testing.T) {
	t.Parallel()
	c, err := Load(Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Families) < 40 {
		t.Errorf("%d families", len(c.Families))
	}
	fams := c.FamiliesOf("new-rice-card")
	if len(fams) != 1 || fams[0].Members(IntentStatus)[0] != "rice-card-status" || fams[0].IntentOf("rice-card-member-deletion") != IntentCancel {
		t.Errorf("new-rice-card families: %+v", fams)
	}
}
