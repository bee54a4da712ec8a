package certs

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"

	"github.com/mitra-gov/mitra/catalog"
)

// Renderer makes a certificate's PDF; *Chromium is one.
type Renderer interface {
	Render(ctx context.Context, d Document) ([]byte, error)
}

// Certificate is an issued certificate, as kept.
type Certificate struct {
	ID, Department, ServiceID, WAID, Holder, Lang string
	Fields                                        map[string]string
	IssuedOn                                      time.Time
	Office, Validity, KeyID, QRText               string
	PDF                                           []byte
	IdempotencyKey                                string
	RevokedAt                                     *time.Time
	RevokeReason                                  string
	DeliveredAt                                   *time.Time
	// RequestHash identifies the issuance request (RequestHash), so that a
	// replay with another body is told apart from a retry.
	RequestHash string
}

// Store is what certificates need from storage; package store implements
// it. Lookups of what does not exist answer ErrNotFound.
type Store interface {
	// CertificateByIdempotency returns the department's certificate
	// issued under an idempotency key.
	CertificateByIdempotency(ctx context.Context, department, key string) (Certificate, error)
	// AddCertificate stores c, appends its issuance leaf to the log (with
	// the nodes AppendNodes gives) and queues its delivery to the
	// citizen, in one transaction. When the
	// department issued one under c's idempotency key already, it stores
	// nothing and returns that one, with replayed true.
	AddCertificate(ctx context.Context, c Certificate, leafHash []byte) (stored Certificate, replayed bool, err error)
	Certificate(ctx context.Context, id string) (Certificate, error)
	// RevokeCertificate marks a certificate revoked and appends the
	// revocation leaf, in one transaction; false if it was revoked already.
	RevokeCertificate(ctx context.Context, id, reason string, leafHash []byte) (bool, error)
	// LogSize is how many leaves the log has.
	LogSize(ctx context.Context) (uint64, error)
	// LogNodes returns the hashes of the log's nodes, in the order asked;
	// a node not (yet) in the log is ErrNotFound.
	LogNodes(ctx context.Context, ids []compact.NodeID) ([][]byte, error)
	// LeafIndex returns the index of a certificate's leaf of a kind.
	LeafIndex(ctx context.Context, certID, kind string) (int64, error)
	// SaveTreeHead keeps a signed head, once per size.
	SaveTreeHead(ctx context.Context, h TreeHead) error
	// TreeHead returns the head of a size, or the latest for size < 0.
	TreeHead(ctx context.Context, size int64) (TreeHead, error)
}

// Issuer issues, revokes and verifies certificates, and keeps the log.
type Issuer struct {
	Store    Store
	Catalog  *catalog.Catalog
	Signer   *Signer
	Renderer Renderer
	// BaseURL is the public verification site, e.g. https://verify.ap.gov.in.
	BaseURL string
	Now     func() time.Time
	// MaxConcurrent bounds the renderings at once (default DefaultTabs):
	// a burst of issuance must not take the machine from the citizens'
	// messages. Set it to the renderer's tabs: beyond them an issuance
	// would wait inside the renderer, where no ErrBusy ends its wait.
	MaxConcurrent int
	// SlotWait is how long an issuance waits for a rendering slot before
	// ErrBusy (default 10 s).
	SlotWait time.Duration

	slotsOnce sync.Once
	slots     chan struct{}
}

// Request is an issuance request from a department's back office.
type Request struct {
	IdempotencyKey string            `json:"idempotency_key"`
	WAID           string            `json:"wa_id"`
	ServiceID      string            `json:"service_id"`
	Holder         string            `json:"holder_name"`
	Lang           string            `json:"lang"`
	Office         string            `json:"issuing_office"`
	Validity       string            `json:"validity"`
	IssuedOn       string            `json:"issued_on"`
	Fields         map[string]string `json:"fields"`
}

// FieldError says which field is wrong and why.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Errors the API maps to statuses.
var (
	ErrNotFound  = errors.New("certs: not found")
	ErrForbidden = errors.New("certs: the service belongs to another department")
	// ErrConflict: the idempotency key was used before with another body.
	ErrConflict = errors.New("certs: idempotency key reused with a different request")
	// ErrBusy: every rendering slot stayed taken; try again shortly.
	ErrBusy = errors.New("certs: too many certificates being issued at once")
)

var waIDPattern = regexp.MustCompile(`^(\d{8,15}|user\.[A-Za-z0-9]{1,250})$`)

