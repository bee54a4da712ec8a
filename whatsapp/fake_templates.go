package whatsapp

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// The fake's side of template management: it keeps submitted templates
// as Meta does (one entry a name and language), checks a submission's
// shape, pages its listing, and lets a test or the simulator play Meta's
// reviewer with Review and Recategorise, which return the webhook body
// Meta would post.

type fakeTemplate struct {
	RemoteTemplate
	body string
	// quickReplies is how many quick-reply buttons it has.
	quickReplies int
}

func templateKey(name, lang string) string { return name + "\x00" + lang }

var fakePlaceholder = regexp.MustCompile(`\{\{\d+\}\}`)

type fakeComponents []struct {
	Type    string `json:"type"`
	Text    string `json:"text"`
	Example struct {
		BodyText [][]string `json:"body_text"`
	} `json:"example"`
	Buttons []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"buttons"`
}

// quickReplies checks a BUTTONS component as Meta does (at most 10
// quick replies of at most 25 characters) and counts them, or refuses.
func (cs fakeComponents) quickReplies() (int, string) {
	n := 0
	for _, c := range cs {
		if c.Type != "BUTTONS" {
			continue
		}
		for _, b := range c.Buttons {
			if b.Type != "QUICK_REPLY" || b.Text == "" || len([]rune(b.Text)) > 25 {
				return 0, "Invalid parameter: a quick reply needs a text of at most 25 characters"
			}
			n++
		}
	}
	if n > 10 {
		return 0, "Invalid parameter: at most 10 buttons"
	}
	return n, ""
}

// body checks the components as Meta does and returns the BODY's text,
// or the refusal.
func (cs fakeComponents) body() (string, string) {
	var body string
	for _, c := range cs {
		if c.Type != "BODY" {
			continue
		}
		body = c.Text
		// Meta refuses a body with variables and no example of each.
		if n := len(fakePlaceholder.FindAllString(c.Text, -1)); n > 0 && (len(c.Example.BodyText) != 1 || len(c.Example.BodyText[0]) != n) {
			return "", "Invalid parameter: the body's variables need examples"
		}
	}
	if body == "" || len([]rune(body)) > 1024 {
		return "", "Invalid parameter: a template needs a BODY of at most 1024 characters"
	}
	return body, ""
}

// createTemplate answers POST /{waba}/message_templates.
func (f *FakeGraph) createTemplate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name       string         `json:"name"`
		Language   string         `json:"language"`
		Category   string         `json:"category"`
		Components fakeComponents `json:"components"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		graphError(w, http.StatusBadRequest, 100, "Invalid parameter")
		return
	}
	if req.Name == "" || req.Language == "" || !slices.Contains([]string{"UTILITY", "MARKETING", "AUTHENTICATION"}, req.Category) {
		graphError(w, http.StatusBadRequest, 100, "Invalid parameter: name, language and category are required")
		return
	}
	body, refusal := req.Components.body()
	buttons, buttonRefusal := req.Components.quickReplies()
	if refusal = cmp.Or(refusal, buttonRefusal); refusal != "" {
		graphError(w, http.StatusBadRequest, 100, refusal)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.templates == nil {
		f.templates = map[string]*fakeTemplate{}
	}
	key := templateKey(req.Name, req.Language)
	if _, dup := f.templates[key]; dup {
		graphError(w, http.StatusBadRequest, 100, "Message template already exists in this language")
		return
	}
	f.nextTemplate++
	t := &fakeTemplate{RemoteTemplate{ID: strconv.Itoa(1_000_000 + f.nextTemplate), Name: req.Name, Language: req.Language,
		Status: "PENDING", Category: req.Category}, body, buttons}
	if f.AutoApprove {
		t.Status = "APPROVED"
	}
	f.templates[key] = t
	writeJSON(w, map[string]string{"id": t.ID, "status": t.Status, "category": t.Category})
}

