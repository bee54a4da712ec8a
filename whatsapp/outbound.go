package whatsapp

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits of the Cloud API's outbound messages, in characters (runes).
// Builders and Render hold every message to them, so an invalid payload is
// never sent; they are this package's own business.
const (
	maxTextBody        = 4096
	maxInteractiveBody = 1024
	maxListButton      = 20
	maxListRows        = 10
	maxRowID           = 200
	maxRowTitle        = 24
	maxRowDescription  = 72
	maxButtons         = 3
	maxButtonID        = 256
	maxButtonTitle     = 20
)

// Outbound is one message ready to send: the JSON body of a POST to
// /<phone-number-id>/messages.
type Outbound struct {
	MessagingProduct string          `json:"messaging_product"`
	RecipientType    string          `json:"recipient_type"`
	To               string          `json:"to"`
	Type             string          `json:"type"`
	Text             *outText        `json:"text,omitempty"`
	Interactive      *outInteractive `json:"interactive,omitempty"`
	Audio            *outAudio       `json:"audio,omitempty"`
	Document         *outDocument    `json:"document,omitempty"`
	Template         *outTemplate    `json:"template,omitempty"`
	Context          *outContext     `json:"context,omitempty"`
	Callback         string          `json:"biz_opaque_callback_data,omitempty"`
}

type outText struct {
	PreviewURL bool   `json:"preview_url"`
	Body       string `json:"body"`
}

type outContext struct {
	MessageID string `json:"message_id"`
}

type outInteractive struct {
	Type   string     `json:"type"`
	Header *outHeader `json:"header,omitempty"`
	Body   outBody    `json:"body"`
	Footer *outBody   `json:"footer,omitempty"`
	Action outAction  `json:"action"`
}

type outHeader struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type outBody struct {
	Text string `json:"text"`
}

type outAction struct {
	Button     string          `json:"button,omitempty"`
	Sections   []outSection    `json:"sections,omitempty"`
	Buttons    []outButton     `json:"buttons,omitempty"`
	Name       string          `json:"name,omitempty"`
	Parameters *outFlowOpening `json:"parameters,omitempty"`
}

// outFlowOpening opens a published Flow: with flow_action data_exchange
// the first screen comes from the business's endpoint (INIT).
type outFlowOpening struct {
	FlowMessageVersion string `json:"flow_message_version"`
	FlowToken          string `json:"flow_token"`
	FlowName           string `json:"flow_name"`
	FlowCTA            string `json:"flow_cta"`
	FlowAction         string `json:"flow_action"`
}

type outSection struct {
	Title string   `json:"title,omitempty"`
	Rows  []outRow `json:"rows"`
}

type outRow struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

