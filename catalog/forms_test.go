package catalog

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestShippedForms(t *testing.T) {
	t.Parallel()
	c, err := Load(Embedded())
	if err != nil {
		t.Fatal(err)
	}
	form, fields, ok := c.FormFor("income-certificate")
	if !ok || form.ID != "income-certificate" {
		t.Fatalf("no form for the income certificate")
	}
	var ids []string
	for _, f := range fields {
		ids = append(ids, f.ID)
	}
	if got := strings.Join(ids, " "); got != "applicant_name father_or_husband_name date_of_birth aadhaar village pin_code annual_income purpose purpose_other" {
		t.Errorf("fields %s", got)
	}
	if _, _, ok := c.FormFor("ration-card-status"); ok {
		t.Error("a status service has a form")
	}
}

func field(typ FieldType, opts ...func(*Field)) *Field {
	f := &Field{ID: "f", Type: typ, Required: true}
	for _, o := range opts {
		o(f)
	}
	return f
}

func TestCheckAnswers(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	zero, lakh := 0.0, 100000.0
	purpose := field("choice", func(f *Field) {
		f.Choices = []Choice{{ID: "job", Label: Localized{EN: "Job", TE: "ఉద్యోగం", HI: "नौकरी"}}, {ID: "other", Label: Localized{EN: "Other", TE: "ఇతర", HI: "अन्य"}}}
	})
	tests := []struct {
		f           *Field
		in          string
		want, probl string
	}{
		{field("aadhaar"), "2341 2341 2346", "234123412346", ""},
		{field("aadhaar"), "234123412345", "", ProblemAadhaar},
		{field("aadhaar"), "12345", "", ProblemAadhaar},
		{field("date", func(f *Field) { f.NotFuture = true }), "15-08-1980", "1980-08-15", ""},
		{field("date", func(f *Field) { f.NotFuture = true }), "5/8/1980", "1980-08-05", ""},
		{field("date", func(f *Field) { f.NotFuture = true }), "01-01-2030", "", ProblemFuture},
		{field("date"), "31-02-1980", "", ProblemDate},
		{field("date"), "yesterday", "", ProblemDate},
		{field("number", func(f *Field) { f.Min, f.Max = &zero, &lakh }), "1,20,000", "", ProblemRange},
		{field("number", func(f *Field) { f.Min, f.Max = &zero, &lakh }), "60,000", "60000", ""},
		{field("number"), "sixty", "", ProblemNumber},
		{purpose, "2", "other", ""},
		{purpose, "ఉద్యోగం", "job", ""},
		{purpose, "नौकरी", "job", ""},
		{purpose, "business", "", ProblemChoice},
		{field("yes_no"), "అవును", "yes", ""},
		{field("yes_no"), "nahi", "no", ""},
		{field("yes_no"), "maybe", "", ProblemYesNo},
		{field("phone"), "+91 98480 22338", "9848022338", ""},
		{field("phone"), "12345", "", ProblemPhone},
		{field("pin_code"), "522 001", "522001", ""},
		{field("pin_code"), "052200", "", ProblemPINCode},
		{field("text", func(f *Field) { f.MaxLength = 5 }), "ఆదాయపు", "", ProblemTooLong},
		{field("text", func(f *Field) { f.MaxLength = 6 }), "ఆదాయపు", "ఆదాయపు", ""}, // 6 characters, 18 bytes
		{field("text"), strings.Repeat("x", 10_000), "", ProblemTooLong},
		{field("text", func(f *Field) { f.Pattern = `[A-Z]{2}[0-9]+` }), "AP123", "AP123", ""},
		{field("text", func(f *Field) { f.Pattern = `[A-Z]{2}[0-9]+` }), "AP123 x", "", ProblemPattern},
		{field("text"), "  ", "", ProblemRequired},
		{field("text", func(f *Field) { f.Required = false }), "", "", ""},
		{field("photo"), "here it is", "", ProblemMediaOnly},
	}
	for _, tt := range tests {
		got, problem := tt.f.Check(tt.in, today)
		if got != tt.want || problem != tt.probl {
			t.Errorf("%s %q: %q %q, want %q %q", tt.f.Type, tt.in, got, problem, tt.want, tt.probl)
		}
	}
}

// Every mistake a content editor can make in a form is named with file
// and line.
func TestLintForms(t *testing.T) {
	t.Parallel()
	base, err := fs.ReadFile(Embedded(), "revenue.yaml")
	if err != nil {
		t.Fatal(err)
	}
	menu, _ := fs.ReadFile(Embedded(), "menu.yaml")
	label := `{en: Name, te: పేరు, hi: नाम}`
	fsys := fstest.MapFS{
		"revenue.yaml": {Data: base},
		"menu.yaml":    {Data: menu},
		"forms/a.yaml": {Data: []byte(`id: a
title: {en: A, te: ఎ, hi: ए}
extends: b
services: [income-certificate, no-such-service]
fields:
  - id: x
    type: choice
    label: ` + label + `
  - id: y
    type: colour
    label: {en: Name}
  - id: z
    type: text
    show_if: {field: later, equals: "1"}
    label: ` + label + `
`)},
		"forms/b.yaml": {Data: []byte(`id: b
title: {en: B, te: బి, hi: बी}
services: [income-certificate]
fields:
  - id: p
    type: text
    pattern: "([a-z"
    label: ` + label + `
`)},
	}
	c, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.Lint() {
		if strings.HasPrefix(p.Where, "forms/") {
			got = append(got, p.String())
		}
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"forms/a.yaml:1: form a extends \"b\", which is not a shared form",
		"forms/a.yaml:1: form a: unknown service \"no-such-service\"",
		"forms/b.yaml:1: form b: service \"income-certificate\" already has a form",
		"forms/a.yaml:6: form a field x: a choice needs at least 2 choices",
		"forms/a.yaml:9: form a field y: type \"colour\" is not one of",
		"forms/a.yaml:9: form a field y: label.te is missing",
		"forms/a.yaml:12: form a field z: show_if refers to \"later\", which is not an earlier field",
		"forms/b.yaml:5: form b field p: pattern does not compile",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("lint lacks %q; got:\n%s", want, all)
		}
	}
}

// Every field's example passes its own check, so that benches and tests
// can fill any form.
func TestExamplesPassTheirChecks(t *testing.T) {
	t.Parallel()
	cat, err := Load(Embedded())
	if err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, form := range cat.Forms {
		for _, f := range form.Fields {
			v, ok := f.Example()
			if !ok {
				continue
			}
			if got, problem := f.Check(v, today); problem != "" || got != v {
				t.Errorf("%s field %s: example %q checks as %q, %q", form.ID, f.ID, v, got, problem)
			}
		}
	}
}

// Numbers keep their decimal point and sign; digit groups are one number.
func TestNumberAnswers(t *testing.T) {
	t.Parallel()
	zero, ten := 0.0, 10.0
	f := &Field{Type: "number", Min: &zero, Max: &ten}
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]string{"1.5": "1.5", "0.5": "0.5", "0": "0", "1,0": "10", " 7 ": "7"} {
		if got, problem := f.Check(in, today); problem != "" || got != want {
			t.Errorf("Check(%q) = %q, %q; want %q", in, got, problem, want)
		}
	}
	for _, in := range []string{"-3", "11", "ten", "1.2.3"} {
		if got, problem := f.Check(in, today); problem == "" {
			t.Errorf("Check(%q) = %q, accepted", in, got)
		}
	}
	big := &Field{Type: "number"}
	if got, _ := big.Check("1,20,000", today); got != "120000" {
		t.Errorf("Indian digit groups: %q", got)
	}
}
