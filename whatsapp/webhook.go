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
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
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
	// Location is a shared location (type location).
	Location *Location
	// FlowResponse is a completed Flow's response_json (interactive
	// nfm_reply), to be parsed by package flows.
	FlowResponse string
}

// Location is a place a citizen shared.
type Location struct {
	Latitude, Longitude float64
	Name, Address       string
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
	// Billable and Category are Meta's pricing of the message (on "sent"
	// and "delivered" since per-message pricing): whether it is charged,
	// and as marketing, utility, authentication or service.
	Billable bool
	Category string
	// Callback echoes the biz_opaque_callback_data sent with the message
	// (a campaign's recipient), so that a send whose answer was lost can
	// be matched to its status.
	Callback string
}

// Error is one error Meta reports with a failed status.
type Error struct {
	Code    int
	Title   string
	Message string
	Details string
}

// Events is what one webhook delivery carries: any number of messages and
// statuses, in the order Meta sent them. Rejected counts, by reason, the
// updates that could not be kept (no id, an id too long to be one); the
// rest of the batch is kept all the same.
type Events struct {
	Messages []Message
	Statuses []Status
	// Templates are Meta's verdicts on message templates: approved,
	// rejected, paused, re-categorised.
	Templates []TemplateEvent
	Rejected  map[string]int
}

// TemplateEvent is a change Meta made to one language of a template.
type TemplateEvent struct {
	MetaID   string
	Name     string
	Language string
	// Status is Meta's new status (APPROVED, REJECTED, PAUSED, DISABLED,
	// ...), or "" for a change of category alone.
	Status string
	Reason string
	// Category is the category Meta now files it under, or "".
	Category string
}

// Webhook fields of template changes.
const (
	fieldTemplateStatus   = "message_template_status_update"
	fieldTemplateCategory = "template_category_update"
)

func (ev *Events) reject(reason string) {
	if ev.Rejected == nil {
		ev.Rejected = map[string]int{}
	}
	ev.Rejected[reason]++
}

// Bounds on what one update may carry. Meta's ids are well under 256
// bytes and its texts under 4,096 characters; anything larger is not from
// Meta's documented format and must not reach the database, where an
// oversized key fails the whole batch's transaction.
const (
	maxIDBytes   = 256
	maxNameRunes = 256
	maxTextRunes = 4096
	// maxFlowResponse bounds a Flow's answers: a form's longest answers
	// together stay well under it.
	maxFlowResponse = 32 << 10
)

// clean makes a string safe to store and show: valid UTF-8, no NUL or other
// control characters but newline and tab (PostgreSQL refuses NUL in text
// and jsonb), at most max runes.
func clean(s string, max int) string {
	if !strings.ContainsFunc(s, isUnsafe) && utf8.ValidString(s) && utf8.RuneCountInString(s) <= max {
		return s
	}
	var b strings.Builder
	n := 0
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if n == max {
			break
		}
		if isUnsafe(r) {
			continue
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

func isUnsafe(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f
}

// idOK reports whether s can be an id: present, short, printable ASCII
// or at least free of control characters.
func idOK(s string) bool {
	return s != "" && len(s) <= maxIDBytes && utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x21 || r == 0x7f })
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
	if _, err := dec.Token(); err != io.EOF {
		return Events{}, errors.New("whatsapp: decode webhook: data after the JSON object")
	}
	if p.Object != "whatsapp_business_account" {
		return Events{}, fmt.Errorf("whatsapp: webhook object %q, want whatsapp_business_account", p.Object)
	}
	var ev Events
	for _, entry := range p.Entry {
		for _, ch := range entry.Changes {
			v := ch.Value
			if ch.Field == fieldTemplateStatus || ch.Field == fieldTemplateCategory {
				if te, ok := v.templateEvent(ch.Field); ok {
					ev.Templates = append(ev.Templates, te)
				} else {
					ev.reject("template")
				}
				continue
			}
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
				msg, reason := m.toMessage()
				if reason != "" {
					ev.reject(reason)
					continue
				}
				msg.Name = clean(names[msg.From], maxNameRunes)
				if idOK(v.Metadata.PhoneNumberID) {
					msg.PhoneNumberID = v.Metadata.PhoneNumberID
				}
				ev.Messages = append(ev.Messages, msg)
			}
			for _, s := range v.Statuses {
				if !idOK(s.ID) {
					ev.reject("status_id")
					continue
				}
				st := Status{MessageID: s.ID, Status: clean(s.Status, 32), RecipientID: clean(s.RecipientID, maxIDBytes), Time: unixTime(s.Timestamp),
					Callback: clean(s.BizOpaque, maxCallback)}
				if p := s.Pricing; p != nil {
					st.Billable, st.Category = p.Billable, clean(p.Category, 32)
				}
				for _, e := range s.Errors {
					st.Errors = append(st.Errors, Error{Code: e.Code, Title: clean(e.Title, maxTextRunes), Message: clean(e.Message, maxTextRunes),
						Details: clean(e.ErrorData.Details, maxTextRunes)})
				}
				ev.Statuses = append(ev.Statuses, st)
			}
		}
	}
	return ev, nil
}

