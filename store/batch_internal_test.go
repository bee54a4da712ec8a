package store

import (
	"context"
	"errors"
	"testing"
)

// A batch that fails is written again a call at a time, so that only the
// bad call fails; a batch that succeeds is written once.
func TestAllOrEach(t *testing.T) {
	bad := errors.New("bad")
	var writes [][]string
	write := func(_ context.Context, batch []*batchCall[string]) error {
		var args []string
		for _, c := range batch {
			args = append(args, c.arg)
		}
		writes = append(writes, args)
		for _, a := range args {
			if a == "bad" {
				return bad
			}
		}
		return nil
	}
	calls := func(args ...string) []*batchCall[string] {
		var out []*batchCall[string]
		for _, a := range args {
			out = append(out, &batchCall[string]{arg: a})
		}
		return out
	}
	batch := calls("a", "bad", "c")
	allOrEach(context.Background(), batch, write)
	for i, want := range []error{nil, bad, nil} {
		if !errors.Is(batch[i].err, want) || (want == nil && batch[i].err != nil) {
			t.Errorf("call %d: %v, want %v", i, batch[i].err, want)
		}
	}
	if len(writes) != 4 {
		t.Errorf("%d writes, want the batch then each call: %v", len(writes), writes)
	}
	writes = nil
	allOrEach(context.Background(), calls("a", "b"), write)
	if len(writes) != 1 {
		t.Errorf("%d writes of a good batch, want 1", len(writes))
	}
}