// editTemplate answers POST /{template-id}: a new body, reviewed again.
func (f *FakeGraph) editTemplate(w http.ResponseWriter, r *http.Request, id string) {
	var req struct {
		Components fakeComponents `json:"components"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		graphError(w, http.StatusBadRequest, 100, "Invalid parameter")
		return
	}
	body, refusal := req.Components.body()
	if refusal != "" {
		graphError(w, http.StatusBadRequest, 100, refusal)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range f.templates {
		if t.ID == id {
			t.body, t.Status = body, "PENDING"
			if f.AutoApprove {
				t.Status = "APPROVED"
			}
			f.edits++
			writeJSON(w, map[string]bool{"success": true})
			return
		}
	}
	graphError(w, http.StatusNotFound, 100, "Unsupported post request: no such template")
}

// TemplateEdits counts the edits the fake has taken.
func (f *FakeGraph) TemplateEdits() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.edits
}

// templateIDPath returns the id of a POST .../{version}/{template-id}.
func templateIDPath(p string) (string, bool) {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	if len(parts) < 2 {
		return "", false
	}
	id, version := parts[len(parts)-1], parts[len(parts)-2]
	return id, id != "" && strings.Trim(id, "0123456789") == "" && strings.HasPrefix(version, "v")
}

// fakeTemplatePage is the listing's page size, small so that paging is
// exercised by a handful of templates.
const fakeTemplatePage = 4

// listTemplates answers GET /{waba}/message_templates with cursor paging.
func (f *FakeGraph) listTemplates(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	keys := make([]string, 0, len(f.templates))
	for k := range f.templates {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	start := 0
	if after := r.URL.Query().Get("after"); after != "" {
		n, err := strconv.Atoi(after)
		if err != nil || n < 0 || n > len(keys) {
			f.mu.Unlock()
			graphError(w, http.StatusBadRequest, 100, "Invalid parameter: after")
			return
		}
		start = n
	}
	end := min(start+fakeTemplatePage, len(keys))
	page := map[string]any{}
	data := []RemoteTemplate{}
	for _, k := range keys[start:end] {
		data = append(data, f.templates[k].RemoteTemplate)
	}
	f.mu.Unlock()
	page["data"] = data
	if end < len(keys) {
		page["paging"] = map[string]any{"cursors": map[string]string{"after": strconv.Itoa(end)}, "next": "https://graph.facebook.com/next"}
	}
	writeJSON(w, page)
}

// Review plays Meta's reviewer: the template's status becomes event
// (APPROVED, REJECTED, PAUSED, DISABLED...) and the webhook body Meta
// would post is returned.
func (f *FakeGraph) Review(name, lang, event, reason string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.templates[templateKey(name, lang)]
	if !ok {
		return nil, fmt.Errorf("fake graph: no template %s in %s", name, lang)
	}
	t.Status = event
	if event == "REJECTED" {
		t.RejectedReason = reason
	}
	return templateWebhook(fieldTemplateStatus, map[string]any{"event": event, "message_template_id": json.Number(t.ID),
		"message_template_name": name, "message_template_language": lang, "reason": reason, "message_template_category": t.Category})
}

// Recategorise plays Meta moving a template to another category.
func (f *FakeGraph) Recategorise(name, lang, category string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.templates[templateKey(name, lang)]
	if !ok {
		return nil, fmt.Errorf("fake graph: no template %s in %s", name, lang)
	}
	prev := t.Category
	t.Category = category
	return templateWebhook(fieldTemplateCategory, map[string]any{"message_template_id": json.Number(t.ID),
		"message_template_name": name, "message_template_language": lang, "previous_category": prev, "new_category": category})
}

// templateApproved reports whether the fake would let a template message
// go: always when no template was ever submitted to it (tests that send
// templates without managing them), else only an approved one.
func (f *FakeGraph) templateApproved(name, lang string) bool {
	if len(f.templates) == 0 {
		return true
	}
	t, ok := f.templates[templateKey(name, lang)]
	return ok && t.Status == "APPROVED"
}

// buttonsFit reports whether a send's quick-reply payloads name buttons
// the template has (Meta refuses a payload for a button that is not
// there); without templates under management, anything goes.
func (f *FakeGraph) buttonsFit(name, lang string, indexes []string) bool {
	t, ok := f.templates[templateKey(name, lang)]
	if !ok {
		return true
	}
	for _, i := range indexes {
		if n, err := strconv.Atoi(i); err != nil || n < 0 || n >= t.quickReplies {
			return false
		}
	}
	return true
}

func templateWebhook(field string, value map[string]any) ([]byte, error) {
	return json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{
		"id": "102290129340398", "time": 1751247548, "changes": []any{map[string]any{"field": field, "value": value}}}}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// isTemplatesPath reports a request for the template endpoints.
func isTemplatesPath(p string) bool { return strings.HasSuffix(p, "/message_templates") }

func isTemplateID(p string) bool { _, ok := templateIDPath(p); return ok }

// StatusWebhook is the webhook body Meta would post for a status of
// messages the fake accepted (Meta may batch several in one delivery):
// each with the pricing of a template (its category, billable) or of a
// free service reply, and the biz_opaque_callback_data it was sent with.
func (f *FakeGraph) StatusWebhook(phoneNumberID, status string, cs ...Captured) ([]byte, error) {
	var statuses []any
	for _, c := range cs {
		var sent struct {
			Callback string `json:"biz_opaque_callback_data"`
			Template *struct {
				Name     string `json:"name"`
				Language struct {
					Code string `json:"code"`
				} `json:"language"`
			} `json:"template"`
		}
		if err := json.Unmarshal(c.Payload, &sent); err != nil {
			return nil, err
		}
		pricing := map[string]any{"billable": false, "pricing_model": "PMP", "type": "free_customer_service", "category": "service"}
		if sent.Template != nil {
			f.mu.Lock()
			t := f.templates[templateKey(sent.Template.Name, sent.Template.Language.Code)]
			f.mu.Unlock()
			category := "utility"
			if t != nil {
				category = strings.ToLower(t.Category)
			}
			pricing = map[string]any{"billable": true, "pricing_model": "PMP", "type": "regular", "category": category}
		}
		st := map[string]any{"id": c.ID, "status": status, "timestamp": strconv.FormatInt(c.At.Unix(), 10), "recipient_id": c.To, "pricing": pricing}
		if sent.Callback != "" {
			st["biz_opaque_callback_data"] = sent.Callback
		}
		statuses = append(statuses, st)
	}
	return json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{"id": "0", "changes": []any{
		map[string]any{"field": "messages", "value": map[string]any{"messaging_product": "whatsapp",
			"metadata": map[string]any{"display_phone_number": "0", "phone_number_id": phoneNumberID}, "statuses": statuses}}}}}})
}
