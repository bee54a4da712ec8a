package flows

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/mitra-gov/mitra/catalog"
)

// services with forms in the embedded catalogue.
var services = []string{"income-certificate", "old-age-pension", "power-supply-complaint"}

func TestBuildIsValidForEveryFormAndLanguage(t *testing.T) {
	t.Parallel()
	for _, svc := range services {
		for _, lang := range catalog.Langs {
			out := build(t, blueprint(t, svc, lang))
			if !json.Valid(out) {
				t.Fatalf("%s/%s: not JSON", svc, lang)
			}
			if err := Validate(out); err != nil {
				t.Errorf("%s/%s: %v", svc, lang, err)
			}
			var doc flowDoc
			if err := json.Unmarshal(out, &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Version != FlowJSONVersion || doc.DataAPIVersion != DataAPIVersion {
				t.Errorf("%s/%s: versions %q %q", svc, lang, doc.Version, doc.DataAPIVersion)
			}
			checkRouting(t, svc+"/"+string(lang), doc)
		}
	}
}

// checkRouting checks the routing model independently of Validate: it
// names exactly the screens, every screen is reachable from CONSENT, and
// the only way out is the terminal SUMMARY.
func checkRouting(t *testing.T, where string, doc flowDoc) {
	t.Helper()
	ids := map[string]screenDoc{}
	for _, s := range doc.Screens {
		ids[s.ID] = s
	}
	if doc.Screens[0].ID != ScreenConsent || doc.Screens[len(doc.Screens)-1].ID != ScreenSummary {
		t.Errorf("%s: screens run %s..%s, want CONSENT..SUMMARY", where, doc.Screens[0].ID, doc.Screens[len(doc.Screens)-1].ID)
	}
	if len(doc.RoutingModel) != len(ids) {
		t.Errorf("%s: routing model has %d screens, flow has %d", where, len(doc.RoutingModel), len(ids))
	}
	reached := map[string]bool{ScreenConsent: true}
	queue := []string{ScreenConsent}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		next, ok := doc.RoutingModel[id]
		if !ok {
			t.Errorf("%s: %s is not in the routing model", where, id)
		}
		for _, to := range next {
			if _, ok := ids[to]; !ok {
				t.Errorf("%s: %s routes to %s, which does not exist", where, id, to)
			}
			if !reached[to] {
				reached[to] = true
				queue = append(queue, to)
			}
		}
	}
	for id, s := range ids {
		if !reached[id] {
			t.Errorf("%s: %s cannot be reached from CONSENT", where, id)
		}
		if s.Terminal != (id == ScreenSummary) || (len(doc.RoutingModel[id]) == 0) != (id == ScreenSummary) {
			t.Errorf("%s: %s terminal=%v routes=%v; only SUMMARY may end the flow", where, id, s.Terminal, doc.RoutingModel[id])
		}
	}
}

