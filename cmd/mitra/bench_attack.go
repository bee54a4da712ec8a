package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp"
)

// runAttackBench replays a tester's probes against a local server in a
// production configuration (Meta's side faked on loopback) and prints a
// table: probe, expected, got. It fails when any probe is not as expected.
// --short leaves out the probes that take seconds.
func runAttackBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := newFlagSet("bench attack", stderr)
	short := fl.Bool("short", false, "leave out the slow probes (slow headers, rendering)")
	if err := fl.Parse(args); err != nil {
		return usagef("%v", err)
	}
	admin := os.Getenv("MITRA_DATABASE_URL")
	if admin == "" {
		return usagef("bench attack needs MITRA_DATABASE_URL (scripts/pg start prints one)")
	}
	dbURL, drop, err := store.CreateDatabase(ctx, admin, fmt.Sprintf("mitra_attack_%d", time.Now().UnixNano()))
	if err != nil {
		return err
	}
	defer drop()
	fake := &whatsapp.FakeGraph{Token: "attack-token"}
	graph := httptest.NewServer(fake)
	defer graph.Close()
	seed := make([]byte, ed25519.SeedSize)
	rand.Read(seed)
	c := &serveConfig{addr: "127.0.0.1:0", opsAddr: "127.0.0.1:0", dbURL: dbURL, index: "memory", sendRate: 1000,
		citizenRate: 20, citizenBurst: 10, processWorkers: 4, sendWorkers: 4, stt: "none", tts: "none",
		appSecret: "attack-secret", verifyToken: "attack-verify", token: "attack-token", phoneNumberID: "106540352242922", businessAccountID: "102290129340398",
		apiBase: graph.URL + "/v24.0", publicURL: "https://verify.example.gov.in", signingKey: base64.StdEncoding.EncodeToString(seed),
		verifyRate: 5, pollInterval: 20 * time.Millisecond}
	c.engine.embedder = "hash"
	if err := c.validate(); err != nil {
		return err
	}
	m := &Main{cfg: c, log: slog.New(slog.DiscardHandler)}
	defer m.Close()
	if err := m.Run(ctx); err != nil {
		return err
	}
	a := &attacker{url: m.self, ops: m.opsURL, secret: c.appSecret, fake: fake, store: m.store, stdout: stdout}
	key, err := m.store.CreateAPIKey(ctx, "revenue", "attack")
	if err != nil {
		return err
	}
	a.key = key
	a.run(ctx, !*short)
	return a.report()
}

type attacker struct {
	url, ops, secret, key string
	fake                  *whatsapp.FakeGraph
	store                 *store.Store
	stdout                io.Writer
	rows                  [][3]string
	failed                int
}

// probe records one line of the table.
func (a *attacker) probe(name, want, got string) {
	if want != got {
		a.failed++
		got += "  ✗"
	}
	a.rows = append(a.rows, [3]string{name, want, got})
}

func (a *attacker) report() error {
	w := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "probe\texpected\tgot")
	for _, r := range a.rows {
		fmt.Fprintf(w, "%s\t%s\t%s\n", r[0], r[1], r[2])
	}
	w.Flush()
	fmt.Fprintf(a.stdout, "%d probes, %d as expected\n", len(a.rows), len(a.rows)-a.failed)
	if a.failed > 0 {
		return fmt.Errorf("bench attack: %d probes not as expected", a.failed)
	}
	return nil
}

func (a *attacker) do(method, url string, body []byte, header map[string]string) (int, http.Header, string) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err.Error()
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	return res.StatusCode, res.Header, string(b)
}

func (a *attacker) webhook(body []byte) int {
	code, _, _ := a.do("POST", a.url+"/webhook", body, map[string]string{"X-Hub-Signature-256": whatsapp.Sign(a.secret, body),
		"Content-Type": "application/json"})
	return code
}

func status(code int) string { return fmt.Sprint(code) }

