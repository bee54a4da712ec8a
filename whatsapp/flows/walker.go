package flows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mitra-gov/mitra/catalog"
)

// Walker answers a form's data-exchange requests: it checks each screen's
// answers with the catalogue's own rules (Field.Check), keeps the
// normalised answers, and routes over the screens Build laid out. It holds
// no state between requests, so one Walker per form and language serves
// every citizen, safe for concurrent use; the draft answers go in and come
// out of Respond.
type Walker struct {
	lang  catalog.Lang
	pages []page
	byID  map[string]*catalog.Field
	index map[string]int // screen id to position: CONSENT 0, pages, SUMMARY
}

// NewWalker lays out fields exactly as Build does.
func NewWalker(fields []*catalog.Field, lang catalog.Lang) (*Walker, error) {
	l, ok := catalog.ParseLang(string(lang))
	if !ok {
		return nil, fmt.Errorf("flows: walker: unknown language %q", lang)
	}
	pages, err := layout(fields)
	if err != nil {
		return nil, err
	}
	w := &Walker{lang: l, pages: pages, byID: map[string]*catalog.Field{}, index: map[string]int{ScreenConsent: 0}}
	for i, p := range pages {
		w.index[p.id] = i + 1
		for _, f := range p.fields {
			w.byID[f.ID] = f
		}
	}
	w.index[ScreenSummary] = len(pages) + 1
	return w, nil
}

// Respond answers one decrypted request given the draft answers so far
// and returns the response with the updated draft for the caller to store
// (the input map is not changed). today is the citizen's date, for
// not_future dates.
//
//   - ping: {"data":{"status":"active"}}.
//   - an error notification (data.error set): {"data":{"acknowledged":true}}.
//   - INIT: the CONSENT screen.
//   - data_exchange from a screen: the same screen with per-field errors
//     when an answer is wrong, else the next screen whose fields are shown.
//   - BACK: the screen before, with its errors cleared.
//   - data_exchange with action "confirm" from SUMMARY: the SUCCESS
//     terminal response; its params carry the flow_token and every answer,
//     and arrive as the nfm_reply's response_json (see ParseCompletion).
//
// Errors wrap ErrBadRequest for a screen or action this flow does not have.
func (w *Walker) Respond(req Request, answers map[string]string, today time.Time) (Response, map[string]string, error) {
	draft := make(map[string]string, len(answers)+2)
	for k, v := range answers {
		draft[k] = v
	}
	if req.Data == nil {
		req.Data = map[string]any{}
	}
	switch {
	case strings.EqualFold(req.Action, ActionPing):
		return Response{Data: map[string]any{"status": "active"}}, draft, nil
	case req.Data["error"] != nil:
		// WhatsApp tells the endpoint a response it sent was unusable;
		// it expects only an acknowledgement.
		return Response{Data: map[string]any{"acknowledged": true}}, draft, nil
	case strings.EqualFold(req.Action, ActionInit):
		return w.show(0, draft, nil, ""), draft, nil
	case strings.EqualFold(req.Action, ActionBack):
		return w.back(req, draft), draft, nil
	case req.Action != ActionDataExchange:
		return Response{}, draft, fmt.Errorf("%w: unknown action %q", ErrBadRequest, req.Action)
	}
	screen := req.Screen
	if screen == "" {
		screen, _ = req.Data["screen"].(string)
	}
	at, ok := w.index[screen]
	if !ok {
		return Response{}, draft, fmt.Errorf("%w: unknown screen %q", ErrBadRequest, screen)
	}
	switch {
	case at == 0:
		return w.consent(req, draft), draft, nil
	case draft[ConsentKey] != "yes":
		// No answer is kept without consent, whatever the client sends.
		return w.show(0, draft, nil, ""), draft, nil
	case at == len(w.pages)+1:
		return w.confirm(req, draft, today), draft, nil
	}
	return w.submit(at, req, draft, today), draft, nil
}

func (w *Walker) consent(req Request, draft map[string]string) Response {
	switch v := req.Data["consent"].(type) {
	case bool:
		if v {
			draft[ConsentKey] = "yes"
		}
	case string:
		if v == "true" {
			draft[ConsentKey] = "yes"
		}
	}
	if draft[ConsentKey] != "yes" {
		return w.show(0, draft, nil, "")
	}
	return w.show(w.next(0, draft), draft, nil, "")
}

