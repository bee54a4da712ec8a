package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// mitra verify reads the QR back from the PDF, checks the signature with
// the published key, and checks revocation and inclusion in the signed
// log; forged, truncated, revoked and unknown certificates each get their
// own answer.
func TestVerifyCommand(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"chromium", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not installed", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
	st := newStackWith(t, stackOptions{simulator: true})
	ctx := context.Background()
	key, _ := st.store.CreateAPIKey(ctx, "revenue", "t")
	body, _ := json.Marshal(map[string]any{"idempotency_key": "v1", "wa_id": "919000000081", "service_id": "income-certificate",
		"holder_name": "Anjali", "lang": "hi", "issuing_office": "Tahsildar, Nellore"})
	req, _ := http.NewRequest("POST", st.url+"/api/v1/certificates", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("issue: %v %v", err, res.Status)
	}
	var out struct{ ID string }
	json.NewDecoder(res.Body).Decode(&out)
	res.Body.Close()
	if _, err := st.issuer.SignHead(ctx); err != nil {
		t.Fatal(err)
	}
	cert, _ := st.store.Certificate(ctx, out.ID)
	pdf := filepath.Join(t.TempDir(), "cert.pdf")
	data, err := st.store.CertificatePDF(ctx, out.ID)
	if err != nil || len(data) == 0 {
		t.Fatalf("pdf: %d bytes, %v", len(data), err)
	}
	os.WriteFile(pdf, data, 0o600)

	verify := func(arg string, extra ...string) (string, error) {
		var o bytes.Buffer
		err := run(ctx, append(append([]string{"verify"}, extra...), arg), nil, &o, io.Discard)
		return o.String(), err
	}
	if o, err := verify(pdf); err != nil || !strings.Contains(o, "VALID") || !strings.Contains(o, "in the transparency log at index 0 of 1") {
		t.Errorf("valid PDF: %v\n%s", err, o)
	}
	qr := cert.QRText
	if o, err := verify(qr[:len(qr)-12]); err == nil || !strings.Contains(o, "INVALID") {
		t.Errorf("truncated QR: %v\n%s", err, o)
	}
	forged := strings.Replace(qr, "/v/"+out.ID, "/v/AP-2026-FORGED01", 1)
	if o, err := verify(forged); err == nil || !strings.Contains(o, "INVALID") {
		t.Errorf("QR pointing at another id: %v\n%s", err, o)
	}
	if o, err := verify(qr, "-offline", "-key", "00"); err == nil {
		t.Errorf("bad key accepted: %s", o)
	}
	rev, _ := json.Marshal(map[string]string{"reason": "duplicate"})
	req, _ = http.NewRequest("POST", st.url+"/api/v1/certificates/"+out.ID+"/revoke", bytes.NewReader(rev))
	req.Header.Set("Authorization", "Bearer "+key)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("revoke: %v", err)
	}
	st.issuer.SignHead(ctx)
	if o, err := verify(qr); err == nil || !strings.Contains(o, "REVOKED: duplicate") {
		t.Errorf("revoked: %v\n%s", err, o)
	}
}