func batch(messages ...string) []byte {
	return []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
		"metadata":{"display_phone_number":"1","phone_number_id":"106540352242922"},"messages":[` + strings.Join(messages, ",") + `]}}]}]}`)
}

func textMessage(from, id, text string) string {
	b, _ := json.Marshal(text)
	return fmt.Sprintf(`{"from":%q,"id":%q,"timestamp":"%d","type":"text","text":{"body":%s}}`, from, id, time.Now().Unix(), b)
}

// waitSent waits until n messages went to a number, or a few seconds pass.
func (a *attacker) waitSent(to string, n int, within time.Duration) int {
	deadline := time.Now().Add(within)
	for {
		got := 0
		for _, c := range a.fake.Sent() {
			if c.To == to {
				got++
			}
		}
		if got >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (a *attacker) run(ctx context.Context, slow bool) {
	// Start-up: development conveniences over production settings.
	sim := productionLike()
	sim.simulator, sim.addr = true, "127.0.0.1:8080"
	a.probe("simulator with real secrets", "refused", refused(sim.validate()))
	open := &serveConfig{dbURL: "x", index: "memory", simulator: true, addr: "0.0.0.0:8080"}
	a.probe("simulator on every interface", "refused", refused(open.validate()))
	missing := &serveConfig{dbURL: "x", index: "memory", addr: ":8080"}
	err := missing.validate()
	a.probe("production with nothing set", "names all 8", map[bool]string{true: "names all 8", false: fmt.Sprint(err)}[err != nil &&
		strings.Contains(err.Error(), "WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN, WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_BUSINESS_ACCOUNT_ID, WHATSAPP_API_BASE, MITRA_PUBLIC_URL, MITRA_SIGNING_KEY")])

	// The webhook.
	body := batch(textMessage("919100000001", "wamid.ATK1", "hi"))
	code, _, _ := a.do("POST", a.url+"/webhook", body, nil)
	a.probe("unsigned webhook", "401", status(code))
	huge := bytes.Repeat([]byte("a"), 5<<20)
	code, _, _ = a.do("POST", a.url+"/webhook", huge, map[string]string{"X-Hub-Signature-256": whatsapp.Sign(a.secret, huge)})
	a.probe("5 MiB webhook", "413", status(code))
	a.probe("trailing data after the JSON", "400", status(a.webhook(append(batch(), []byte(`{"x":1}`)...))))
	long := strings.Repeat("9", 5000)
	poison := batch(textMessage("919100000002", "wamid.ATK2", "income\u0000 certificate"),
		`{"from":"919100000003","id":"wamid.ATK3","timestamp":"999999999999999","type":"text","text":{"body":"hi"}}`,
		textMessage(long, "wamid.ATK4", "hi"), textMessage("919100000005", long, "hi"))
	a.probe("poison batch (NUL, bad time, long ids)", "200", status(a.webhook(poison)))
	a.probe("  its good messages answered", "2 of 2", fmt.Sprintf("%d of 2",
		min(1, a.waitSent("919100000002", 1, 10*time.Second))+min(1, a.waitSent("919100000003", 1, 10*time.Second))))

	// Flooding and noise.
	var flood []string
	for i := range 40 {
		flood = append(flood, textMessage("919100000010", fmt.Sprintf("wamid.FLOOD%03d", i), "income certificate"))
	}
	floodStart := time.Now()
	a.webhook(batch(flood...))
	time.Sleep(3 * time.Second)
	got := a.waitSent("919100000010", 40, time.Second)
	// The burst, what the bucket refilled meanwhile (20 a minute), and one
	// "please wait".
	most := 10 + int(time.Since(floodStart).Seconds()/3) + 1
	a.probe("one number sends 40 at once", "burst + refill + 1 notice", map[bool]string{true: "burst + refill + 1 notice",
		false: fmt.Sprintf("%d replies (at most %d)", got, most)}[got <= most])
	a.webhook(batch(`{"from":"919100000011","id":"wamid.REACT","timestamp":"` + fmt.Sprint(time.Now().Unix()) +
		`","type":"reaction","reaction":{"message_id":"wamid.X","emoji":"👍"}}`))
	a.probe("a reaction", "no reply", map[bool]string{true: "no reply", false: "replied"}[a.waitSent("919100000011", 1, 2*time.Second) == 0])

	// Operators' endpoints and the public pages.
	code, _, _ = a.do("GET", a.url+"/metrics", nil, nil)
	a.probe("/metrics on the public address", "404", status(code))
	code, _, _ = a.do("GET", a.url+"/readyz", nil, nil)
	a.probe("/readyz on the public address", "404", status(code))
	code, _, readyBody := a.do("GET", a.ops+"/readyz", nil, nil)
	a.probe("/readyz on the operators' address", "200, no error text", map[bool]string{true: "200, no error text",
		false: status(code) + " " + readyBody}[code == 200 && !strings.Contains(readyBody, "error")])
	for _, id := range []string{"AP-2026-%00AB", "AP-2026-%FF%FE"} {
		code, _, _ = a.do("GET", a.url+"/v/"+id, nil, nil)
		a.probe("/v/ with "+id[8:], "404", status(code))
	}
	_, h, _ := a.do("GET", a.url+"/v/AP-2026-NOSUCHID", nil, nil)
	a.probe("verification page headers", "CSP, DENY, nosniff", map[bool]string{true: "CSP, DENY, nosniff", false: fmt.Sprint(h)}[h != nil &&
		h.Get("Content-Security-Policy") != "" && h.Get("X-Frame-Options") == "DENY" && h.Get("X-Content-Type-Options") == "nosniff"])
	limited := 0
	guessStart := time.Now()
	for range 40 {
		if code, _, _ := a.do("GET", a.url+"/v/AP-2026-GUESSABC", nil, nil); code == http.StatusTooManyRequests {
			limited++
		}
	}
	// The burst (2 × 5) and what 5 a second refilled meanwhile get
	// through; every other guess is refused.
	allowed := 10 + int(5*time.Since(guessStart).Seconds()) + 1
	a.probe("40 id guesses from one client", "beyond the rate, refused (429)", map[bool]string{true: "beyond the rate, refused (429)",
		false: fmt.Sprintf("%d refused, want at least %d", limited, 40-allowed)}[limited >= 40-allowed && limited > 0])

	// The department API.
	auth := map[string]string{"Authorization": "Bearer " + a.key, "Content-Type": "application/json"}
	big, _ := json.Marshal(map[string]any{"idempotency_key": "atk-1", "wa_id": "919100000020", "service_id": "income-certificate",
		"holder_name": "Ravi", "lang": "en", "issuing_office": "Tahsildar", "validity": strings.Repeat("x", 900_000)})
	code, _, _ = a.do("POST", a.url+"/api/v1/certificates", big, auth)
	a.probe("900 KB validity", "rejected (413/422)", refusedCode(code))
	reason := []byte(`{"reason":"` + strings.Repeat("x", 20<<20) + `"}`)
	code, _, _ = a.do("POST", a.url+"/api/v1/certificates/AP-2026-NOSUCHID/revoke", reason, auth)
	a.probe("20 MB revoke reason", "rejected (413/422)", refusedCode(code))
	code, _, _ = a.do("POST", a.url+"/api/v1/certificates", []byte(`{}`), map[string]string{"Authorization": "Bearer mk_guess"})
	a.probe("unknown API key", "401", status(code))
	if !slow {
		return
	}
	if _, err := exec.LookPath("chromium"); err == nil {
		issue := func(holder string) int {
			b, _ := json.Marshal(map[string]any{"idempotency_key": "atk-2", "wa_id": "919100000021", "service_id": "income-certificate",
				"holder_name": holder, "lang": "en", "issuing_office": "Tahsildar"})
			code, _, _ := a.do("POST", a.url+"/api/v1/certificates", b, auth)
			return code
		}
		first := issue("Ravi")
		a.probe("idempotency key reused, other body", "409", status(map[bool]int{true: issue("Someone Else"), false: first}[first == 201]))
	}
	// A client trickling its headers is cut off by the read-header timeout.
	conn, err := net.Dial("tcp", strings.TrimPrefix(a.url, "http://"))
	if err == nil {
		fmt.Fprint(conn, "POST /webhook HTTP/1.1\r\nHost: x\r\n")
		conn.SetReadDeadline(time.Now().Add(8 * time.Second))
		_, rerr := conn.Read(make([]byte, 1))
		conn.Close()
		var ne net.Error
		a.probe("headers trickled for 8 s", "closed by the server", map[bool]string{true: "closed by the server", false: "held open"}[!(errors.As(rerr, &ne) && ne.Timeout())])
	}
}

// productionLike is a complete production configuration.
func productionLike() *serveConfig {
	return &serveConfig{addr: "0.0.0.0:8080", dbURL: "postgres://db/mitra", index: "memory", appSecret: "s", verifyToken: "v", token: "t",
		phoneNumberID: "1", businessAccountID: "2", apiBase: "https://graph.facebook.com/v24.0", publicURL: "https://verify.example.gov.in", signingKey: "k"}
}

func refused(err error) string {
	if err != nil {
		return "refused"
	}
	return "started"
}

func refusedCode(code int) string {
	if code == http.StatusRequestEntityTooLarge || code == http.StatusUnprocessableEntity {
		return "rejected (413/422)"
	}
	return status(code)
}
