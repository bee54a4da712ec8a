package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/store/storetest"
)

// A database URL may carry the pool's own settings (pool_max_conns):
// they size the pool and never reach the server as parameters.
func TestOpenTakesPoolSettingsFromTheURL(t *testing.T) {
	t.Parallel()
	_, url := storetest.New(t)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	s, err := store.Open(context.Background(), url+sep+"pool_max_conns=3")
	if err != nil {
		t.Fatalf("open with pool_max_conns: %v", err)
	}
	s.Close()
}
