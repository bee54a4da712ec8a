// Package whatsapp speaks the WhatsApp Cloud API: webhook signature
// checks and parsing into channel-neutral events. Wire structs stay in this
// package; callers see Message and Status.
package whatsapp

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrBadSignature means X-Hub-Signature-256 is missing, malformed or does
// not match the body: the request is not from Meta and must get 401.
var ErrBadSignature = errors.New("whatsapp: bad or missing X-Hub-Signature-256")

// VerifySignature checks Meta's X-Hub-Signature-256 header ("sha256=" and
// the hex HMAC-SHA256 of the exact body bytes under the app secret), in
// constant time.
func VerifySignature(appSecret string, body []byte, header string) error {
	hexSum, ok := strings.CutPrefix(header, "sha256=")
	if !ok || appSecret == "" {
		return ErrBadSignature
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil || len(got) != sha256.Size {
		return ErrBadSignature
	}
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return ErrBadSignature
	}
	return nil
}

// Sign returns the X-Hub-Signature-256 value Meta would send for body; the
// simulator and tests use it.
func Sign(appSecret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Message is one inbound message, whatever its type.
type Message struct {
	ID string // WhatsApp message id (wamid...), unique: the dedupe key
	// From identifies the sender: the phone number (wa_id), or the
	// business-scoped user id when the sender uses a username and has no
	// phone number visible (Meta's 2026 username change).
	From          string
	Name          string // profile name, when Meta sends one
	PhoneNumberID string // the business number it was sent to
	Time          time.Time
	Type          string // text, audio, interactive, button, image, document, location, sticker, reaction, unsupported, ...
	Text          string // text body, or the title of a tapped option or template button
	// OptionID is the id of a tapped list row or reply button, or the
	// payload of a template quick-reply button.
	OptionID string
	Media    *Media
	// ReplyTo is the id of the message this one answers, when quoted.
	ReplyTo string
}

// Media is an attachment reference; the bytes are fetched separately.
type Media struct {
	ID       string
	MIMEType string
	SHA256   string
	Voice    bool // a recorded voice note rather than an audio file
}

// Status is a delivery report for a message the business sent.
type Status struct {
	MessageID   string
	Status      string // sent, delivered, read, played, failed
	RecipientID string
	Time        time.Time
	Errors      []Error
}

// Error is one error Meta reports with a failed status.
type Error struct {
	Code    int
	Title   string
	Message string
	Details string
}

// Events is what one webhook delivery carries: any number of messages and
// statuses, in the order Meta sent them.
type Events struct {
	Messages []Message
	Statuses []Status
}

// ParseWebhook decodes a webhook body (already signature-checked). It
// rejects bodies that are not WhatsApp webhooks, and skips individual
// messages without an id or sender rather than failing the whole batch.
func ParseWebhook(body []byte) (Events, error) {
	var p payload
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&p); err != nil {
		return Events{}, fmt.Errorf("whatsapp: decode webhook: %w", err)
	}
	if p.Object != "whatsapp_business_account" {
		return Events{}, fmt.Errorf("whatsapp: webhook object %q, want whatsapp_business_account", p.Object)
	}
	var ev Events
	for _, entry := range p.Entry {
		for _, ch := range entry.Changes {
			v := ch.Value
			names := map[string]string{}
			for _, c := range v.Contacts {
				if c.WaID != "" {
					names[c.WaID] = c.Profile.Name
				}
				if c.UserID != "" {
					names[c.UserID] = c.Profile.Name
				}
			}
			for _, m := range v.Messages {
				msg, ok := m.toMessage()
				if !ok {
					continue
				}
				msg.Name = names[msg.From]
				msg.PhoneNumberID = v.Metadata.PhoneNumberID
				ev.Messages = append(ev.Messages, msg)
			}
			for _, s := range v.Statuses {
				if s.ID == "" {
					continue
				}
				st := Status{MessageID: s.ID, Status: s.Status, RecipientID: s.RecipientID, Time: unixTime(s.Timestamp)}
				for _, e := range s.Errors {
					st.Errors = append(st.Errors, Error{Code: e.Code, Title: e.Title, Message: e.Message, Details: e.ErrorData.Details})
				}
				ev.Statuses = append(ev.Statuses, st)
			}
		}
	}
	return ev, nil
}

func (m wireMessage) toMessage() (Message, bool) {
	from := m.From
	if from == "" {
		from = m.FromUserID
	}
	if m.ID == "" || from == "" {
		return Message{}, false
	}
	msg := Message{ID: m.ID, From: from, Time: unixTime(m.Timestamp), Type: m.Type}
	if m.Context != nil {
		msg.ReplyTo = m.Context.ID
	}
	switch m.Type {
	case "text":
		if m.Text != nil {
			msg.Text = m.Text.Body
		}
	case "interactive":
		if m.Interactive != nil {
			switch {
			case m.Interactive.ListReply != nil:
				msg.OptionID, msg.Text = m.Interactive.ListReply.ID, m.Interactive.ListReply.Title
			case m.Interactive.ButtonReply != nil:
				msg.OptionID, msg.Text = m.Interactive.ButtonReply.ID, m.Interactive.ButtonReply.Title
			}
		}
	case "button":
		if m.Button != nil {
			msg.OptionID, msg.Text = m.Button.Payload, m.Button.Text
		}
	}
	for _, media := range []*wireMedia{m.Audio, m.Image, m.Document, m.Video, m.Sticker} {
		if media != nil {
			msg.Media = &Media{ID: media.ID, MIMEType: media.MIMEType, SHA256: media.SHA256, Voice: media.Voice}
			if msg.Text == "" {
				msg.Text = media.Caption
			}
			break
		}
	}
	return msg, true
}

func unixTime(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}
