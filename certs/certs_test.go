package certs

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"os"
	"strings"
	"testing"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/internal/testenv"
)

func testSigner() *Signer {
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, "mitra test key seed, not secret")
	return NewSigner(ed25519.NewKeyFromSeed(seed))
}

func TestSignAndVerifyQR(t *testing.T) {
	t.Parallel()
	s := testSigner()
	keys := map[string]ed25519.PublicKey{s.KeyID: s.Public()}
	p := Payload{ID: "AP-INC-2026-000001", Service: "income-certificate", Holder: "రవి కుమార్", Issued: "2026-11-25"}
	text, err := s.Sign(p, "https://mitra.example/")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseQR(text, keys)
	if err != nil || got.Holder != "రవి కుమార్" || got.KeyID != s.KeyID {
		t.Fatalf("verify: %+v, %v", got, err)
	}
	other := NewSigner(ed25519.NewKeyFromSeed(make([]byte, 32)))
	forged, _ := other.Sign(p, "https://mitra.example")
	tests := map[string]struct {
		text string
		want error
	}{
		"truncated":   {text[:len(text)-20], ErrMalformed},
		"no payload":  {"https://mitra.example/v/AP-INC-2026-000001", ErrMalformed},
		"altered":     {strings.Replace(text, "#", "#x", 1), ErrMalformed},
		"unknown key": {forged, ErrUnknownKey},
	}
	for name, tt := range tests {
		if _, err := ParseQR(tt.text, keys); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", name, err, tt.want)
		}
	}
	// An altered field: the holder's name changed in the payload, the
	// original signature kept.
	frag := text[strings.IndexByte(text, '#')+1:]
	msgB64, sigB64, _ := strings.Cut(frag, ".")
	msg, _ := base64.RawURLEncoding.DecodeString(msgB64)
	altered := strings.Replace(string(msg), "రవి కుమార్", "Someone Else", 1)
	alteredQR := text[:strings.IndexByte(text, '#')+1] + base64.RawURLEncoding.EncodeToString([]byte(altered)) + "." + sigB64
	if _, err := ParseQR(alteredQR, keys); !errors.Is(err, ErrBadSignature) {
		t.Errorf("altered holder: %v", err)
	}
	// A forged signature under the right key id: a field changed after
	// signing.
	keys[other.KeyID] = s.Public()
	if _, err := ParseQR(forged, keys); !errors.Is(err, ErrBadSignature) {
		t.Errorf("forged signature: %v", err)
	}
}

// memLog keeps a log's nodes in memory, as the store keeps them in
// PostgreSQL, through the same arithmetic.
type memLog struct {
	size  uint64
	nodes map[compact.NodeID][]byte
}

func (l *memLog) get(ids []compact.NodeID) [][]byte {
	out := make([][]byte, len(ids))
	for i, id := range ids {
		out[i] = l.nodes[id]
	}
	return out
}

func (l *memLog) append(t testing.TB, leaf []byte) {
	nodes, err := AppendNodes(l.size, l.get(BorderIDs(l.size)), leaf)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		l.nodes[compact.NewNodeID(n.Level, n.Index)] = n.Hash
	}
	l.size++
}

