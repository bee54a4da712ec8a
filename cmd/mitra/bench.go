package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"syscall"
	"time"
)

type benchReport struct {
	MatchesPerSec float64 `json:"matches_per_sec"`
	P50US         float64 `json:"p50_us"`
	P99US         float64 `json:"p99_us"`
	HeapMB        float64 `json:"heap_mb"`
	RSSMB         float64 `json:"rss_mb"`
	// CPUPerMatchUS is the process's CPU time per match: on a shared
	// machine, where the wall clock counts other work, the steadier figure.
	CPUPerMatchUS float64 `json:"cpu_us_per_match"`
	Services      int     `json:"services"`
	Texts         int     `json:"texts"`
	Matches       int     `json:"matches"`
	Cores         int     `json:"cores"`
	Embedder      string  `json:"embedder"`
}

// benchCommands are the benches of the whole system, by subcommand.
var benchCommands = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) error{
	"webhook": runWebhookBench, "certs": runCertBench, "voice": runVoiceBench, "log": runLogBench,
	"applications": runApplicationsBench, "dashboard": runDashboardBench, "broadcast": runBroadcastBench,
	"memory": runMemoryBench, "vectors": runVectorBench, "attack": runAttackBench,
}

// runBench measures the engine on the eval suites' texts, on one core:
// the figures a person compares between versions. A subcommand runs one
// of benchCommands instead.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		if run, ok := benchCommands[args[0]]; ok {
			return run(ctx, args[1:], stdout, stderr)
		}
	}
	fl := newFlagSet("bench", stderr)
	asJSON := fl.Bool("json", false, "print one JSON object")
	duration := fl.Duration("duration", 3*time.Second, "how long to keep matching")
	suites := fl.String("suites", "", "folder of .jsonl eval suites whose texts to match (default: the built-in suites)")
	cpuProfile := fl.String("cpuprofile", "", "write a CPU profile of the timed matching to this file")
	memProfile := fl.String("memprofile", "", "write a heap profile, taken after the matching, to this file")
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
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	lat := make([]time.Duration, 0, 1<<16)
	cpu0 := processCPU()
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
	cpu := processCPU() - cpu0
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if *memProfile != "" {
		if err := writeHeapProfile(*memProfile); err != nil {
			return err
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r := benchReport{
		MatchesPerSec: float64(len(lat)) / elapsed.Seconds(),
		P50US:         us(lat[len(lat)/2]),
		P99US:         us(lat[len(lat)*99/100]),
		HeapMB:        float64(ms.HeapInuse) / (1 << 20),
		RSSMB:         peakRSSMB(),
		CPUPerMatchUS: us(cpu) / float64(len(lat)),
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
	fmt.Fprintf(stdout, "matches/s %.0f   p50 %.0f µs   p99 %.0f µs   CPU %.1f µs a match   heap %.1f MB   peak RSS %.1f MB\n",
		r.MatchesPerSec, r.P50US, r.P99US, r.CPUPerMatchUS, r.HeapMB, r.RSSMB)
	return nil
}

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

// peakRSSMB reads the process's peak resident set (VmHWM) from /proc; 0
// where /proc is missing.
func peakRSSMB() float64 { return procStatusMB("VmHWM:") }

// residentMB reads the process's resident set now (VmRSS).
func residentMB() float64 { return procStatusMB("VmRSS:") }

func procStatusMB(field string) float64 {
	mb, _ := childStatusMB(os.Getpid(), field)
	return mb
}

// startCPUProfile writes a CPU profile to path until the returned stop is
// called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// processCPU is the CPU time the process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// writeHeapProfile writes the live heap, after a collection, to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
