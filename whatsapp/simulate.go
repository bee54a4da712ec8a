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
	msg := wireMessage{From: m.From, ID: m.ID, Timestamp: strconv.FormatInt(m.Time.Unix(), 10)}
	switch {
	case m.OptionID != "" && m.OptionKind == "button":
		msg.Type, msg.Interactive = "interactive", &wireInteractive{Type: "button_reply", ButtonReply: &wireOption{ID: m.OptionID, Title: m.OptionTitle}}
	case m.OptionID != "":
		msg.Type, msg.Interactive = "interactive", &wireInteractive{Type: "list_reply", ListReply: &wireOption{ID: m.OptionID, Title: m.OptionTitle}}
	case m.ImageID != "":
		msg.Type, msg.Image = "image", &wireMedia{ID: m.ImageID, MIMEType: m.ImageMIME, SHA256: "fake", Caption: m.Text}
	case m.Location != nil:
		msg.Type, msg.Location = "location", &wireLocation{Latitude: m.Location.Latitude, Longitude: m.Location.Longitude, Name: m.Location.Name, Address: m.Location.Address}
	case m.FlowResponse != "":
		msg.Type, msg.Interactive = "interactive", &wireInteractive{Type: "nfm_reply", NFMReply: &wireFlowReply{Name: "flow", Body: "Sent", ResponseJSON: m.FlowResponse}}
	default:
		msg.Type, msg.Text = "text", &wireText{Body: m.Text}
	}
	v := changeValue{MessagingProduct: "whatsapp", Contacts: []wireContact{{WaID: m.From}}, Messages: []wireMessage{msg}}
	v.Metadata.DisplayPhoneNumber, v.Metadata.PhoneNumberID = "15550783881", m.PhoneNumberID
	v.Contacts[0].Profile.Name = m.Name
	return json.Marshal(payload{Object: "whatsapp_business_account",
		Entry: []wireEntry{{ID: "102290129340398", Changes: []wireChange{{Field: "messages", Value: v}}}}})
}
