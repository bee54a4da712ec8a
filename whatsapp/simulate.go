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

// SimulatedWebhook returns the webhook body Meta would POST for m. It
// marshals structs of its own rather than payload's, which decode and
// so have no omitempty: Meta leaves out what a message does not carry.
func SimulatedWebhook(m SimulatedMessage) ([]byte, error) {
	msg := simMessage{From: m.From, ID: m.ID, Timestamp: strconv.FormatInt(m.Time.Unix(), 10)}
	switch {
	case m.OptionID != "" && m.OptionKind == "button":
		msg.Type, msg.Interactive = "interactive", &simInteractive{Type: "button_reply", ButtonReply: &simOption{ID: m.OptionID, Title: m.OptionTitle}}
	case m.OptionID != "":
		msg.Type, msg.Interactive = "interactive", &simInteractive{Type: "list_reply", ListReply: &simOption{ID: m.OptionID, Title: m.OptionTitle}}
	case m.ImageID != "":
		msg.Type, msg.Image = "image", &simMedia{ID: m.ImageID, MIMEType: m.ImageMIME, SHA256: "fake", Caption: m.Text}
	case m.Location != nil:
		msg.Type, msg.Location = "location", &simLocation{Latitude: m.Location.Latitude, Longitude: m.Location.Longitude, Name: m.Location.Name, Address: m.Location.Address}
	case m.FlowResponse != "":
		msg.Type, msg.Interactive = "interactive", &simInteractive{Type: "nfm_reply", NFMReply: &simFlowReply{Name: "flow", Body: "Sent", ResponseJSON: m.FlowResponse}}
	default:
		msg.Type, msg.Text = "text", &simText{Body: m.Text}
	}
	var body simPayload
	body.Object = "whatsapp_business_account"
	body.Entry[0].ID = "102290129340398"
	ch := &body.Entry[0].Changes[0]
	ch.Field = "messages"
	ch.Value.MessagingProduct = "whatsapp"
	ch.Value.Metadata.DisplayPhoneNumber, ch.Value.Metadata.PhoneNumberID = "15550783881", m.PhoneNumberID
	ch.Value.Contacts[0].Profile.Name, ch.Value.Contacts[0].WaID = m.Name, m.From
	ch.Value.Messages[0] = msg
	return json.Marshal(&body)
}

// A simulated webhook carries one message of one change of one entry.
type simPayload struct {
	Object string `json:"object"`
	Entry  [1]struct {
		ID      string `json:"id"`
		Changes [1]struct {
			Field string `json:"field"`
			Value struct {
				MessagingProduct string `json:"messaging_product"`
				Metadata         struct {
					DisplayPhoneNumber string `json:"display_phone_number"`
					PhoneNumberID      string `json:"phone_number_id"`
				} `json:"metadata"`
				Contacts [1]struct {
					Profile struct {
						Name string `json:"name"`
					} `json:"profile"`
					WaID string `json:"wa_id"`
				} `json:"contacts"`
				Messages [1]simMessage `json:"messages"`
			} `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type simMessage struct {
	From        string          `json:"from"`
	ID          string          `json:"id"`
	Timestamp   string          `json:"timestamp"`
	Type        string          `json:"type"`
	Text        *simText        `json:"text,omitempty"`
	Interactive *simInteractive `json:"interactive,omitempty"`
	Image       *simMedia       `json:"image,omitempty"`
	Location    *simLocation    `json:"location,omitempty"`
}

type simText struct {
	Body string `json:"body"`
}

type simInteractive struct {
	Type        string        `json:"type"`
	ListReply   *simOption    `json:"list_reply,omitempty"`
	ButtonReply *simOption    `json:"button_reply,omitempty"`
	NFMReply    *simFlowReply `json:"nfm_reply,omitempty"`
}

type simOption struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

type simFlowReply struct {
	Name         string `json:"name"`
	Body         string `json:"body"`
	ResponseJSON string `json:"response_json"`
}

type simMedia struct {
	ID       string `json:"id"`
	MIMEType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	Caption  string `json:"caption"`
}

type simLocation struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name"`
	Address   string  `json:"address"`
}
