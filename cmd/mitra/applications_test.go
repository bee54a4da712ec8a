package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/internal/verhoeff"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp"
	"github.com/mitra-gov/mitra/whatsapp/flows"
	"github.com/mitra-gov/mitra/worker"
)

// citizen is one WhatsApp user talking to a whole stack: each call sends
// one message and returns the replies it brought.
type citizen struct {
	t    *testing.T
	s    *stack
	from string
	seen int
	n    *atomic.Int64
	last string // what was sent last, for failure messages
}

var messageSeq atomic.Int64

func (s *stack) citizen(from string) *citizen {
	return &citizen{t: s.t, s: s, from: from, n: &messageSeq}
}

func (c *citizen) send(m whatsapp.SimulatedMessage) string {
	c.t.Helper()
	c.post(m)
	return c.replies(1)
}

// post sends one message and does not wait for a reply.
func (c *citizen) post(m whatsapp.SimulatedMessage) {
	c.t.Helper()
	m.PhoneNumberID, m.From, m.Time = "106540352242922", c.from, time.Now()
	m.ID = fmt.Sprintf("wamid.app%d", c.n.Add(1))
	body, err := whatsapp.SimulatedWebhook(m)
	if err != nil {
		c.t.Fatal(err)
	}
	if code := c.s.postSigned(body); code != http.StatusOK {
		c.t.Fatalf("webhook: %d", code)
	}
	c.last = m.Text + m.OptionID + m.ImageID
}

// replies waits for at least n new messages to the citizen, and for the
// rest of the turn, and returns their texts and option ids.
func (c *citizen) replies(n int) string {
	c.t.Helper()
	got := c.s.waitSent(c.from, c.seen+n)
	// A turn's messages go out in order, one job: a short settle lets
	// the rest of it arrive.
	time.Sleep(150 * time.Millisecond)
	got = c.s.waitSent(c.from, len(got))
	if len(got) < c.seen+n {
		c.t.Fatalf("after %q: waited for %d replies, got %d", c.last, c.seen+n, len(got))
	}
	var b strings.Builder
	for _, m := range got[c.seen:] {
		b.WriteString(m.Type + ": " + string(m.Payload) + "\n")
	}
	c.seen = len(got)
	return b.String()
}

// fill answers the form's questions left with sample answers (or those
// given by field id) up to the summary or the question stopAt, reading
// the question on screen from the stored conversation; it returns the
// last replies.
func (c *citizen) fill(given map[string]string, stopAt string) string {
	c.t.Helper()
	cat, err := catalog.Load(catalog.Embedded())
	if err != nil {
		c.t.Fatal(err)
	}
	last := ""
	for i := 0; ; i++ {
		st, err := c.s.store.Conversation(context.Background(), c.from)
		if err != nil {
			c.t.Fatal(err)
		}
		d := st.Draft
		if d == nil || d.Stage != "question" || d.Field == stopAt {
			return last
		}
		if i > 60 {
			c.t.Fatal("the form never reached its summary")
		}
		_, fields, _ := cat.FormFor(d.Service)
		var f *catalog.Field
		for _, fl := range fields {
			if fl.ID == d.Field {
				f = fl
			}
		}
		if f == nil {
			c.t.Fatalf("no field %q on screen", d.Field)
		}
		last = c.answer(f, given)
	}
}

// answer answers a question with the given text or the field's example,
// tapping a choice, skipping what has none.
func (c *citizen) answer(f *catalog.Field, given map[string]string) string {
	c.t.Helper()
	if v, ok := given[f.ID]; ok {
		return c.say(v)
	}
	v, ok := f.Example()
	switch {
	case !ok && f.Required:
		c.t.Fatalf("field %s is required and has no example", f.ID)
	case !ok:
		return c.tap("skip")
	case f.Type == "choice" || f.Type == "yes_no":
		return c.tap("ans:" + v)
	}
	return c.say(v)
}

func (c *citizen) say(text string) string { return c.send(whatsapp.SimulatedMessage{Text: text}) }

func (c *citizen) tap(id string) string {
	return c.send(whatsapp.SimulatedMessage{OptionID: id, OptionTitle: id, OptionKind: "button"})
}

func expect(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Fatalf("want %q in:\n%s", w, got)
		}
	}
}

func aadhaarNumber(body string) string {
	c, _ := verhoeff.CheckDigit(body)
	return body + string(c)
}

