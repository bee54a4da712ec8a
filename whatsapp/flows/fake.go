package flows

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// FakeClient plays WhatsApp's side of a Flow with an endpoint, for tests
// here and in the packages that serve the endpoint. It encrypts each
// request as Meta does (a fresh AES-128 key and 16-byte IV, AES-GCM with
// the tag appended, the key wrapped with RSA-OAEP-SHA256), signs the body
// with X-Hub-Signature-256, decrypts the reply under the inverted IV, and
// behaves like the WhatsApp client on the Flow JSON it was given: it
// submits what a screen's Footer payload says, blocks a submit that
// leaves a required input empty, and returns an error for any reply the
// routing model does not allow or whose data the screen does not declare.
//
// It is not safe for concurrent use: it is one citizen's phone.
type FakeClient struct {
	// HTTP is the client requests go through; http.DefaultClient with a
	// timeout unless set.
	HTTP *http.Client

	pub      *rsa.PublicKey
	url      string
	secret   string
	flow     *flowSpec
	token    string
	stack    []FakeScreen
	done     bool
	fault    Fault
	wrongKey *rsa.PrivateKey
}

// Fault is a way the next request is broken on purpose.
type Fault int

const (
	// FaultNone sends the request as Meta would.
	FaultNone Fault = iota
	// FaultWrongKey wraps the AES key under an RSA key that is not the
	// endpoint's, as a client holding a stale public key would.
	FaultWrongKey
	// FaultTamperTag flips a bit of the GCM tag.
	FaultTamperTag
)

// FakeScreen is a screen the fake client shows, with the data the
// endpoint sent for it.
type FakeScreen struct {
	ID   string
	Data map[string]any
}

// StatusError is a reply that was not 200: the endpoint refused the
// request (421 for one it cannot decrypt).
type StatusError struct {
	Code int
	Body string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("flows: fake client: endpoint answered %d: %s", e.Code, e.Body)
}

// ErrRefused is wrapped by every error where the fake client, like the
// real one, refuses what the endpoint answered or what the test asked.
var ErrRefused = errors.New("flows: fake client refused")

// NewFakeClient returns a client that encrypts to pub, posts to
// endpointURL and signs with appSecret. Call UseFlow before Init.
func NewFakeClient(pub *rsa.PublicKey, endpointURL, appSecret string) *FakeClient {
	return &FakeClient{pub: pub, url: endpointURL, secret: appSecret}
}

// UseFlow loads the Flow JSON whose routing model and screens the client
// enforces; it must pass Validate.
func (c *FakeClient) UseFlow(flowJSON []byte) error {
	spec, err := parseFlow(flowJSON)
	if err != nil {
		return err
	}
	c.flow = spec
	return nil
}

// Break makes the next request fail in the way f says.
func (c *FakeClient) Break(f Fault) { c.fault = f }

// Current is the screen on top, false before Init or after the flow
// closed.
func (c *FakeClient) Current() (FakeScreen, bool) {
	if c.done || len(c.stack) == 0 {
		return FakeScreen{}, false
	}
	return c.stack[len(c.stack)-1], true
}

// Ping sends the health check Meta sends and expects
// {"data":{"status":"active"}}.
func (c *FakeClient) Ping(ctx context.Context) error {
	resp, err := c.Exchange(ctx, Request{Version: DataAPIVersion, Action: ActionPing})
	if err != nil {
		return err
	}
	if resp.Data["status"] != "active" {
		return fmt.Errorf("%w: ping answered %v, not status active", ErrRefused, resp.Data)
	}
	return nil
}

// Init opens the flow as a data_exchange flow message does: an INIT
// request whose reply must be an entry screen of the routing model.
func (c *FakeClient) Init(ctx context.Context, flowToken string) (FakeScreen, error) {
	if c.flow == nil {
		return FakeScreen{}, fmt.Errorf("%w: no flow loaded (call UseFlow)", ErrRefused)
	}
	c.token, c.stack, c.done = flowToken, nil, false
	resp, err := c.Exchange(ctx, Request{Version: DataAPIVersion, Action: ActionInit, FlowToken: flowToken})
	if err != nil {
		return FakeScreen{}, err
	}
	entry := false
	for _, id := range c.flow.entries {
		entry = entry || id == resp.Screen
	}
	if !entry {
		return FakeScreen{}, fmt.Errorf("%w: INIT answered screen %q, which is not an entry screen %v", ErrRefused, resp.Screen, c.flow.entries)
	}
	if err := c.checkData(resp.Screen, resp.Data); err != nil {
		return FakeScreen{}, err
	}
	s := FakeScreen{ID: resp.Screen, Data: resp.Data}
	c.stack = append(c.stack, s)
	return s, nil
}