func TestBuildIncomeCertificateLayout(t *testing.T) {
	t.Parallel()
	var doc flowDoc
	if err := json.Unmarshal(build(t, blueprint(t, "income-certificate", catalog.English)), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"CONSENT": {"STEP_A"},
		"STEP_A":  {"STEP_B"},
		// purpose_other is asked only when purpose is "other": its screen
		// may be skipped.
		"STEP_B":  {"STEP_C", "SUMMARY"},
		"STEP_C":  {"SUMMARY"},
		"SUMMARY": {},
	}
	if !reflect.DeepEqual(doc.RoutingModel, want) {
		t.Fatalf("routing model = %v, want %v", doc.RoutingModel, want)
	}
	inputs := map[string][]string{}
	var consent screenDoc
	for _, s := range doc.Screens {
		if s.ID == ScreenConsent {
			consent = s
		}
		for _, c := range s.Layout.Children {
			if name, ok := c["name"].(string); ok {
				inputs[s.ID] = append(inputs[s.ID], c["type"].(string)+":"+name)
			}
		}
	}
	wantInputs := map[string][]string{
		"CONSENT": {"OptIn:consent"},
		"STEP_A":  {"TextInput:applicant_name", "TextInput:father_or_husband_name", "DatePicker:date_of_birth", "TextInput:aadhaar"},
		"STEP_B":  {"TextInput:village", "TextInput:pin_code", "TextInput:annual_income", "RadioButtonsGroup:purpose"},
		"STEP_C":  {"TextInput:purpose_other"},
	}
	if !reflect.DeepEqual(inputs, wantInputs) {
		t.Fatalf("inputs = %v, want %v", inputs, wantInputs)
	}
	// Nothing personal before consent: CONSENT's only input is the box.
	if got := consent.Layout.Children[1]; got["required"] != true {
		t.Fatalf("consent OptIn = %v, want required", got)
	}
	for _, s := range doc.Screens {
		footer := s.Layout.Children[len(s.Layout.Children)-1]
		act := footer["on-click-action"].(map[string]any)
		if footer["type"] != "Footer" || act["name"] != "data_exchange" {
			t.Fatalf("%s ends with %v, want a data_exchange Footer", s.ID, footer)
		}
		payload := act["payload"].(map[string]any)
		if payload["screen"] != s.ID {
			t.Fatalf("%s payload = %v, want its screen name", s.ID, payload)
		}
		for _, in := range inputs[s.ID] {
			name := in[strings.Index(in, ":")+1:]
			if payload[name] != "${form."+name+"}" {
				t.Fatalf("%s payload misses %s: %v", s.ID, name, payload)
			}
		}
	}
	summary := doc.Screens[len(doc.Screens)-1]
	payload := summary.Layout.Children[len(summary.Layout.Children)-1]["on-click-action"].(map[string]any)["payload"].(map[string]any)
	if payload["action"] != "confirm" {
		t.Fatalf("SUMMARY payload = %v, want action confirm", payload)
	}
}

func TestBuildComponentMapping(t *testing.T) {
	t.Parallel()
	_, grievance := form(t, "power-supply-complaint")
	_, pension := form(t, "old-age-pension")
	lo, hi := 1.0, 9.0
	extra := []*catalog.Field{
		{ID: "mobile", Type: "phone", Label: catalog.Localized{EN: "Mobile"}},
		{ID: "district", Type: "choice", Label: catalog.Localized{EN: "District"}, Choices: []catalog.Choice{
			{ID: "a", Label: catalog.Localized{EN: "A"}}, {ID: "b", Label: catalog.Localized{EN: "B"}}, {ID: "c", Label: catalog.Localized{EN: "C"}},
			{ID: "d", Label: catalog.Localized{EN: "D"}}, {ID: "e", Label: catalog.Localized{EN: "E"}},
		}},
		{ID: "proof", Type: "document", Required: true, Label: catalog.Localized{EN: "Proof"}},
		{ID: "members", Type: "number", Min: &lo, Max: &hi, Label: catalog.Localized{EN: "Members"}},
	}
	fields := append(append(append([]*catalog.Field{}, grievance...), pension...), extra...)
	// The pension form repeats "village": keep the first.
	fields = slices.DeleteFunc(fields, func(f *catalog.Field) bool { return f == pension[len(pension)-2] })
	out := build(t, Blueprint{Fields: fields, Lang: catalog.English, Title: "Test", Consent: "Notice", Agree: "I agree"})
	if err := Validate(out); err != nil {
		t.Fatal(err)
	}
	var doc flowDoc
	_ = json.Unmarshal(out, &doc)
	comp := map[string]map[string]any{}
	screenOf := map[string]screenDoc{}
	for _, s := range doc.Screens {
		for _, c := range s.Layout.Children {
			if name, ok := c["name"].(string); ok {
				comp[name], screenOf[name] = c, s
			}
		}
	}
	for name, want := range map[string]string{
		"description": "TextArea", "photo": "PhotoPicker", "location": "TextInput", "service_number": "TextInput",
		"gets_other_pension": "RadioButtonsGroup", "aadhaar": "TextInput", "mobile": "TextInput",
		"district": "Dropdown", "proof": "DocumentPicker", "members": "TextInput", "date_of_birth": "DatePicker",
	} {
		if got := comp[name]["type"]; got != want {
			t.Errorf("%s is %v, want %s", name, got, want)
		}
	}
	for name, want := range map[string]string{"aadhaar": "number", "mobile": "phone", "members": "number", "location": "text"} {
		if got := comp[name]["input-type"]; got != want {
			t.Errorf("%s input-type = %v, want %s", name, got, want)
		}
	}
	yes := comp["gets_other_pension"]["data-source"].([]any)
	if len(yes) != 2 || yes[0].(map[string]any)["id"] != "yes" || yes[1].(map[string]any)["title"] != "No" {
		t.Errorf("yes/no data-source = %v", yes)
	}
	if comp["location"]["helper-text"] != say(catalog.English, "location_help") {
		t.Errorf("location asks %v, want an address or landmark", comp["location"]["helper-text"])
	}
	if comp["proof"]["min-uploaded-documents"] != 1.0 || comp["photo"]["min-uploaded-photos"] != 0.0 {
		t.Errorf("pickers: proof %v, photo %v", comp["proof"], comp["photo"])
	}
	for _, name := range []string{"photo", "proof"} {
		if n := countInputs(screenOf[name]); n != 1 {
			t.Errorf("%s shares its screen with %d other inputs", name, n-1)
		}
	}
	for _, s := range doc.Screens {
		if n := countInputs(s); n > maxInputs {
			t.Errorf("%s has %d inputs", s.ID, n)
		}
	}
}

