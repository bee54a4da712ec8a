package catalog

import (
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/mitra-gov/mitra/internal/verhoeff"
)

// Forms are what a citizen fills to apply or complain through the chat
// (issue 11): content that content teams edit in catalog/data/forms/, one
// file a form, checked by `mitra catalog lint`. A shared form (no
// services) holds the fields every application of a kind asks; a service's
// form extends one and adds its own.

// FieldType is what a field holds, and so how it is asked and checked.
type FieldType string

// FieldTypes are the types a form field may have.
var FieldTypes = []FieldType{"text", "long_text", "number", "date", "choice", "yes_no", "aadhaar", "phone", "pin_code",
	"place", "photo", "document", "location"}

// Form is one form.
type Form struct {
	ID    string    `yaml:"id"`
	Title Localized `yaml:"title"`
	// Extends is a shared form whose fields come first.
	Extends string `yaml:"extends"`
	// Services are the services this form applies for; empty for a
	// shared form.
	Services []string `yaml:"services"`
	Fields   []*Field `yaml:"fields"`
	pos      position
	// all are the fields asked, the shared form's first (FormFor).
	all []*Field
}

// Field is one question.
type Field struct {
	ID       string    `yaml:"id"`
	Type     FieldType `yaml:"type"`
	Label    Localized `yaml:"label"`
	Help     Localized `yaml:"help"`
	Required bool      `yaml:"required"`
	// MinLength and MaxLength bound a text answer, in characters.
	MinLength int `yaml:"min_length"`
	MaxLength int `yaml:"max_length"`
	// Min and Max bound a number.
	Min *float64 `yaml:"min"`
	Max *float64 `yaml:"max"`
	// Pattern is a regular expression a text answer must match whole.
	Pattern string `yaml:"pattern"`
	// NotFuture refuses dates after today (a date of birth).
	NotFuture bool     `yaml:"not_future"`
	Choices   []Choice `yaml:"choices"`
	// ShowIf asks the field only when an earlier field has a value.
	ShowIf *Condition `yaml:"show_if"`
	pos    position
}

// Choice is one answer of a choice field.
type Choice struct {
	ID    string    `yaml:"id"`
	Label Localized `yaml:"label"`
}

// Condition is "field equals value" (a choice id, or yes/no).
type Condition struct {
	Field  string `yaml:"field"`
	Equals string `yaml:"equals"`
}

// maxAnswer bounds any typed answer, whatever the field says.
const maxAnswer = 2000

// Answer problems, as codes the dialog words in the citizen's language.
const (
	ProblemRequired  = "required"
	ProblemTooShort  = "too_short"
	ProblemTooLong   = "too_long"
	ProblemNumber    = "not_a_number"
	ProblemRange     = "out_of_range"
	ProblemDate      = "not_a_date"
	ProblemFuture    = "future_date"
	ProblemPattern   = "pattern"
	ProblemChoice    = "not_a_choice"
	ProblemAadhaar   = "aadhaar_checksum"
	ProblemPhone     = "not_a_phone"
	ProblemPINCode   = "not_a_pin_code"
	ProblemYesNo     = "not_yes_no"
	ProblemMediaOnly = "needs_media"
)

var (
	nonDigits = regexp.MustCompile(`[\s\-.]`)
	phone     = regexp.MustCompile(`^(\+?91)?[6-9][0-9]{9}$`)
	pinCode   = regexp.MustCompile(`^[1-9][0-9]{5}$`)
	yesWords  = map[string]bool{"yes": true, "y": true, "avunu": true, "haan": true, "ha": true, "అవును": true, "हाँ": true, "हां": true}
	noWords   = map[string]bool{"no": true, "n": true, "kaadu": true, "ledu": true, "nahi": true, "nahin": true, "కాదు": true, "లేదు": true, "नहीं": true}
)

