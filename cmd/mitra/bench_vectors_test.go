package main

import (
	"encoding/json"
	"testing"

	"github.com/mitra-gov/mitra/store/storetest"
)

// bench vectors at a small scale: every setting of the sweep measured
// against the exact answers, and the scratch database dropped.
func TestBenchVectors(t *testing.T) {
	t.Setenv("MITRA_DATABASE_URL", storetest.URL(t))
	out, _, err := runCLI(t, "", "bench", "vectors", "--vectors", "3000", "--other", "500", "--queries", "50", "--dims", "32",
		"--clusters", "20", "--passes", "2", "-m", "8,16", "-ef-search", "40,100", "-iterative-scan", "off,strict_order", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r vectorBenchReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !r.DatabaseDropped || r.Vectors != 3000 || len(r.Settings) != 8 {
		t.Fatalf("report: %+v", r)
	}
	for _, s := range r.Settings {
		// At this size the graph finds nearly all of the exact top 10.
		if len(s.Passes) != 2 || s.RecallAt10 < 0.9 || s.RecallAt10 > 1 || s.P50MS <= 0 || s.P99MS < s.P50MS || s.BuildS <= 0 {
			t.Errorf("setting %+v", s)
		}
	}
	if r.M != 8 || r.EfSearch != 40 || r.IterativeScan != "off" {
		t.Errorf("top level is not the first setting: %+v", r.vectorSetting)
	}
}
