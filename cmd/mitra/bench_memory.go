package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp"
)

type memoryBenchReport struct {
	Services  int     `json:"services"`
	Sent      int     `json:"sent"`
	IdleMB    float64 `json:"rss_idle_mb"`
	PeakMB    float64 `json:"rss_peak_mb"`
	AfterMB   float64 `json:"rss_after_mb"`
	StartupS  float64 `json:"startup_s"`
	RatePerS  float64 `json:"rate"`
	DurationS float64 `json:"duration_s"`
}

// runMemoryBench measures the resident memory of `mitra serve` as its own
// process (the simulator, on a fresh database next to MITRA_DATABASE_URL)
// at a catalogue of -services services: once started, at its peak under a
// paced load of the eval suites' messages, and after it.
func runMemoryBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := newFlagSet("bench memory", stderr)
	services := fl.Int("services", 26568, "catalogue size to synthesise (36 states of 738 services is 26568)")
	rate := fl.Float64("rate", 200, "webhook messages per second during the load")
	duration := fl.Duration("duration", 20*time.Second, "how long the load lasts")
	asJSON := fl.Bool("json", false, "print one JSON object")
	if err := fl.Parse(args); err != nil {
		return usagef("%v", err)
	}
	admin := os.Getenv("MITRA_DATABASE_URL")
	if admin == "" {
		return usagef("bench memory needs MITRA_DATABASE_URL (scripts/pg start prints one)")
	}
	if *rate <= 0 || *duration <= 0 || *services < 0 {
		return usagef("bench memory: rate and duration must be positive")
	}
	dbURL, drop, err := store.CreateDatabase(ctx, admin, fmt.Sprintf("mitra_bench_memory_%d", time.Now().Unix()))
	if err != nil {
		return err
	}
	defer drop()
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, exe, "serve", "-simulator", "-addr", "127.0.0.1:"+port, "-ops-addr", "127.0.0.1:0",
		"-services", strconv.Itoa(*services), "-tts", "none", "-citizen-rate", "1000000", "-citizen-burst", "1000000")
	// The simulator refuses real settings: the child sees none of them.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WHATSAPP_") && !strings.HasPrefix(kv, "MITRA_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "MITRA_DATABASE_URL="+dbURL)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	base := "http://127.0.0.1:" + port
	if err := waitHealthy(ctx, base+"/healthz", 120*time.Second); err != nil {
		return err
	}
	report := memoryBenchReport{Services: *services, StartupS: time.Since(started).Seconds(), RatePerS: *rate, DurationS: duration.Seconds()}
	report.IdleMB, _ = childStatusMB(cmd.Process.Pid, "VmRSS:")
	cat, err := (&engineFlags{}).loadCatalog()
	if err != nil {
		return err
	}
	cases, err := loadCases("", cat)
	if err != nil {
		return err
	}
	poster := newWebhookPoster([]string{base + "/webhook"}, simAppSecret, simPhoneNumberID)
	total := int(*rate * duration.Seconds())
	var wg sync.WaitGroup
	inFlight := make(chan struct{}, 32)
	for i := 0; i < total && ctx.Err() == nil; i++ {
		if w := time.Until(started.Add(time.Duration(report.StartupS*float64(time.Second)) + time.Duration(float64(i)/(*rate)*float64(time.Second)))); w > 0 {
			time.Sleep(w)
		}
		inFlight <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-inFlight; wg.Done() }()
			m := whatsapp.SimulatedMessage{From: fmt.Sprintf("9190%08d", i%500), ID: fmt.Sprintf("wamid.MEM%09d", i), Text: cases[i%len(cases)].Text}
			poster.deliver(ctx, m, time.Now().Add(time.Minute))
		}()
	}
	wg.Wait()
	report.Sent = total
	time.Sleep(3 * time.Second) // the last replies go out
	report.PeakMB, _ = childStatusMB(cmd.Process.Pid, "VmHWM:")
	if report.AfterMB, err = childStatusMB(cmd.Process.Pid, "VmRSS:"); err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(report)
	}
	fmt.Fprintf(stdout, "mitra serve at %d services (started in %.1f s): RSS %.0f MB idle, peak %.0f MB under %d messages at %.0f/s, %.0f MB after\n",
		report.Services, report.StartupS, report.IdleMB, report.PeakMB, report.Sent, *rate, report.AfterMB)
	return nil
}

// childStatusMB reads a field of another process's /proc status, in MB.
func childStatusMB(pid int, field string) (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024, nil
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}
