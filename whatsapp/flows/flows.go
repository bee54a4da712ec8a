// Package flows lets a citizen fill a catalogue form as a WhatsApp Flow:
// native screens inside WhatsApp instead of one question a message.
//
// It holds the four pieces a Flow with an endpoint needs, kept apart from
// HTTP and storage so each can be tested on its own:
//
//   - Build turns a form's fields into Flow JSON (version FlowJSONVersion,
//     data API DataAPIVersion) that is uploaded to Meta once per form and
//     language.
//   - Decrypt and Session.Encrypt speak the endpoint's encryption exactly
//     as Meta specifies it (RSA-OAEP-SHA256 wrapped AES-128-GCM key, the
//     reply sealed under the bit-inverted IV).
//   - Walker answers each decrypted request: which screen comes next, with
//     which per-field errors, and the final SUCCESS response. It is pure:
//     the caller loads and stores the draft answers it returns.
//   - ParseCompletion reads the nfm_reply response_json that arrives by
//     webhook when the citizen finishes.
//
// FakeClient plays WhatsApp's side for tests: it encrypts like Meta, signs
// like Meta and refuses any screen transition the Flow JSON's routing model
// does not allow.
package flows

import "errors"

// Versions this package writes and speaks. Flow JSON 7.x is current (7.0 to
// 7.3 accepted for publishing); data API 3.0 is the endpoint protocol whose
// encryption Decrypt implements.
const (
	FlowJSONVersion = "7.3"
	DataAPIVersion  = "3.0"
)

// Actions a data-exchange request may carry.
const (
	ActionPing         = "ping"
	ActionInit         = "INIT"
	ActionBack         = "BACK"
	ActionDataExchange = "data_exchange"
)

// Screen ids every generated flow has. SUCCESS is Meta's reserved name for
// the terminal response; no screen may use it.
const (
	ScreenConsent = "CONSENT"
	ScreenSummary = "SUMMARY"
	ScreenSuccess = "SUCCESS"
)

// Keys the Walker keeps in the draft next to the field answers. Field ids
// are lowercase letters, digits, dashes and underscores, so an "@" key can
// never collide with one; ParseCompletion never returns them.
const (
	// CursorKey records the last screen shown, so a BACK request that
	// names no screen can still be answered.
	CursorKey = "@screen"
	// ConsentKey records that the citizen ticked the consent box; no
	// field answer is kept before it is "yes".
	ConsentKey = "@consent"
)

var (
	// ErrDecrypt means the request could not be unwrapped or decrypted:
	// wrong key, tampered data or tag. The HTTP layer answers 421 so that
	// WhatsApp re-fetches the business public key and retries.
	ErrDecrypt = errors.New("flows: cannot decrypt request")
	// ErrBadRequest means the body is not the encrypted envelope, or the
	// decrypted payload is not the JSON the data API defines, or it names
	// a screen or action this flow does not have.
	ErrBadRequest = errors.New("flows: bad request")
	// ErrSessionUsed means Encrypt was called twice on one Session; the
	// reply IV is fixed by the request, and GCM must never reuse a nonce.
	ErrSessionUsed = errors.New("flows: session already answered")
	// ErrBadCompletion means a response_json is not a completion this
	// package can read.
	ErrBadCompletion = errors.New("flows: bad completion response_json")
)

// Request is a decrypted data-exchange request.
type Request struct {
	Version string `json:"version"`
	// Action is one of ActionPing, ActionInit, ActionBack and
	// ActionDataExchange.
	Action string `json:"action"`
	// Screen is the screen the request comes from; Meta may leave it
	// empty on INIT and BACK.
	Screen string `json:"screen,omitempty"`
	// Data is the Footer's payload, or {"error": ...} for an error
	// notification. Numbers are json.Number so digits (an Aadhaar, a PIN
	// code) are never rounded through float64.
	Data      map[string]any `json:"data,omitempty"`
	FlowToken string         `json:"flow_token,omitempty"`
}

// Response is what the endpoint answers, before encryption: the next
// screen and its data, the SUCCESS terminal response, or a bare data object
// for a ping or an error notification.
type Response struct {
	Screen string         `json:"screen,omitempty"`
	Data   map[string]any `json:"data"`
}
