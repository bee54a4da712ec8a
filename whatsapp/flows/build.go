package flows

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mitra-gov/mitra/catalog"
)

// Blueprint is what a Flow is built from: one form in one language. Flow
// text is static per uploaded Flow, so each language is its own Flow.
type Blueprint struct {
	// Fields are the form's fields, the shared form's first, as
	// catalog.Catalog.FormFor returns them.
	Fields []*catalog.Field
	Lang   catalog.Lang
	// Title is shown in each screen's navigation bar.
	Title string
	// Consent is the notice on the first screen: what is collected, for
	// what, and who sees it. Nothing personal is asked before the citizen
	// agrees to it.
	Consent string
	// Agree labels the consent check box ("I agree").
	Agree string
}

// Meta's length limits on static component text, in characters, as the
// Flow JSON component reference gives them. A field label longer than its
// input's limit is shown as text above the input instead (see labelled).
var labelLimit = map[string]int{
	"TextInput":         20,
	"TextArea":          20,
	"Dropdown":          20,
	"DatePicker":        40,
	"RadioButtonsGroup": 30,
	"PhotoPicker":       30,
	"DocumentPicker":    30,
	"OptIn":             120,
	"Footer":            35,
}

const (
	maxHelperText = 80
	maxDescText   = 300
	maxHeading    = 80
	maxBodyText   = 4096
	maxCaption    = 409
	// maxRadio is the most choices shown as radio buttons; longer lists
	// become a dropdown.
	maxRadio = 4
)

// Build renders the Flow JSON for a form: a CONSENT screen, the field
// screens (STEP_A, STEP_B, ...) and a terminal SUMMARY screen, every
// Footer a data_exchange so the endpoint checks each screen before the
// next, and a routing model that lets the endpoint skip a screen whose
// show_if condition is not met.
func Build(b Blueprint) ([]byte, error) {
	lang, ok := catalog.ParseLang(string(b.Lang))
	if !ok {
		return nil, fmt.Errorf("flows: build: unknown language %q", b.Lang)
	}
	pages, err := layout(b.Fields)
	if err != nil {
		return nil, err
	}
	r := renderer{lang: lang, title: strings.TrimSpace(b.Title)}
	switch {
	case r.title == "":
		return nil, fmt.Errorf("flows: build: the title is empty")
	case strings.TrimSpace(b.Consent) == "":
		return nil, fmt.Errorf("flows: build: the consent notice is empty")
	case utf8.RuneCountInString(b.Consent) > maxBodyText:
		return nil, fmt.Errorf("flows: build: the consent notice is over %d characters", maxBodyText)
	case strings.TrimSpace(b.Agree) == "":
		return nil, fmt.Errorf("flows: build: the agree label is empty")
	case utf8.RuneCountInString(b.Agree) > labelLimit["OptIn"]:
		return nil, fmt.Errorf("flows: build: the agree label is over %d characters", labelLimit["OptIn"])
	}

	ids := []string{ScreenConsent}
	for _, p := range pages {
		ids = append(ids, p.id)
	}
	ids = append(ids, ScreenSummary)

	doc := flowDoc{
		Version:        FlowJSONVersion,
		DataAPIVersion: DataAPIVersion,
		RoutingModel:   routes(pages),
	}
	doc.Screens = append(doc.Screens, r.consent(b.Consent, strings.TrimSpace(b.Agree)))
	for _, p := range pages {
		s, err := r.page(p)
		if err != nil {
			return nil, err
		}
		doc.Screens = append(doc.Screens, s)
	}
	doc.Screens = append(doc.Screens, r.summary())
	return json.MarshalIndent(doc, "", "  ")
}

// routes is the routing model: each screen to the next and, past pages
// that may be skipped, to the ones after them; SUMMARY is terminal.
func routes(pages []page) map[string][]string {
	id := func(i int) string {
		switch {
		case i < 0:
			return ScreenConsent
		case i >= len(pages):
			return ScreenSummary
		}
		return pages[i].id
	}
	m := map[string][]string{ScreenSummary: {}}
	for i := -1; i < len(pages); i++ {
		next := []string{id(i + 1)}
		for j := i + 1; j < len(pages) && pages[j].cond != nil; j++ {
			next = append(next, id(j+1))
		}
		m[id(i)] = next
	}
	return m
}