func jpegPhoto(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 32, 32))
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	img.Set(1, 1, color.White)
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The whole journey of an application: a Telugu citizen applies for an
// income certificate in the chat (an invalid Aadhaar asked again), gets a
// reference, the department lists it and asks for more information, the
// citizen answers with a photo, and the department approves with
// issuance: the QR-verified PDF arrives in the same conversation.
func TestIncomeCertificateApplicationEndToEnd(t *testing.T) {
	t.Parallel()
	s := newStackWith(t, stackOptions{chatty: true})
	ctx := context.Background()
	revenue, _ := s.store.CreateAPIKey(ctx, "revenue", "test")
	energy, _ := s.store.CreateAPIKey(ctx, "energy", "test")
	c := s.citizen("919000001001")
	expect(t, c.say("నాకు ఆదాయ ధృవీకరణ పత్రం కావాలి"), "apply:income-certificate", "వాట్సాప్‌లోనే")
	expect(t, c.tap("apply:income-certificate"), "మీరు అంగీకరిస్తారా", "consent:yes")
	expect(t, c.tap("consent:yes"), "దరఖాస్తుదారుని పూర్తి పేరు")
	c.say("రామ లక్ష్మి")
	c.say("వెంకట రావు")
	expect(t, c.say("15-08-1980"), "ఆధార్")
	expect(t, c.say("2345 6789 0123"), "ఈ ఆధార్ నంబర్ సరిగా లేదు")
	aadhaar := aadhaarNumber("23456789012")
	c.say(aadhaar)
	expect(t, c.fill(map[string]string{"village": "గుంటూరు", "annual_income": "96000"}, ""), "సరిచూసుకోండి", "submit")
	confirmation := c.tap("submit")
	expect(t, confirmation, "దరఖాస్తు సంఖ్య")

	var ref string
	var consents int
	s.db.QueryRow(ctx, "SELECT ref FROM applications WHERE wa_id = $1", c.from).Scan(&ref)
	s.db.QueryRow(ctx, "SELECT count(*) FROM consents WHERE wa_id = $1 AND agreed", c.from).Scan(&consents)
	if ref == "" || consents != 1 || !strings.Contains(confirmation, ref[:4]+" "+ref[4:8]) {
		t.Fatalf("record %q, %d consents; confirmation:\n%s", ref, consents, confirmation)
	}

	code, list := s.api("GET", "/api/v1/applications?status=submitted", revenue, nil)
	if code != 200 || !strings.Contains(asJSON(list), ref) || !strings.Contains(asJSON(list), aadhaar) {
		t.Fatalf("revenue's list: %d %s", code, asJSON(list))
	}
	if code, _ := s.api("GET", "/api/v1/applications/"+ref, energy, nil); code != http.StatusForbidden {
		t.Errorf("another department read it: %d", code)
	}
	if code, body := s.api("POST", "/api/v1/applications/"+ref+"/status", energy, map[string]string{"status": "accepted"}); code != http.StatusForbidden {
		t.Errorf("another department moved it: %d %v", code, body)
	}
	if code, body := s.api("POST", "/api/v1/applications/"+ref+"/status", revenue, map[string]string{"status": "resolved"}); code != http.StatusConflict {
		t.Errorf("an application resolved like a grievance: %d %v", code, body)
	}
	if code, body := s.api("POST", "/api/v1/applications/"+ref+"/status", revenue, map[string]string{"status": "needs_information"}); code != http.StatusUnprocessableEntity || body["field"] != "note" {
		t.Errorf("a question without its text: %d %v", code, body)
	}
	question := "దయచేసి మీ రైస్ కార్డు ఫోటో పంపండి"
	if code, body := s.api("POST", "/api/v1/applications/"+ref+"/status", revenue, map[string]string{"status": "needs_information", "note": question}); code != 200 {
		t.Fatalf("needs information: %d %v", code, body)
	}
	expect(t, c.replies(1), question, "మరికొన్ని వివరాలు")

	s.fake.AddMedia("media-ration-card", jpegPhoto(t), "image/jpeg")
	expect(t, c.send(whatsapp.SimulatedMessage{ImageID: "media-ration-card", ImageMIME: "image/jpeg"}), "ధన్యవాదాలు")
	code, rec := s.api("GET", "/api/v1/applications/"+ref, revenue, nil)
	atts, _ := rec["attachments"].([]any)
	if code != 200 || rec["status"] != "accepted" || len(atts) != 1 {
		t.Fatalf("after the answer: %d %s", code, asJSON(rec))
	}
	attID := fmt.Sprint(atts[0].(map[string]any)["id"])
	res, err := http.NewRequest("GET", s.url+"/api/v1/applications/"+ref+"/attachments/"+attID, nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Header.Set("Authorization", "Bearer "+revenue)
	got, err := http.DefaultClient.Do(res)
	if err != nil || got.StatusCode != 200 || got.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("attachment: %v %v", err, got)
	}
	got.Body.Close()

	code, body := s.api("POST", "/api/v1/applications/"+ref+"/status", revenue,
		map[string]any{"status": "approved", "issue_certificate": true, "certificate": map[string]string{"issuing_office": "Tahsildar, Guntur"}})
	if code != 200 || body["status"] != "issued" || body["certificate"] == "" {
		t.Fatalf("approve with issuance: %d %v", code, body)
	}
	deadline := time.Now().Add(15 * time.Second)
	var all string
	for time.Now().Before(deadline) && !strings.Contains(all, `"document"`) {
		all += c.replies(1)
	}
	expect(t, all, "ఆమోదించబడింది", `"document"`)
	var audits int
	s.db.QueryRow(ctx, "SELECT count(*) FROM api_audit WHERE subject = $1", ref).Scan(&audits)
	if audits < 6 {
		t.Errorf("%d audit rows for the record", audits)
	}
	// The citizen tracks it.
	expect(t, c.say("నా దరఖాస్తులు"), ref[:4]+" "+ref[4:8])
}