// submit checks the answers of the page at position at.
func (w *Walker) submit(at int, req Request, draft map[string]string, today time.Time) Response {
	p := w.pages[at-1]
	if !w.pageVisible(p, draft) {
		// A page the answers now hide (the citizen went back and changed
		// the condition): nothing on it is kept.
		w.forgetHidden(draft)
		return w.show(w.next(at, draft), draft, nil, "")
	}
	errs := map[string]string{}
	var notices []string
	for _, f := range p.fields {
		norm, problem := w.check(f, req.Data[componentName(f.ID)], today)
		if problem == "" {
			if norm == "" {
				delete(draft, f.ID)
			} else {
				draft[f.ID] = norm
			}
			continue
		}
		delete(draft, f.ID)
		msg := ProblemText(w.lang, problem)
		if hasErrorBinding(f.Type) {
			errs[componentName(f.ID)] = msg
		} else {
			notices = append(notices, f.Label.In(w.lang)+": "+msg)
		}
	}
	w.forgetHidden(draft)
	if len(errs) > 0 || len(notices) > 0 {
		return w.show(at, draft, errs, strings.Join(notices, "\n"))
	}
	return w.show(w.next(at, draft), draft, nil, "")
}

// confirm finishes the flow if the whole draft still holds, checked again
// because the draft, not the client, is the record.
func (w *Walker) confirm(req Request, draft map[string]string, today time.Time) Response {
	last := len(w.pages) + 1
	if action, _ := req.Data["action"].(string); action != "confirm" {
		return w.show(last, draft, nil, "")
	}
	params := map[string]any{"flow_token": req.FlowToken}
	for _, p := range w.pages {
		for _, f := range p.fields {
			if !visible(f, w.byID, draft) {
				continue
			}
			norm, problem := w.check(f, draft[f.ID], today)
			if problem != "" {
				return w.show(last, draft, nil, say(w.lang, "summary_incomplete"))
			}
			if norm != "" {
				params[f.ID] = norm
			}
		}
	}
	delete(draft, CursorKey)
	return Response{Screen: ScreenSuccess, Data: map[string]any{
		"extension_message_response": map[string]any{"params": params},
	}}
}

// back answers a BACK request with the screen before. Meta's documents
// leave open whether screen names the screen being left or the one
// returned to, and allow it to be empty; the cursor (the last screen this
// Walker showed) settles all three.
func (w *Walker) back(req Request, draft map[string]string) Response {
	from, fromOK := w.index[req.Screen]
	cur, curOK := w.index[draft[CursorKey]]
	target := 0
	switch {
	case fromOK && curOK && from != cur && w.prev(cur, draft) == from:
		target = from
	case fromOK:
		target = w.prev(from, draft)
	case curOK:
		target = w.prev(cur, draft)
	}
	return w.show(target, draft, nil, "")
}

// show renders the screen at position at with its whole data model: every
// error key (empty unless errs has it) and the notice.
func (w *Walker) show(at int, draft map[string]string, errs map[string]string, notice string) Response {
	if at == 0 {
		draft[CursorKey] = ScreenConsent
		return Response{Screen: ScreenConsent, Data: map[string]any{}}
	}
	data := map[string]any{"notice": notice, "has_notice": notice != ""}
	if at > len(w.pages) {
		draft[CursorKey] = ScreenSummary
		data["summary"] = w.summary(draft)
		return Response{Screen: ScreenSummary, Data: data}
	}
	p := w.pages[at-1]
	for _, f := range p.fields {
		if hasErrorBinding(f.Type) {
			name := componentName(f.ID)
			data[errorKey(name)] = errs[name]
		}
	}
	draft[CursorKey] = p.id
	return Response{Screen: p.id, Data: data}
}

// next is the position of the first screen after at that the answers
// show; SUMMARY is always shown.
func (w *Walker) next(at int, draft map[string]string) int {
	for i := at + 1; i <= len(w.pages); i++ {
		if w.pageVisible(w.pages[i-1], draft) {
			return i
		}
	}
	return len(w.pages) + 1
}