// Check validates a typed answer and returns it normalised (digits without
// spaces, a date as YYYY-MM-DD, a choice's id, yes or no), or the problem
// with it. Photos, documents and locations come as media, not text.
func (f *Field) Check(answer string, today time.Time) (string, string) {
	a := strings.TrimSpace(answer)
	if a == "" {
		if f.Required {
			return "", ProblemRequired
		}
		return "", ""
	}
	if utf8.RuneCountInString(a) > maxAnswer {
		return "", ProblemTooLong
	}
	switch f.Type {
	case "photo", "document", "location":
		return "", ProblemMediaOnly
	case "number":
		// Digit groups (1,20,000 or 1 20 000) are read as one number; a
		// decimal point and a sign are kept, so 1.5 is not 15.
		n, err := strconv.ParseFloat(strings.NewReplacer(",", "", " ", "", "₹", "").Replace(a), 64)
		if err != nil {
			return "", ProblemNumber
		}
		if (f.Min != nil && n < *f.Min) || (f.Max != nil && n > *f.Max) {
			return "", ProblemRange
		}
		return strconv.FormatFloat(n, 'f', -1, 64), ""
	case "date":
		d, ok := parseDate(a)
		if !ok {
			return "", ProblemDate
		}
		if f.NotFuture && d.After(today) {
			return "", ProblemFuture
		}
		return d.Format("2006-01-02"), ""
	case "aadhaar":
		digits := nonDigits.ReplaceAllString(a, "")
		if len(digits) != 12 || !verhoeff.Valid(digits) {
			return "", ProblemAadhaar
		}
		return digits, ""
	case "phone":
		digits := nonDigits.ReplaceAllString(a, "")
		if !phone.MatchString(digits) {
			return "", ProblemPhone
		}
		return digits[len(digits)-10:], ""
	case "pin_code":
		digits := nonDigits.ReplaceAllString(a, "")
		if !pinCode.MatchString(digits) {
			return "", ProblemPINCode
		}
		return digits, ""
	case "yes_no":
		k := strings.ToLower(a)
		switch {
		case yesWords[k]:
			return "yes", ""
		case noWords[k]:
			return "no", ""
		}
		return "", ProblemYesNo
	case "choice":
		for i, c := range f.Choices {
			if strings.EqualFold(a, c.ID) || a == strconv.Itoa(i+1) {
				return c.ID, ""
			}
			for _, l := range Langs {
				if strings.EqualFold(a, c.Label.exact(l)) {
					return c.ID, ""
				}
			}
		}
		return "", ProblemChoice
	}
	n := utf8.RuneCountInString(a)
	if f.MinLength > 0 && n < f.MinLength {
		return "", ProblemTooShort
	}
	if f.MaxLength > 0 && n > f.MaxLength {
		return "", ProblemTooLong
	}
	if f.Pattern != "" {
		if re, err := regexp.Compile("^(?:" + f.Pattern + ")$"); err != nil || !re.MatchString(a) {
			return "", ProblemPattern
		}
	}
	return a, ""
}

// LocationMaxRunes bounds a location typed as words (a village, a street,
// a landmark), in the chat and in a Flow's input alike.
const LocationMaxRunes = 200

// CheckTypedPlace checks a location given as words instead of a shared
// pin, as a short text; Check refuses typed answers to a location field
// because the chat first asks for the pin.
func (f *Field) CheckTypedPlace(answer string, today time.Time) (string, string) {
	asText := *f
	asText.Type = "text"
	if asText.MaxLength == 0 || asText.MaxLength > LocationMaxRunes {
		asText.MaxLength = LocationMaxRunes
	}
	return asText.Check(answer, today)
}

// parseDate reads the dates citizens type: 31-12-1960, 31/12/1960,
// 31.12.1960 (day first, as in India) or 1960-12-31.
func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{"02-01-2006", "2-1-2006", "02/01/2006", "2/1/2006", "02.01.2006", "2.1.2006", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() >= 1900 {
			return t, true
		}
	}
	return time.Time{}, false
}

// FormFor returns the form a citizen fills to request a service, with the
// shared form's fields first (a slice shared by every caller, not to be
// changed); false when the service is not requested in the chat.
func (c *Catalog) FormFor(serviceID string) (*Form, []*Field, bool) {
	f, ok := c.formFor[serviceID]
	if !ok {
		return nil, nil, false
	}
	return f, f.all, true
}

