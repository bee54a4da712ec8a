package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp"
)

// benchTarget is what the webhook bench drives: one server in this
// process, or two `mitra serve` processes sharing the database (one of
// which the bench kills), with the Graph API faked here so that every send
// is counted.
type benchTarget struct {
	store    *store.Store // for the bench's own checks; runs no jobs
	fake     *whatsapp.FakeGraph
	webhooks []string
	secret   string
	kill     func()
	close    func()
}

func startTarget(ctx context.Context, c *serveConfig, failRate float64, twoProcesses bool, stderr io.Writer) (*benchTarget, error) {
	if !twoProcesses {
		m := &Main{cfg: c, log: slog.New(slog.DiscardHandler), fake: &whatsapp.FakeGraph{Token: c.token, FailRate: failRate, AutoApprove: true}}
		if err := m.Run(ctx); err != nil {
			m.Close()
			return nil, err
		}
		return &benchTarget{store: m.store, fake: m.fake, webhooks: []string{m.self + "/webhook"}, secret: c.appSecret,
			kill: func() {}, close: func() { m.Close() }}, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	secret, seed := benchSecrets()
	t := &benchTarget{fake: &whatsapp.FakeGraph{Token: "bench-token", FailRate: failRate, AutoApprove: true}, secret: secret}
	graph := httptest.NewServer(t.fake)
	var procs []*exec.Cmd
	t.close = func() {
		for _, p := range procs {
			p.Process.Signal(syscall.SIGTERM)
			p.Wait()
		}
		if t.store != nil {
			t.store.Close()
		}
		graph.Close()
	}
	t.kill = func() {
		if len(procs) > 0 {
			procs[0].Process.Kill() // SIGKILL: no shutdown, jobs left running
		}
	}
	for i := range 2 {
		url, cmd, err := startServeProcess(ctx, exe, c, t.secret, seed, graph.URL)
		if cmd != nil {
			procs = append(procs, cmd)
		}
		if err != nil {
			t.close()
			return nil, fmt.Errorf("server %d: %w", i+1, err)
		}
		t.webhooks = append(t.webhooks, url+"/webhook")
	}
	if t.store, err = store.Open(ctx, c.dbURL); err != nil {
		t.close()
		return nil, err
	}
	return t, nil
}

// benchSecrets are a throwaway app secret (hex) and signing seed for the
// serve processes a bench starts.
func benchSecrets() (string, []byte) {
	secret := make([]byte, 16)
	rand.Read(secret)
	seed := make([]byte, ed25519.SeedSize)
	rand.Read(seed)
	return hex.EncodeToString(secret), seed
}

// startServeProcess starts `mitra serve` in production mode on a free
// port, with Meta's side at graphURL (a fake in the bench's process), and
// waits until it answers; extra flags follow c's.
func startServeProcess(ctx context.Context, exe string, c *serveConfig, secret string, seed []byte, graphURL string, extra ...string) (string, *exec.Cmd, error) {
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	args := append([]string{"serve", "-addr", "127.0.0.1:" + port, "-ops-addr", "127.0.0.1:0",
		"-send-rate", fmt.Sprint(c.sendRate), "-citizen-rate", fmt.Sprint(c.citizenRate), "-citizen-burst", fmt.Sprint(c.citizenBurst),
		"-process-workers", fmt.Sprint(c.processWorkers), "-send-workers", fmt.Sprint(c.sendWorkers), "-tts", "none"}, extra...)
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), "MITRA_DATABASE_URL="+c.dbURL, "WHATSAPP_APP_SECRET="+secret, "WHATSAPP_VERIFY_TOKEN=bench",
		"WHATSAPP_TOKEN=bench-token", "WHATSAPP_PHONE_NUMBER_ID="+c.phoneNumberID, "WHATSAPP_BUSINESS_ACCOUNT_ID=102290129340398", "WHATSAPP_API_BASE="+graphURL+"/v24.0",
		"MITRA_PUBLIC_URL=https://verify.example.gov.in", "MITRA_SIGNING_KEY="+base64.StdEncoding.EncodeToString(seed))
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start: %w", err)
	}
	url := "http://127.0.0.1:" + port
	if err := waitHealthy(ctx, url+"/healthz", 60*time.Second); err != nil {
		return "", cmd, err
	}
	return url, cmd, nil
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), nil
}

func waitHealthy(ctx context.Context, url string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if res, err := http.Get(url); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("not healthy at %s after %s", url, within)
}
