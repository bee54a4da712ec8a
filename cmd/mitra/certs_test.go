package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mitra-gov/mitra/certs"
	"github.com/mitra-gov/mitra/internal/testenv"
	"github.com/mitra-gov/mitra/whatsapp"
)

func testSeed() []byte {
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, "mitra e2e signing seed")
	return seed
}

func (s *stack) api(method, path, key string, body any) (int, map[string]any) {
	s.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, s.url+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	return res.StatusCode, out
}

func (s *stack) verifyJSON(id string) certs.Status {
	s.t.Helper()
	res, err := http.Get(s.url + "/v/" + id + "?format=json")
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	var st certs.Status
	json.NewDecoder(res.Body).Decode(&st)
	return st
}

// A department issues a certificate: precise validation errors, an
// idempotent replay, no cross-department issuance; the citizen receives the
// PDF on WhatsApp; the public page and log verify it; revocation shows;
// a rewritten record is detected; and the server's Close ends Chromium.
func TestCertificatesEndToEnd(t *testing.T) {
	t.Parallel()
	testenv.NeedTools(t, "chromium")
	s := newStackWith(t, stackOptions{signingSeed: testSeed()})
	ctx := context.Background()
	revenueKey, _ := s.store.CreateAPIKey(ctx, "revenue", "test")
	energyKey, _ := s.store.CreateAPIKey(ctx, "energy", "test")
	req := map[string]any{"idempotency_key": "rev-0001", "wa_id": "919000000071", "service_id": "income-certificate",
		"holder_name": "శ్రీనివాస్ రెడ్డి", "lang": "te", "issuing_office": "Tahsildar, Guntur", "validity": "One year",
		"fields": map[string]string{"Annual income": "₹1,20,000"}}

	if code, _ := s.api("POST", "/api/v1/certificates", "", req); code != http.StatusUnauthorized {
		t.Errorf("no key: %d", code)
	}
	if code, _ := s.api("POST", "/api/v1/certificates", "mk_wrong", req); code != http.StatusUnauthorized {
		t.Errorf("wrong key: %d", code)
	}
	if code, out := s.api("POST", "/api/v1/certificates", energyKey, req); code != http.StatusUnprocessableEntity || !strings.Contains(asJSON(out), "belongs to another department") {
		t.Errorf("energy issuing a revenue certificate: %d %v", code, out)
	}
	bad := map[string]any{"idempotency_key": "x", "wa_id": "abc", "service_id": "no-such", "holder_name": "", "lang": "fr", "issuing_office": ""}
	code, out := s.api("POST", "/api/v1/certificates", revenueKey, bad)
	for _, field := range []string{"wa_id", "service_id", "holder_name", "lang", "issuing_office"} {
		if code != http.StatusUnprocessableEntity || !strings.Contains(asJSON(out), `"field":"`+field+`"`) {
			t.Errorf("validation lacks %s: %d %v", field, code, out)
		}
	}
	code, out = s.api("POST", "/api/v1/certificates", revenueKey, req)
	if code != http.StatusCreated {
		t.Fatalf("issue: %d %v", code, out)
	}
	id := out["id"].(string)
	code, again := s.api("POST", "/api/v1/certificates", revenueKey, req)
	if code != http.StatusOK || again["id"] != id || again["replayed"] != true {
		t.Errorf("replay: %d %v", code, again)
	}

	// Delivered on WhatsApp as a PDF document with a Telugu caption.
	sent := s.waitSent("919000000071", 1)
	if len(sent) != 1 || sent[0].Type != "document" || !strings.Contains(string(sent[0].Payload), "సిద్ధంగా ఉంది") {
		t.Fatalf("delivery: %s", sent)
	}
	var doc struct {
		Document struct{ ID string } `json:"document"`
	}
	json.Unmarshal(sent[0].Payload, &doc)
	pdf, mime, _ := s.fake.Media(doc.Document.ID)
	if mime != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Errorf("uploaded %q, %.8q", mime, pdf)
	}

	// "my certificates" in the chat lists it.
	if code := s.postSigned(simulated(t, "919000000071", "wamid.MYCERTS", "నా సర్టిఫికెట్లు")); code != 200 {
		t.Fatal(code)
	}
	if mine := s.waitSent("919000000071", 2); len(mine) < 2 || !strings.Contains(string(mine[1].Payload), id) {
		t.Errorf("my certificates: %s", mine)
	}

	// Pending until a tree head includes it; then valid, with a proof.
	if st := s.verifyJSON(id); st.State != "pending" {
		t.Errorf("before a tree head: %s", st.State)
	}
	head1, err := s.issuer.SignHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st := s.verifyJSON(id)
	if st.State != "valid" || st.Holder != "శ్రీనివాస్ రెడ్డి" || !st.RecordMatch {
		t.Errorf("verify: %+v", st)
	}
	res, _ := http.Get(s.url + "/v/" + id + "?lang=te")
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(page), "చెల్లుబాటు అవుతుంది") {
		t.Errorf("Telugu page lacks the valid state")
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || res.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("verification page headers: %v", res.Header)
	}
	if st := s.verifyJSON("AP-2026-NOSUCH"); st.State != "unknown" {
		t.Errorf("unknown id: %s", st.State)
	}
	// An id with NUL or invalid UTF-8 is unknown, not a server error.
	for _, bad := range []string{"AP-2026-%00ABC", "AP-2026-%FF%FE", strings.Repeat("A", 5000)} {
		res, err := http.Get(s.url + "/v/" + bad + "?format=json")
		if err != nil || res.StatusCode != http.StatusNotFound {
			t.Errorf("/v/%.20s: %v %v", bad, err, res.Status)
		}
		if res != nil {
			res.Body.Close()
		}
	}

	// Revocation by another department is refused; by the issuer, logged.
	if code, _ := s.api("POST", "/api/v1/certificates/"+id+"/revoke", energyKey, map[string]string{"reason": "x"}); code != http.StatusForbidden {
		t.Errorf("cross-department revoke: %d", code)
	}
	if code, _ := s.api("POST", "/api/v1/certificates/"+id+"/revoke", revenueKey, map[string]string{"reason": "issued in error"}); code != http.StatusOK {
		t.Errorf("revoke: %d", code)
	}
	head2, _ := s.issuer.SignHead(ctx)
	if st := s.verifyJSON(id); st.State != "revoked" || st.Reason != "issued in error" {
		t.Errorf("after revoke: %+v", st)
	}
	// The log only grew: a consistency proof links the two heads.
	code, cons := s.api("GET", "/log/consistency?first=1&second=2", "", nil)
	if code != 200 || head1.Size != 1 || head2.Size != 2 {
		t.Fatalf("consistency: %d %v (heads %d, %d)", code, cons, head1.Size, head2.Size)
	}
	var proof [][]byte
	for _, h := range cons["proof"].([]any) {
		b, _ := hexDecode(h.(string))
		proof = append(proof, b)
	}
	r1, _ := head1.RootBytes()
	r2, _ := head2.RootBytes()
	if err := certs.VerifyConsistency(1, 2, proof, r1, r2); err != nil {
		t.Errorf("consistency proof: %v", err)
	}

	// Someone rewrites the holder's name in the database: detected.
	if _, err := s.db.Exec(ctx, "UPDATE certificates SET holder_name = 'Someone Else' WHERE id = $1", id); err != nil {
		t.Fatal(err)
	}
	if st := s.verifyJSON(id); st.State != "tampered" || st.RecordMatch {
		t.Errorf("after rewriting the record: %+v", st)
	}
	var audits int
	s.db.QueryRow(ctx, "SELECT count(*) FROM api_audit").Scan(&audits)
	// Every department call is audited; the two calls without a valid key
	// are not a department's, and are counted, not written.
	if audits < 6 {
		t.Errorf("%d audited calls", audits)
	}

	// The server's Close ends its Chromium: a rendering after it is
	// refused rather than starting another browser.
	s.main.Close()
	if _, err := s.main.renderer.Render(ctx, certs.Document{Lang: "en", QRText: "after close"}); !errors.Is(err, certs.ErrRendererClosed) {
		t.Errorf("rendering after the server closed: %v", err)
	}
}