func (c *Catalog) fieldsOf(f *Form) []*Field {
	var fields []*Field
	if base, ok := c.forms[f.Extends]; ok && base != f {
		fields = append(fields, base.Fields...)
	}
	return append(fields, f.Fields...)
}

// readYAML decodes a file strictly into v and returns its top node, from
// which lines are read for lint messages.
func readYAML(fsys fs.FS, name string, v any) (*yaml.Node, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	if err := decodeStrict(data, v); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	return doc, nil
}

// loadForms reads forms/*.yaml, keeping each form's and field's line.
func (c *Catalog) loadForms(fsys fs.FS) error {
	names, err := fs.Glob(fsys, "forms/*.yaml")
	if err != nil {
		return err
	}
	c.forms, c.formFor = map[string]*Form{}, map[string]*Form{}
	for _, name := range names {
		var f Form
		doc, err := readYAML(fsys, name, &f)
		if err != nil {
			return err
		}
		f.pos = position{name, doc.Line}
		if items := mapValue(doc, "fields"); items != nil && items.Kind == yaml.SequenceNode {
			for i, item := range items.Content {
				if i < len(f.Fields) && f.Fields[i] != nil {
					f.Fields[i].pos = position{name, item.Line}
				}
			}
		}
		for i, fl := range f.Fields {
			if fl == nil {
				return fmt.Errorf("%s: fields item %d is empty", name, i+1)
			}
		}
		c.Forms = append(c.Forms, &f)
		if _, dup := c.forms[f.ID]; !dup {
			c.forms[f.ID] = &f
		}
		for _, s := range f.Services {
			if _, dup := c.formFor[s]; !dup {
				c.formFor[s] = &f
			}
		}
	}
	// Every form's fields, the shared form's first, once: the chat reads
	// them on every answer.
	for _, f := range c.Forms {
		f.all = c.fieldsOf(f)
	}
	return nil
}

// requestableKinds are the kinds of service a form may request.
var requestableKinds = map[Kind]bool{"certificate": true, "application": true, "grievance": true}

// lintForms checks the forms: ids, types, translations in the right
// script, choices, conditions that refer to an earlier field, patterns
// that compile, and services that exist, can be requested and have one
// form each.
func (l *linter) forms(c *Catalog) {
	formPos := map[string]position{}
	servicePos := map[string]position{}
	for _, f := range c.Forms {
		owner := "form " + f.ID
		l.id(f.pos, "form", f.ID, formPos)
		l.localized(f.pos, owner, "title", f.Title, 0)
		if f.Extends != "" {
			base, ok := c.forms[f.Extends]
			switch {
			case !ok:
				l.add(f.pos, "%s extends unknown form %q", owner, f.Extends)
			case len(base.Services) > 0 || base.Extends != "":
				l.add(f.pos, "%s extends %q, which is not a shared form (shared forms list no services and extend nothing)", owner, f.Extends)
			}
		}
		for _, id := range f.Services {
			s, ok := c.Service(id)
			switch {
			case !ok:
				l.add(f.pos, "%s: unknown service %q", owner, id)
			case !requestableKinds[s.Kind]:
				l.add(f.pos, "%s: service %q is of kind %s, which is not requested with a form", owner, id, s.Kind)
			}
			if first, dup := servicePos[id]; dup {
				l.add(f.pos, "%s: service %q already has a form (at %s)", owner, id, first)
			}
			servicePos[id] = f.pos
		}
		if len(c.fieldsOf(f)) == 0 {
			l.add(f.pos, "%s has no fields", owner)
		}
		seen := map[string]*Field{}
		if base, ok := c.forms[f.Extends]; ok && base != f {
			for _, fl := range base.Fields {
				seen[fl.ID] = fl
			}
		}
		for _, fl := range f.Fields {
			l.field(owner, fl, seen)
		}
	}
}

