package whatsapp

import "encoding/json"

// Wire structs for the Cloud API webhook, as Meta documents them. Only
// fields mitra uses are declared; unknown fields are ignored so that Meta
// adding fields never breaks ingest. The same structs build the
// simulator's webhook bodies (SimulatedWebhook): omitempty leaves out
// what a message does not carry, as Meta does, and changes nothing in
// decoding.

type payload struct {
	Object string      `json:"object"`
	Entry  []wireEntry `json:"entry"`
}

type wireEntry struct {
	ID      string       `json:"id"`
	Changes []wireChange `json:"changes"`
}

type wireChange struct {
	Field string      `json:"field"`
	Value changeValue `json:"value"`
}

type changeValue struct {
	MessagingProduct string `json:"messaging_product,omitempty"`
	Metadata         struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []wireContact `json:"contacts,omitempty"`
	Messages []wireMessage `json:"messages,omitempty"`
	Statuses []wireStatus  `json:"statuses,omitempty"`
	// A message_template_status_update or template_category_update
	// change carries these instead.
	Event            string          `json:"event,omitempty"`
	TemplateID       json.RawMessage `json:"message_template_id,omitempty"` // a number; raw so that a string or a null never fails the batch
	TemplateName     string          `json:"message_template_name,omitempty"`
	TemplateLanguage string          `json:"message_template_language,omitempty"`
	Reason           *string         `json:"reason,omitempty"`
	TemplateCategory string          `json:"message_template_category,omitempty"`
	NewCategory      string          `json:"new_category,omitempty"`
}

type wireContact struct {
	Profile struct {
		Name string `json:"name"`
	} `json:"profile"`
	WaID   string `json:"wa_id,omitempty"`
	UserID string `json:"user_id,omitempty"`
}

type wireMessage struct {
	From       string `json:"from"`
	FromUserID string `json:"from_user_id,omitempty"`
	ID         string `json:"id"`
	Timestamp  string `json:"timestamp"`
	Type       string `json:"type"`
	Context    *struct {
		From string `json:"from"`
		ID   string `json:"id"`
	} `json:"context,omitempty"`
	Text        *wireText        `json:"text,omitempty"`
	Interactive *wireInteractive `json:"interactive,omitempty"`
	Location    *wireLocation    `json:"location,omitempty"`
	Button      *struct {
		Payload string `json:"payload"`
		Text    string `json:"text"`
	} `json:"button,omitempty"`
	Audio    *wireMedia `json:"audio,omitempty"`
	Image    *wireMedia `json:"image,omitempty"`
	Document *wireMedia `json:"document,omitempty"`
	Video    *wireMedia `json:"video,omitempty"`
	Sticker  *wireMedia `json:"sticker,omitempty"`
}

type wireInteractive struct {
	Type        string      `json:"type"`
	ListReply   *wireOption `json:"list_reply,omitempty"`
	ButtonReply *wireOption `json:"button_reply,omitempty"`
	// NFMReply is a completed WhatsApp Flow: response_json is a JSON
	// string holding the flow_token and the answers.
	NFMReply *wireFlowReply `json:"nfm_reply,omitempty"`
}

type wireText struct {
	Body string `json:"body"`
}

type wireFlowReply struct {
	Name         string `json:"name"`
	Body         string `json:"body"`
	ResponseJSON string `json:"response_json"`
}

// wireOption is a tapped list row (with its description) or reply button.
type wireOption struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

type wireLocation struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name"`
	Address   string  `json:"address"`
}

type wireMedia struct {
	ID       string `json:"id"`
	MIMEType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	Caption  string `json:"caption"`
	Voice    bool   `json:"voice,omitempty"`
}

type wireStatus struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	Timestamp   string `json:"timestamp"`
	RecipientID string `json:"recipient_id"`
	Pricing     *struct {
		Billable bool   `json:"billable"`
		Category string `json:"category"`
		Type     string `json:"type"`
	} `json:"pricing"`
	BizOpaque string `json:"biz_opaque_callback_data"`
	Errors    []struct {
		Code      int    `json:"code"`
		Title     string `json:"title"`
		Message   string `json:"message"`
		ErrorData struct {
			Details string `json:"details"`
		} `json:"error_data"`
	} `json:"errors"`
}
