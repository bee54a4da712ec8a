package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

type benchReport struct {
	MatchesPerSec float64 `json:"matches_per_sec"`
	P50US         float64 `json:"p50_us"`
	P99US         float64 `json:"p99_us"`
	HeapMB        float64 `json:"heap_mb"`
	RSSMB         float64 `json:"rss_mb"`
	Services      int     `json:"services"`
	Texts         int     `json:"texts"`
	Matches       int     `json:"matches"`
	Cores         int     `json:"cores"`
	Embedder      string  `json:"embedder"`
}

// runBench measures the engine on the eval suites' texts, on one core:
// the figures a person compares between versions.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "webhook" {
		return runWebhookBench(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "certs" {
		return runCertBench(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "voice" {
		return runVoiceBench(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "log" {
		return runLogBench(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "applications" {
		return runApplicationsBench(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "dashboard" {
		return runDashboardBench(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "broadcast" {
		return runBroadcastBench(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "vectors" {
		return runVectorBench(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "attack" {
		return runAttackBench(ctx, args[1:], stdout, stderr)
	}
	fl := newFlagSet("bench", stderr)
	asJSON := fl.Bool("json", false, "print one JSON object")
	duration := fl.Duration("duration", 3*time.Second, "how long to keep matching")
	suites := fl.String("suites", "", "folder of .jsonl eval suites whose texts to match (default: the built-in suites)")
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	eng, ef, err := parseAndBuild(ctx, fl, args)
	if err != nil {
		return err
	}
	cases, err := loadCases(*suites, eng.Catalog())
	if err != nil {
		return err
	}
	texts := make([]string, len(cases))
	for i, c := range cases {
		texts[i] = c.Text
	}
	// One warm-up pass fills caches and pools, as a running server has.
	for _, t := range texts {
		if _, err := eng.Match(ctx, t, ""); err != nil {
			return err
		}
	}
	lat := make([]time.Duration, 0, 1<<16)
	start := time.Now()
	deadline := start.Add(*duration)
	for i := 0; time.Now().Before(deadline); i++ {
		t0 := time.Now()
		if _, err := eng.Match(ctx, texts[i%len(texts)], ""); err != nil {
			return err
		}
		lat = append(lat, time.Since(t0))
	}
	elapsed := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r := benchReport{
		MatchesPerSec: float64(len(lat)) / elapsed.Seconds(),
		P50US:         us(lat[len(lat)/2]),
		P99US:         us(lat[len(lat)*99/100]),
		HeapMB:        float64(ms.HeapInuse) / (1 << 20),
		RSSMB:         peakRSSMB(),
		Services:      len(eng.Catalog().Services),
		Texts:         len(texts),
		Matches:       len(lat),
		Cores:         1,
		Embedder:      ef.embedder,
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(r)
	}
	fmt.Fprintf(stdout, "%d services, %d suite texts, %d matches on 1 core (%s embedder)\n", r.Services, r.Texts, r.Matches, r.Embedder)
	fmt.Fprintf(stdout, "matches/s %.0f   p50 %.0f µs   p99 %.0f µs   heap %.1f MB   peak RSS %.1f MB\n", r.MatchesPerSec, r.P50US, r.P99US, r.HeapMB, r.RSSMB)
	return nil
}

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

// peakRSSMB reads the process's peak resident set (VmHWM) from /proc; 0
// where /proc is missing.
func peakRSSMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}
