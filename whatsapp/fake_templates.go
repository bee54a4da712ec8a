package whatsapp

import (
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
}

func templateKey(name, lang string) string { return name + "\x00" + lang }

var fakePlaceholder = regexp.MustCompile(`\{\{\d+\}\}`)

type fakeComponents []struct {
	Type    string `json:"type"`
	Text    string `json:"text"`
	Example struct {
		BodyText [][]string `json:"body_text"`
	} `json:"example"`
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
	if refusal != "" {
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
		Status: "PENDING", Category: req.Category}, body}
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
