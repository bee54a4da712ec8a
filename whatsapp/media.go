package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
)

// MaxAudioBytes is WhatsApp's limit for audio; a voice note larger than
// this is refused before it is read to the end.
const MaxAudioBytes = 16 << 20

// ErrMediaTooLarge means the media is over the size limit.
var ErrMediaTooLarge = errors.New("whatsapp: media too large")

// MediaInfo is what GET /{media-id} says.
type MediaInfo struct {
	URL      string
	MIMEType string
	SHA256   string
	Size     int64
}

// Media resolves a media id to its short-lived download URL (valid five
// minutes: download right away).
func (c *Client) Media(ctx context.Context, id string) (MediaInfo, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/"+id+"?phone_number_id="+c.phoneNumberID, nil)
	if err != nil {
		return MediaInfo{}, err
	}
	var out struct {
		URL      string          `json:"url"`
		MIMEType string          `json:"mime_type"`
		SHA256   string          `json:"sha256"`
		FileSize json.RawMessage `json:"file_size"` // a string or a number
	}
	data, err := c.do(req, 1<<20)
	if err != nil {
		return MediaInfo{}, err
	}
	if err := json.Unmarshal(data, &out); err != nil || out.URL == "" {
		return MediaInfo{}, &SendError{HTTPStatus: http.StatusOK, Message: "media response has no url"}
	}
	info := MediaInfo{URL: out.URL, MIMEType: out.MIMEType, SHA256: out.SHA256}
	var n json.Number
	if json.Unmarshal(bytes.Trim(out.FileSize, `"`), &n) == nil {
		info.Size, _ = n.Int64()
	}
	return info, nil
}

// Download fetches media bytes with the bearer token, refusing more than
// max bytes.
func (c *Client) Download(ctx context.Context, url string, max int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	data, err := c.do(req, max+1)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, ErrMediaTooLarge
	}
	return data, nil
}

// UploadMedia uploads a file (e.g. an Ogg/Opus voice note) and returns its
// media id for sending.
func (c *Client) UploadMedia(ctx context.Context, data []byte, mimeType, filename string) (string, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("messaging_product", "whatsapp")
	w.WriteField("type", mimeType)
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, filename))
	h.Set("Content-Type", mimeType)
	part, err := w.CreatePart(h)
	if err != nil {
		return "", err
	}
	part.Write(data)
	w.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/"+c.phoneNumberID+"/media", &body)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := c.do(req, 1<<20)
	if err != nil {
		return "", err
	}
	var out struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(resp, &out) != nil || out.ID == "" {
		return "", &SendError{HTTPStatus: http.StatusOK, Message: "upload response has no id", retryable: true}
	}
	return out.ID, nil
}

// do sends an authorised request and returns the body of a 2xx answer,
// or a classified *SendError.
func (c *Client) do(req *http.Request, max int64) ([]byte, error) {
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := c.http.Do(req)
	if err != nil {
		return nil, &SendError{Message: err.Error(), retryable: true}
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, max))
	if err != nil {
		return nil, &SendError{HTTPStatus: res.StatusCode, Message: err.Error(), retryable: true}
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return nil, classify(res.StatusCode, data)
	}
	return data, nil
}

// VoiceNote builds an audio message playing an uploaded voice note.
func VoiceNote(to, mediaID string) (Outbound, error) {
	if to == "" || mediaID == "" {
		return Outbound{}, fmt.Errorf("%w: a voice note needs a recipient and a media id", ErrInvalidMessage)
	}
	m := envelope(to, "audio")
	m.Audio = &outAudio{ID: mediaID, Voice: true}
	return m, nil
}

type outAudio struct {
	ID    string `json:"id"`
	Voice bool   `json:"voice"`
}

type outDocument struct {
	ID       string `json:"id"`
	Filename string `json:"filename"`
	Caption  string `json:"caption,omitempty"`
}

type outTemplate struct {
	Name     string `json:"name"`
	Language struct {
		Code string `json:"code"`
	} `json:"language"`
	Components []outComponent `json:"components,omitempty"`
}

type outComponent struct {
	Type       string         `json:"type"`
	SubType    string         `json:"sub_type,omitempty"`
	Index      string         `json:"index,omitempty"`
	Parameters []outParameter `json:"parameters"`
}

type outParameter struct {
	Type    string `json:"type"`
	Text    string `json:"text,omitempty"`
	Payload string `json:"payload,omitempty"`
}

// maxCaption is the caption limit of documents and images.
const maxCaption = 1024

// DocumentMessage sends an uploaded document (a certificate PDF) with a
// caption.
func DocumentMessage(to, mediaID, filename, caption string) (Outbound, error) {
	if to == "" || mediaID == "" || filename == "" {
		return Outbound{}, fmt.Errorf("%w: a document needs a recipient, a media id and a file name", ErrInvalidMessage)
	}
	m := envelope(to, "document")
	m.Document = &outDocument{ID: mediaID, Filename: filename, Caption: Shorten(caption, maxCaption)}
	return m, nil
}

// TemplateMessage sends a pre-approved template, the only kind of message
// allowed outside the 24-hour customer-service window.
func TemplateMessage(to, name, langCode string, bodyParams ...string) (Outbound, error) {
	if to == "" || name == "" || langCode == "" {
		return Outbound{}, fmt.Errorf("%w: a template needs a recipient, a name and a language", ErrInvalidMessage)
	}
	m := envelope(to, "template")
	t := &outTemplate{Name: name}
	t.Language.Code = langCode
	if len(bodyParams) > 0 {
		c := outComponent{Type: "body"}
		for _, p := range bodyParams {
			c.Parameters = append(c.Parameters, outParameter{Type: "text", Text: p})
		}
		t.Components = []outComponent{c}
	}
	m.Template = t
	return m, nil
}

// maxCallback bounds biz_opaque_callback_data (Meta allows 512 characters).
const maxCallback = 512

// WithQuickReplies sets the payloads of a template's quick-reply buttons,
// in their order (after any set already): a tap comes back with the
// payload as its option id.
func (m Outbound) WithQuickReplies(payloads ...string) Outbound {
	if m.Template == nil {
		return m
	}
	t := *m.Template
	t.Components = append([]outComponent(nil), t.Components...)
	first := 0
	for _, c := range t.Components {
		if c.Type == "button" {
			first++
		}
	}
	for i, p := range payloads {
		t.Components = append(t.Components, outComponent{Type: "button", SubType: "quick_reply", Index: fmt.Sprint(first + i),
			Parameters: []outParameter{{Type: "payload", Payload: p}}})
	}
	m.Template = &t
	return m
}

// WithCallback sets biz_opaque_callback_data, which Meta echoes in the
// message's status webhooks.
func (m Outbound) WithCallback(data string) Outbound {
	if len(data) <= maxCallback {
		m.Callback = data
	}
	return m
}
