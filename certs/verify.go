package certs

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Verification from outside, as anyone holding a certificate does it
// (`mitra verify`): the QR's signature with the published keys, then the
// server's word on revocation, checked against the signed log by
// recomputing the leaf from the QR itself, so that the server cannot vouch
// for a record it altered.

// Errors of the online check, each a distinct answer for the verifier.
var (
	ErrPending    = errors.New("certs: not yet in a signed tree head")
	ErrHeadForged = errors.New("certs: the log's tree head is not signed by a published key")
	ErrNotInLog   = errors.New("certs: this certificate is not in the log as signed")
)

// Verifier talks to a verification server.
type Verifier struct {
	// Base is the server, e.g. https://verify.ap.gov.in; ServerOf gives
	// the one a QR names.
	Base string
	HTTP *http.Client
}

// ServerOf is the verification server a QR's URL names, "" if none.
func ServerOf(qr string) string {
	u, err := url.Parse(strings.SplitN(qr, "#", 2)[0])
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// Keys fetches the published verification keys (/log/keys), keeping only
// those whose id matches their key.
func (v Verifier) Keys(ctx context.Context) (map[string]ed25519.PublicKey, error) {
	var m map[string]string
	if err := v.getJSON(ctx, "/log/keys", &m); err != nil {
		return nil, fmt.Errorf("fetch published keys: %w", err)
	}
	keys := map[string]ed25519.PublicKey{}
	for id, h := range m {
		pub, err := hex.DecodeString(h)
		if err == nil && len(pub) == ed25519.PublicKeySize && KeyID(pub) == id {
			keys[id] = pub
		}
	}
	return keys, nil
}

// Check asks the server about a certificate whose QR verified as p, and
// checks its answer: the tree head's signature, and the inclusion of the
// leaf recomputed from p in that head. The status it returns says valid,
// revoked or another state; the error says why the answer cannot be
// trusted (ErrPending, ErrHeadForged, ErrNotInLog) or could not be had.
func (v Verifier) Check(ctx context.Context, p Payload, keys map[string]ed25519.PublicKey) (Status, error) {
	var st Status
	if err := v.getJSON(ctx, "/v/"+url.PathEscape(p.ID)+"?format=json", &st); err != nil {
		return st, fmt.Errorf("fetch status: %w", err)
	}
	if st.State == "pending" {
		return st, ErrPending
	}
	if err := st.Head.Verify(keys); err != nil {
		return st, fmt.Errorf("%w: %v", ErrHeadForged, err)
	}
	proof := make([][]byte, 0, len(st.Inclusion))
	for _, h := range st.Inclusion {
		b, err := hex.DecodeString(h)
		if err != nil {
			return st, fmt.Errorf("inclusion proof: %w", err)
		}
		proof = append(proof, b)
	}
	root, _ := st.Head.RootBytes()
	if err := VerifyInclusion(uint64(st.LeafIndex), st.Head.Size, PayloadLeaf(p).Hash(), proof, root); err != nil {
		return st, fmt.Errorf("%w (%v)", ErrNotInLog, err)
	}
	return st, nil
}

func (v Verifier) getJSON(ctx context.Context, path string, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(v.Base, "/")+path, nil)
	if err != nil {
		return err
	}
	client := v.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: http %d", req.URL, res.StatusCode)
	}
	return json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(out)
}