// prev is the position of the last shown screen before at; CONSENT at
// the start.
func (w *Walker) prev(at int, draft map[string]string) int {
	for i := min(at-1, len(w.pages)); i >= 1; i-- {
		if w.pageVisible(w.pages[i-1], draft) {
			return i
		}
	}
	return 0
}

func (w *Walker) pageVisible(p page, draft map[string]string) bool {
	for _, f := range p.fields {
		if visible(f, w.byID, draft) {
			return true
		}
	}
	return false
}

// forgetHidden drops answers to fields the other answers now hide, so a
// changed mind ("other" → "job") leaves no stale answer in the record.
func (w *Walker) forgetHidden(draft map[string]string) {
	for id, f := range w.byID {
		if _, ok := draft[id]; ok && !visible(f, w.byID, draft) {
			delete(draft, id)
		}
	}
}

// check validates one answer as sent by the client (a string, a
// json.Number, a list of media) or as kept in the draft (a string).
func (w *Walker) check(f *catalog.Field, v any, today time.Time) (string, string) {
	switch f.Type {
	case "photo", "document":
		limit := maxPhotos
		if f.Type == "document" {
			limit = maxDocuments
		}
		return checkMedia(v, f.Required, limit)
	case "location":
		// Asked as a typed address, so checked as text.
		return f.CheckTypedPlace(scalar(v), today)
	}
	return f.Check(scalar(v), today)
}

// scalar turns a payload value into the text Field.Check reads. Lists
// and objects are not answers to a typed field and read as empty.
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		if x {
			return "yes"
		}
		return "no"
	}
	return ""
}

// checkMedia validates what a PhotoPicker or DocumentPicker sends: a list
// of {media_id, cdn_url, file_name, encryption_metadata}. It keeps the
// list as compact JSON, which the caller needs to fetch and decrypt the
// files, so the draft holds their keys and is as secret as the answers.
func checkMedia(v any, required bool, limit int) (string, string) {
	var items []any
	switch x := v.(type) {
	case nil:
	case string:
		if x != "" && json.Unmarshal([]byte(x), &items) != nil {
			return "", catalog.ProblemMediaOnly
		}
	case []any:
		items = x
	default:
		return "", catalog.ProblemMediaOnly
	}
	if len(items) == 0 {
		if required {
			return "", catalog.ProblemRequired
		}
		return "", ""
	}
	if len(items) > limit {
		return "", catalog.ProblemTooLong
	}
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return "", catalog.ProblemMediaOnly
		}
		if id, _ := m["media_id"].(string); id == "" {
			return "", catalog.ProblemMediaOnly
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(items); err != nil {
		return "", catalog.ProblemMediaOnly
	}
	return strings.TrimSpace(buf.String()), ""
}

// Summary lines are cut so the screen stays readable and under Meta's
// TextBody limit.
const (
	summaryValueRunes = 120
	summaryRunes      = maxBodyText - 96
)

// summary lists the answers shown on SUMMARY, one "Label: value" a line,
// in the citizen's language. An Aadhaar shows only its last four digits.
func (w *Walker) summary(draft map[string]string) string {
	var lines []string
	for _, p := range w.pages {
		for _, f := range p.fields {
			v := draft[f.ID]
			if v == "" || !visible(f, w.byID, draft) {
				continue
			}
			lines = append(lines, f.Label.In(w.lang)+": "+w.display(f, v))
		}
	}
	s := strings.Join(lines, "\n")
	if s == "" {
		s = "-" // Meta refuses an empty TextBody
	}
	return cut(s, summaryRunes)
}

func (w *Walker) display(f *catalog.Field, v string) string {
	switch f.Type {
	case "yes_no":
		if v == "yes" || v == "no" {
			return say(w.lang, v)
		}
	case "choice":
		for _, c := range f.Choices {
			if c.ID == v {
				return c.Label.In(w.lang)
			}
		}
	case "date":
		if d, err := time.Parse("2006-01-02", v); err == nil {
			return d.Format("02-01-2006")
		}
	case "aadhaar":
		if len(v) == 12 {
			return "XXXX XXXX " + v[8:]
		}
	case "photo", "document":
		var items []any
		_ = json.Unmarshal([]byte(v), &items)
		return say(w.lang, "attached") + " (" + strconv.Itoa(len(items)) + ")"
	}
	return cut(v, summaryValueRunes)
}

// cut shortens s to at most n runes, ending in "…" when it cut.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
