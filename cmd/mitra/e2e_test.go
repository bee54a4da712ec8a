package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mitra-gov/mitra/certs"
	"github.com/mitra-gov/mitra/server"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/store/storetest"
	"github.com/mitra-gov/mitra/whatsapp"
)

const (
	appSecret   = "test_app_secret" // the secret Meta's fixture signatures were made with
	verifyToken = "verify-me"
	graphToken  = "graph-token"
)

// stack is a whole mitra server (the same Main as `mitra serve`) on a
// fresh database, with the Graph API faked over HTTP.
type stack struct {
	t      *testing.T
	store  *store.Store
	db     *pgx.Conn // for assertions in SQL, and for rewriting rows
	fake   *whatsapp.FakeGraph
	url    string
	issuer *certs.Issuer
	secret string // the app secret webhooks are signed with
	ops    string // the operators' address
	main   *Main
}

func newStack(t *testing.T) *stack { return newStackWith(t, stackOptions{}) }

type stackOptions struct {
	// simulator mounts the fake Graph API on the server itself, as
	// `mitra serve` does by default; otherwise it is a server of its own,
	// as Meta's is, and the server runs with a production configuration.
	simulator bool
	// speechURL, if set, is an OpenAI-compatible transcription server
	// for voice notes (-stt openai), and tts the spoken replies.
	speechURL string
	tts       string
	voiceMax  time.Duration
	// signingSeed signs certificates (default testSeed); the simulator
	// keeps a development key instead.
	signingSeed []byte
	// chatty lifts the per-citizen rate: a form is many quick messages,
	// and these tests are about the form, not the throttle.
	chatty bool
	// flows turns on WhatsApp Flows with this private key.
	flows *rsa.PrivateKey
}

func newStackWith(t *testing.T, o stackOptions) *stack {
	t.Helper()
	_, dbURL := storetest.New(t)
	c := &serveConfig{addr: "127.0.0.1:0", opsAddr: "127.0.0.1:0", verifyRate: 1000, dbURL: dbURL, index: "memory", sendRate: 1000, citizenRate: 20, citizenBurst: 10,
		processWorkers: 4, sendWorkers: 4,
		phoneNumberID: "106540352242922", businessAccountID: "102290129340398", simulator: o.simulator, stt: "none", tts: "none", voiceMax: 2 * time.Minute,
		pollInterval: 20 * time.Millisecond}
	c.engine.embedder = "hash"
	if o.signingSeed == nil {
		o.signingSeed = testSeed()
	}
	if !o.simulator {
		// A production configuration, with Meta's side faked over HTTP.
		c.appSecret, c.verifyToken, c.token, c.publicURL = appSecret, verifyToken, graphToken, "https://verify.example.gov.in"
		c.signingKey = base64.StdEncoding.EncodeToString(o.signingSeed)
	}
	fake := &whatsapp.FakeGraph{Token: graphToken, AutoApprove: true}
	if !o.simulator {
		graphSrv := httptest.NewServer(fake)
		t.Cleanup(graphSrv.Close)
		c.apiBase = graphSrv.URL + "/v24.0"
	}
	if o.speechURL != "" {
		c.stt, c.sttModel, c.openAIBaseURL, c.openAIKey = "openai", "whisper-1", o.speechURL+"/v1", "k"
	}
	if o.tts != "" {
		c.tts = o.tts
	}
	if o.voiceMax > 0 {
		c.voiceMax = o.voiceMax
	}
	if o.chatty {
		c.citizenRate, c.citizenBurst = 600, 100
	}
	if err := c.validate(); err != nil {
		t.Fatal(err)
	}
	if o.flows != nil {
		c.flowKey = o.flows
	}
	if o.simulator {
		fake.Token = c.token
	}
	m := &Main{cfg: c, log: slog.New(slog.DiscardHandler), fake: fake}
	t.Cleanup(func() { m.Close() })
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &stack{t: t, store: m.store, db: storetest.Conn(t, dbURL), fake: fake, url: m.self, ops: m.opsURL, issuer: m.issuer, secret: c.appSecret, main: m}
}

func (s *stack) post(body []byte, signature string) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.url+"/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set("X-Hub-Signature-256", signature)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (s *stack) postSigned(body []byte) int {
	s.t.Helper()
	code, _ := s.post(body, whatsapp.Sign(s.secret, body))
	return code
}

