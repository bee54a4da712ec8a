package whatsapp

import (
	"unicode/utf8"

	"github.com/mitra-gov/mitra/dialog"
)

// The channel in both directions: a parsed message becomes what the
// dialog understands, and the dialog's replies become Cloud API messages
// within the API's limits.

// ToInbound maps a WhatsApp message to what the dialog understands: text,
// a tapped option, or a kind of message it does not read. A voice note is
// heard (package voice) before it reaches the dialog.
func ToInbound(m Message) dialog.Inbound {
	in := dialog.Inbound{SentAt: m.Time}
	switch m.Type {
	case "text":
		in.Text = m.Text
	case "interactive", "button":
		in.OptionID, in.Text = m.OptionID, m.Text
	default:
		in.Media = m.Type
	}
	if l := m.Location; l != nil {
		in.Location = &dialog.Location{Latitude: l.Latitude, Longitude: l.Longitude, Name: l.Name, Address: l.Address}
	}
	in.MessageID = m.ID
	return in
}

// Speech is text to be spoken in a language (te, hi, en).
type Speech struct {
	Text string
	Lang string
}

// Outgoing is one item of a turn's replies, in sending order: a Cloud API
// message ready to send, or a spoken reply, which the sender turns into a
// voice note (synthesised and uploaded) just before sending it.
type Outgoing struct {
	Message *Outbound
	Speech  *Speech
}

// Render turns dialog replies into WhatsApp messages within the API's
// limits: up to three options with short titles and no descriptions become
// reply buttons, more become a list, and a text too long for an
// interactive body goes first as plain text (split at 4,096 characters),
// with the list's button label as the interactive body. With speak, each
// reply's Speech becomes a spoken reply, sent after all the text: the text
// is there to read while the note plays.
func Render(to string, replies []dialog.Reply, speak bool) ([]Outgoing, error) {
	var out, spoken []Outgoing
	texts := func(body string) error {
		msgs, err := TextMessages(to, body)
		for i := range msgs {
			out = append(out, Outgoing{Message: &msgs[i]})
		}
		return err
	}
	for _, r := range replies {
		if speak && r.Speech != "" {
			spoken = append(spoken, Outgoing{Speech: &Speech{Text: r.Speech, Lang: string(r.Lang)}})
		}
		if len(r.Options) == 0 {
			if err := texts(r.Text); err != nil {
				return nil, err
			}
			continue
		}
		body := r.Text
		if utf8.RuneCountInString(body) > maxInteractiveBody {
			if err := texts(body); err != nil {
				return nil, err
			}
			body = r.Button
		}
		rows := make([]Row, len(r.Options))
		asButtons := len(r.Options) <= maxButtons
		for i, o := range r.Options {
			rows[i] = Row{ID: o.ID, Title: o.Title, Description: o.Description}
			if o.Description != "" || utf8.RuneCountInString(o.Title) > maxButtonTitle {
				asButtons = false
			}
		}
		var m Outbound
		var err error
		if asButtons {
			m, err = Buttons(to, body, rows)
		} else {
			m, err = List(to, body, r.Button, rows)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Outgoing{Message: &m})
	}
	return append(out, spoken...), nil
}
