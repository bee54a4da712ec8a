package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Client sends messages through the Graph API. The base URL is
// configurable so that tests and the simulator point it at a fake.
type Client struct {
	base          string // e.g. https://graph.facebook.com/v24.0
	phoneNumberID string
	// businessAccountID is the WhatsApp Business Account that owns the
	// message templates; only template management needs it.
	businessAccountID string
	token             string
	http              *http.Client
}

// ClientConfig configures a Graph API client.
type ClientConfig struct {
	BaseURL       string // default https://graph.facebook.com/v24.0
	PhoneNumberID string
	// BusinessAccountID (the WABA id) is needed to list and submit
	// message templates; sending works without it.
	BusinessAccountID string
	Token             string
	HTTPClient        *http.Client // default: 15 s timeout, idleGraphConns kept
}

// DefaultBaseURL is the Graph API version mitra was written against.
const DefaultBaseURL = "https://graph.facebook.com/v24.0"

// idleGraphConns is how many idle connections to the Graph API a client
// keeps: the processing and sending workers' calls in flight at once
// (mitra serve's defaults: 8 and 16, each sending a reply and marking a
// message read), with room.
const idleGraphConns = 64

// NewClient returns a Graph API client.
func NewClient(cfg ClientConfig) (*Client, error) {
	if cfg.PhoneNumberID == "" || cfg.Token == "" {
		return nil, errors.New("whatsapp: phone number id and token are required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.HTTPClient == nil {
		// Go's default transport keeps two idle connections a host: with
		// the sends of every worker in flight at once, the others were
		// closed after each call and dialled (with TLS at Meta) again.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = idleGraphConns
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second, Transport: t}
	}
	return &Client{base: strings.TrimRight(cfg.BaseURL, "/"), phoneNumberID: cfg.PhoneNumberID, businessAccountID: cfg.BusinessAccountID,
		token: cfg.Token, http: cfg.HTTPClient}, nil
}

// SendError is a failed send, classified for the sender's retry decision.
type SendError struct {
	HTTPStatus int
	Code       int // Meta's error code (0 when none was parsed)
	Message    string
	retryable  bool
}

func (e *SendError) Error() string {
	return fmt.Sprintf("whatsapp send: http %d, code %d: %s", e.HTTPStatus, e.Code, e.Message)
}

// Retryable reports whether sending again later may succeed: throttling,
// server errors, lost connections. Permanent errors (not on WhatsApp,
// outside the 24-hour window, an invalid payload) are not.
func (e *SendError) Retryable() bool { return e.retryable }

// Meta's error codes that callers decide on.
const (
	// codeOutsideWindow: more than 24 hours since the citizen last wrote;
	// only a template message may go out.
	codeOutsideWindow = 131047
)

// OpenWindow is how long after a citizen's last message a plain message
// may still be sent: WhatsApp's 24-hour customer-service window, less a
// margin for clocks and queues. Outside it only an approved template may
// go.
const OpenWindow = 24*time.Hour - 10*time.Minute

// ErrOutsideWindow matches (errors.Is) a send refused because the
// citizen's 24-hour customer-service window is closed: only a pre-approved
// template may be sent until they write again.
var ErrOutsideWindow = errors.New("whatsapp: outside the 24-hour window")

// Is makes errors.Is(err, ErrOutsideWindow) true for Meta's 131047.
func (e *SendError) Is(target error) bool {
	return target == ErrOutsideWindow && e.Code == codeOutsideWindow
}

// throttleCodes are Meta's rate-limit codes: back off and retry.
var throttleCodes = map[int]bool{4: true, 80007: true, 130429: true, 131048: true, 131056: true, 133016: true, 131057: true}

// transientCodes are server-side failures worth retrying.
var transientCodes = map[int]bool{131000: true, 131053: true, 1: true, 2: true}

func classify(status int, body []byte) *SendError {
	var env struct {
		Error struct {
			Message string `json:"message"`
			Code    int    `json:"code"`
		} `json:"error"`
	}
	e := &SendError{HTTPStatus: status}
	if err := json.Unmarshal(body, &env); err == nil {
		e.Code, e.Message = env.Error.Code, env.Error.Message
	} else {
		e.Message = "unparseable response"
	}
	e.retryable = status == http.StatusTooManyRequests || status >= 500 || throttleCodes[e.Code] || transientCodes[e.Code]
	return e
}

// Send posts one message and returns its WhatsApp message id.
func (c *Client) Send(ctx context.Context, m Outbound) (string, error) {
	var resp struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	if err := c.post(ctx, m, &resp); err != nil {
		return "", err
	}
	if len(resp.Messages) == 0 || resp.Messages[0].ID == "" {
		return "", &SendError{HTTPStatus: http.StatusOK, Message: "response has no message id", retryable: true}
	}
	return resp.Messages[0].ID, nil
}

// MarkRead marks an inbound message read (blue ticks) and, if typing is
// set, shows the typing indicator until the reply arrives (at most 25 s).
func (c *Client) MarkRead(ctx context.Context, messageID string, typing bool) error {
	body := map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": messageID}
	if typing {
		body["typing_indicator"] = map[string]string{"type": "text"}
	}
	var resp struct {
		Success bool `json:"success"`
	}
	if err := c.post(ctx, body, &resp); err != nil {
		return err
	}
	if !resp.Success {
		return &SendError{HTTPStatus: http.StatusOK, Message: "mark as read not acknowledged"}
	}
	return nil
}

// maxResponse bounds how much of a Graph API response is read.
const maxResponse = 1 << 20

func (c *Client) post(ctx context.Context, body any, out any) error {
	payload, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("whatsapp: encode message: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/"+c.phoneNumberID+"/messages", bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	data, err := c.do(req, maxResponse)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &SendError{HTTPStatus: http.StatusOK, Message: "unparseable success response", retryable: false}
	}
	return nil
}
