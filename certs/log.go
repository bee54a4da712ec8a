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

// Tree computes roots and proofs over leaf hashes held in memory.
type Tree struct {
	leaves [][]byte
	nodes  map[compact.NodeID][]byte
	root   []byte
}

var factory = &compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}

// NewTree builds the tree of the given leaf hashes, remembering every
// perfect subtree's hash for proofs.
func NewTree(leafHashes [][]byte) (*Tree, error) {
	t := &Tree{leaves: leafHashes, nodes: map[compact.NodeID][]byte{}}
	r := factory.NewEmptyRange(0)
	visit := func(id compact.NodeID, h []byte) { t.nodes[id] = h }
	for _, h := range leafHashes {
		if err := r.Append(h, visit); err != nil {
			return nil, err
		}
	}
	root, err := r.GetRootHash(nil)
	if err != nil {
		return nil, err
	}
	if len(leafHashes) == 0 {
		root = rfc6962.DefaultHasher.EmptyRoot()
	}
	t.root = root
	return t, nil
}

// Size and Root of the tree.
func (t *Tree) Size() uint64 { return uint64(len(t.leaves)) }
func (t *Tree) Root() []byte { return t.root }

func (t *Tree) fill(n proof.Nodes) ([][]byte, error) {
	hashes := make([][]byte, len(n.IDs))
	for i, id := range n.IDs {
		h, ok := t.nodes[id]
		if !ok {
			return nil, fmt.Errorf("certs: node %v not in tree", id)
		}
		hashes[i] = h
	}
	return n.Rehash(hashes, rfc6962.DefaultHasher.HashChildren)
}

// InclusionProof proves leaf index is in the tree of the given size (a
// prefix of this tree).
func (t *Tree) InclusionProof(index, size uint64) ([][]byte, error) {
	if size > t.Size() {
		return nil, fmt.Errorf("certs: size %d beyond the tree's %d", size, t.Size())
	}
	n, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, err
	}
	return t.fill(n)
}

// ConsistencyProof proves the tree of size2 extends the tree of size1.
func (t *Tree) ConsistencyProof(size1, size2 uint64) ([][]byte, error) {
	if size2 > t.Size() {
		return nil, fmt.Errorf("certs: size %d beyond the tree's %d", size2, t.Size())
	}
	n, err := proof.Consistency(size1, size2)
	if err != nil {
		return nil, err
	}
	return t.fill(n)
}

// RootAt is the root of the tree's first size leaves.
func (t *Tree) RootAt(size uint64) ([]byte, error) {
	prefix, err := NewTree(t.leaves[:size])
	if err != nil {
		return nil, err
	}
	return prefix.root, nil
}

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
