package whatsapp

import (
	"bufio"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

const testSecret = "test_app_secret" // the secret SIGNATURES.txt was made with

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Meta's example payloads verify against the published signature vectors,
// and a single changed byte or a wrong secret does not.
func TestVerifySignatureVectors(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/SIGNATURES.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		parts := strings.Split(line, "\t")
		body := fixture(t, parts[0])
		if err := VerifySignature(testSecret, body, parts[1]); err != nil {
			t.Errorf("%s: %v", parts[0], err)
		}
		if Sign(testSecret, body) != parts[1] {
			t.Errorf("%s: Sign differs from Meta's vector", parts[0])
		}
		tampered := append([]byte{}, body...)
		tampered[len(tampered)/2] ^= 1
		if VerifySignature(testSecret, tampered, parts[1]) == nil {
			t.Errorf("%s: tampered body verified", parts[0])
		}
		if VerifySignature("other_secret", body, parts[1]) == nil {
			t.Errorf("%s: wrong secret verified", parts[0])
		}
		n++
	}
	if n != 6 {
		t.Fatalf("checked %d vectors, want 6", n)
	}
	for _, h := range []string{"", "sha256=", "sha1=abcd", "sha256=zz", "sha256=" + strings.Repeat("0", 64)} {
		if VerifySignature(testSecret, []byte("{}"), h) == nil {
			t.Errorf("header %q verified", h)
		}
	}
	if VerifySignature("", []byte("{}"), Sign("", []byte("{}"))) == nil {
		t.Error("an empty app secret must never verify")
	}
}

func TestParseFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want Message
	}{
		{"meta_text.json", Message{ID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", From: "16505551234",
			Name: "Sheena Nelson", PhoneNumberID: "106540352242922", Type: "text", Text: "Does it come in another color?",
			Time: time.Unix(1749416383, 0).UTC()}},
		{"meta_list_reply.json", Message{ID: "wamid.HBgLMTY0NjcwNDM1OTUVAgASGBQzQTZDMzFGRUFBQjlDMzIzMzlEQwA=", From: "16505551234",
			Type: "interactive", Text: "Priority Mail Express", OptionID: "priority_express",
			ReplyTo: "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBIwMjg0RkMxOEMyMkNEQUFFRDgA"}},
		{"meta_button_reply.json", Message{ID: "wamid.HBgLMTY0NjcwNDM1OTUVAgASGBQzQThBREYwNzc2RDc2QjA1QTIwMgA=", From: "16505551234",
			Type: "interactive", Text: "Change", OptionID: "change-button",
			ReplyTo: "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBJBM0Y4RUU0RUNFQkFDMjYzQUMA"}},
	}
	for _, tt := range tests {
		ev, err := ParseWebhook(fixture(t, tt.file))
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if len(ev.Messages) != 1 || len(ev.Statuses) != 0 {
			t.Fatalf("%s: %d messages, %d statuses", tt.file, len(ev.Messages), len(ev.Statuses))
		}
		got := ev.Messages[0]
		if got.ID != tt.want.ID || got.From != tt.want.From || got.Type != tt.want.Type || got.Text != tt.want.Text ||
			got.OptionID != tt.want.OptionID || got.ReplyTo != tt.want.ReplyTo || got.PhoneNumberID == "" {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.file, got, tt.want)
		}
		if tt.want.Name != "" && got.Name != tt.want.Name {
			t.Errorf("%s: name %q", tt.file, got.Name)
		}
		if !tt.want.Time.IsZero() && !got.Time.Equal(tt.want.Time) {
			t.Errorf("%s: time %v", tt.file, got.Time)
		}
	}
}