// A Hindi grievance with a photo and a location is escalated when
// overdue, resolved, rated; an English status check by reference with one
// typo is answered "please check the number"; another citizen's number is
// never shown; refusing consent collects nothing.
func TestGrievanceEscalatedResolvedRated(t *testing.T) {
	t.Parallel()
	s := newStackWith(t, stackOptions{chatty: true})
	ctx := context.Background()
	energy, _ := s.store.CreateAPIKey(ctx, "energy", "test")
	c := s.citizen("919000001002")
	c.say("hi")
	c.tap("lang:hi")
	expect(t, c.tap("apply:power-supply-complaint"), "क्या आप सहमत हैं")
	c.tap("consent:yes")
	c.say("तूफ़ान के बाद से पूरी गली में बिजली नहीं है")
	c.fill(nil, "photo")
	s.fake.AddMedia("media-pole", jpegPhoto(t), "image/jpeg")
	expect(t, c.send(whatsapp.SimulatedMessage{ImageID: "media-pole", ImageMIME: "image/jpeg"}), "एक और फ़ोटो")
	s.fake.AddMedia("media-pole-2", jpegPhoto(t), "image/jpeg")
	c.send(whatsapp.SimulatedMessage{ImageID: "media-pole-2", ImageMIME: "image/jpeg"})
	expect(t, c.tap("skip"), "कहाँ है")
	c.send(whatsapp.SimulatedMessage{Location: &whatsapp.Location{Latitude: 16.5062, Longitude: 80.648, Name: "Ward 12"}})
	c.fill(map[string]string{"village": "वार्ड 12, विजयवाड़ा"}, "")
	expect(t, c.tap("submit"), "शिकायत संख्या")
	var ref string
	s.db.QueryRow(ctx, "SELECT ref FROM applications WHERE wa_id = $1", c.from).Scan(&ref)
	code, rec := s.api("GET", "/api/v1/applications/"+ref, energy, nil)
	if atts, _ := rec["attachments"].([]any); code != 200 || rec["kind"] != "grievance" || len(atts) != 2 ||
		!strings.HasPrefix(fmt.Sprint(rec["answers"].(map[string]any)["location"]), "16.5062") {
		t.Fatalf("grievance: %d %s", code, asJSON(rec))
	}
	// Overdue: the sweep escalates it, and the citizen is told.
	s.db.Exec(ctx, "UPDATE applications SET due_at = now() - interval '1 hour' WHERE ref = $1", ref)
	if _, _, err := s.store.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	expect(t, c.replies(1), "उच्च अधिकारी")
	code, body := s.api("POST", "/api/v1/applications/"+ref+"/status", energy, map[string]string{"status": "resolved", "note": "ट्रांसफ़ॉर्मर बदल दिया गया है"})
	if code != 200 {
		t.Fatalf("resolve: %d %v", code, body)
	}
	expect(t, c.replies(1), "कितने संतुष्ट", "rate:"+ref+":5", "reopen:"+ref)
	expect(t, c.say("4"), "रेटिंग के लिए धन्यवाद")
	var rating int
	var status string
	s.db.QueryRow(ctx, "SELECT rating, status FROM applications WHERE ref = $1", ref).Scan(&rating, &status)
	if rating != 4 || status != "closed" {
		t.Errorf("rating %d, status %s", rating, status)
	}

	// An English status check: right, one typo, another citizen's.
	e := s.citizen("919000001003")
	e.say("hi")
	e.tap("lang:en")
	typo := []byte(ref)
	typo[6] = '0' + (typo[6]-'0'+3)%10
	expect(t, e.say("status of "+string(typo)), "Please check the number")
	reply := e.say("where is " + ref)
	expect(t, reply, "found no application")
	if strings.Contains(reply, "Closed") {
		t.Errorf("another citizen's record shown: %s", reply)
	}
	// Consent refused: nothing collected, told where else to apply.
	expect(t, e.tap("apply:income-certificate"), "Do you agree?")
	expect(t, e.tap("consent:no"), "nothing of yours has been collected")
	var n int
	s.db.QueryRow(ctx, "SELECT count(*) FROM applications WHERE wa_id = $1", e.from).Scan(&n)
	var refused int
	s.db.QueryRow(ctx, "SELECT count(*) FROM consents WHERE wa_id = $1 AND NOT agreed", e.from).Scan(&refused)
	if n != 0 || refused != 1 {
		t.Errorf("after a refusal: %d records, %d refusals", n, refused)
	}
}