// Outside the 24-hour window the document is refused (131047): a template
// goes out, and the certificate follows the citizen's reply.
func TestCertificateOutsideWindow(t *testing.T) {
	t.Parallel()
	testenv.NeedTools(t, "chromium")
	s := newStackWith(t, stackOptions{signingSeed: testSeed()})
	ctx := context.Background()
	key, _ := s.store.CreateAPIKey(ctx, "revenue", "test")
	s.fake.FailNext(whatsapp.FakeFailure{HTTPStatus: 400, Code: 131047, Message: "Re-engagement message"})
	code, out := s.api("POST", "/api/v1/certificates", key, map[string]any{"idempotency_key": "w-1", "wa_id": "919000000072",
		"service_id": "caste-certificate", "holder_name": "Lakshmi Devi", "lang": "en", "issuing_office": "Tahsildar, Kurnool"})
	if code != http.StatusCreated {
		t.Fatalf("issue: %d %v", code, out)
	}
	sent := s.waitSent("919000000072", 1)
	if len(sent) != 1 || sent[0].Type != "template" || !strings.Contains(string(sent[0].Payload), "certificate_ready") {
		t.Fatalf("outside the window: %s", sent)
	}
	if code := s.postSigned(simulated(t, "919000000072", "wamid.W1", "ok send it")); code != 200 {
		t.Fatal(code)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range s.fake.Sent() {
			if m.To == "919000000072" && m.Type == "document" {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("certificate not delivered after the reply: %s", s.waitSent("919000000072", 5))
}

func asJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

func hexDecode(s string) ([]byte, error) { return hex.DecodeString(s) }

// Every field has a limit in characters; a key reused with another body
// is a conflict (409), and concurrent requests with one key all get the
// one certificate, none an error.
func TestCertificateAPIBounds(t *testing.T) {
	t.Parallel()
	testenv.NeedTools(t, "chromium")
	s := newStack(t)
	ctx := context.Background()
	key, _ := s.store.CreateAPIKey(ctx, "revenue", "test")
	base := func(idem string) map[string]any {
		return map[string]any{"idempotency_key": idem, "wa_id": "919000000091", "service_id": "income-certificate",
			"holder_name": "లక్ష్మి", "lang": "te", "issuing_office": "Tahsildar, Guntur"}
	}
	// Over a field's limit: 422 naming the field; over the body cap: 413.
	oversize := map[string]any{"validity": strings.Repeat("ఆ", 201), "issuing_office": strings.Repeat("ఆ", 201),
		"holder_name": "Ravi\u0000Kumar"}
	for field, value := range oversize {
		req := base("big-" + field)
		req[field] = value
		if code, out := s.api("POST", "/api/v1/certificates", key, req); code != http.StatusUnprocessableEntity || !strings.Contains(asJSON(out), `"field":"`+field+`"`) {
			t.Errorf("%s of %d bytes: %d %v", field, len(fmt.Sprint(value)), code, out)
		}
	}
	bigBody := base("huge")
	bigBody["validity"] = strings.Repeat("x", 900_000)
	if code, _ := s.api("POST", "/api/v1/certificates", key, bigBody); code != http.StatusRequestEntityTooLarge {
		t.Errorf("900 KB body: %d", code)
	}
	// 200 Telugu characters are 600 bytes, and within the limit.
	ok := base("telugu-office")
	ok["issuing_office"] = strings.Repeat("ఆ", 200)
	if code, out := s.api("POST", "/api/v1/certificates", key, ok); code != http.StatusCreated {
		t.Errorf("200-character Telugu office: %d %v", code, out)
	}
	changed := base("telugu-office")
	changed["holder_name"] = "Someone Else"
	if code, out := s.api("POST", "/api/v1/certificates", key, changed); code != http.StatusConflict {
		t.Errorf("key reused with another body: %d %v", code, out)
	}
	var wg sync.WaitGroup
	codes := make([]int, 4)
	ids := make([]string, 4)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, out := s.api("POST", "/api/v1/certificates", key, base("together"))
			codes[i] = code
			ids[i], _ = out["id"].(string)
		}()
	}
	wg.Wait()
	for i := range codes {
		if (codes[i] != http.StatusCreated && codes[i] != http.StatusOK) || ids[i] != ids[0] {
			t.Errorf("concurrent same-key requests: %v %v", codes, ids)
			break
		}
	}
	huge := `{"reason":"` + strings.Repeat("x", 20<<20) + `"}`
	req, _ := http.NewRequest("POST", s.url+"/api/v1/certificates/"+ids[0]+"/revoke", strings.NewReader(huge))
	req.Header.Set("Authorization", "Bearer "+key)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("20 MB revoke reason: %v %v", err, res.Status)
	}
	if code, _ := s.api("POST", "/api/v1/certificates/"+ids[0]+"/revoke", key, map[string]string{"reason": strings.Repeat("ఆ", 501)}); code != http.StatusUnprocessableEntity {
		t.Errorf("501-character reason: %d", code)
	}
}