func countInputs(s screenDoc) int {
	n := 0
	for _, c := range s.Layout.Children {
		if _, ok := c["name"]; ok {
			n++
		}
	}
	return n
}

func TestBuildShowsLongLabelsAboveTheInput(t *testing.T) {
	t.Parallel()
	long := "Father's or husband's full name as on the ration card"
	out := build(t, Blueprint{Fields: []*catalog.Field{{ID: "father", Type: "text", Label: catalog.Localized{EN: long}}},
		Lang: catalog.English, Title: "T", Consent: "N", Agree: "I agree"})
	if err := Validate(out); err != nil {
		t.Fatal(err)
	}
	var doc flowDoc
	_ = json.Unmarshal(out, &doc)
	kids := doc.Screens[1].Layout.Children
	if kids[1]["type"] != "TextBody" || kids[1]["text"] != long || kids[2]["label"] != "Your answer" {
		t.Fatalf("children = %v", kids)
	}
}

func TestBuildRefusesWhatAFlowCannotAsk(t *testing.T) {
	t.Parallel()
	text := func(id string) *catalog.Field {
		return &catalog.Field{ID: id, Type: "text", Label: catalog.Localized{EN: "Q"}}
	}
	ok := Blueprint{Fields: []*catalog.Field{text("a")}, Lang: catalog.English, Title: "T", Consent: "N", Agree: "I agree"}
	if _, err := Build(ok); err != nil {
		t.Fatal(err)
	}
	later := text("b")
	later.ShowIf = &catalog.Condition{Field: "c", Equals: "yes"}
	for name, edit := range map[string]func(*Blueprint){
		"no fields":       func(b *Blueprint) { b.Fields = nil },
		"reserved id":     func(b *Blueprint) { b.Fields = []*catalog.Field{text("flow_token")} },
		"bad id":          func(b *Blueprint) { b.Fields = []*catalog.Field{text("Name")} },
		"same flow name":  func(b *Blueprint) { b.Fields = []*catalog.Field{text("a-b"), text("a_b")} },
		"forward show_if": func(b *Blueprint) { b.Fields = []*catalog.Field{later, text("c")} },
		"unknown type": func(b *Blueprint) {
			b.Fields = []*catalog.Field{{ID: "x", Type: "signature", Label: catalog.Localized{EN: "Q"}}}
		},
		"no label":     func(b *Blueprint) { b.Fields = []*catalog.Field{{ID: "x", Type: "text"}} },
		"no title":     func(b *Blueprint) { b.Title = " " },
		"no consent":   func(b *Blueprint) { b.Consent = "" },
		"long agree":   func(b *Blueprint) { b.Agree = strings.Repeat("a", 121) },
		"bad language": func(b *Blueprint) { b.Lang = "ta" },
	} {
		b := ok
		edit(&b)
		if _, err := Build(b); err == nil {
			t.Errorf("%s: built", name)
		}
	}
}