// Field limits, in characters (runes: a Telugu name takes three bytes a
// character).
const (
	maxIdempotencyKey = 100
	maxHolder         = 100
	maxOffice         = 200
	maxValidity       = 200
	maxFields         = 20
	maxFieldLabel     = 80
	maxFieldValue     = 300
	// MaxRevokeReason bounds a revocation's reason, which the public
	// verification page shows.
	MaxRevokeReason = 500
)

func (i *Issuer) validate(dept string, r Request) []FieldError {
	var errs []FieldError
	bad := func(field, reason string) { errs = append(errs, FieldError{field, reason}) }
	runes := utf8.RuneCountInString
	if k := strings.TrimSpace(r.IdempotencyKey); k == "" || runes(k) > maxIdempotencyKey {
		bad("idempotency_key", fmt.Sprintf("required, at most %d characters", maxIdempotencyKey))
	}
	if !waIDPattern.MatchString(r.WAID) {
		bad("wa_id", "must be the citizen's WhatsApp number (digits with country code) or user id")
	}
	if s, ok := i.Catalog.Service(r.ServiceID); !ok {
		bad("service_id", "unknown service")
	} else if s.Department != dept {
		bad("service_id", "belongs to another department")
	} else if s.Kind != "certificate" {
		bad("service_id", "is not a certificate service")
	}
	if n := runes(strings.TrimSpace(r.Holder)); n == 0 || n > maxHolder || !printable(r.Holder) {
		bad("holder_name", fmt.Sprintf("required, at most %d characters, no control characters", maxHolder))
	}
	if _, ok := catalog.ParseLang(r.Lang); !ok {
		bad("lang", "must be te, hi or en")
	}
	if n := runes(strings.TrimSpace(r.Office)); n == 0 || n > maxOffice || !printable(r.Office) {
		bad("issuing_office", fmt.Sprintf("required, at most %d characters, no control characters", maxOffice))
	}
	if runes(r.Validity) > maxValidity || !printable(r.Validity) {
		bad("validity", fmt.Sprintf("at most %d characters, no control characters", maxValidity))
	}
	if r.IssuedOn != "" {
		if _, err := time.Parse("2006-01-02", r.IssuedOn); err != nil {
			bad("issued_on", "must be a date YYYY-MM-DD")
		}
	}
	if len(r.Fields) > maxFields {
		bad("fields", fmt.Sprintf("at most %d fields", maxFields))
	}
	for k, v := range r.Fields {
		if k == "" || runes(k) > maxFieldLabel || runes(v) > maxFieldValue || !printable(k) || !printable(v) {
			bad("fields."+k, fmt.Sprintf("label at most %d and value at most %d characters, no control characters", maxFieldLabel, maxFieldValue))
		}
	}
	return errs
}

// printable is valid UTF-8 without control characters: what a printed
// certificate, a QR payload and PostgreSQL all take.
func printable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}

