package certs

import (
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// The log is kept as its perfect subtrees' hashes (nodes), written as each
// leaf is appended: a root, an inclusion proof or a consistency proof then
// reads O(log n) nodes, whatever the log's size, instead of every leaf.
// These functions are the arithmetic; the store keeps the nodes.

// Node is a perfect subtree's hash: Level 0 is a leaf, Index counts from
// the left at that level.
type Node struct {
	Level uint
	Index uint64
	Hash  []byte
}

// BorderIDs are the nodes that sum up a log of a size (its compact range):
// what appending and signing a head need.
func BorderIDs(size uint64) []compact.NodeID { return compact.RangeNodes(0, size, nil) }

// AppendNodes returns every node that a new leaf adds to a log of a size,
// given the hashes of BorderIDs(size): the leaf itself, and each subtree it
// completes.
func AppendNodes(size uint64, border [][]byte, leafHash []byte) ([]Node, error) {
	r, err := factory.NewRange(0, size, border)
	if err != nil {
		return nil, fmt.Errorf("certs: log border of size %d: %w", size, err)
	}
	var out []Node
	err = r.Append(leafHash, func(id compact.NodeID, h []byte) { out = append(out, Node{id.Level, id.Index, h}) })
	return out, err
}

// RootOf is the root of a log of a size, from the hashes of
// BorderIDs(size).
func RootOf(size uint64, border [][]byte) ([]byte, error) {
	if size == 0 {
		return rfc6962.DefaultHasher.EmptyRoot(), nil
	}
	r, err := factory.NewRange(0, size, border)
	if err != nil {
		return nil, fmt.Errorf("certs: log border of size %d: %w", size, err)
	}
	return r.GetRootHash(nil)
}

// InclusionIDs are the nodes an inclusion proof of leaf index in a log of
// size is made of; InclusionFrom turns their hashes into the proof.
func InclusionIDs(index, size uint64) (proof.Nodes, error) { return proof.Inclusion(index, size) }

// ConsistencyIDs are the nodes a consistency proof between two sizes is
// made of.
func ConsistencyIDs(size1, size2 uint64) (proof.Nodes, error) { return proof.Consistency(size1, size2) }

// ProofFrom turns the hashes of n.IDs into the proof's hashes.
func ProofFrom(n proof.Nodes, hashes [][]byte) ([][]byte, error) {
	return n.Rehash(hashes, rfc6962.DefaultHasher.HashChildren)
}
