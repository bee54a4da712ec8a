package whatsapp

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/dialog"
)

func options(n int, title, description string) []dialog.Option {
	out := make([]dialog.Option, n)
	for i := range out {
		out[i] = dialog.Option{ID: "svc:" + string(rune('a'+i)), Title: title + string(rune('A'+i)), Description: description}
	}
	return out
}

// kinds names what Render made, in order: text, button, list, speech.
func kinds(items []Outgoing) string {
	var k []string
	for _, it := range items {
		switch {
		case it.Speech != nil:
			k = append(k, "speech")
		case it.Message.Type == "text":
			k = append(k, "text")
		default:
			k = append(k, it.Message.Interactive.Type)
		}
	}
	return strings.Join(k, " ")
}

// Render holds every reply to the Cloud API's limits, counted in runes
// (Telugu and Devanagari take several bytes a character).
func TestRenderHoldsTheLimits(t *testing.T) {
	t.Parallel()
	telugu := func(n int) string { return strings.Repeat("ఆ", n) } // 3 bytes a rune
	tests := []struct {
		name  string
		reply dialog.Reply
		speak bool
		want  string
	}{
		{"plain text", dialog.Reply{Text: "hello"}, false, "text"},
		{"4,096 runes is one text", dialog.Reply{Text: telugu(4096)}, false, "text"},
		{"4,097 runes is two texts", dialog.Reply{Text: telugu(4097)}, false, "text text"},
		{"3 short options are buttons", dialog.Reply{Text: "Choose", Options: options(3, "Yes", "")}, false, "button"},
		{"4 options are a list", dialog.Reply{Text: "Choose", Button: "Options", Options: options(4, "Yes", "")}, false, "list"},
		{"a description makes a list", dialog.Reply{Text: "Choose", Button: "Options", Options: options(2, "Yes", "why")}, false, "list"},
		{"a 20-rune title fits a button", dialog.Reply{Text: "Choose", Options: options(2, telugu(19), "")}, false, "button"},
		{"a 21-rune title makes a list", dialog.Reply{Text: "Choose", Button: "Options", Options: options(2, telugu(20), "")}, false, "list"},
		{"10 rows fit a list", dialog.Reply{Text: "Choose", Button: "Options", Options: options(10, "Row", "")}, false, "list"},
		{"a 1,024-rune body stays interactive", dialog.Reply{Text: telugu(1024), Button: "Options", Options: options(2, "Yes", "")}, false, "button"},
		{"a 1,025-rune body goes first as text", dialog.Reply{Text: telugu(1025), Button: "Options", Options: options(2, "Yes", "")}, false, "text button"},
		{"speech goes last", dialog.Reply{Text: "card", Speech: "spoken", Lang: catalog.Telugu}, true, "text speech"},
		{"no speech unless asked", dialog.Reply{Text: "card", Speech: "spoken"}, false, "text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			items, err := Render("919000000001", []dialog.Reply{tt.reply}, tt.speak)
			if err != nil {
				t.Fatal(err)
			}
			if got := kinds(items); got != tt.want {
				t.Errorf("rendered %q, want %q", got, tt.want)
			}
			for _, it := range items {
				if it.Speech != nil {
					if it.Speech.Text != tt.reply.Speech || it.Speech.Lang != string(tt.reply.Lang) {
						t.Errorf("speech %+v", it.Speech)
					}
					continue
				}
				checkLimits(t, *it.Message)
			}
		})
	}
}

func checkLimits(t *testing.T, m Outbound) {
	t.Helper()
	runes := utf8.RuneCountInString
	if m.To != "919000000001" || m.MessagingProduct != "whatsapp" {
		t.Errorf("envelope %+v", m)
	}
	if m.Text != nil && runes(m.Text.Body) > maxTextBody {
		t.Errorf("text of %d runes", runes(m.Text.Body))
	}
	in := m.Interactive
	if in == nil {
		return
	}
	if runes(in.Body.Text) > maxInteractiveBody {
		t.Errorf("interactive body of %d runes", runes(in.Body.Text))
	}
	if len(in.Action.Buttons) > maxButtons {
		t.Errorf("%d buttons", len(in.Action.Buttons))
	}
	for _, b := range in.Action.Buttons {
		if runes(b.Reply.Title) > maxButtonTitle {
			t.Errorf("button title %q", b.Reply.Title)
		}
	}
	if runes(in.Action.Button) > maxListButton {
		t.Errorf("list button %q", in.Action.Button)
	}
	for _, s := range in.Action.Sections {
		if len(s.Rows) > maxListRows {
			t.Errorf("%d rows", len(s.Rows))
		}
		for _, r := range s.Rows {
			if runes(r.Title) > maxRowTitle || runes(r.Description) > maxRowDescription {
				t.Errorf("row %q / %q", r.Title, r.Description)
			}
		}
	}
}

// Over-long titles and descriptions are shortened, not refused; eleven
// options cannot be rendered, because dropping a citizen's options
// silently is worse than failing loudly.
func TestRenderShortensAndRefuses(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("ధ్రువీకరణ ", 12)
	items, err := Render("919000000001", []dialog.Reply{{Text: "Choose", Button: strings.Repeat("బ", 30), Options: options(4, long, long)}}, false)
	if err != nil {
		t.Fatal(err)
	}
	checkLimits(t, *items[0].Message)
	row := items[0].Message.Interactive.Action.Sections[0].Rows[0]
	if !strings.HasSuffix(row.Title, "…") || !strings.HasSuffix(row.Description, "…") {
		t.Errorf("row not shortened with an ellipsis: %+v", row)
	}
	if _, err := Render("919000000001", []dialog.Reply{{Text: "Choose", Button: "Options", Options: options(11, "Row", "")}}, false); err == nil {
		t.Error("11 options rendered")
	}
}

func TestToInbound(t *testing.T) {
	t.Parallel()
	tests := []struct {
		m    Message
		want dialog.Inbound
	}{
		{Message{Type: "text", Text: "hi"}, dialog.Inbound{Text: "hi"}},
		{Message{Type: "interactive", OptionID: "dept:revenue", Text: "Revenue"}, dialog.Inbound{OptionID: "dept:revenue", Text: "Revenue"}},
		{Message{Type: "button", OptionID: "yes", Text: "Yes"}, dialog.Inbound{OptionID: "yes", Text: "Yes"}},
		{Message{Type: "button", Text: "Yes"}, dialog.Inbound{Text: "Yes"}},
		{Message{Type: "sticker"}, dialog.Inbound{Media: "sticker"}},
		{Message{Type: "unsupported"}, dialog.Inbound{Media: "unsupported"}},
	}
	sent := time.Unix(1749416383, 0).UTC()
	for _, tt := range tests {
		tt.m.Time, tt.want.SentAt = sent, sent
		if got := ToInbound(tt.m); got != tt.want {
			t.Errorf("%+v: %+v, want %+v", tt.m, got, tt.want)
		}
	}
}
