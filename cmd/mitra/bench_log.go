package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/mitra-gov/mitra/certs"
)

type logBenchReport struct {
	Leaves      uint64  `json:"leaves"`
	LoadS       float64 `json:"load_s"`
	SignHeadMS  float64 `json:"sign_head_ms"`
	Lookups     int     `json:"lookups"`
	VerifyP50MS float64 `json:"verify_p50_ms"`
	VerifyP99MS float64 `json:"verify_p99_ms"`
	RSSMB       float64 `json:"peak_rss_mb"`
}

// runLogBench fills a log of --leaves leaves on a fresh database next to
// MITRA_DATABASE_URL, signs a head, and times what /v/{id} does (record,
// leaf index, signed head, inclusion proof from the stored nodes) for
// certificates spread over the whole log, with this process's peak RSS.
func runLogBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := newFlagSet("bench log", stderr)
	leaves := fl.Uint64("leaves", 1_000_000, "leaves in the log")
	lookups := fl.Int("lookups", 2000, "verifications timed")
	asJSON := fl.Bool("json", false, "print one JSON object")
	if err := fl.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if *leaves < 2 || *lookups < 1 {
		return usagef("bench log: --leaves at least 2, --lookups at least 1")
	}
	is, st, cleanup, err := benchIssuer(ctx, "bench log")
	if err != nil {
		return err
	}
	defer cleanup()
	// Every stride-th leaf is a real certificate's; the rest stand for the
	// others of a state's log.
	stride := max(1, *leaves/uint64(*lookups))
	issued := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var sample []certs.Certificate
	start := time.Now()
	err = st.BulkLog(ctx, *leaves, func(i uint64) (string, []byte) {
		id := fmt.Sprintf("AP-2026-BENCH%011d", i)
		if i%stride == 0 && len(sample) < *lookups {
			c := certs.Certificate{ID: id, Department: "revenue", ServiceID: "income-certificate", WAID: "919000000000", Holder: "Ravi",
				Lang: "en", IssuedOn: issued, Office: "Tahsildar", KeyID: is.Signer.KeyID, IdempotencyKey: id}
			sample = append(sample, c)
			return id, certs.IssueLeaf(c).Hash()
		}
		return id, certs.Leaf{Kind: "issue", CertID: id, Payload: []byte(id)}.Hash()
	})
	if err != nil {
		return err
	}
	if err := st.BulkCertificates(ctx, sample); err != nil {
		return err
	}
	r := logBenchReport{Leaves: *leaves, LoadS: time.Since(start).Seconds(), Lookups: *lookups}
	t0 := time.Now()
	if _, err := is.SignHead(ctx); err != nil {
		return err
	}
	r.SignHeadMS = ms(time.Since(t0))
	var lat []time.Duration
	for i := range *lookups {
		c := sample[i%len(sample)]
		t := time.Now()
		s, err := is.Verify(ctx, c.ID)
		if err != nil || s.State != "valid" {
			return fmt.Errorf("verify %s: %v %s", c.ID, err, s.State)
		}
		lat = append(lat, time.Since(t))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r.VerifyP50MS, r.VerifyP99MS, r.RSSMB = ms(pct(lat, .5)), ms(pct(lat, .99)), peakRSSMB()
	if *asJSON {
		return json.NewEncoder(stdout).Encode(r)
	}
	fmt.Fprintf(stdout, "log of %d leaves loaded in %.1f s; head signed in %.1f ms\n", r.Leaves, r.LoadS, r.SignHeadMS)
	fmt.Fprintf(stdout, "verification (record, leaf index, head, inclusion proof): p50 %.2f ms, p99 %.2f ms over %d; peak RSS %.0f MB\n",
		r.VerifyP50MS, r.VerifyP99MS, r.Lookups, r.RSSMB)
	return nil
}