// waitSent waits until the fake Graph API has captured n messages to "to".
// The privacy notice that precedes a new citizen's first answer is left
// out (rights_test.go checks it), so that the tests of other things count
// answers only.
func (s *stack) waitSent(to string, n int) []whatsapp.Captured {
	s.t.Helper()
	return s.waitSentAll(to, n, false)
}

func (s *stack) waitSentAll(to string, n int, withNotice bool) []whatsapp.Captured {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var got []whatsapp.Captured
		for _, c := range s.fake.Sent() {
			if c.To == to && (withNotice || !bytes.Contains(c.Payload, []byte(`"privacy:yes"`))) {
				got = append(got, c)
			}
		}
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func fixture(t *testing.T, name string) []byte {
	b, err := os.ReadFile(filepath.Join("..", "..", "whatsapp", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func simulated(t *testing.T, from, id, text string) []byte {
	b, err := whatsapp.SimulatedWebhook(whatsapp.SimulatedMessage{PhoneNumberID: "106540352242922", From: from, ID: id, Time: time.Now(), Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWebhookSecurityAndBadInput(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	body := fixture(t, "meta_text.json")
	if code, _ := s.post(body, ""); code != http.StatusUnauthorized {
		t.Errorf("unsigned: %d", code)
	}
	if code, _ := s.post(body, whatsapp.Sign("wrong", body)); code != http.StatusUnauthorized {
		t.Errorf("wrong signature: %d", code)
	}
	bad := []byte(`{"object":"page"}`)
	if code := s.postSigned(bad); code != http.StatusBadRequest {
		t.Errorf("not a WhatsApp webhook: %d", code)
	}
	huge := bytes.Repeat([]byte("a"), server.MaxWebhookBody+10)
	if code, _ := s.post(huge, whatsapp.Sign(appSecret, huge)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversize: %d", code)
	}
	for _, tt := range []struct {
		query string
		code  int
		body  string
	}{
		{"hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444", 200, "1158201444"},
		{"hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1", 403, ""},
		{"hub.mode=unsubscribe&hub.verify_token=verify-me&hub.challenge=1", 403, ""},
	} {
		res, err := http.Get(s.url + "/webhook?" + tt.query)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tt.code || (tt.body != "" && string(b) != tt.body) {
			t.Errorf("GET %s: %d %q", tt.query, res.StatusCode, b)
		}
	}
	// Operators' endpoints are on their own address; the public one has
	// only the health check.
	for _, tt := range []struct {
		base, path string
		code       int
	}{
		{s.ops, "/healthz", 200}, {s.ops, "/readyz", 200}, {s.ops, "/metrics", 200},
		{s.url, "/healthz", 200}, {s.url, "/readyz", 404}, {s.url, "/metrics", 404},
	} {
		res, err := http.Get(tt.base + tt.path)
		if err != nil || res.StatusCode != tt.code {
			t.Errorf("%s%s: %v %v, want %d", tt.base, tt.path, err, res.StatusCode, tt.code)
			continue
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s%s: security headers %v", tt.base, tt.path, res.Header)
		}
		res.Body.Close()
	}
}

// A message delivered twice (Meta retries) is stored once and answered
// once; the Meta fixture's own signature verifies.
func TestDuplicateDeliveryAnsweredOnce(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	body := fixture(t, "meta_text.json")
	sig := "sha256=1c041e1c07f50386213ac582d2e17d24d70f1ed42949a6e5a5607057b805b5fc"
	for i := 0; i < 3; i++ {
		if code, resp := s.post(body, sig); code != 200 {
			t.Fatalf("delivery %d: %d %s", i, code, resp)
		}
	}
	first := s.waitSentAll("16505551234", 1, true)
	time.Sleep(300 * time.Millisecond) // room for a wrong second answer to show
	sent := s.waitSentAll("16505551234", len(first), true)
	var n int
	s.db.QueryRow(context.Background(), "SELECT count(*) FROM inbound_messages").Scan(&n)
	var outbox int
	s.db.QueryRow(context.Background(), "SELECT count(*) FROM outbox").Scan(&outbox)
	if n != 1 || len(sent) != outbox || outbox == 0 {
		t.Errorf("stored %d inbound, %d outbox rows, %d sent", n, outbox, len(sent))
	}
}

// Free text in each language reaches the right service card, in that
// language; list and button taps work.
func TestFreeTextListAndButtonReplies(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	tests := []struct{ from, text, want string }{
		{"919000000011", "నాకు ఆదాయ ధృవీకరణ పత్రం కావాలి", "కావాల్సిన పత్రాలు"},
		{"919000000012", "mujhe income certificate chahiye", "ज़रूरी दस्तावेज़"},
		{"919000000013", "I need an income certificate", "Documents needed"},
	}
	for i, tt := range tests {
		if code := s.postSigned(simulated(t, tt.from, "wamid.T"+string(rune('A'+i)), tt.text)); code != 200 {
			t.Fatalf("%q: %d", tt.text, code)
		}
	}
	for _, tt := range tests {
		sent := s.waitSent(tt.from, 1)
		if len(sent) == 0 || !strings.Contains(string(sent[0].Payload), tt.want) {
			t.Errorf("%q: reply %s", tt.text, sent)
		}
	}
	// A list tap on a department, then a button tap on "back".
	tap := func(id, kind, title, wamid string) {
		b, _ := whatsapp.SimulatedWebhook(whatsapp.SimulatedMessage{PhoneNumberID: "1", From: "919000000014", ID: wamid, Time: time.Now(),
			OptionID: id, OptionTitle: title, OptionKind: kind})
		if code := s.postSigned(b); code != 200 {
			t.Fatalf("tap %s: %d", id, code)
		}
	}
	tap("dept:revenue", "list", "Revenue", "wamid.L1")
	sent := s.waitSent("919000000014", 1)
	if len(sent) != 1 || !strings.Contains(string(sent[0].Payload), `"type":"list"`) || !strings.Contains(string(sent[0].Payload), "svc:income-certificate") {
		t.Fatalf("list tap reply: %s", sent)
	}
	tap("svc:income-certificate", "list", "Income certificate", "wamid.L2")
	sent = s.waitSent("919000000014", 2)
	if len(sent) < 2 || !strings.Contains(string(sent[1].Payload), `"type":"button"`) {
		t.Fatalf("service card: %s", sent)
	}
	tap("back", "button", "Back", "wamid.L3")
	if sent = s.waitSent("919000000014", 3); len(sent) < 3 || !strings.Contains(string(sent[2].Payload), "svc:caste-certificate") {
		t.Errorf("back button: %s", sent)
	}
	// Meta's own list-reply fixture names an option mitra never offered:
	// the citizen gets the department menu, not an error.
	if code := s.postSigned(fixture(t, "meta_list_reply.json")); code != 200 {
		t.Fatal(code)
	}
	if sent := s.waitSent("16505551234", 1); len(sent) != 1 {
		t.Errorf("unknown option: %d replies", len(sent))
	}
}

// The fake Graph API answers 429, then 500, then 200: the reply goes out
// once, and delivery statuses move the outbox row forward, never back.
func TestSenderRetriesAndStatuses(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.fake.FailNext(whatsapp.FakeFailure{HTTPStatus: 429, Code: 130429, Message: "Rate limit hit"},
		whatsapp.FakeFailure{HTTPStatus: 500, Code: 131000, Message: "Something went wrong"})
	if code := s.postSigned(simulated(t, "919000000021", "wamid.R1", "caste certificate kavali")); code != 200 {
		t.Fatal(code)
	}
	// The first message out (the privacy notice) takes the failures; the
	// answer follows it once it is through.
	sent := s.waitSentAll("919000000021", 2, true)
	if len(sent) != 2 {
		t.Fatalf("after 429 and 500: %d sent", len(sent))
	}
	ctx := context.Background()
	var status string
	var attempts int
	// The fake captured the message before the sender recorded it.
	for deadline := time.Now().Add(5 * time.Second); status == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		s.db.QueryRow(ctx, "SELECT status, attempts FROM outbox WHERE wa_message_id = $1", sent[0].ID).Scan(&status, &attempts)
	}
	if status != "sent" || attempts != 3 {
		t.Errorf("outbox %s after %d attempts, want sent after 3", status, attempts)
	}
	statusBody := func(st string) []byte {
		return []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
			"metadata":{"display_phone_number":"1","phone_number_id":"1"},"statuses":[{"id":"` + sent[0].ID + `","status":"` + st + `","timestamp":"1751142888","recipient_id":"919000000021"}]}}]}]}`)
	}
	for _, st := range []string{"read", "delivered", "sent"} { // out of order
		if code := s.postSigned(statusBody(st)); code != 200 {
			t.Fatal(code)
		}
	}
	s.db.QueryRow(ctx, "SELECT status FROM outbox WHERE wa_message_id = $1", sent[0].ID).Scan(&status)
	if status != "read" {
		t.Errorf("after read, delivered, sent: %s", status)
	}
	var statuses int
	s.db.QueryRow(ctx, "SELECT count(*) FROM message_statuses WHERE wa_message_id = $1", sent[0].ID).Scan(&statuses)
	if statuses != 3 {
		t.Errorf("%d statuses stored", statuses)
	}
	// A permanent error (not on WhatsApp) fails the row without retrying.
	s.fake.FailNext(whatsapp.FakeFailure{HTTPStatus: 400, Code: 131026, Message: "Message Undeliverable"})
	if code := s.postSigned(simulated(t, "919000000022", "wamid.R2", "hi")); code != 200 {
		t.Fatal(code)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if err := s.db.QueryRow(ctx, "SELECT status FROM outbox WHERE wa_to = '919000000022' AND seq = 0").Scan(&status); err == nil && status == "failed" {
			break
		} else if err != nil && err != pgx.ErrNoRows {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if status != "failed" {
		t.Errorf("undeliverable: status %s", status)
	}
}

// One POST carrying many messages from many citizens (Meta batches up to
// 1,000 updates): all stored, each answered once, even when the whole
// batch is delivered twice.
func TestBatchOfManyUpdates(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	var msgs []string
	const n = 60
	for i := 0; i < n; i++ {
		msgs = append(msgs, fmt.Sprintf(`{"from":"9192%08d","id":"wamid.BATCH%03d","timestamp":"1749416383","type":"text","text":{"body":"hi"}}`, i, i))
	}
	body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
		"metadata":{"display_phone_number":"1","phone_number_id":"106540352242922"},"messages":[` + strings.Join(msgs, ",") + `]}}]}]}`)
	for i := 0; i < 2; i++ {
		if code := s.postSigned(body); code != 200 {
			t.Fatalf("batch delivery %d: %d", i, code)
		}
	}
	for i := 0; i < n; i++ {
		if sent := s.waitSent(fmt.Sprintf("9192%08d", i), 2); len(sent) != 2 {
			t.Fatalf("citizen %d got %d messages, want the welcome and the language buttons once", i, len(sent))
		}
	}
	time.Sleep(300 * time.Millisecond) // room for a wrong second answer to show
	var stored int
	s.db.QueryRow(context.Background(), "SELECT count(*) FROM inbound_messages").Scan(&stored)
	if sent := len(s.fake.Sent()); stored != n || sent != 2*n {
		t.Errorf("stored %d, sent %d; want %d and %d", stored, sent, n, 2*n)
	}
}

// A batch with poison in it (NUL in a text and a name, a timestamp outside
// the calendar, an over-long sender and id) is acknowledged; the good
// messages in it are stored and answered, the bad ones counted.
func TestPoisonBatchKeepsTheGoodMessages(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	body := fixture(t, "poison_batch.json")
	if code, resp := s.post(body, whatsapp.Sign(s.secret, body)); code != http.StatusOK {
		t.Fatalf("poison batch: %d %s", code, resp)
	}
	for _, from := range []string{"919000000401", "919000000402", "919000000405", "919000000406"} {
		if sent := s.waitSent(from, 1); len(sent) == 0 {
			t.Errorf("%s got no reply", from)
		}
	}
	if n := storetest.Int(t, s.db, "SELECT count(*) FROM inbound_messages"); n != 4 {
		t.Errorf("stored %d messages, want the 4 good ones", n)
	}
	res, err := http.Get(s.ops + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	metrics, _ := io.ReadAll(res.Body)
	for _, want := range []string{`mitra_webhook_rejected_total{reason="message_id"} 1`, `mitra_webhook_rejected_total{reason="sender"} 1`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
