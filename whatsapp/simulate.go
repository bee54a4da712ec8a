package whatsapp

import (
	"encoding/json"
	"strconv"
	"time"
)

// SimulatedMessage describes an inbound message for a webhook body built
// the way Meta builds them; the simulator and the load bench use it.
type SimulatedMessage struct {
	PhoneNumberID string
	From          string
	Name          string
	ID            string
	Time          time.Time
	Text          string
	// OptionID and OptionTitle make it a tap on a list row (OptionKind
	// "list") or a reply button ("button").
	OptionID, OptionTitle, OptionKind string
	// ImageID makes it a photo (uploaded to the fake Graph API under
	// that id), with ImageMIME as declared.
	ImageID, ImageMIME string
	// Location makes it a shared location.
	Location *Location
	// FlowResponse makes it a completed Flow (nfm_reply) with this
	// response_json.
	FlowResponse string
}

// SimulatedWebhook returns the webhook body Meta would POST for m.
func SimulatedWebhook(m SimulatedMessage) ([]byte, error) {
	msg := map[string]any{
		"from":      m.From,
		"id":        m.ID,
		"timestamp": strconv.FormatInt(m.Time.Unix(), 10),
	}
	switch {
	case m.OptionID != "" && m.OptionKind == "button":
		msg["type"] = "interactive"
		msg["interactive"] = map[string]any{"type": "button_reply", "button_reply": map[string]string{"id": m.OptionID, "title": m.OptionTitle}}
	case m.OptionID != "":
		msg["type"] = "interactive"
		msg["interactive"] = map[string]any{"type": "list_reply", "list_reply": map[string]string{"id": m.OptionID, "title": m.OptionTitle}}
	case m.ImageID != "":
		msg["type"] = "image"
		msg["image"] = map[string]string{"id": m.ImageID, "mime_type": m.ImageMIME, "sha256": "fake", "caption": m.Text}
	case m.Location != nil:
		msg["type"] = "location"
		msg["location"] = map[string]any{"latitude": m.Location.Latitude, "longitude": m.Location.Longitude, "name": m.Location.Name, "address": m.Location.Address}
	case m.FlowResponse != "":
		msg["type"] = "interactive"
		msg["interactive"] = map[string]any{"type": "nfm_reply", "nfm_reply": map[string]string{"name": "flow", "body": "Sent", "response_json": m.FlowResponse}}
	default:
		msg["type"] = "text"
		msg["text"] = map[string]string{"body": m.Text}
	}
	body := map[string]any{
		"object": "whatsapp_business_account",
		"entry": []any{map[string]any{
			"id": "102290129340398",
			"changes": []any{map[string]any{
				"field": "messages",
				"value": map[string]any{
					"messaging_product": "whatsapp",
					"metadata":          map[string]string{"display_phone_number": "15550783881", "phone_number_id": m.PhoneNumberID},
					"contacts":          []any{map[string]any{"profile": map[string]string{"name": m.Name}, "wa_id": m.From}},
					"messages":          []any{msg},
				},
			}},
		}},
	}
	return json.Marshal(body)
}