// Submit taps the Footer of screen, the one on top, with the inputs set
// to form (keyed by component name), and returns the screen shown next:
// the same one again (errors), one the routing model allows, or SUCCESS,
// after which the flow is closed.
func (c *FakeClient) Submit(ctx context.Context, screen string, form map[string]any) (FakeScreen, error) {
	top, err := c.top(screen)
	if err != nil {
		return FakeScreen{}, err
	}
	spec := c.flow.screens[screen]
	act, _ := spec.footer["on-click-action"].(map[string]any)
	if name, _ := act["name"].(string); name != ActionDataExchange {
		return FakeScreen{}, fmt.Errorf("%w: %s's Footer action is %q; the fake only follows data_exchange", ErrRefused, screen, name)
	}
	for name, comp := range spec.components {
		if req, _ := comp["required"].(bool); req && empty(form[name]) {
			return FakeScreen{}, fmt.Errorf("%w: the client blocks the submit: %s is required", ErrRefused, name)
		}
	}
	payload := map[string]any{}
	tmpl, _ := act["payload"].(map[string]any)
	for k, v := range tmpl {
		if val, ok := fill(v, form, top.Data); ok {
			payload[k] = val
		}
	}
	resp, err := c.Exchange(ctx, Request{Version: DataAPIVersion, Action: ActionDataExchange, Screen: screen, Data: payload, FlowToken: c.token})
	if err != nil {
		return FakeScreen{}, err
	}
	if resp.Screen == ScreenSuccess {
		ext, _ := resp.Data["extension_message_response"].(map[string]any)
		params, _ := ext["params"].(map[string]any)
		if params["flow_token"] != c.token {
			return FakeScreen{}, fmt.Errorf("%w: SUCCESS params carry flow_token %v, not %q", ErrRefused, params["flow_token"], c.token)
		}
		c.done = true
		return FakeScreen{ID: ScreenSuccess, Data: resp.Data}, nil
	}
	allowed := resp.Screen == screen
	for _, to := range c.flow.routes[screen] {
		allowed = allowed || to == resp.Screen
	}
	if !allowed {
		return FakeScreen{}, fmt.Errorf("%w: routing_model does not allow %s → %q (allowed %v)", ErrRefused, screen, resp.Screen, c.flow.routes[screen])
	}
	if err := c.checkData(resp.Screen, resp.Data); err != nil {
		return FakeScreen{}, err
	}
	s := FakeScreen{ID: resp.Screen, Data: resp.Data}
	if resp.Screen == screen {
		c.stack[len(c.stack)-1] = s
	} else {
		c.stack = append(c.stack, s)
	}
	return s, nil
}

// Back presses back on screen, the one on top. When the screen sets
// refresh_on_back the client asks the endpoint (a BACK request naming the
// screen being left), and the reply must be the screen below it;
// otherwise it shows that screen from its cache.
func (c *FakeClient) Back(ctx context.Context, screen string) (FakeScreen, error) {
	if _, err := c.top(screen); err != nil {
		return FakeScreen{}, err
	}
	if len(c.stack) < 2 {
		return FakeScreen{}, fmt.Errorf("%w: back on the first screen closes the flow", ErrRefused)
	}
	below := c.stack[len(c.stack)-2]
	if c.flow.screens[screen].refreshOnBack {
		resp, err := c.Exchange(ctx, Request{Version: DataAPIVersion, Action: ActionBack, Screen: screen, FlowToken: c.token})
		if err != nil {
			return FakeScreen{}, err
		}
		if resp.Screen != below.ID {
			return FakeScreen{}, fmt.Errorf("%w: BACK from %s answered %q, not %s", ErrRefused, screen, resp.Screen, below.ID)
		}
		if err := c.checkData(resp.Screen, resp.Data); err != nil {
			return FakeScreen{}, err
		}
		below.Data = resp.Data
	}
	c.stack = c.stack[:len(c.stack)-1]
	c.stack[len(c.stack)-1] = below
	return below, nil
}

func (c *FakeClient) top(screen string) (FakeScreen, error) {
	cur, ok := c.Current()
	switch {
	case c.flow == nil:
		return FakeScreen{}, fmt.Errorf("%w: no flow loaded (call UseFlow)", ErrRefused)
	case !ok:
		return FakeScreen{}, fmt.Errorf("%w: no screen is open", ErrRefused)
	case cur.ID != screen:
		return FakeScreen{}, fmt.Errorf("%w: screen %s is not the one shown (%s)", ErrRefused, screen, cur.ID)
	}
	return cur, nil
}

// checkData holds the endpoint to the screen's data model: every key it
// sends is declared, with the declared type, and every declared key is
// sent. (Meta is at least this strict about undeclared keys; sending all
// of them keeps a screen from showing stale data.)
func (c *FakeClient) checkData(screen string, data map[string]any) error {
	spec := c.flow.screens[screen]
	if spec == nil {
		return fmt.Errorf("%w: reply names screen %q, which the flow does not have", ErrRefused, screen)
	}
	for k, v := range data {
		t, ok := spec.data[k]
		if !ok {
			return fmt.Errorf("%w: %s data %q is not declared", ErrRefused, screen, k)
		}
		if !hasType(v, t) {
			return fmt.Errorf("%w: %s data %q is %T, declared %s", ErrRefused, screen, k, v, t)
		}
	}
	for k := range spec.data {
		if _, ok := data[k]; !ok {
			return fmt.Errorf("%w: %s data %q is declared but not sent", ErrRefused, screen, k)
		}
	}
	return nil
}

