package whatsapp

import "encoding/json"

// Wire structs for the Cloud API webhook, as Meta documents them. Only
// fields mitra uses are declared; unknown fields are ignored so that Meta
// adding fields never breaks ingest.

type payload struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      string `json:"id"`
		Changes []struct {
			Field string      `json:"field"`
			Value changeValue `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type changeValue struct {
	MessagingProduct string `json:"messaging_product"`
	Metadata         struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []struct {
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
		WaID   string `json:"wa_id"`
		UserID string `json:"user_id"`
	} `json:"contacts"`
	Messages []wireMessage `json:"messages"`
	Statuses []wireStatus  `json:"statuses"`
	// A message_template_status_update or template_category_update
	// change carries these instead.
	Event            string          `json:"event"`
	TemplateID       json.RawMessage `json:"message_template_id"` // a number; raw so that a string or a null never fails the batch
	TemplateName     string          `json:"message_template_name"`
	TemplateLanguage string          `json:"message_template_language"`
	Reason           *string         `json:"reason"`
	TemplateCategory string          `json:"message_template_category"`
	NewCategory      string          `json:"new_category"`
}

type wireMessage struct {
	From       string `json:"from"`
	FromUserID string `json:"from_user_id"`
	ID         string `json:"id"`
	Timestamp  string `json:"timestamp"`
	Type       string `json:"type"`
	Context    *struct {
		From string `json:"from"`
		ID   string `json:"id"`
	} `json:"context"`
	Text *struct {
		Body string `json:"body"`
	} `json:"text"`
	Interactive *struct {
		Type      string `json:"type"`
		ListReply *struct {
			ID          string `json:"id"`
			Title       string `json:"title"`
			Description string `json:"description"`
		} `json:"list_reply"`
		ButtonReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"button_reply"`
		// NFMReply is a completed WhatsApp Flow: response_json is a JSON
		// string holding the flow_token and the answers.
		NFMReply *struct {
			Name         string `json:"name"`
			Body         string `json:"body"`
			ResponseJSON string `json:"response_json"`
		} `json:"nfm_reply"`
	} `json:"interactive"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name"`
		Address   string  `json:"address"`
	} `json:"location"`
	Button *struct {
		Payload string `json:"payload"`
		Text    string `json:"text"`
	} `json:"button"`
	Audio    *wireMedia `json:"audio"`
	Image    *wireMedia `json:"image"`
	Document *wireMedia `json:"document"`
	Video    *wireMedia `json:"video"`
	Sticker  *wireMedia `json:"sticker"`
}

type wireMedia struct {
	ID       string `json:"id"`
	MIMEType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	Caption  string `json:"caption"`
	Voice    bool   `json:"voice"`
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
