package flows

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/mitra-gov/mitra/catalog"
)

// How fields are laid out on screens. Build and Walker both call layout,
// so the Flow JSON uploaded to Meta and the endpoint answering it can never
// disagree about which field is on which screen.
const (
	// maxInputs keeps a screen short enough to fill without scrolling
	// past the Footer on a small phone.
	maxInputs = 4
	// maxBranches is Meta's limit on routes out of one screen.
	maxBranches = 10
	// Photos and documents a picker accepts.
	maxPhotos, maxDocuments = 3, 1
)

// page is one screen of fields. Its fields are all unconditional or all
// share one show_if condition, so the whole screen is shown or skipped.
type page struct {
	id     string
	fields []*catalog.Field
	cond   *catalog.Condition
	media  bool
}

var fieldID = regexp.MustCompile(`^[a-z0-9]+([_-][a-z0-9]+)*$`)

// reservedNames are payload and data keys the protocol uses; a field
// named so would be read as protocol, not as an answer.
var reservedNames = map[string]bool{
	"screen": true, "action": true, "error": true, "error_message": true,
	"consent": true, "flow_token": true, "notice": true, "has_notice": true, "summary": true,
}

// componentName is a field's name in the Flow JSON: Flow expressions
// (${form.x}) take letters, digits and underscores, so dashes become
// underscores.
func componentName(id string) string { return strings.ReplaceAll(id, "-", "_") }

// layout groups fields into pages: at most maxInputs inputs a page, a
// photo or document alone on its page, and a conditional field on a page
// of its own condition after the page that asks the condition, so the
// endpoint can skip the page when the condition is not met.
func layout(fields []*catalog.Field) ([]page, error) {
	if len(fields) == 0 {
		return nil, fmt.Errorf("flows: the form has no fields")
	}
	seen := map[string]bool{}
	names := map[string]string{}
	var pages []page
	for i, f := range fields {
		if f == nil {
			return nil, fmt.Errorf("flows: field %d is missing", i+1)
		}
		if !fieldID.MatchString(f.ID) {
			return nil, fmt.Errorf("flows: field id %q must be lowercase letters and digits joined by dashes or underscores", f.ID)
		}
		name := componentName(f.ID)
		if reservedNames[name] {
			return nil, fmt.Errorf("flows: field id %q is reserved by the Flows protocol", f.ID)
		}
		if other, dup := names[name]; dup {
			return nil, fmt.Errorf("flows: fields %q and %q have the same Flow name %q", other, f.ID, name)
		}
		names[name] = f.ID
		if !knownType(f.Type) {
			return nil, fmt.Errorf("flows: field %q has type %q, which a Flow cannot ask", f.ID, f.Type)
		}
		if f.ShowIf != nil && !seen[f.ShowIf.Field] {
			return nil, fmt.Errorf("flows: field %q: show_if refers to %q, which is not an earlier field", f.ID, f.ShowIf.Field)
		}
		media := f.Type == "photo" || f.Type == "document"
		var cur *page
		if len(pages) > 0 {
			cur = &pages[len(pages)-1]
		}
		if cur == nil || media || cur.media || len(cur.fields) >= maxInputs ||
			!sameCondition(cur.cond, f.ShowIf) || (f.ShowIf != nil && cur.has(f.ShowIf.Field)) {
			pages = append(pages, page{cond: f.ShowIf, media: media})
			cur = &pages[len(pages)-1]
		}
		cur.fields = append(cur.fields, f)
		seen[f.ID] = true
	}
	for i := range pages {
		pages[i].id = "STEP_" + letters(i)
	}
	// Routes out of a screen: the next one and, past every page that may
	// be skipped, the ones after it. Count them as Meta will.
	for i := -1; i < len(pages); i++ {
		n := 1
		for j := i + 1; j < len(pages) && pages[j].cond != nil; j++ {
			n++
		}
		if n > maxBranches {
			return nil, fmt.Errorf("flows: %d conditional screens in a row; a screen may route to at most %d others", n-1, maxBranches)
		}
	}
	return pages, nil
}

func (p *page) has(id string) bool {
	for _, f := range p.fields {
		if f.ID == id {
			return true
		}
	}
	return false
}

func sameCondition(a, b *catalog.Condition) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func knownType(t catalog.FieldType) bool {
	for _, k := range catalog.FieldTypes {
		if k == t {
			return true
		}
	}
	return false
}

// letters names the i-th screen A, B, ... Z, AA, AB: Meta's screen ids are
// uppercase letters and underscores, no digits.
func letters(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// visible reports whether f is asked given the answers so far: its
// condition holds and so does every condition above it.
func visible(f *catalog.Field, byID map[string]*catalog.Field, answers map[string]string) bool {
	for depth := 0; f != nil && f.ShowIf != nil; depth++ {
		if depth > len(byID) || answers[f.ShowIf.Field] != f.ShowIf.Equals {
			return false
		}
		f = byID[f.ShowIf.Field]
	}
	return true
}