func (l *linter) field(owner string, f *Field, earlier map[string]*Field) {
	where := owner + " field " + f.ID
	if !idPattern.MatchString(strings.ReplaceAll(f.ID, "_", "-")) {
		l.add(f.pos, "%s: id must be lowercase letters, digits, dashes or underscores", where)
	}
	if _, dup := earlier[f.ID]; dup {
		l.add(f.pos, "%s: the id is used twice in the form (with its shared form)", where)
	}
	known := false
	for _, t := range FieldTypes {
		known = known || t == f.Type
	}
	if !known {
		l.add(f.pos, "%s: type %q is not one of %v", where, f.Type, FieldTypes)
	}
	l.localized(f.pos, where, "label", f.Label, 0)
	if !f.Help.empty() {
		l.localized(f.pos, where, "help", f.Help, 0)
	}
	if f.Type == "choice" {
		if len(f.Choices) < 2 {
			l.add(f.pos, "%s: a choice needs at least 2 choices", where)
		}
		for _, ch := range f.Choices {
			if !idPattern.MatchString(ch.ID) {
				l.add(f.pos, "%s: choice id %q must be lowercase letters, digits and dashes", where, ch.ID)
			}
			l.localized(f.pos, where+" choice "+ch.ID, "label", ch.Label, MaxShort)
		}
	} else if len(f.Choices) > 0 {
		l.add(f.pos, "%s: only a choice field has choices", where)
	}
	if f.Pattern != "" {
		if _, err := regexp.Compile(f.Pattern); err != nil {
			l.add(f.pos, "%s: pattern does not compile: %v", where, err)
		}
	}
	if f.MaxLength > 0 && f.MinLength > f.MaxLength {
		l.add(f.pos, "%s: min_length is above max_length", where)
	}
	if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
		l.add(f.pos, "%s: min is above max", where)
	}
	if f.NotFuture && f.Type != "date" {
		l.add(f.pos, "%s: not_future is for dates", where)
	}
	if f.ShowIf != nil {
		dep, ok := earlier[f.ShowIf.Field]
		switch {
		case !ok:
			l.add(f.pos, "%s: show_if refers to %q, which is not an earlier field", where, f.ShowIf.Field)
		case dep.Type == "yes_no" && f.ShowIf.Equals != "yes" && f.ShowIf.Equals != "no":
			l.add(f.pos, "%s: show_if on a yes/no field must equal yes or no", where)
		case dep.Type == "choice" && !hasChoice(dep, f.ShowIf.Equals):
			l.add(f.pos, "%s: show_if: %q is not a choice of %q", where, f.ShowIf.Equals, dep.ID)
		}
	}
	earlier[f.ID] = f
}

func hasChoice(f *Field, id string) bool {
	for _, c := range f.Choices {
		if c.ID == id {
			return true
		}
	}
	return false
}

// exampleAadhaar passes Verhoeff; it is no one's (UIDAI never issues
// numbers starting with 2345 6789 in test material, and Check only looks
// at the check digit).
const exampleAadhaar = "234567890124"

// Example is a valid answer to the field, normalised as Check returns it
// (a choice's id, "no", a date as YYYY-MM-DD): what tests, benches and
// documentation fill a form with. ok is false for a photo, a document, a
// location or a patterned text, which have no example.
func (f *Field) Example() (value string, ok bool) {
	switch f.Type {
	case "choice":
		if len(f.Choices) == 0 {
			return "", false
		}
		return f.Choices[0].ID, true
	case "yes_no":
		return "no", true
	case "number":
		n := 1000.0
		if f.Min != nil && n < *f.Min {
			n = *f.Min
		}
		if f.Max != nil && n > *f.Max {
			n = *f.Max
		}
		return strconv.FormatFloat(n, 'f', -1, 64), true
	case "date":
		return "1980-08-15", true
	case "aadhaar":
		return exampleAadhaar, true
	case "phone":
		return "9876543210", true
	case "pin_code":
		return "522001", true
	case "photo", "document", "location":
		return "", false
	case "long_text":
		return "The problem has gone on for a week and nobody has come to see it.", true
	}
	if f.Pattern != "" {
		return "", false
	}
	return "Lakshmi Devi", true
}
