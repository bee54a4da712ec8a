package whatsapp

import (
	"reflect"
	"testing"
	"time"
)

// Whatever the simulator and the load benches post must read back as the
// message they meant, through the parser the server uses.
func TestSimulatedWebhookParsesBack(t *testing.T) {
	at := time.Unix(1764547200, 0).UTC()
	base := SimulatedMessage{PhoneNumberID: "106540352242922", From: "919000000001", Name: "Ravi", ID: "wamid.SIM1", Time: at, Text: "ఆదాయ ధృవీకరణ పత్రం"}
	want := Message{ID: "wamid.SIM1", From: "919000000001", Name: "Ravi", PhoneNumberID: "106540352242922", Time: at}
	cases := []struct {
		name string
		edit func(*SimulatedMessage)
		want func(*Message)
	}{
		{"text", func(*SimulatedMessage) {}, func(w *Message) { w.Type, w.Text = "text", "ఆదాయ ధృవీకరణ పత్రం" }},
		{"button", func(m *SimulatedMessage) {
			m.OptionID, m.OptionTitle, m.OptionKind = "yes", "అవును", "button"
		},
			func(w *Message) { w.Type, w.OptionID, w.Text = "interactive", "yes", "అవును" }},
		{"list", func(m *SimulatedMessage) { m.OptionID, m.OptionTitle = "dept:revenue", "Revenue" },
			func(w *Message) { w.Type, w.OptionID, w.Text = "interactive", "dept:revenue", "Revenue" }},
		{"image", func(m *SimulatedMessage) { m.ImageID, m.ImageMIME, m.Text = "media-1", "image/jpeg", "" },
			func(w *Message) {
				w.Type, w.Media = "image", &Media{ID: "media-1", MIMEType: "image/jpeg", SHA256: "fake"}
			}},
		{"location", func(m *SimulatedMessage) {
			m.Location = &Location{Latitude: 16.5, Longitude: 80.6, Name: "Office", Address: "Vijayawada"}
		},
			func(w *Message) {
				w.Type, w.Location = "location", &Location{Latitude: 16.5, Longitude: 80.6, Name: "Office", Address: "Vijayawada"}
			}},
		{"flow", func(m *SimulatedMessage) { m.FlowResponse = `{"flow_token":"t1"}` },
			func(w *Message) { w.Type, w.FlowResponse = "interactive", `{"flow_token":"t1"}` }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, w := base, want
			c.edit(&m)
			c.want(&w)
			body, err := SimulatedWebhook(m)
			if err != nil {
				t.Fatal(err)
			}
			ev, err := ParseWebhook(body)
			if err != nil {
				t.Fatalf("%v\n%s", err, body)
			}
			if len(ev.Messages) != 1 || !reflect.DeepEqual(ev.Messages[0], w) {
				t.Fatalf("parsed %+v, want %+v\n%s", ev.Messages, w, body)
			}
		})
	}
}