// Flow JSON documents, as Build writes them and Validate and FakeClient
// read them.
type flowDoc struct {
	Version        string              `json:"version"`
	DataAPIVersion string              `json:"data_api_version"`
	RoutingModel   map[string][]string `json:"routing_model"`
	Screens        []screenDoc         `json:"screens"`
}

type screenDoc struct {
	ID            string              `json:"id"`
	Title         string              `json:"title"`
	Terminal      bool                `json:"terminal,omitempty"`
	RefreshOnBack bool                `json:"refresh_on_back,omitempty"`
	Data          map[string]dataDecl `json:"data,omitempty"`
	Layout        layoutDoc           `json:"layout"`
}

type layoutDoc struct {
	Type     string           `json:"type"`
	Children []map[string]any `json:"children"`
}

// dataDecl declares one key of a screen's data model.
type dataDecl struct {
	Type    string `json:"type"`
	Example any    `json:"__example__"`
}

type renderer struct {
	lang  catalog.Lang
	title string
}

func (r *renderer) consent(notice, agree string) screenDoc {
	return screenDoc{
		ID:    ScreenConsent,
		Title: r.title,
		Layout: layoutDoc{Type: "SingleColumnLayout", Children: []map[string]any{
			{"type": "TextBody", "text": notice},
			{"type": "OptIn", "name": "consent", "label": agree, "required": true},
			r.footer(say(r.lang, "continue"), map[string]any{"consent": "${form.consent}", "screen": ScreenConsent}),
		}},
	}
}

// page renders a screen of fields. Its data model holds an error message
// per typed input, bound to the input's error-message, and a screen notice
// for problems no single input can show; the endpoint always sends all of
// them (empty when there is nothing to say).
func (r *renderer) page(p page) (screenDoc, error) {
	data := noticeDecl(r.lang)
	children := []map[string]any{noticeCaption()}
	payload := map[string]any{"screen": p.id}
	for _, f := range p.fields {
		cs, err := r.field(f)
		if err != nil {
			return screenDoc{}, err
		}
		children = append(children, cs...)
		name := componentName(f.ID)
		payload[name] = "${form." + name + "}"
		if hasErrorBinding(f.Type) {
			data[errorKey(name)] = dataDecl{Type: "string", Example: ProblemText(r.lang, catalog.ProblemRequired)}
		}
	}
	children = append(children, r.footer(say(r.lang, "continue"), payload))
	return screenDoc{
		ID:            p.id,
		Title:         r.title,
		RefreshOnBack: true,
		Data:          data,
		Layout:        layoutDoc{Type: "SingleColumnLayout", Children: children},
	}, nil
}

func (r *renderer) summary() screenDoc {
	data := noticeDecl(r.lang)
	data["summary"] = dataDecl{Type: "string", Example: r.title}
	return screenDoc{
		ID:            ScreenSummary,
		Title:         say(r.lang, "summary_title"),
		Terminal:      true,
		RefreshOnBack: true,
		Data:          data,
		Layout: layoutDoc{Type: "SingleColumnLayout", Children: []map[string]any{
			{"type": "TextSubheading", "text": say(r.lang, "summary_heading")},
			noticeCaption(),
			{"type": "TextBody", "text": "${data.summary}"},
			r.footer(say(r.lang, "submit"), map[string]any{"screen": ScreenSummary, "action": "confirm"}),
		}},
	}
}

func (r *renderer) footer(label string, payload map[string]any) map[string]any {
	return map[string]any{
		"type":            "Footer",
		"label":           label,
		"on-click-action": map[string]any{"name": ActionDataExchange, "payload": payload},
	}
}

func noticeDecl(lang catalog.Lang) map[string]dataDecl {
	return map[string]dataDecl{
		"notice":     {Type: "string", Example: say(lang, "summary_incomplete")},
		"has_notice": {Type: "boolean", Example: false},
	}
}

func noticeCaption() map[string]any {
	return map[string]any{"type": "TextCaption", "text": "${data.notice}", "visible": "${data.has_notice}"}
}

func errorKey(name string) string { return "error_" + name }

// hasErrorBinding reports whether a field's input shows its own error
// message (the typed inputs, which are what the endpoint can reject);
// choices and pickers are constrained by the client and report through
// the screen notice.
func hasErrorBinding(t catalog.FieldType) bool {
	switch t {
	case "choice", "yes_no", "photo", "document":
		return false
	}
	return true
}