type outButton struct {
	Type  string `json:"type"`
	Reply struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"reply"`
}

// Row is one list row or reply button.
type Row struct {
	ID          string
	Title       string
	Description string
}

// ErrInvalidMessage means a message could not be built within the API's
// limits (no rows, an empty body, an id too long to shorten).
var ErrInvalidMessage = errors.New("whatsapp: invalid message")

func envelope(to, typ string) Outbound {
	return Outbound{MessagingProduct: "whatsapp", RecipientType: "individual", To: to, Type: typ}
}

// TextMessages builds text messages for body, split at line or word
// boundaries into as few messages as the 4,096-character limit allows.
func TextMessages(to, body string) ([]Outbound, error) {
	body = strings.TrimSpace(body)
	if to == "" || body == "" {
		return nil, fmt.Errorf("%w: text needs a recipient and a body", ErrInvalidMessage)
	}
	var out []Outbound
	for _, part := range splitRunes(body, maxTextBody) {
		m := envelope(to, "text")
		m.Text = &outText{Body: part, PreviewURL: strings.Contains(part, "http://") || strings.Contains(part, "https://")}
		out = append(out, m)
	}
	return out, nil
}

// List builds an interactive list. Titles and descriptions longer than the
// limits are shortened with an ellipsis; more than ten rows is an error,
// because dropping a citizen's options silently is worse than failing
// loudly in tests.
func List(to, body, button string, rows []Row) (Outbound, error) {
	if to == "" || strings.TrimSpace(body) == "" || len(rows) == 0 || len(rows) > maxListRows {
		return Outbound{}, fmt.Errorf("%w: a list needs a recipient, a body and 1 to %d rows (got %d)", ErrInvalidMessage, maxListRows, len(rows))
	}
	section := outSection{}
	seen := map[string]bool{}
	for _, r := range rows {
		if r.ID == "" || utf8.RuneCountInString(r.ID) > maxRowID || seen[r.ID] {
			return Outbound{}, fmt.Errorf("%w: row id %q empty, repeated or over %d characters", ErrInvalidMessage, r.ID, maxRowID)
		}
		seen[r.ID] = true
		section.Rows = append(section.Rows, outRow{ID: r.ID, Title: Shorten(r.Title, maxRowTitle), Description: Shorten(r.Description, maxRowDescription)})
	}
	m := envelope(to, "interactive")
	m.Interactive = &outInteractive{
		Type:   "list",
		Body:   outBody{Text: Shorten(body, maxInteractiveBody)},
		Action: outAction{Button: Shorten(button, maxListButton), Sections: []outSection{section}},
	}
	return m, nil
}

// Buttons builds up to three reply buttons, whose titles must be unique.
func Buttons(to, body string, buttons []Row) (Outbound, error) {
	if to == "" || strings.TrimSpace(body) == "" || len(buttons) == 0 || len(buttons) > maxButtons {
		return Outbound{}, fmt.Errorf("%w: reply buttons need a recipient, a body and 1 to %d buttons (got %d)", ErrInvalidMessage, maxButtons, len(buttons))
	}
	m := envelope(to, "interactive")
	m.Interactive = &outInteractive{Type: "button", Body: outBody{Text: Shorten(body, maxInteractiveBody)}}
	titles := map[string]bool{}
	for _, b := range buttons {
		title := Shorten(b.Title, maxButtonTitle)
		if b.ID == "" || utf8.RuneCountInString(b.ID) > maxButtonID || strings.TrimSpace(b.ID) != b.ID || titles[title] || title == "" {
			return Outbound{}, fmt.Errorf("%w: button %q/%q has a bad id or a repeated title", ErrInvalidMessage, b.ID, b.Title)
		}
		titles[title] = true
		var ob outButton
		ob.Type = "reply"
		ob.Reply.ID, ob.Reply.Title = b.ID, title
		m.Interactive.Action.Buttons = append(m.Interactive.Action.Buttons, ob)
	}
	return m, nil
}

// maxFlowCTA is the limit of a Flow button's label.
const maxFlowCTA = 30

// FlowMessage opens a published Flow (by its name) for the citizen, with
// a token that binds what they fill in to their draft.
func FlowMessage(to, flowName, token, body, cta string) (Outbound, error) {
	if to == "" || flowName == "" || token == "" || strings.TrimSpace(body) == "" || strings.TrimSpace(cta) == "" {
		return Outbound{}, fmt.Errorf("%w: a flow message needs a recipient, a flow, a token, a body and a button", ErrInvalidMessage)
	}
	m := envelope(to, "interactive")
	m.Interactive = &outInteractive{Type: "flow", Body: outBody{Text: Shorten(body, maxInteractiveBody)},
		Action: outAction{Name: "flow", Parameters: &outFlowOpening{FlowMessageVersion: "3", FlowToken: token, FlowName: flowName,
			FlowCTA: Shorten(cta, maxFlowCTA), FlowAction: "data_exchange"}}}
	return m, nil
}

// Shorten cuts s to at most max characters, ending with "…" when cut.
func Shorten(s string, max int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:max-1])) + "…"
}

// splitRunes splits s into parts of at most max runes, preferring to cut
// after a newline, then after a space.
func splitRunes(s string, max int) []string {
	var parts []string
	r := []rune(s)
	for len(r) > max {
		cut := max
		for _, sep := range []rune{'\n', ' '} {
			if i := lastIndex(r[:max], sep); i > max/2 {
				cut = i + 1
				break
			}
		}
		parts = append(parts, strings.TrimSpace(string(r[:cut])))
		r = r[cut:]
	}
	if rest := strings.TrimSpace(string(r)); rest != "" {
		parts = append(parts, rest)
	}
	return parts
}

func lastIndex(r []rune, c rune) int {
	for i := len(r) - 1; i >= 0; i-- {
		if r[i] == c {
			return i
		}
	}
	return -1
}
