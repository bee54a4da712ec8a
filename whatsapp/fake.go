package whatsapp

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
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
	// AutoApprove approves each template as it is submitted (the
	// simulator's Meta); otherwise templates wait for Review.
	AutoApprove bool

	mu       sync.Mutex
	onSend   func(Captured)
	sent     []Captured
	dropped  int // captures let go of, oldest first
	reads    []string
	failures []FakeFailure
	random   int
	media    map[string]fakeMedia
	order    []string // media ids, oldest first

	templates    map[string]*fakeTemplate
	nextTemplate int
	edits        int
}

// The fake keeps what a person or a test looks at, not a whole soak: the
// newest captures and media only.
const (
	fakeKeepSent  = 10_000
	fakeKeepMedia = 1_000
)

type fakeMedia struct {
	data []byte
	mime string
}

// Watch tells fn of each message the fake accepts from now on (a bench's
// citizens wait on it). fn is called with the fake locked, so it must not
// block or call the fake.
func (f *FakeGraph) Watch(fn func(Captured)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onSend = fn
}

// AddMedia makes media downloadable by id, as if a citizen had sent it.
func (f *FakeGraph) AddMedia(id string, data []byte, mime string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.media == nil {
		f.media = map[string]fakeMedia{}
	}
	if _, ok := f.media[id]; !ok {
		f.order = append(f.order, id)
	}
	f.media[id] = fakeMedia{data, mime}
	for len(f.order) > fakeKeepMedia {
		delete(f.media, f.order[0])
		f.order = f.order[1:]
	}
}

// Media returns uploaded or added media by id.
func (f *FakeGraph) Media(id string) ([]byte, string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.media[id]
	return m.data, m.mime, ok
}

// serveMedia answers GET /{media-id} (metadata with a download URL) and
// the download itself, both behind the bearer token as Meta's are.
func (f *FakeGraph) serveMedia(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	data, mime, ok := f.Media(id)
	m := fakeMedia{data, mime}
	if !ok {
		graphError(w, http.StatusNotFound, 100, "Unsupported get request. Object does not exist")
		return
	}
	if r.URL.Query().Get("download") == "1" {
		w.Header().Set("Content-Type", m.mime)
		w.Write(m.data)
		return
	}
	sum := sha256.Sum256(m.data)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{
		"messaging_product": "whatsapp", "url": "http://" + r.Host + r.URL.Path + "?download=1", "mime_type": m.mime,
		"sha256": base64.StdEncoding.EncodeToString(sum[:]), "file_size": fmt.Sprint(len(m.data)), "id": id,
	})
}

// upload answers POST /{phone-number-id}/media (multipart).
func (f *FakeGraph) upload(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(32 << 20); err != nil || r.FormValue("messaging_product") != "whatsapp" {
		graphError(w, http.StatusBadRequest, 100, "Invalid parameter")
		return
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		graphError(w, http.StatusBadRequest, 100, "Param file must be a file")
		return
	}
	data, _ := io.ReadAll(file)
	var rnd [8]byte
	rand.Read(rnd[:])
	id := fmt.Sprintf("%d", 1e15+int64(rnd[0])<<40|int64(rnd[1])<<32|int64(rnd[2])<<24|int64(rnd[3])<<16|int64(rnd[4])<<8|int64(rnd[5]))
	f.AddMedia(id, data, header.Header.Get("Content-Type"))
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":%q}`, id)
}

// Captured is one message the fake accepted.
type Captured struct {
	ID      string          `json:"id"` // the wamid it answered with
	To      string          `json:"to"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
	// At is when the fake accepted it (a bench measures pacing by it).
	At time.Time `json:"at"`
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

// Sent returns a copy of the captured messages still kept (the newest
// 10,000).
func (f *FakeGraph) Sent() []Captured {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Captured(nil), f.sent...)
}

// SentSince returns the captures from number after on (counting every
// capture ever made), and the number to ask from next time.
func (f *FakeGraph) SentSince(after int) ([]Captured, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	next := f.dropped + len(f.sent)
	i := max(0, after-f.dropped)
	if i >= len(f.sent) {
		return nil, next
	}
	return append([]Captured(nil), f.sent[i:]...), next
}

// SentCount is how many messages the fake accepted in all.
func (f *FakeGraph) SentCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dropped + len(f.sent)
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
	if r.Header.Get("Authorization") != "Bearer "+f.Token {
		graphError(w, http.StatusUnauthorized, 190, "Invalid OAuth access token")
		return
	}
	switch {
	case r.Method == http.MethodGet && isTemplatesPath(r.URL.Path):
		f.listTemplates(w, r)
		return
	case r.Method == http.MethodPost && isTemplatesPath(r.URL.Path):
		f.createTemplate(w, r)
		return
	case r.Method == http.MethodPost && isTemplateID(r.URL.Path):
		id, _ := templateIDPath(r.URL.Path)
		f.editTemplate(w, r, id)
		return
	case r.Method == http.MethodGet:
		f.serveMedia(w, r)
		return
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/media"):
		f.upload(w, r)
		return
	case r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/messages"):
		graphError(w, http.StatusBadRequest, 100, "Unsupported request")
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
		Template         *struct {
			Name     string `json:"name"`
			Language struct {
				Code string `json:"code"`
			} `json:"language"`
			Components []struct {
				Type  string `json:"type"`
				Index string `json:"index"`
			} `json:"components"`
		} `json:"template"`
	}
	if err := json.Unmarshal(body, &m); err != nil || m.MessagingProduct != "whatsapp" {
		graphError(w, http.StatusBadRequest, 100, "Invalid parameter")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if m.Status == "read" {
		f.reads = append(f.reads, m.MessageID)
		if len(f.reads) >= 2*fakeKeepSent {
			f.reads = append([]string(nil), f.reads[len(f.reads)-fakeKeepSent:]...)
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"success":true}`)
		return
	}
	if m.To == "" || m.Type == "" {
		graphError(w, http.StatusBadRequest, 131008, "Required parameter is missing")
		return
	}
	if m.Type == "template" && (m.Template == nil || !f.templateApproved(m.Template.Name, m.Template.Language.Code)) {
		graphError(w, http.StatusBadRequest, 132001, "Template name does not exist in the translation")
		return
	}
	if m.Type == "template" {
		var buttons []string
		for _, c := range m.Template.Components {
			if c.Type == "button" {
				buttons = append(buttons, c.Index)
			}
		}
		if !f.buttonsFit(m.Template.Name, m.Template.Language.Code, buttons) {
			graphError(w, http.StatusBadRequest, 132000, "Number of parameters does not match the expected number of params")
			return
		}
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
	f.sent = append(f.sent, Captured{ID: id, To: m.To, Type: m.Type, Payload: json.RawMessage(body), At: time.Now()})
	if f.onSend != nil {
		f.onSend(f.sent[len(f.sent)-1])
	}
	// Let go of the oldest in one go once twice the kept number piled up,
	// so that a soak does not copy 10,000 captures on every send.
	if len(f.sent) >= 2*fakeKeepSent {
		n := len(f.sent) - fakeKeepSent
		f.sent = append([]Captured(nil), f.sent[n:]...)
		f.dropped += n
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"messaging_product":"whatsapp","contacts":[{"input":%q,"wa_id":%q}],"messages":[{"id":%q}]}`, m.To, strings.TrimPrefix(m.To, "+"), id)
}