func hasType(v any, t string) bool {
	switch v.(type) {
	case string:
		return t == "string"
	case bool:
		return t == "boolean"
	case json.Number, float64:
		return t == "number" || t == "integer"
	case []any:
		return t == "array"
	case map[string]any:
		return t == "object"
	}
	return false
}

// fill substitutes a payload template value as the client does.
func fill(v any, form, data map[string]any) (any, bool) {
	s, ok := v.(string)
	if !ok {
		return v, true
	}
	if m := binding.FindStringSubmatch(s); m != nil && m[0] == s {
		src := form
		if m[1] == "data" {
			src = data
		}
		val, ok := src[m[2]]
		return val, ok
	}
	return binding.ReplaceAllStringFunc(s, func(b string) string {
		m := binding.FindStringSubmatch(b)
		src := form
		if m[1] == "data" {
			src = data
		}
		return fmt.Sprint(src[m[2]])
	}), true
}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case bool:
		return !x
	case []any:
		return len(x) == 0
	}
	return false
}

// Exchange sends one request as WhatsApp does and returns the decrypted
// reply, checking nothing about screens: for tests of raw requests (an
// error notification, a malformed payload).
func (c *FakeClient) Exchange(ctx context.Context, req Request) (Response, error) {
	plain, err := json.Marshal(req)
	if err != nil {
		return Response{}, err
	}
	fault := c.fault
	c.fault = FaultNone
	pub := c.pub
	if fault == FaultWrongKey {
		if c.wrongKey == nil {
			if c.wrongKey, err = rsa.GenerateKey(rand.Reader, MinKeyBits); err != nil {
				return Response{}, err
			}
		}
		pub = &c.wrongKey.PublicKey
	}
	body, key, iv, err := sealRequest(pub, plain, fault == FaultTamperTag)
	if err != nil {
		return Response{}, err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return Response{}, err
	}
	hr.Header.Set("Content-Type", "application/json")
	mac := hmac.New(sha256.New, []byte(c.secret))
	mac.Write(body)
	hr.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	res, err := hc.Do(hr)
	if err != nil {
		return Response{}, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(io.LimitReader(res.Body, MaxBody))
	if err != nil {
		return Response{}, err
	}
	if res.StatusCode != http.StatusOK {
		return Response{}, &StatusError{Code: res.StatusCode, Body: string(out)}
	}
	return openResponse(key, iv, out)
}

// sealRequest encrypts a request body as Meta does. It returns the body
// and the key and IV the reply will be sealed with.
func sealRequest(pub *rsa.PublicKey, plain []byte, tamper bool) (body, key, iv []byte, err error) {
	key, iv = make([]byte, aesKeySize), make([]byte, maxIV)
	if _, err := rand.Read(key); err != nil {
		return nil, nil, nil, err
	}
	if _, err := rand.Read(iv); err != nil {
		return nil, nil, nil, err
	}
	wrapped, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, key, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	gcm, err := newGCM(key, len(iv))
	if err != nil {
		return nil, nil, nil, err
	}
	sealed := gcm.Seal(nil, iv, plain, nil)
	if tamper {
		sealed[len(sealed)-1] ^= 0x01
	}
	body, err = json.Marshal(envelope{
		EncryptedFlowData: base64.StdEncoding.EncodeToString(sealed),
		EncryptedAESKey:   base64.StdEncoding.EncodeToString(wrapped),
		InitialVector:     base64.StdEncoding.EncodeToString(iv),
	})
	return body, key, iv, err
}

// openResponse decrypts a reply body: base64 of AES-GCM under the
// inverted IV.
func openResponse(key, iv, body []byte) (Response, error) {
	sealed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(body)))
	if err != nil {
		return Response{}, fmt.Errorf("%w: reply is not base64", ErrRefused)
	}
	gcm, err := newGCM(key, len(iv))
	if err != nil {
		return Response{}, err
	}
	plain, err := gcm.Open(nil, invert(iv), sealed, nil)
	if err != nil {
		return Response{}, fmt.Errorf("%w: reply does not decrypt under the inverted IV", ErrRefused)
	}
	dec := json.NewDecoder(bytes.NewReader(plain))
	dec.UseNumber()
	var resp Response
	if err := dec.Decode(&resp); err != nil {
		return Response{}, fmt.Errorf("%w: reply is not JSON: %v", ErrRefused, err)
	}
	return resp, nil
}
