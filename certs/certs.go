// Package certs makes QR-verifiable certificates: the signed payload
// (Ed25519 over a canonical encoding), the QR that carries it, the PDF in
// the citizen's language and English, and the Merkle-tree transparency log
// (RFC 6962 hashing, github.com/transparency-dev/merkle) that makes every
// issuance and revocation publicly checkable, so that rewriting a record
// is detected.
package certs

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Payload is what a certificate's QR attests, signed.
type Payload struct {
	ID      string // certificate id
	Service string // service id
	Holder  string // holder's name as issued
	Issued  string // issue date, YYYY-MM-DD
	KeyID   string // the signing key's id
}

// payloadVersion prefixes the canonical encoding so that the format can
// change without old signatures meaning something else.
const payloadVersion = "M1"

// Canonical is the exact byte string that is signed: fields in a fixed
// order, separated by the unit separator, which no field may contain.
func (p Payload) Canonical() ([]byte, error) {
	fields := []string{payloadVersion, p.ID, p.Service, p.Holder, p.Issued, p.KeyID}
	for _, f := range fields {
		if strings.ContainsRune(f, 0x1f) || f == "" {
			return nil, fmt.Errorf("certs: empty field or separator in payload")
		}
	}
	return []byte(strings.Join(fields, "\x1f")), nil
}

// Signer signs payloads with an Ed25519 key.
type Signer struct {
	priv  ed25519.PrivateKey
	KeyID string
}

// NewSigner wraps a private key; its id is derived from the public key.
func NewSigner(priv ed25519.PrivateKey) *Signer {
	return &Signer{priv: priv, KeyID: KeyID(priv.Public().(ed25519.PublicKey))}
}

// Public returns the public key.
func (s *Signer) Public() ed25519.PublicKey { return s.priv.Public().(ed25519.PublicKey) }

// KeyID is the first 8 bytes of the SHA-256 of the public key, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// Sign returns the QR text for a payload: the verification URL with the
// payload and signature in its fragment (never sent to a server, so the
// QR also verifies offline).
func (s *Signer) Sign(p Payload, verifyBase string) (string, error) {
	p.KeyID = s.KeyID
	msg, err := p.Canonical()
	if err != nil {
		return "", err
	}
	sig := ed25519.Sign(s.priv, msg)
	enc := base64.RawURLEncoding
	return fmt.Sprintf("%s/v/%s#%s.%s", strings.TrimRight(verifyBase, "/"), p.ID, enc.EncodeToString(msg), enc.EncodeToString(sig)), nil
}

// Errors of verification, each a distinct answer for the verifier.
var (
	ErrMalformed    = errors.New("certs: QR text is malformed or truncated")
	ErrUnknownKey   = errors.New("certs: signed with an unknown key")
	ErrBadSignature = errors.New("certs: signature does not match: the certificate was altered or forged")
)

// ParseQR splits QR text into its payload and checks the signature with the
// published keys (key id to public key). It needs no network.
func ParseQR(text string, keys map[string]ed25519.PublicKey) (Payload, error) {
	_, frag, ok := strings.Cut(text, "#")
	if !ok {
		return Payload{}, ErrMalformed
	}
	msgB64, sigB64, ok := strings.Cut(frag, ".")
	if !ok {
		return Payload{}, ErrMalformed
	}
	enc := base64.RawURLEncoding
	msg, err1 := enc.DecodeString(msgB64)
	sig, err2 := enc.DecodeString(sigB64)
	if err1 != nil || err2 != nil || len(sig) != ed25519.SignatureSize {
		return Payload{}, ErrMalformed
	}
	f := strings.Split(string(msg), "\x1f")
	if len(f) != 6 || f[0] != payloadVersion {
		return Payload{}, ErrMalformed
	}
	p := Payload{ID: f[1], Service: f[2], Holder: f[3], Issued: f[4], KeyID: f[5]}
	pub, ok := keys[p.KeyID]
	if !ok {
		return p, ErrUnknownKey
	}
	if !ed25519.Verify(pub, msg, sig) {
		return p, ErrBadSignature
	}
	if !strings.Contains(text, "/v/"+p.ID+"#") {
		return p, ErrBadSignature // the URL names another certificate
	}
	return p, nil
}