// A department's own system receives each new record, signed.
func TestDepartmentWebhookSigned(t *testing.T) {
	t.Parallel()
	s := newStackWith(t, stackOptions{chatty: true})
	ctx := context.Background()
	got := make(chan *http.Request, 4)
	bodies := make(chan []byte, 4)
	fails := atomic.Int64{}
	srv := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		b.ReadFrom(r.Body)
		if fails.Add(1) == 1 {
			w.WriteHeader(http.StatusBadGateway) // the first push fails, and is retried
			return
		}
		got <- r
		bodies <- b.Bytes()
	})
	if err := s.store.SetDepartmentHook(ctx, "energy", storeHook(srv, "whsec_test")); err != nil {
		t.Fatal(err)
	}
	c := s.citizen("919000001004")
	c.tap("apply:power-supply-complaint")
	c.tap("consent:yes")
	c.say("The transformer on our street is sparking since morning")
	c.fill(nil, "")
	expect(t, c.tap("submit"), "Reference number")
	select {
	case r := <-got:
		body := <-bodies
		want := "sha256=" + hookSignature("whsec_test", r.Header.Get("X-Mitra-Timestamp"), body)
		if r.Header.Get("X-Mitra-Signature") != want {
			t.Errorf("signature %q, want %q", r.Header.Get("X-Mitra-Signature"), want)
		}
		var push struct {
			Event  string `json:"event"`
			Record struct {
				Service string `json:"service"`
			} `json:"record"`
		}
		if json.Unmarshal(body, &push); push.Event != "record.submitted" || push.Record.Service != "power-supply-complaint" {
			t.Errorf("push %s", body)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no push reached the department's system")
	}
}

func newTestServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func storeHook(srv *httptest.Server, secret string) store.DepartmentHook {
	return store.DepartmentHook{URL: srv.URL + "/mitra", Secret: secret}
}

func hookSignature(secret, ts string, body []byte) string {
	return worker.HookSignature(secret, ts, body)
}

