package certs

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// Leaf is one log entry: a certificate issued or revoked. Its bytes bind
// the certificate's signed payload, so a rewritten record no longer matches
// the leaf the log committed to.
type Leaf struct {
	Kind    string // issue or revoke
	CertID  string
	Payload []byte // canonical payload (issue) or the reason (revoke)
}

// Bytes is the leaf's canonical encoding.
func (l Leaf) Bytes() []byte {
	sum := sha256.Sum256(l.Payload)
	return []byte(l.Kind + "\x1f" + l.CertID + "\x1f" + hex.EncodeToString(sum[:]))
}

// Hash is the RFC 6962 leaf hash.
func (l Leaf) Hash() []byte { return rfc6962.DefaultHasher.HashLeaf(l.Bytes()) }

var factory = &compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}

// VerifyInclusion checks an inclusion proof against a root.
func VerifyInclusion(index, size uint64, leafHash []byte, p [][]byte, root []byte) error {
	return proof.VerifyInclusion(rfc6962.DefaultHasher, index, size, leafHash, p, root)
}

// VerifyConsistency checks a consistency proof between two roots.
func VerifyConsistency(size1, size2 uint64, p [][]byte, root1, root2 []byte) error {
	return proof.VerifyConsistency(rfc6962.DefaultHasher, size1, size2, p, root1, root2)
}

// TreeHead is a signed statement of the log's size and root at a time.
type TreeHead struct {
	Size      uint64 `json:"size"`
	Root      string `json:"root"` // hex
	Timestamp int64  `json:"timestamp"`
	KeyID     string `json:"key_id"`
	Signature string `json:"signature"` // hex Ed25519
}

func (h TreeHead) message() []byte {
	return []byte("mitra-tree-head\x1f" + strconv.FormatUint(h.Size, 10) + "\x1f" + h.Root + "\x1f" + strconv.FormatInt(h.Timestamp, 10))
}

// SignHead signs a tree head.
func (s *Signer) SignHead(size uint64, root []byte, ts int64) TreeHead {
	h := TreeHead{Size: size, Root: hex.EncodeToString(root), Timestamp: ts, KeyID: s.KeyID}
	h.Signature = hex.EncodeToString(ed25519.Sign(s.priv, h.message()))
	return h
}

// Verify checks a tree head's signature with the published keys.
func (h TreeHead) Verify(keys map[string]ed25519.PublicKey) error {
	pub, ok := keys[h.KeyID]
	if !ok {
		return ErrUnknownKey
	}
	sig, err := hex.DecodeString(h.Signature)
	if err != nil || !ed25519.Verify(pub, h.message(), sig) {
		return fmt.Errorf("certs: tree head signature invalid")
	}
	return nil
}

// RootBytes decodes the head's root.
func (h TreeHead) RootBytes() ([]byte, error) { return hex.DecodeString(strings.TrimSpace(h.Root)) }