func TestParseVoiceNoteAndStatuses(t *testing.T) {
	t.Parallel()
	ev, err := ParseWebhook(fixture(t, "meta_voice_note.json"))
	if err != nil {
		t.Fatal(err)
	}
	m := ev.Messages[0]
	if m.Type != "audio" || m.Media == nil || !m.Media.Voice || m.Media.ID != "1908647269898587" || m.Media.MIMEType != "audio/ogg; codecs=opus" {
		t.Errorf("voice note = %+v (media %+v)", m, m.Media)
	}
	ev, err = ParseWebhook(fixture(t, "meta_status_failed.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Statuses) != 1 {
		t.Fatalf("%d statuses", len(ev.Statuses))
	}
	s := ev.Statuses[0]
	if s.Status != "failed" || s.RecipientID != "16505551234" || len(s.Errors) != 1 || s.Errors[0].Code != 131049 || s.Errors[0].Details == "" {
		t.Errorf("failed status = %+v", s)
	}
	ev, err = ParseWebhook(fixture(t, "meta_status_sent.json"))
	if err != nil || len(ev.Statuses) != 1 || ev.Statuses[0].Status != "sent" {
		t.Errorf("sent status: %v %+v", err, ev)
	}
}

// A username adopter has an empty "from" and a from_user_id; a batch mixes
// messages and statuses; a message without id or sender is skipped, not
// fatal; bodies that are not WhatsApp webhooks are errors.
func TestParseEdgeCases(t *testing.T) {
	t.Parallel()
	batch := `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
	  "messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"PN"},
	  "contacts":[{"profile":{"name":"Ravi"},"wa_id":"","user_id":"user.123"}],
	  "messages":[
	    {"from":"","from_user_id":"user.123","id":"wamid.A","timestamp":"1700000000","type":"text","text":{"body":"hi"}},
	    {"from":"919","id":"","timestamp":"1700000001","type":"text","text":{"body":"no id"}},
	    {"from":"919","id":"wamid.B","timestamp":"x","type":"sticker","sticker":{"id":"S1","mime_type":"image/webp"}},
	    {"from":"919","id":"wamid.C","timestamp":"1700000002","type":"button","button":{"payload":"YES","text":"Yes"}},
	    {"from":"919","id":"wamid.D","timestamp":"1700000003","type":"unsupported"}
	  ],
	  "statuses":[{"id":"wamid.Z","status":"delivered","timestamp":"1700000004","recipient_id":"919"},{"status":"read"}]
	}}]},{"id":"2","changes":[]}]}`
	ev, err := ParseWebhook([]byte(batch))
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Messages) != 4 || len(ev.Statuses) != 1 {
		t.Fatalf("%d messages, %d statuses: %+v", len(ev.Messages), len(ev.Statuses), ev)
	}
	if m := ev.Messages[0]; m.From != "user.123" || m.Name != "Ravi" || m.Text != "hi" {
		t.Errorf("username sender = %+v", m)
	}
	if m := ev.Messages[1]; m.Type != "sticker" || m.Media == nil || !m.Time.IsZero() {
		t.Errorf("sticker = %+v", m)
	}
	if m := ev.Messages[2]; m.OptionID != "YES" || m.Text != "Yes" {
		t.Errorf("template button = %+v", m)
	}
	for _, bad := range []string{``, `not json`, `{"object":"page","entry":[]}`, `[]`, `{"object":"whatsapp_business_account","entry":"x"}`} {
		if _, err := ParseWebhook([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func FuzzParseWebhook(f *testing.F) {
	for _, name := range []string{"meta_text.json", "meta_voice_note.json", "meta_list_reply.json", "meta_status_failed.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := ParseWebhook(body)
		if err != nil {
			return
		}
		for _, m := range ev.Messages {
			if m.ID == "" || m.From == "" || len(m.ID) > maxIDBytes || len(m.From) > maxIDBytes {
				t.Fatalf("message without a usable id or sender: %+v", m)
			}
			for _, f := range []string{m.ID, m.From, m.Name, m.Text, m.OptionID, m.Type, m.PhoneNumberID, m.ReplyTo} {
				if !storable(f) {
					t.Fatalf("unstorable field %q in %+v", f, m)
				}
			}
			if y := m.Time.Year(); !m.Time.IsZero() && (y < 2000 || y > 9999) {
				t.Fatalf("time %v", m.Time)
			}
		}
		for _, st := range ev.Statuses {
			if !storable(st.MessageID) || !storable(st.Status) || st.MessageID == "" {
				t.Fatalf("unstorable status %+v", st)
			}
		}
	})
}

// storable is what PostgreSQL text and jsonb accept: valid UTF-8 without
// NUL.
func storable(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// One bad message never takes its batch down: NUL in a text, a name or a
// caption is removed, a timestamp outside the calendar is unknown, an id
// or sender too long to be Meta's is rejected and counted, and the rest of
// the batch is kept.
func TestPoisonBatch(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile(filepath.Join("testdata", "poison_batch.json"))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := ParseWebhook(body)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range ev.Messages {
		ids = append(ids, m.ID)
	}
	if strings.Join(ids, " ") != "wamid.P1 wamid.P2 wamid.P5 wamid.P6" {
		t.Errorf("kept %v", ids)
	}
	if ev.Rejected["sender"] != 1 || ev.Rejected["message_id"] != 1 {
		t.Errorf("rejected %v", ev.Rejected)
	}
	m := ev.Messages
	if m[0].Text != "income certificate" || m[0].Name != "Ravi" || !m[1].Time.IsZero() || !m[2].Time.IsZero() || m[2].Text != "ab" {
		t.Errorf("not cleaned: %+v", m[:3])
	}
	if _, err := ParseWebhook([]byte(`{"object":"whatsapp_business_account","entry":[]}{"more":1}`)); err == nil {
		t.Error("trailing data after the webhook object accepted")
	}
}

// Meta's template verdicts are read from both of their webhook fields; an
// id given as a string or a null reason is read all the same, and a
// change with no name is rejected without the rest of the batch.
func TestParseTemplateEvents(t *testing.T) {
	body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[
		{"field":"message_template_status_update","value":{"event":"APPROVED","message_template_id":1689556908129832,"message_template_name":"officer_reply","message_template_language":"te","reason":null}},
		{"field":"message_template_status_update","value":{"event":"REJECTED","message_template_id":"42","message_template_name":"officer_reply","message_template_language":"hi","reason":"INVALID_FORMAT"}},
		{"field":"template_category_update","value":{"message_template_id":43,"message_template_name":"officer_follow_up","message_template_language":"en_US","previous_category":"UTILITY","new_category":"MARKETING"}},
		{"field":"message_template_status_update","value":{"event":"APPROVED","message_template_id":{"x":1},"message_template_language":"te"}}]}]}`)
	ev, err := ParseWebhook(body)
	if err != nil {
		t.Fatal(err)
	}
	want := []TemplateEvent{
		{MetaID: "1689556908129832", Name: "officer_reply", Language: "te", Status: "APPROVED"},
		{MetaID: "42", Name: "officer_reply", Language: "hi", Status: "REJECTED", Reason: "INVALID_FORMAT"},
		{MetaID: "43", Name: "officer_follow_up", Language: "en_US", Category: "MARKETING"},
	}
	if !reflect.DeepEqual(ev.Templates, want) || ev.Rejected["template"] != 1 {
		t.Errorf("got %+v rejected %v", ev.Templates, ev.Rejected)
	}
}