// flowAnswers are sample answers for every field of a service's form, as
// a Flow's inputs take them (keyed by component name).
func flowAnswers(t *testing.T, service string, given map[string]any) map[string]any {
	cat, err := catalog.Load(catalog.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	_, fields, _ := cat.FormFor(service)
	out := map[string]any{}
	for _, f := range fields {
		if v, ok := f.Example(); ok {
			out[f.ID] = v
		}
	}
	for k, v := range given {
		out[k] = v
	}
	return out
}

// The same application through a WhatsApp Flow: the fake WhatsApp client
// encrypts every request under the registered public key as Meta does,
// walks the routing model, sees an invalid Aadhaar on its screen, and the
// completion message brings one confirmation of one record. A request
// under the wrong key, a tampered tag, a bad signature, an unknown token
// and a replayed one are refused with the statuses Meta expects.
func TestIncomeCertificateByFlow(t *testing.T) {
	t.Parallel()
	privPEM, _, err := flows.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	key, _ := flows.ParsePrivateKey(privPEM)
	s := newStackWith(t, stackOptions{chatty: true, flows: key})
	ctx := context.Background()
	c := s.citizen("919000001005")
	c.say("hi")
	c.tap("lang:te")
	opened := c.tap("apply:income-certificate")
	expect(t, opened, `"type":"flow"`, "mitra_income_certificate_te", "applychat:income-certificate")
	var token string
	for _, m := range s.fake.Sent() {
		if tok := flowTokenOf(m); tok != "" {
			token = tok
		}
	}
	if token == "" {
		t.Fatal("no flow token sent")
	}
	cat, _ := catalog.Load(catalog.Embedded())
	flowJSON, err := flowByName(cat)("mitra_income_certificate_te")
	if err != nil {
		t.Fatal(err)
	}
	client := func() *flows.FakeClient {
		fc := flows.NewFakeClient(&key.PublicKey, s.url+"/flows/endpoint", s.secret)
		if err := fc.UseFlow(flowJSON); err != nil {
			t.Fatal(err)
		}
		return fc
	}
	status := func(err error) int {
		var se *flows.StatusError
		if errors.As(err, &se) {
			return se.Code
		}
		return 0
	}
	fc := client()
	if err := fc.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	fc.Break(flows.FaultWrongKey)
	if err := fc.Ping(ctx); status(err) != 421 {
		t.Errorf("wrong key: %v, want 421", err)
	}
	fc.Break(flows.FaultTamperTag)
	if err := fc.Ping(ctx); status(err) != 421 {
		t.Errorf("tampered tag: %v, want 421", err)
	}
	wrongSig := flows.NewFakeClient(&key.PublicKey, s.url+"/flows/endpoint", "not-the-app-secret")
	if err := wrongSig.Ping(ctx); status(err) != 432 {
		t.Errorf("bad signature: %v, want 432", err)
	}
	if _, err := client().Init(ctx, "ft_never_issued"); status(err) != 427 {
		t.Errorf("unknown token: %v, want 427", err)
	}

	screen, err := fc.Init(ctx, token)
	if err != nil || screen.ID != flows.ScreenConsent {
		t.Fatalf("INIT: %+v %v", screen, err)
	}
	if screen, err = fc.Submit(ctx, flows.ScreenConsent, map[string]any{"consent": true}); err != nil {
		t.Fatal(err)
	}
	answers := flowAnswers(t, "income-certificate", map[string]any{"aadhaar": "234567890123", "annual_income": "96000", "applicant_name": "లక్ష్మి దేవి"})
	badAadhaarSeen := false
	for i := 0; screen.ID != flows.ScreenSuccess; i++ {
		if i > 12 {
			t.Fatal("the Flow never finished")
		}
		before := screen.ID
		if screen, err = fc.Submit(ctx, screen.ID, answers); err != nil {
			t.Fatalf("%s: %v", before, err)
		}
		if e, _ := screen.Data["error_aadhaar"].(string); e != "" {
			badAadhaarSeen = true
			answers["aadhaar"] = aadhaarNumber("23456789012")
		}
	}
	if !badAadhaarSeen {
		t.Error("the invalid Aadhaar was not shown on its screen")
	}
	if _, err := client().Init(ctx, token); status(err) != 427 {
		t.Errorf("replayed token: %v, want 427", err)
	}
	params, _ := json.Marshal(screen.Data["extension_message_response"].(map[string]any)["params"])
	expect(t, c.send(whatsapp.SimulatedMessage{FlowResponse: string(params)}), "దరఖాస్తు సంఖ్య")
	// The endpoint stored the record at the last screen; the completion
	// found it: one record, and the Flow's consent recorded.
	var records, consents int
	s.db.QueryRow(ctx, "SELECT count(*) FROM applications WHERE wa_id = $1 AND channel = 'flow'", c.from).Scan(&records)
	s.db.QueryRow(ctx, "SELECT count(*) FROM consents WHERE wa_id = $1 AND channel = 'flow' AND agreed", c.from).Scan(&consents)
	var aadhaar string
	s.db.QueryRow(ctx, "SELECT answers->>'aadhaar' FROM applications WHERE wa_id = $1", c.from).Scan(&aadhaar)
	if records != 1 || consents != 1 || aadhaar != aadhaarNumber("23456789012") {
		t.Errorf("%d records, %d consents, aadhaar %q", records, consents, aadhaar)
	}
	// Another citizen's completion with this token is refused.
	other := s.citizen("919000001006")
	expect(t, other.send(whatsapp.SimulatedMessage{FlowResponse: string(params)}), "no longer valid, or is not yours")
}
