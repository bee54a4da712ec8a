// Package testenv holds what tests share: tools from Debian's packages
// that scripts/test installs, the test PostgreSQL's address, and the
// engine over the shipped catalogue.
package testenv

import (
	"context"
	"os"
	"os/exec"
	"sync"
	"testing"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/nlu"
	"github.com/mitra-gov/mitra/retrieval"
)

// DatabaseURL is the test PostgreSQL's admin URL
// (MITRA_TEST_DATABASE_URL, which scripts/pg start prints). Without it
// the test skips on a laptop and fails in CI, where skipping would hide
// the store.
func DatabaseURL(t testing.TB) string {
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

// NeedTools skips the test on a laptop without the tools, and fails it in
// CI, where scripts/test installs them and skipping would hide a gap.
func NeedTools(t testing.TB, tools ...string) {
	t.Helper()
	for _, name := range tools {
		if _, err := exec.LookPath(name); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed: CI must run this test (scripts/test installs it)", name)
			}
			t.Skipf("%s not installed", name)
		}
	}
}

var (
	engineOnce sync.Once
	engine     *retrieval.Engine
	engineErr  error
)

// Engine is the matching engine over the shipped catalogue with the
// built-in embedder, built once per test binary.
func Engine(t testing.TB) *retrieval.Engine {
	t.Helper()
	engineOnce.Do(func() {
		cat, err := catalog.Load(catalog.Embedded())
		if err != nil {
			engineErr = err
			return
		}
		engine, engineErr = newEngine(cat)
	})
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engine
}

// SynthesizedEngine is Engine's over the shipped catalogue synthesised to
// n services (catalog.Synthesize, as `mitra bench --services n` makes it),
// built anew each call.
func SynthesizedEngine(t testing.TB, n int) *retrieval.Engine {
	t.Helper()
	cat, err := catalog.Load(catalog.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	e, err := newEngine(cat.Synthesize(n, 1))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func newEngine(cat *catalog.Catalog) (*retrieval.Engine, error) {
	latin, err := nlu.LoadLatinModel()
	if err != nil {
		return nil, err
	}
	return retrieval.NewEngine(context.Background(), retrieval.Config{
		Catalog: cat, Analyzer: nlu.NewAnalyzer(latin), Embedder: retrieval.NewHashEmbedder(256),
	})
}
