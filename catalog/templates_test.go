package catalog

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// A template Meta would refuse (a bad name or category) or mitra could
// not fill (parameters out of order, a language missing one) is reported
// with its line.
func TestTemplateLint(t *testing.T) {
	t.Parallel()
	base, err := fs.ReadFile(Embedded(), "civil-supplies.yaml")
	if err != nil {
		t.Fatal(err)
	}
	menu, _ := fs.ReadFile(Embedded(), "menu.yaml")
	fsys := fstest.MapFS{
		"civil-supplies.yaml": {Data: base},
		"menu.yaml":           {Data: menu},
		"templates/t.yaml": {Data: []byte(`templates:
  - name: Bad-Name
    category: promo
    use: notice
    body: {en: "Hello", te: "నమస్కారం", hi: "नमस्ते"}
  - name: swapped
    category: utility
    use: handover
    params: [{name: a, example: x}, {name: b, example: y}]
    body: {en: "{{2}} then {{1}}", te: "{{1}} మరియు {{2}}", hi: "केवल {{1}}"}
`)},
	}
	c, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.Lint() {
		if strings.HasPrefix(p.Where, "templates/") {
			got = append(got, p.String())
		}
	}
	for _, want := range []string{
		`templates/t.yaml:2: template name "Bad-Name": Meta allows lower-case letters, digits and underscores`,
		`templates/t.yaml:2: template Bad-Name: category "promo" is not utility, marketing or authentication`,
		`templates/t.yaml:6: template swapped: body.en must use {{1}}..{{2}} once each, in order`,
		`templates/t.yaml:6: template swapped: body.hi must use {{1}}..{{2}} once each, in order`,
	} {
		if !slices.Contains(got, want) {
			t.Errorf("missing %q in %q", want, got)
		}
	}
	if slices.Contains(got, `templates/t.yaml:6: template swapped: body.te must use {{1}}..{{2}} once each, in order`) {
		t.Errorf("the Telugu body is in order: %q", got)
	}
}

// The shipped templates are clean, have a handover template for the
// console, and fill in each language.
func TestShippedTemplates(t *testing.T) {
	t.Parallel()
	c, err := Load(Embedded())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range c.Lint() {
		if strings.HasPrefix(p.Where, "templates/") {
			t.Error(p)
		}
	}
	tpl, ok := c.Template("officer_reply")
	if !ok || tpl.Use != UseHandover {
		t.Fatalf("officer_reply: %v %v", tpl, ok)
	}
	if got := tpl.Fill(Telugu, "రెవెన్యూ శాఖ"); !strings.Contains(got, "రెవెన్యూ శాఖ నుండి") || strings.Contains(got, "{{") {
		t.Errorf("filled: %q", got)
	}
}
