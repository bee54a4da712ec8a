package whatsapp

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"sync"
)

// FakeGraph is an in-process stand-in for the Graph API's messages
// endpoint: it checks requests the way Meta does (bearer token, JSON,
// required fields), answers in Meta's format, and records what was sent.
// The simulator shows its captures; tests script failures with FailNext.
type FakeGraph struct {
	Token string
	// FailRate makes that share of sends fail at random, alternating a
	// 429 throttle and a 500, for fault benches.
	FailRate float64

	mu       sync.Mutex
	sent     []Captured
	reads    []string
	failures []FakeFailure
	random   int
}

// Captured is one message the fake accepted.
type Captured struct {
	ID      string          `json:"id"` // the wamid it answered with
	To      string          `json:"to"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

// FakeFailure is a scripted error answer.
type FakeFailure struct {
	HTTPStatus int
	Code       int
	Message    string
}

// FailNext makes the next sends fail with these answers, in order.
func (f *FakeGraph) FailNext(fs ...FakeFailure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, fs...)
}

// Sent returns a copy of the captured messages.
func (f *FakeGraph) Sent() []Captured {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Captured(nil), f.sent...)
}

// Reads returns the message ids marked as read.
func (f *FakeGraph) Reads() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.reads...)
}

func graphError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"message":%q,"type":"OAuthException","code":%d,"error_data":{"messaging_product":"whatsapp","details":%q},"fbtrace_id":"AbCdEf"}}`, msg, code, msg)
}

func (f *FakeGraph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/messages") {
		graphError(w, http.StatusBadRequest, 100, "Unsupported request")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.Token {
		graphError(w, http.StatusUnauthorized, 190, "Invalid OAuth access token")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		graphError(w, http.StatusBadRequest, 100, "unreadable body")
		return
	}
	var m struct {
		MessagingProduct string `json:"messaging_product"`
		To               string `json:"to"`
		Type             string `json:"type"`
		Status           string `json:"status"`
		MessageID        string `json:"message_id"`
	}
	if err := json.Unmarshal(body, &m); err != nil || m.MessagingProduct != "whatsapp" {
		graphError(w, http.StatusBadRequest, 100, "Invalid parameter")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if m.Status == "read" {
		f.reads = append(f.reads, m.MessageID)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"success":true}`)
		return
	}
	if m.To == "" || m.Type == "" {
		graphError(w, http.StatusBadRequest, 131008, "Required parameter is missing")
		return
	}
	if len(f.failures) > 0 {
		fail := f.failures[0]
		f.failures = f.failures[1:]
		graphError(w, fail.HTTPStatus, fail.Code, fail.Message)
		return
	}
	if f.FailRate > 0 && mrand.Float64() < f.FailRate {
		f.random++
		if f.random%2 == 0 {
			graphError(w, http.StatusTooManyRequests, 130429, "Rate limit hit")
		} else {
			graphError(w, http.StatusInternalServerError, 131000, "Something went wrong")
		}
		return
	}
	// Real wamids are unique forever; so are these, across restarts.
	var rnd [8]byte
	rand.Read(rnd[:])
	id := fmt.Sprintf("wamid.FAKE%x", rnd)
	f.sent = append(f.sent, Captured{ID: id, To: m.To, Type: m.Type, Payload: json.RawMessage(body)})
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"messaging_product":"whatsapp","contacts":[{"input":%q,"wa_id":%q}],"messages":[{"id":%q}]}`, m.To, strings.TrimPrefix(m.To, "+"), id)
}
