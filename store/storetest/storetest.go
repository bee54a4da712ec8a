// Package storetest gives tests a real, empty PostgreSQL database: a new
// database per call, migrated, dropped when the test ends. The server comes
// from MITRA_TEST_DATABASE_URL (scripts/pg starts one); without it tests
// skip on a laptop but fail in CI, where skipping would hide the store.
package storetest

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mitra-gov/mitra/store"
)

var counter atomic.Int64

// URL returns the admin database URL, skipping or failing the test when
// none is configured.
func URL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("MITRA_TEST_DATABASE_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("MITRA_TEST_DATABASE_URL is not set: CI must run the store tests (scripts/test starts PostgreSQL)")
		}
		t.Skip("MITRA_TEST_DATABASE_URL not set (run scripts/pg start)")
	}
	return url
}

// New creates a fresh database, opens a migrated Store on it, and drops
// the database when the test ends.
func New(t testing.TB) (*store.Store, string) {
	t.Helper()
	admin := URL(t)
	ctx := context.Background()
	name := fmt.Sprintf("mitra_test_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6, counter.Add(1))
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to test server: %v", err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close(ctx)
		t.Fatal(err)
	}
	cfg, err := pgx.ParseConfig(admin)
	if err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name)
	if cfg.Password != "" {
		url = fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Password, cfg.Host, cfg.Port, name)
	}
	s, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		conn.Close(context.Background())
	})
	return s, url
}