// field renders one field as components: its input, preceded by its
// question when the question is too long to be the input's label, and by
// its help when the input cannot show help itself.
func (r *renderer) field(f *catalog.Field) ([]map[string]any, error) {
	name := componentName(f.ID)
	label := strings.TrimSpace(f.Label.In(r.lang))
	if label == "" {
		return nil, fmt.Errorf("flows: field %q has no label", f.ID)
	}
	help := strings.TrimSpace(f.Help.In(r.lang))
	var in map[string]any
	short := "label_answer"
	switch f.Type {
	case "long_text":
		in = map[string]any{"type": "TextArea"}
		if f.MaxLength > 0 {
			in["max-length"] = f.MaxLength
		}
	case "date":
		in = map[string]any{"type": "DatePicker"}
		short = "label_date"
	case "choice", "yes_no":
		src := []map[string]any{}
		if f.Type == "yes_no" {
			src = append(src, map[string]any{"id": "yes", "title": say(r.lang, "yes")}, map[string]any{"id": "no", "title": say(r.lang, "no")})
		}
		for _, c := range f.Choices {
			title := strings.TrimSpace(c.Label.In(r.lang))
			if c.ID == "" || title == "" {
				return nil, fmt.Errorf("flows: field %q has a choice without an id or label", f.ID)
			}
			src = append(src, map[string]any{"id": c.ID, "title": title})
		}
		kind := "RadioButtonsGroup"
		if len(src) > maxRadio {
			kind = "Dropdown"
		}
		in = map[string]any{"type": kind, "data-source": src}
		short = "label_choose"
	case "photo":
		in = map[string]any{
			"type": "PhotoPicker", "photo-source": "camera_gallery",
			"min-uploaded-photos": minUploads(f), "max-uploaded-photos": maxPhotos,
		}
		short = "label_photo"
	case "document":
		in = map[string]any{
			"type": "DocumentPicker", "allowed-mime-types": []string{"application/pdf", "image/jpeg", "image/png"},
			"min-uploaded-documents": minUploads(f), "max-uploaded-documents": maxDocuments,
		}
		short = "label_document"
	default: // text, place, aadhaar, phone, pin_code, number, location
		in = map[string]any{"type": "TextInput", "input-type": inputType(f.Type)}
		if in["input-type"] == "text" {
			if f.MinLength > 0 {
				in["min-chars"] = f.MinLength
			}
			if f.MaxLength > 0 {
				in["max-chars"] = f.MaxLength
			}
		}
		if f.Type == "location" {
			// Flows have no location picker: ask for the place in words,
			// as long as Walker.check accepts.
			help = say(r.lang, "location_help")
			in["max-chars"] = catalog.LocationMaxRunes
			if f.MaxLength > 0 && f.MaxLength < catalog.LocationMaxRunes {
				in["max-chars"] = f.MaxLength
			}
		}
	}
	kind := in["type"].(string)
	in["name"] = name
	in["required"] = f.Required
	if hasErrorBinding(f.Type) {
		in["error-message"] = "${data." + errorKey(name) + "}"
	}

	var out []map[string]any
	if utf8.RuneCountInString(label) <= labelLimit[kind] {
		in["label"] = label
	} else {
		if utf8.RuneCountInString(label) > maxBodyText {
			return nil, fmt.Errorf("flows: field %q: the label is over %d characters", f.ID, maxBodyText)
		}
		out = append(out, map[string]any{"type": "TextBody", "text": label})
		in["label"] = say(r.lang, short)
	}
	if help != "" {
		switch {
		case (kind == "TextInput" || kind == "TextArea" || kind == "DatePicker") && utf8.RuneCountInString(help) <= maxHelperText:
			in["helper-text"] = help
		case (kind == "PhotoPicker" || kind == "DocumentPicker") && utf8.RuneCountInString(help) <= maxDescText:
			in["description"] = help
		case utf8.RuneCountInString(help) <= maxCaption:
			out = append(out, map[string]any{"type": "TextCaption", "text": help})
		default:
			return nil, fmt.Errorf("flows: field %q: the help is over %d characters", f.ID, maxCaption)
		}
	}
	return append(out, in), nil
}

func minUploads(f *catalog.Field) int {
	if f.Required {
		return 1
	}
	return 0
}

// inputType picks the keyboard: digits for numbers, an Aadhaar and a PIN
// code, the phone pad for a mobile number.
func inputType(t catalog.FieldType) string {
	switch t {
	case "number", "aadhaar", "pin_code":
		return "number"
	case "phone":
		return "phone"
	}
	return "text"
}
