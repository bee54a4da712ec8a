package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// RemoteTemplate is one language of a message template as the Business
// Management API reports it.
type RemoteTemplate struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Language string `json:"language"`
	// Status is Meta's: APPROVED, PENDING, REJECTED, PAUSED, DISABLED,
	// IN_APPEAL and others; only APPROVED may be sent.
	Status   string `json:"status"`
	Category string `json:"category"` // UTILITY, MARKETING or AUTHENTICATION, as Meta decided
	// RejectedReason is given for a rejected template.
	RejectedReason string `json:"rejected_reason,omitempty"`
}

// TemplateSubmission is one language of a template to submit for review:
// a body with {{1}}..{{n}} and an example for each parameter.
type TemplateSubmission struct {
	Name     string
	Language string // a WhatsApp code: te, hi, en_US
	Category string // utility, marketing or authentication
	Body     string
	Examples []string
	// QuickReplies are the texts of its quick-reply buttons, in order.
	QuickReplies []string
}

// ErrNoBusinessAccount is returned by the template calls of a client made
// without a business account id.
var ErrNoBusinessAccount = errors.New("whatsapp: template management needs the business account id (WHATSAPP_BUSINESS_ACCOUNT_ID)")

// maxTemplatePages bounds a listing: at 100 a page, 50 pages are twenty
// times Meta's limit of 250 template names per account.
const maxTemplatePages = 50

// ListTemplates returns every template of the business account, one entry
// a language, following the listing's cursors.
func (c *Client) ListTemplates(ctx context.Context) ([]RemoteTemplate, error) {
	if c.businessAccountID == "" {
		return nil, ErrNoBusinessAccount
	}
	var all []RemoteTemplate
	after := ""
	for range maxTemplatePages {
		q := url.Values{"fields": {"id,name,language,status,category,rejected_reason"}, "limit": {"100"}}
		if after != "" {
			q.Set("after", after)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.templatesURL()+"?"+q.Encode(), nil)
		if err != nil {
			return nil, err
		}
		data, err := c.do(req, maxResponse)
		if err != nil {
			return nil, err
		}
		var page struct {
			Data   []RemoteTemplate `json:"data"`
			Paging struct {
				Cursors struct {
					After string `json:"after"`
				} `json:"cursors"`
				Next string `json:"next"`
			} `json:"paging"`
		}
		if err := json.Unmarshal(data, &page); err != nil {
			return nil, &SendError{HTTPStatus: http.StatusOK, Message: "unparseable template listing"}
		}
		all = append(all, page.Data...)
		// Meta gives "next" only when there is a next page; the cursor is
		// followed rather than the URL, so the token never goes to a host
		// the response names.
		if page.Paging.Next == "" || page.Paging.Cursors.After == "" {
			return all, nil
		}
		after = page.Paging.Cursors.After
	}
	return nil, fmt.Errorf("whatsapp: template listing has over %d pages", maxTemplatePages)
}

// CreateTemplate submits one language of a template for Meta's review and
// returns its id, its status (PENDING, or APPROVED at once for some
// utility templates) and the category Meta gave it.
func (c *Client) CreateTemplate(ctx context.Context, t TemplateSubmission) (RemoteTemplate, error) {
	if c.businessAccountID == "" {
		return RemoteTemplate{}, ErrNoBusinessAccount
	}
	payload, err := json.Marshal(map[string]any{
		"name": t.Name, "language": t.Language, "category": strings.ToUpper(t.Category),
		"components": components(t),
	})
	if err != nil {
		return RemoteTemplate{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.templatesURL(), bytes.NewReader(payload))
	if err != nil {
		return RemoteTemplate{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	data, err := c.do(req, maxResponse)
	if err != nil {
		return RemoteTemplate{}, err
	}
	var out RemoteTemplate
	if err := json.Unmarshal(data, &out); err != nil || out.ID == "" {
		return RemoteTemplate{}, &SendError{HTTPStatus: http.StatusOK, Message: "template created without an id"}
	}
	out.Name, out.Language = t.Name, t.Language
	return out, nil
}

// EditTemplate replaces the body of a template Meta already holds (by its
// id): Meta reviews it again, so it is pending until a verdict comes.
func (c *Client) EditTemplate(ctx context.Context, id string, t TemplateSubmission) error {
	if id == "" || strings.Trim(id, "0123456789") != "" {
		return fmt.Errorf("whatsapp: template id %q is not Meta's", id)
	}
	payload, err := json.Marshal(map[string]any{"components": components(t)})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/"+id, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	data, err := c.do(req, maxResponse)
	if err != nil {
		return err
	}
	var out struct {
		Success bool `json:"success"`
	}
	if json.Unmarshal(data, &out) != nil || !out.Success {
		return &SendError{HTTPStatus: http.StatusOK, Message: "template edit not acknowledged"}
	}
	return nil
}

// bodyComponent is a submission's BODY, with its examples.
// components are a submission's BODY and, if it has quick replies, its
// BUTTONS, in the Business Management API's format.
func components(t TemplateSubmission) []any {
	out := []any{bodyComponent(t)}
	if len(t.QuickReplies) > 0 {
		var buttons []any
		for _, text := range t.QuickReplies {
			buttons = append(buttons, map[string]any{"type": "QUICK_REPLY", "text": text})
		}
		out = append(out, map[string]any{"type": "BUTTONS", "buttons": buttons})
	}
	return out
}

func bodyComponent(t TemplateSubmission) map[string]any {
	body := map[string]any{"text": t.Body, "type": "BODY"}
	if len(t.Examples) > 0 {
		body["example"] = map[string]any{"body_text": [][]string{t.Examples}}
	}
	return body
}

func (c *Client) templatesURL() string {
	return c.base + "/" + url.PathEscape(c.businessAccountID) + "/message_templates"
}
