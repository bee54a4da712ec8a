package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mitra-gov/mitra/internal/password"
	"github.com/mitra-gov/mitra/store"
)

// consoleProbe signs an operator in to the console under test and fetches
// the dashboard's live figures every interval while the load runs: how
// responsive the console stays when the server is busy.
type consoleProbe struct {
	base   string
	client *http.Client
	mu     sync.Mutex
	times  []time.Duration
	failed int
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// newConsoleProbe makes an operator account and signs it in.
func newConsoleProbe(ctx context.Context, st *store.Store, base string) (*consoleProbe, error) {
	const pw = "bench console password"
	hash, err := password.Hash(pw)
	if err != nil {
		return nil, err
	}
	if _, err := st.CreateStaff(ctx, store.Staff{Username: "bench.operator", Name: "Bench", Role: store.RoleOperator, Lang: "en"}, hash); err != nil {
		return nil, err
	}
	p := &consoleProbe{base: base, client: &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	res, err := p.client.Get(base + "/console/login")
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfField.FindStringSubmatch(string(body))
	if m == nil {
		return nil, fmt.Errorf("console probe: no sign-in form")
	}
	form := url.Values{"csrf": {m[1]}, "username": {"bench.operator"}, "password": {pw}}
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/console/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range res.Cookies() {
		req.AddCookie(c)
	}
	out, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	out.Body.Close()
	for _, c := range out.Cookies() {
		if c.Name == "mitra_console" && c.Value != "" {
			p.client.Jar = &oneCookie{c: &http.Cookie{Name: c.Name, Value: c.Value}}
		}
	}
	if p.client.Jar == nil {
		return nil, fmt.Errorf("console probe: sign-in refused (%s)", out.Status)
	}
	return p, nil
}

// oneCookie is a cookie jar of one session cookie, sent over plain HTTP
// to the loopback server (a real jar keeps Secure cookies for HTTPS).
type oneCookie struct{ c *http.Cookie }

func (j *oneCookie) SetCookies(*url.URL, []*http.Cookie) {}
func (j *oneCookie) Cookies(*url.URL) []*http.Cookie     { return []*http.Cookie{j.c} }

// run fetches the live figures every interval until ctx ends.
func (p *consoleProbe) run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		start := time.Now()
		res, err := p.client.Get(p.base + "/console/live?range=hour")
		p.mu.Lock()
		if err != nil || res.StatusCode != http.StatusOK {
			p.failed++
		} else {
			p.times = append(p.times, time.Since(start))
		}
		p.mu.Unlock()
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}
}

// result is the probes' p50 and p99 and how many failed.
func (p *consoleProbe) result() (n int, p50, p99 float64, failed int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	sort.Slice(p.times, func(i, j int) bool { return p.times[i] < p.times[j] })
	return len(p.times), ms(pct(p.times, .50)), ms(pct(p.times, .99)), p.failed
}
