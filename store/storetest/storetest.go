// Package storetest gives tests a real PostgreSQL: a database of their own
// (New), or one shared, migrated database (Shared) on which each test
// works inside a transaction that is rolled back (Rollback), as river's
// riverdbtest does. The server comes from MITRA_TEST_DATABASE_URL
// (scripts/pg starts one); without it tests skip on a laptop but fail in
// CI, where skipping would hide the store.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mitra-gov/mitra/internal/testenv"
	"github.com/mitra-gov/mitra/store"
)

var counter atomic.Int64

// URL returns the admin database URL, skipping or failing the test when
// none is configured.
func URL(t testing.TB) string {
	t.Helper()
	return testenv.DatabaseURL(t)
}

func uniqueName(prefix string) string {
	return fmt.Sprintf("%s_%d_%d_%d", prefix, os.Getpid(), time.Now().UnixNano()%1e6, counter.Add(1))
}

// New creates a fresh database, opens a migrated Store on it, and drops
// the database when the test ends. It returns the database's URL too, for
// tests that start a whole server on it.
func New(t testing.TB) (*store.Store, string) {
	t.Helper()
	url, drop, err := store.CreateDatabase(context.Background(), URL(t), uniqueName("mitra_test"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(context.Background(), url)
	if err != nil {
		drop()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		if err := drop(); err != nil {
			t.Log(err)
		}
	})
	return s, url
}

var shared struct {
	once  sync.Once
	store *store.Store
	url   string
	drop  func() error
	err   error
}

// Shared returns one migrated Store for the whole test binary, so that
// tests share one pool. Tests that need no commit work in Rollback; the
// database is dropped by Main.
func Shared(t testing.TB) (*store.Store, string) {
	t.Helper()
	admin := URL(t)
	shared.once.Do(func() {
		ctx := context.Background()
		shared.url, shared.drop, shared.err = store.CreateDatabase(ctx, admin, uniqueName("mitra_shared"))
		if shared.err == nil {
			shared.store, shared.err = store.Open(ctx, shared.url)
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.store, shared.url
}

// Main runs a package's tests and then drops the shared database; call it
// from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if shared.store != nil {
		shared.store.Close()
	}
	if shared.drop != nil {
		if err := shared.drop(); err != nil {
			fmt.Fprintln(os.Stderr, "storetest:", err)
		}
	}
	os.Exit(code)
}

// errRollback ends a test transaction without committing it.
var errRollback = errors.New("storetest: rolled back")

// Rollback runs fn in a transaction on the shared database that is rolled
// back when fn returns: the test sees its own writes, and nothing it wrote
// outlives it.
func Rollback(t testing.TB, fn func(ctx context.Context, tx store.Tx)) {
	t.Helper()
	s, _ := Shared(t)
	err := s.InTx(context.Background(), func(tx store.Tx) error {
		fn(context.Background(), tx)
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("test transaction: %v", err)
	}
}

// Conn opens a plain connection to a test database, for assertions and
// for rewriting rows the way an attacker with database access would. It
// is closed when the test ends.
func Conn(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// Int runs a query that returns one integer.
func Int(t testing.TB, c *pgx.Conn, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := c.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}