func (l *memLog) root(t testing.TB, size uint64) []byte {
	r, err := RootOf(size, l.get(BorderIDs(size)))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (l *memLog) inclusion(t testing.TB, index, size uint64) [][]byte {
	n, err := InclusionIDs(index, size)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ProofFrom(n, l.get(n.IDs))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newMemLog(t testing.TB, leaves [][]byte) *memLog {
	l := &memLog{nodes: map[compact.NodeID][]byte{}}
	for _, h := range leaves {
		l.append(t, h)
	}
	return l
}

func TestLogProofs(t *testing.T) {
	t.Parallel()
	var leaves [][]byte
	for i := 0; i < 13; i++ {
		leaves = append(leaves, Leaf{Kind: "issue", CertID: string(rune('A' + i)), Payload: []byte{byte(i)}}.Hash())
	}
	log := newMemLog(t, leaves)
	// The root the nodes give is the RFC 6962 root of the leaves.
	if got, want := log.root(t, 13), rfc6962Root(leaves); !bytes.Equal(got, want) {
		t.Fatalf("root %x, want %x", got, want)
	}
	for _, size := range []uint64{1, 7, 8, 13} {
		root := log.root(t, size)
		for i := uint64(0); i < size; i++ {
			if err := VerifyInclusion(i, size, leaves[i], log.inclusion(t, i, size), root); err != nil {
				t.Errorf("inclusion %d in %d: %v", i, size, err)
			}
		}
	}
	n, _ := ConsistencyIDs(5, 13)
	cp, err := ProofFrom(n, log.get(n.IDs))
	if err != nil || VerifyConsistency(5, 13, cp, log.root(t, 5), log.root(t, 13)) != nil {
		t.Errorf("consistency 5 -> 13: %v", err)
	}
	// A rewritten leaf breaks inclusion against the committed root.
	forged := Leaf{Kind: "issue", CertID: "C", Payload: []byte("changed")}.Hash()
	if VerifyInclusion(2, 13, forged, log.inclusion(t, 2, 13), log.root(t, 13)) == nil {
		t.Error("a rewritten leaf verified")
	}
	s := testSigner()
	h := s.SignHead(13, log.root(t, 13), 1764000000)
	if err := h.Verify(map[string]ed25519.PublicKey{s.KeyID: s.Public()}); err != nil {
		t.Error(err)
	}
	h.Size++
	if h.Verify(map[string]ed25519.PublicKey{s.KeyID: s.Public()}) == nil {
		t.Error("altered tree head verified")
	}
}

// The PDF renders (Telugu shaped by Chromium with Noto fonts) and its QR
// reads back from the page image and verifies.
func TestPDFRoundTrip(t *testing.T) {
	t.Parallel()
	testenv.NeedTools(t, "chromium", "pdftoppm")
	doc := testDocument(t, catalog.Telugu, "AP-INC-2026-000042", "శ్రీనివాస్ రెడ్డి")
	c := &Chromium{}
	t.Cleanup(c.Close)
	pdf, err := c.Render(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	png := checkPDF(t, pdf, doc.QRText)
	if dir := os.Getenv("MITRA_CERT_PNG"); dir != "" {
		os.WriteFile(dir, png, 0o644) // to look at the page
	}
}

// testDocument is an income certificate whose QR is signed by testSigner.
func testDocument(t *testing.T, lang catalog.Lang, id, holder string) Document {
	t.Helper()
	p := Payload{ID: id, Service: "income-certificate", Holder: holder, Issued: "2026-11-25"}
	qr, err := testSigner().Sign(p, "https://mitra.example")
	if err != nil {
		t.Fatal(err)
	}
	return Document{Lang: lang, Title: catalog.Localized{EN: "Income Certificate", TE: "ఆదాయ ధ్రువీకరణ పత్రం", HI: "आय प्रमाण पत्र"},
		Department: catalog.Localized{EN: "Revenue Department", TE: "రెవెన్యూ శాఖ", HI: "राजस्व विभाग"},
		CertID:     p.ID, Holder: p.Holder, IssuedOn: p.Issued, Office: "Tahsildar, Guntur", Validity: "One year", QRText: qr,
		Fields: []Field{{"వార్షిక ఆదాయం / Annual income", "₹1,20,000"}}}
}

// checkPDF fails unless pdf is a page whose QR reads back as qr and
// verifies; it returns the page's image.
func checkPDF(t *testing.T, pdf []byte, qr string) []byte {
	t.Helper()
	if !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatalf("not a PDF: %.20q", pdf)
	}
	png, err := RenderPNG(context.Background(), pdf, 150)
	if err != nil {
		t.Fatal(err)
	}
	text, err := DecodeQR(png)
	if err != nil || text != qr {
		t.Fatalf("QR from the page: %q, %v", text, err)
	}
	s := testSigner()
	if _, err := ParseQR(text, map[string]ed25519.PublicKey{s.KeyID: s.Public()}); err != nil {
		t.Error(err)
	}
	return png
}

func BenchmarkVerifyQR(b *testing.B) {
	s := testSigner()
	keys := map[string]ed25519.PublicKey{s.KeyID: s.Public()}
	qr, _ := s.Sign(Payload{ID: "AP-2026-X", Service: "income-certificate", Holder: "Ravi", Issued: "2026-11-25"}, "https://v.example")
	for i := 0; i < b.N; i++ {
		if _, err := ParseQR(qr, keys); err != nil {
			b.Fatal(err)
		}
	}
}

// rfc6962Root computes a root the textbook way (RFC 6962, section 2.1),
// independently of the compact ranges.
func rfc6962Root(leaves [][]byte) []byte {
	if len(leaves) == 1 {
		return leaves[0]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	return rfc6962.DefaultHasher.HashChildren(rfc6962Root(leaves[:k]), rfc6962Root(leaves[k:]))
}

func BenchmarkInclusionProof(b *testing.B) {
	var leaves [][]byte
	for i := 0; i < 10000; i++ {
		leaves = append(leaves, Leaf{Kind: "issue", CertID: string(rune(i)), Payload: []byte{byte(i)}}.Hash())
	}
	log := newMemLog(b, leaves)
	root := log.root(b, 10000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		idx := uint64(i % 10000)
		if err := VerifyInclusion(idx, 10000, leaves[idx], log.inclusion(b, idx, 10000), root); err != nil {
			b.Fatal(err)
		}
	}
}