// RequestHash identifies an issuance request's content (not its
// idempotency key), for telling a retry from a conflicting reuse.
func RequestHash(r Request) string {
	r.IdempotencyKey = ""
	b, _ := json.Marshal(r) // map keys are sorted: the encoding is canonical
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// replay returns an earlier certificate for the same key, or ErrConflict
// when it came from another request.
func replay(prev Certificate, hash string) (Certificate, bool, []FieldError, error) {
	if prev.RequestHash != "" && prev.RequestHash != hash {
		return Certificate{}, false, nil, ErrConflict
	}
	return prev, true, nil, nil
}

// slot waits for a rendering slot; release gives it back.
func (i *Issuer) slot(ctx context.Context) (release func(), err error) {
	i.slotsOnce.Do(func() {
		i.slots = make(chan struct{}, positiveOr(i.MaxConcurrent, DefaultTabs))
	})
	wait := i.SlotWait
	if wait <= 0 {
		wait = 10 * time.Second
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case i.slots <- struct{}{}:
		return func() { <-i.slots }, nil
	case <-timer.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func newCertID(now time.Time) string {
	// 80 random bits: with 100 million certificates issued, a guess hits
	// one with probability 8e-17, so harvesting names by guessing ids at
	// thousands a second finds none in a lifetime.
	b := make([]byte, 10)
	rand.Read(b)
	return fmt.Sprintf("AP-%d-%s", now.Year(), base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// Issue validates, renders and signs a certificate, then stores and logs
// it and queues its delivery in one transaction. A repeated idempotency key
// returns the first certificate (replayed = true). Rendering happens
// before the transaction, and outside any other, so that no database
// connection waits on Chromium.
func (i *Issuer) Issue(ctx context.Context, dept string, r Request) (Certificate, bool, []FieldError, error) {
	if errs := i.validate(dept, r); len(errs) > 0 {
		return Certificate{}, false, errs, nil
	}
	hash := RequestHash(r)
	prev, err := i.Store.CertificateByIdempotency(ctx, dept, r.IdempotencyKey)
	if err == nil {
		return replay(prev, hash)
	}
	if !errors.Is(err, ErrNotFound) {
		return Certificate{}, false, nil, err
	}
	now := i.now()
	issued := now
	if r.IssuedOn != "" {
		issued, _ = time.Parse("2006-01-02", r.IssuedOn)
	}
	svc, _ := i.Catalog.Service(r.ServiceID)
	d, _ := i.Catalog.Department(dept)
	lang, _ := catalog.ParseLang(r.Lang)
	c := Certificate{ID: newCertID(now), Department: dept, ServiceID: r.ServiceID, WAID: r.WAID, Holder: strings.TrimSpace(r.Holder),
		Lang: string(lang), Fields: r.Fields, IssuedOn: issued, Office: r.Office, Validity: r.Validity, KeyID: i.Signer.KeyID, IdempotencyKey: r.IdempotencyKey,
		RequestHash: hash}
	payload := PayloadOf(c)
	qr, err := i.Signer.Sign(payload, i.BaseURL)
	if err != nil {
		return Certificate{}, false, nil, err
	}
	c.QRText = qr
	doc := Document{Lang: lang, Title: svc.Name, Department: d.Name, CertID: c.ID, Holder: c.Holder, IssuedOn: issued.Format("02-01-2006"),
		Office: c.Office, Validity: c.Validity, QRText: qr}
	for k, v := range r.Fields {
		doc.Fields = append(doc.Fields, Field{k, v})
	}
	release, err := i.slot(ctx)
	if err != nil {
		return Certificate{}, false, nil, err
	}
	c.PDF, err = i.Renderer.Render(ctx, doc)
	release()
	if err != nil {
		return Certificate{}, false, nil, fmt.Errorf("render certificate %s: %w", c.ID, err)
	}
	// Two requests with one key may both get here; the store keeps the
	// first and returns it to the second.
	stored, replayed, err := i.Store.AddCertificate(ctx, c, IssueLeaf(c).Hash())
	if err != nil {
		return Certificate{}, false, nil, fmt.Errorf("store certificate %s: %w", c.ID, err)
	}
	if replayed {
		return replay(stored, hash)
	}
	return stored, false, nil, nil
}

// PayloadOf is the signed payload of a stored certificate: recomputed from
// the record, so an altered record gives a different payload.
func PayloadOf(c Certificate) Payload {
	return Payload{ID: c.ID, Service: c.ServiceID, Holder: c.Holder, Issued: c.IssuedOn.Format("2006-01-02"), KeyID: c.KeyID}
}

// IssueLeaf is the log leaf of a certificate's issuance.
func IssueLeaf(c Certificate) Leaf { return PayloadLeaf(PayloadOf(c)) }

// PayloadLeaf is the issuance leaf of a signed payload: what a verifier
// holding only the QR recomputes to check log inclusion.
func PayloadLeaf(p Payload) Leaf {
	b, _ := p.Canonical()
	return Leaf{Kind: "issue", CertID: p.ID, Payload: b}
}

// Revoke revokes a certificate of the department, logging it.
func (i *Issuer) Revoke(ctx context.Context, dept, id, reason string) error {
	c, err := i.Store.Certificate(ctx, id)
	if err != nil {
		return err
	}
	if c.Department != dept {
		return ErrForbidden
	}
	// Revoked already: nothing to log twice.
	_, err = i.Store.RevokeCertificate(ctx, id, reason, Leaf{Kind: "revoke", CertID: id, Payload: []byte(reason)}.Hash())
	return err
}

func (i *Issuer) now() time.Time {
	if i.Now != nil {
		return i.Now()
	}
	return time.Now()
}

// Keys are the published verification keys.
func (i *Issuer) Keys() map[string]ed25519.PublicKey {
	return map[string]ed25519.PublicKey{i.Signer.KeyID: i.Signer.Public()}
}

// SignHead signs and stores a head for the log as it is now.
func (i *Issuer) SignHead(ctx context.Context) (TreeHead, error) {
	size, err := i.Store.LogSize(ctx)
	if err != nil {
		return TreeHead{}, err
	}
	border, err := i.Store.LogNodes(ctx, BorderIDs(size))
	if err != nil {
		return TreeHead{}, fmt.Errorf("log of size %d: %w", size, err)
	}
	root, err := RootOf(size, border)
	if err != nil {
		return TreeHead{}, err
	}
	h := i.Signer.SignHead(size, root, i.now().Unix())
	return h, i.Store.SaveTreeHead(ctx, h)
}

// proof reads the nodes of a proof and turns them into its hashes.
func (i *Issuer) proof(ctx context.Context, n proof.Nodes, err error) ([][]byte, error) {
	if err != nil {
		return nil, err
	}
	hashes, err := i.Store.LogNodes(ctx, n.IDs)
	if err != nil {
		return nil, err
	}
	return ProofFrom(n, hashes)
}

// Head returns the stored head of a size (or the latest for size < 0).
func (i *Issuer) Head(ctx context.Context, size int64) (TreeHead, error) {
	return i.Store.TreeHead(ctx, size)
}

// SignHeads signs a tree head whenever the log has grown, every interval,
// until ctx ends, so that new certificates become verifiable against the
// log.
func (i *Issuer) SignHeads(ctx context.Context, every time.Duration, log *slog.Logger) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	var last uint64
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if h, err := i.Head(ctx, -1); err == nil {
			last = h.Size
		}
		size, err := i.Store.LogSize(ctx)
		if err != nil || size == last {
			continue
		}
		if h, err := i.SignHead(ctx); err != nil {
			log.Warn("sign tree head", "error", err)
		} else {
			log.Info("tree head signed", "size", h.Size)
		}
	}
}

// Status is what verification says about a certificate.
type Status struct {
	State       string   `json:"state"` // valid, revoked, unknown, tampered, pending (not yet in a signed head)
	ID          string   `json:"id"`
	Holder      string   `json:"holder_name,omitempty"`
	ServiceID   string   `json:"service_id,omitempty"`
	Issued      string   `json:"issued_on,omitempty"`
	Reason      string   `json:"revoke_reason,omitempty"`
	LeafIndex   int64    `json:"leaf_index"`
	Head        TreeHead `json:"tree_head"`
	Inclusion   []string `json:"inclusion_proof,omitempty"`
	RecordMatch bool     `json:"record_matches_log"`
}

// Verify checks a certificate against the log: its record must hash to
// the leaf the log holds, and that leaf must be included in the latest
// signed tree head. A rewritten record, or a rewritten log, is "tampered".
func (i *Issuer) Verify(ctx context.Context, id string) (Status, error) {
	st := Status{ID: id, State: "unknown"}
	c, err := i.Store.Certificate(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	st.Holder, st.ServiceID, st.Issued = c.Holder, c.ServiceID, c.IssuedOn.Format("2006-01-02")
	idx, err := i.Store.LeafIndex(ctx, id, "issue")
	if errors.Is(err, ErrNotFound) {
		st.State = "tampered" // a record the log never committed to
		return st, nil
	}
	if err != nil {
		return st, err
	}
	st.LeafIndex = idx
	head, err := i.Head(ctx, -1)
	if errors.Is(err, ErrNotFound) || (err == nil && uint64(idx) >= head.Size) {
		st.State = "pending"
		return st, nil
	}
	if err != nil {
		return st, err
	}
	st.Head = head
	n, err := InclusionIDs(uint64(idx), head.Size)
	proof, err := i.proof(ctx, n, err)
	if err != nil {
		return st, err
	}
	for _, p := range proof {
		st.Inclusion = append(st.Inclusion, fmt.Sprintf("%x", p))
	}
	root, _ := head.RootBytes()
	st.RecordMatch = head.Verify(i.Keys()) == nil && VerifyInclusion(uint64(idx), head.Size, IssueLeaf(c).Hash(), proof, root) == nil
	switch {
	case !st.RecordMatch:
		st.State = "tampered"
	case c.RevokedAt != nil:
		st.State, st.Reason = "revoked", c.RevokeReason
	default:
		st.State = "valid"
	}
	return st, nil
}

// Consistency proves the head of size a is a prefix of the head of size b.
func (i *Issuer) Consistency(ctx context.Context, a, b uint64) ([][]byte, error) {
	size, err := i.Store.LogSize(ctx)
	if err != nil {
		return nil, err
	}
	if b > size {
		return nil, fmt.Errorf("certs: size %d beyond the log's %d", b, size)
	}
	n, err := ConsistencyIDs(a, b)
	return i.proof(ctx, n, err)
}