func TestBuildRoutesPastEveryConditionalScreen(t *testing.T) {
	t.Parallel()
	yes := &catalog.Field{ID: "has_land", Type: "yes_no", Label: catalog.Localized{EN: "Own land?"}}
	fields := []*catalog.Field{yes}
	for _, id := range []string{"survey", "extent"} {
		fields = append(fields, &catalog.Field{ID: id, Type: "text", Label: catalog.Localized{EN: id}, ShowIf: &catalog.Condition{Field: "has_land", Equals: "yes"}})
	}
	fields = append(fields, &catalog.Field{ID: "deed", Type: "photo", Label: catalog.Localized{EN: "Deed"}, ShowIf: &catalog.Condition{Field: "has_land", Equals: "yes"}})
	var doc flowDoc
	_ = json.Unmarshal(build(t, Blueprint{Fields: fields, Lang: catalog.English, Title: "T", Consent: "N", Agree: "I agree"}), &doc)
	// survey and extent share a screen; the photo has its own; both may be skipped.
	want := map[string][]string{"CONSENT": {"STEP_A"}, "STEP_A": {"STEP_B", "STEP_C", "SUMMARY"}, "STEP_B": {"STEP_C", "SUMMARY"}, "STEP_C": {"SUMMARY"}, "SUMMARY": {}}
	if !reflect.DeepEqual(doc.RoutingModel, want) {
		t.Fatalf("routing model = %v, want %v", doc.RoutingModel, want)
	}
}

// TestBuildTextIsInTheCitizensScript walks every static text a citizen
// sees in the Telugu and Hindi flows: each must be in that script, with
// no Latin letters.
func TestBuildTextIsInTheCitizensScript(t *testing.T) {
	t.Parallel()
	for _, lang := range []catalog.Lang{catalog.Telugu, catalog.Hindi} {
		for _, svc := range services {
			var doc flowDoc
			if err := json.Unmarshal(build(t, blueprint(t, svc, lang)), &doc); err != nil {
				t.Fatal(err)
			}
			for _, s := range doc.Screens {
				checkScript(t, lang, s.ID+" title", s.Title)
				for _, c := range s.Layout.Children {
					for _, k := range []string{"text", "label", "helper-text", "description"} {
						if v, ok := c[k].(string); ok && !strings.Contains(v, "${") {
							checkScript(t, lang, s.ID+" "+c["type"].(string)+" "+k, v)
						}
					}
					if src, ok := c["data-source"].([]any); ok {
						for _, it := range src {
							checkScript(t, lang, s.ID+" choice", it.(map[string]any)["title"].(string))
						}
					}
				}
				for k, d := range s.Data {
					if v, ok := d.Example.(string); ok {
						checkScript(t, lang, s.ID+" data "+k, v)
					}
				}
			}
		}
	}
}

func checkScript(t *testing.T, lang catalog.Lang, where, s string) {
	t.Helper()
	script := map[catalog.Lang]*unicode.RangeTable{catalog.Telugu: unicode.Telugu, catalog.Hindi: unicode.Devanagari}[lang]
	native := false
	for _, r := range s {
		native = native || unicode.Is(script, r)
		if unicode.Is(unicode.Latin, r) {
			t.Errorf("%s: %s %q has Latin letters", lang, where, s)
			return
		}
	}
	if !native {
		t.Errorf("%s: %s %q is not in the %s script", lang, where, s, lang)
	}
}