// templateEvent maps a template change, or says it cannot be kept (no
// name or language to find the template by).
func (v changeValue) templateEvent(field string) (TemplateEvent, bool) {
	te := TemplateEvent{MetaID: templateID(v.TemplateID), Name: clean(v.TemplateName, 512), Language: clean(v.TemplateLanguage, 16)}
	if te.Name == "" || te.Language == "" || len(v.TemplateName) > 512 {
		return TemplateEvent{}, false
	}
	if v.Reason != nil && *v.Reason != "NONE" {
		te.Reason = clean(*v.Reason, maxTextRunes)
	}
	if field == fieldTemplateCategory {
		te.Category = clean(v.NewCategory, 32)
		return te, te.Category != ""
	}
	te.Status, te.Category = clean(v.Event, 32), clean(v.TemplateCategory, 32)
	return te, te.Status != ""
}

// templateID reads Meta's numeric template id, given as a number or a
// string; anything else is no id.
func templateID(raw []byte) string {
	id := strings.Trim(string(raw), `"`)
	if id == "" || len(id) > 32 || strings.Trim(id, "0123456789") != "" {
		return ""
	}
	return id
}

// toMessage maps one wire message, or says why it cannot be kept.
func (m wireMessage) toMessage() (Message, string) {
	from := m.From
	if from == "" {
		from = m.FromUserID
	}
	switch {
	case !idOK(m.ID):
		return Message{}, "message_id"
	case !idOK(from):
		return Message{}, "sender"
	}
	msg := Message{ID: m.ID, From: from, Time: unixTime(m.Timestamp), Type: clean(m.Type, 32)}
	if m.Context != nil && idOK(m.Context.ID) {
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
			case m.Interactive.NFMReply != nil:
				msg.FlowResponse = clean(m.Interactive.NFMReply.ResponseJSON, maxFlowResponse)
			}
		}
	case "location":
		if l := m.Location; l != nil && l.Latitude >= -90 && l.Latitude <= 90 && l.Longitude >= -180 && l.Longitude <= 180 {
			msg.Location = &Location{Latitude: l.Latitude, Longitude: l.Longitude, Name: clean(l.Name, maxNameRunes), Address: clean(l.Address, maxNameRunes)}
		}
	case "button":
		if m.Button != nil {
			msg.OptionID, msg.Text = m.Button.Payload, m.Button.Text
		}
	}
	for _, media := range []*wireMedia{m.Audio, m.Image, m.Document, m.Video, m.Sticker} {
		if media != nil {
			msg.Media = &Media{MIMEType: clean(media.MIMEType, 128), SHA256: clean(media.SHA256, 128), Voice: media.Voice}
			if idOK(media.ID) {
				msg.Media.ID = media.ID
			}
			if msg.Text == "" {
				msg.Text = media.Caption
			}
			break
		}
	}
	msg.Text = clean(msg.Text, maxTextRunes)
	msg.OptionID = clean(msg.OptionID, maxIDBytes)
	return msg, ""
}

// unixTime reads Meta's Unix timestamp; one that is not a number, or not
// between 2000 and 9999, is unknown (the zero time) rather than a reason to
// refuse the message.
func unixTime(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 946684800 || n > 253402300799 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}
