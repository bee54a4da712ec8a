package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/certs"
	"github.com/mitra-gov/mitra/store"
)

// runCertBench measures issuance (render the PDF, sign, store, append to
// the log) with -concurrency requests at once, and verification (status,
// inclusion proof against the signed head), per second, on a fresh
// database next to MITRA_DATABASE_URL.
func runCertBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := newFlagSet("bench certs", stderr)
	n := fl.Int("issue", 20, "certificates to issue")
	concurrency := fl.Int("concurrency", 8, "issuance requests at once")
	tabs := fl.Int("tabs", certs.DefaultTabs, "certificates rendered at once, in tabs of one Chromium")
	m := fl.Int("verify", 500, "verifications")
	asJSON := fl.Bool("json", false, "print one JSON object")
	if err := fl.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if *n < 1 || *concurrency < 1 || *tabs < 1 {
		return usagef("-issue, -concurrency and -tabs must be at least 1")
	}
	is, _, cleanup, err := benchIssuer(ctx, "bench certs")
	if err != nil {
		return err
	}
	defer cleanup()
	renderer := &certs.Chromium{Tabs: *tabs}
	defer renderer.Close()
	is.Renderer, is.MaxConcurrent = renderer, *tabs
	issue := func(i int) (string, error) {
		c, _, ferr, err := is.Issue(ctx, "revenue", certs.Request{IdempotencyKey: fmt.Sprint("bench-", i), WAID: "919000000099",
			ServiceID: "income-certificate", Holder: "ఆదిలక్ష్మి", Lang: "te", Office: "Tahsildar, Guntur"})
		if err != nil || len(ferr) > 0 {
			return "", fmt.Errorf("issue: %v %v", err, ferr)
		}
		return c.ID, nil
	}
	// A server starts Chromium once, not per certificate: the start is
	// not what is measured.
	first, err := issue(-1)
	if err != nil {
		return err
	}
	ids := make([]string, *n)
	errs := make([]error, *n)
	todo := make(chan int, *n)
	for i := range *n {
		todo <- i
	}
	close(todo)
	var wg sync.WaitGroup
	start := time.Now()
	for range *concurrency {
		wg.Go(func() {
			for i := range todo {
				ids[i], errs[i] = issue(i)
			}
		})
	}
	wg.Wait()
	issueRate := float64(*n) / time.Since(start).Seconds()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	ids = append(ids, first)
	if _, err := is.SignHead(ctx); err != nil {
		return err
	}
	start = time.Now()
	for i := 0; i < *m; i++ {
		s, err := is.Verify(ctx, ids[i%len(ids)])
		if err != nil || s.State != "valid" {
			return fmt.Errorf("verify: %v %s", err, s.State)
		}
	}
	verifyRate := float64(*m) / time.Since(start).Seconds()
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]float64{"issuances_per_sec": issueRate, "verifications_per_sec": verifyRate,
			"concurrency": float64(*concurrency), "tabs": float64(*tabs)})
	}
	fmt.Fprintf(stdout, "issuance (Chromium PDF + Ed25519 + store + log append): %.2f/s over %d, %d at once, %d Chromium tabs\n", issueRate, *n, *concurrency, *tabs)
	fmt.Fprintf(stdout, "verification (record, signed head, inclusion proof): %.0f/s over %d\n", verifyRate, *m)
	return nil
}

// benchIssuer is an issuer on a fresh database next to
// MITRA_DATABASE_URL, with a new signing key; cleanup closes and drops it.
func benchIssuer(ctx context.Context, command string) (*certs.Issuer, *store.Store, func(), error) {
	admin := os.Getenv("MITRA_DATABASE_URL")
	if admin == "" {
		return nil, nil, nil, usagef("%s needs MITRA_DATABASE_URL (scripts/pg start prints one)", command)
	}
	dbURL, drop, err := store.CreateDatabase(ctx, admin, fmt.Sprintf("mitra_bench_%d", time.Now().UnixNano()))
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		drop()
		return nil, nil, nil, err
	}
	cleanup := func() { st.Close(); drop() }
	cat, err := catalog.Load(catalog.Embedded())
	if err != nil {
		cleanup()
		return nil, nil, nil, err
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	return &certs.Issuer{Store: st, Catalog: cat, Signer: certs.NewSigner(priv), BaseURL: "https://verify.example"}, st, cleanup, nil
}
