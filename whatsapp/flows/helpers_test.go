package flows

import (
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mitra-gov/mitra/catalog"
)

// Aadhaar numbers for tests: the first passes the Verhoeff check, the
// second differs in the check digit.
const (
	goodAadhaar = "234123412346"
	badAadhaar  = "234123412347"
)

// today is the citizen's date in the tests.
var today = time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
	keyErr  error
)

// key is one 2048-bit endpoint key for the whole package's tests:
// generating one costs a noticeable fraction of a second.
func key(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	keyOnce.Do(func() {
		var privPEM []byte
		if privPEM, _, keyErr = GenerateKey(); keyErr == nil {
			testKey, keyErr = ParsePrivateKey(privPEM)
		}
	})
	if keyErr != nil {
		t.Fatal(keyErr)
	}
	return testKey
}

var (
	catOnce sync.Once
	testCat *catalog.Catalog
	catErr  error
)

// form returns a real form's fields from the embedded catalogue.
func form(t testing.TB, service string) (*catalog.Form, []*catalog.Field) {
	t.Helper()
	catOnce.Do(func() { testCat, catErr = catalog.Load(catalog.Embedded()) })
	if catErr != nil {
		t.Fatal(catErr)
	}
	f, fields, ok := testCat.FormFor(service)
	if !ok {
		t.Fatalf("no form for service %q", service)
	}
	return f, fields
}

// Consent notices as a content team would write them.
var consentTexts = map[catalog.Lang][2]string{
	catalog.English: {"For this application we ask your name, Aadhaar number and address. They are used only for this service and seen only by the officers who handle it.", "I agree"},
	catalog.Telugu:  {"ఈ దరఖాస్తు కోసం మీ పేరు, ఆధార్ నంబర్, చిరునామా అడుగుతాము. వీటిని ఈ సేవ కోసమే వాడతాము, సంబంధిత అధికారులు మాత్రమే చూస్తారు.", "నేను అంగీకరిస్తున్నాను"},
	catalog.Hindi:   {"इस आवेदन के लिए हम आपका नाम, आधार नंबर और पता लेंगे। इनका उपयोग केवल इसी सेवा के लिए होगा और इन्हें केवल संबंधित अधिकारी देखेंगे।", "मैं सहमत हूँ"},
}

func blueprint(t testing.TB, service string, lang catalog.Lang) Blueprint {
	f, fields := form(t, service)
	c := consentTexts[lang]
	return Blueprint{Fields: fields, Lang: lang, Title: f.Title.In(lang), Consent: c[0], Agree: c[1]}
}

func build(t testing.TB, b Blueprint) []byte {
	t.Helper()
	out, err := Build(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// endpoint is the endpoint as the HTTP layer is expected to serve it:
// verify the signature over the raw body, decrypt (421 when that fails),
// walk, store the draft, encrypt.
type endpoint struct {
	priv   *rsa.PrivateKey
	secret string
	walker *Walker
	// override, when set, answers instead of the walker: a broken
	// endpoint for the fake client to catch.
	override func(Request) (Response, bool)

	mu     sync.Mutex
	drafts map[string]map[string]string
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	mac := hmac.New(sha256.New, []byte(e.secret))
	mac.Write(body)
	got, _ := hex.DecodeString(strings.TrimPrefix(r.Header.Get("X-Hub-Signature-256"), "sha256="))
	if !hmac.Equal(got, mac.Sum(nil)) {
		http.Error(w, "signature", 432)
		return
	}
	req, sess, err := Decrypt(e.priv, body)
	switch {
	case errors.Is(err, ErrDecrypt):
		http.Error(w, "decrypt", http.StatusMisdirectedRequest)
		return
	case err != nil:
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	e.mu.Lock()
	override := e.override
	e.mu.Unlock()
	resp, done := Response{}, false
	if override != nil {
		resp, done = override(req)
	}
	if !done {
		e.mu.Lock()
		var draft map[string]string
		resp, draft, err = e.walker.Respond(req, e.drafts[req.FlowToken], today)
		if err == nil {
			e.drafts[req.FlowToken] = draft
		}
		e.mu.Unlock()
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
	}
	out, err := sess.Encrypt(resp)
	if err != nil {
		http.Error(w, "encrypt", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, out)
}

func (e *endpoint) setOverride(f func(Request) (Response, bool)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.override = f
}

// serve starts an endpoint for a form and a fake client that knows its
// Flow JSON.
func serve(t *testing.T, service string, lang catalog.Lang) (*FakeClient, *endpoint) {
	t.Helper()
	priv := key(t)
	b := blueprint(t, service, lang)
	w, err := NewWalker(b.Fields, lang)
	if err != nil {
		t.Fatal(err)
	}
	e := &endpoint{priv: priv, secret: "app-secret", walker: w, drafts: map[string]map[string]string{}}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	c := NewFakeClient(&priv.PublicKey, srv.URL, e.secret)
	if err := c.UseFlow(build(t, b)); err != nil {
		t.Fatal(err)
	}
	return c, e
}
