package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http/httptest"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp"
)

type broadcastReport struct {
	Recipients  int64   `json:"recipients"`
	OptedOut    int64   `json:"opted_out"`
	SynthesiseS float64 `json:"synthesise_s"`
	Rate        float64 `json:"campaign_rate"`
	FanOutS     float64 `json:"fan_out_s"`
	FanOutPerS  float64 `json:"fan_out_per_s"`
	// FanOutBurstPerS is the fastest five seconds of the fan-out: what it
	// does when nothing holds it back (it keeps only a few minutes ahead
	// of the sending, so over a whole campaign it goes at that pace).
	FanOutBurstPerS float64 `json:"fan_out_burst_per_s"`
	FannedOut       bool    `json:"fanned_out"`
	FannedIn        int64   `json:"fanned_in"`
	WindowS         float64 `json:"send_window_s"`
	SentInWindow    int     `json:"sent_in_window"`
	SendPerS        float64 `json:"send_per_s"`
	PacingErrorPct  float64 `json:"pacing_error_pct"`
	// AfterFanOutPerS is the send rate once the fan-out is done (the
	// fan-out competes for the same two cores while it runs).
	AfterFanOutPerS float64 `json:"send_per_s_after_fan_out,omitempty"`
	SecondP10       int     `json:"per_second_p10"`
	SecondP90       int     `json:"per_second_p90"`
	DBBeforeMB      float64 `json:"db_before_mb"`
	DBEndMB         float64 `json:"db_end_mb"`
	GrowthPerMMB    float64 `json:"db_growth_per_million_mb"`
	CitizenMsgs     int64   `json:"citizen_messages"`
	ReplyP50MS      float64 `json:"reply_p50_ms"`
	ReplyP99MS      float64 `json:"reply_p99_ms"`
	StatusPosts     int64   `json:"status_webhooks"`
	Crash           bool    `json:"crash"`
	KilledAtS       float64 `json:"killed_at_s,omitempty"`
	Completed       bool    `json:"completed"`
	SentTwice       int     `json:"sent_twice"`
	Skipped         int64   `json:"skipped"`
	SentToOptedOut  int     `json:"sent_to_opted_out"`
	DatabaseDrop    bool    `json:"database_dropped"`
}

// runBroadcastBench sends a campaign to synthesised recipients from a
// `mitra serve` process against a fake Graph API in this process, which
// answers with Meta's status webhooks (batched, retried until taken) and
// timestamps every send. It reports the fan-out rate, the pacing against
// the configured rate, the database's growth per million recipients and
// the reply latency of citizens writing meanwhile. With --crash it kills
// the process (SIGKILL) halfway through, starts another, and checks at the
// end that nobody got the alert twice and nobody was skipped.
func runBroadcastBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := newFlagSet("bench broadcast", stderr)
	recipients := fl.Int64("recipients", 100_000, "citizens opted in to the campaign's topic (synthesised in the database)")
	rate := fl.Float64("rate", 1000, "campaign messages a second")
	window := fl.Duration("window", 60*time.Second, "how long to measure sending (the campaign is then cancelled, unless --crash)")
	crash := fl.Bool("crash", false, "kill -9 the server halfway through the window, start another, and send the whole campaign")
	citizenRate := fl.Float64("citizens", 20, "messages a second from other citizens during the broadcast")
	optOutEvery := fl.Int64("opt-out-every", 100, "every n-th recipient has sent STOP (0: none)")
	asJSON := fl.Bool("json", false, "print one JSON object")
	if err := fl.Parse(args); err != nil {
		return usagef("%v", err)
	}
	admin := os.Getenv("MITRA_DATABASE_URL")
	switch {
	case admin == "":
		return usagef("bench broadcast needs MITRA_DATABASE_URL (scripts/pg start prints one)")
	case *recipients <= 0 || *recipients > 20_000_000 || *rate <= 0 || *rate > 5000 || *window <= 0:
		return usagef("bench broadcast: 1 to 20,000,000 recipients, a rate up to 5,000/s, a positive window")
	case *crash && float64(*recipients) > *rate*600:
		return usagef("--crash sends the whole campaign: at most -rate × 600 recipients (ten minutes)")
	}
	dbURL, drop, err := store.CreateDatabase(ctx, admin, fmt.Sprintf("mitra_broadcast_%d", time.Now().Unix()))
	if err != nil {
		return err
	}
	defer drop()
	r := broadcastReport{Recipients: *recipients, Rate: *rate, Crash: *crash}
	if *optOutEvery > 0 {
		r.OptedOut = *recipients / *optOutEvery
	}
	c := &serveConfig{dbURL: dbURL, sendRate: math.Ceil(*rate * 1.25), citizenRate: 1e6, citizenBurst: 1e6, processWorkers: 8, sendWorkers: 16,
		phoneNumberID: "106540352242922"}
	b, err := newBroadcastRun(ctx, c, *recipients)
	if err != nil {
		return err
	}
	defer b.close()
	extra := []string{"-campaign-rate", fmt.Sprint(*rate), "-campaign-grace", "10s"}
	if err := b.start(ctx, extra); err != nil {
		return err
	}
	t0 := time.Now()
	if err := b.st.SynthesiseSubscribers(ctx, "weather", *recipients, *optOutEvery); err != nil {
		return err
	}
	r.SynthesiseS = time.Since(t0).Seconds()
	size := func() float64 {
		n, _ := b.st.DatabaseSize(ctx)
		return float64(n) / (1 << 20)
	}
	r.DBBeforeMB = size()
	camp, err := b.st.CreateCampaign(ctx, store.Campaign{Name: "bench", Template: "weather_warning", Topic: "weather", CreatedBy: "bench",
		Params: map[string][]string{"te": {"కృష్ణా", "భారీ వర్షం"}, "hi": {"कृष्णा", "भारी बारिश"}, "en": {"Krishna", "heavy rain"}}})
	if err != nil {
		return err
	}
	start := time.Now()
	citizens := b.citizens(ctx, *citizenRate)
	killAt := start.Add(*window / 2)
	killed := false
	type cursorAt struct {
		at time.Time
		i  int64
	}
	var cursors []cursorAt
	deadline := start.Add(*window)
	if *crash {
		deadline = start.Add(time.Duration(float64(*recipients) / *rate * 1.5 * float64(time.Second)) + 2*time.Minute)
	}
	for time.Now().Before(deadline) {
		time.Sleep(time.Second)
		cur, err := b.st.Campaign(ctx, camp.ID)
		if err != nil {
			continue // the database is busy; try again
		}
		if i, err := strconv.ParseInt(strings.TrimPrefix(cur.FanCursor, "91"), 10, 64); err == nil {
			cursors = append(cursors, cursorAt{time.Now(), i - 7_000_000_000})
			if n := len(cursors); n > 5 {
				a, z := cursors[n-6], cursors[n-1]
				r.FanOutBurstPerS = max(r.FanOutBurstPerS, float64(z.i-a.i)/z.at.Sub(a.at).Seconds())
			}
		}
		if cur.FannedOut && !r.FannedOut {
			r.FannedOut, r.FanOutS = true, time.Since(start).Seconds()
		}
		if *crash && !killed && time.Now().After(killAt) {
			killed, r.KilledAtS = true, time.Since(start).Seconds()
			b.kill()
			time.Sleep(2 * time.Second)
			if err := b.start(ctx, extra); err != nil {
				return err
			}
		}
		if cur.Status == store.CampaignDone {
			r.Completed = true
			break
		}
		if !*crash && time.Since(start) >= *window {
			break
		}
	}
	citizens.stop()
	if !*crash {
		b.st.MoveCampaign(ctx, camp.ID, []string{store.CampaignRunning, store.CampaignScheduled}, store.CampaignPaused)
	}
	time.Sleep(2 * time.Second) // the last sends and statuses land
	b.statuses.drain(10 * time.Second)
	r.DBEndMB = size()
	if r.FannedOut {
		r.FanOutPerS = float64(*recipients-r.OptedOut) / r.FanOutS
	}
	// Growth per million recipients fanned out, with what sending them
	// and their statuses added so far.
	if n := len(cursors); n > 0 && cursors[n-1].i > 0 {
		r.FannedIn = cursors[n-1].i
		if r.FannedOut {
			r.FannedIn = *recipients
		}
		r.GrowthPerMMB = (r.DBEndMB - r.DBBeforeMB) / (float64(r.FannedIn) / 1e6)
	}
	b.pacing(&r, *rate, start)
	r.CitizenMsgs = citizens.sent.Load()
	r.ReplyP50MS, r.ReplyP99MS, _ = b.st.ReplyLatency(ctx, "9180")
	r.StatusPosts = b.statuses.posts.Load()
	r.SentTwice, r.SentToOptedOut = b.twice(*optOutEvery)
	if *crash {
		r.Skipped = b.skipped(*recipients, *optOutEvery)
	}
	b.close()
	r.DatabaseDrop = drop() == nil
	if *asJSON {
		return json.NewEncoder(stdout).Encode(r)
	}
	fmt.Fprintf(stdout, "%d recipients (%d opted out) synthesised in %.1f s; campaign at %.0f/s\n", r.Recipients, r.OptedOut, r.SynthesiseS, r.Rate)
	fmt.Fprintf(stdout, "fan-out: %d in (all: %v, in %.1f s, %.0f/s), %.0f/s at its fastest; database %.0f MB before, %.0f at the end: %.0f MB per million recipients\n",
		r.FannedIn, r.FannedOut, r.FanOutS, r.FanOutPerS, r.FanOutBurstPerS, r.DBBeforeMB, r.DBEndMB, r.GrowthPerMMB)
	fmt.Fprintf(stdout, "sending: %d in %.1f s, %.1f/s (%.2f%% from the rate; %.1f/s after the fan-out), per second p10 %d p90 %d; %d status webhooks\n",
		r.SentInWindow, r.WindowS, r.SendPerS, r.PacingErrorPct, r.AfterFanOutPerS, r.SecondP10, r.SecondP90, r.StatusPosts)
	fmt.Fprintf(stdout, "citizens meanwhile: %d messages, reply p50 %.0f ms p99 %.0f ms\n", r.CitizenMsgs, r.ReplyP50MS, r.ReplyP99MS)
	fmt.Fprintf(stdout, "crash %v (killed at %.0f s), completed %v, sent twice %d, skipped %d, sent to opted-out %d\n",
		r.Crash, r.KilledAtS, r.Completed, r.SentTwice, r.Skipped, r.SentToOptedOut)
	return nil
}

// broadcastRun is the bench's side: the fake Graph API with its counts,
// the server process, and the store for the bench's own checks.
type broadcastRun struct {
	c        *serveConfig
	fake     *whatsapp.FakeGraph
	graph    *httptest.Server
	exe      string
	secret   string
	seed     []byte
	proc     *exec.Cmd
	poster   *webhookPoster
	st       *store.Store
	statuses *statusPoster

	mu    sync.Mutex
	times []time.Time // campaign sends, as the fake took them
	count []uint8     // campaign sends by recipient index
}

func newBroadcastRun(ctx context.Context, c *serveConfig, recipients int64) (*broadcastRun, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	secret, seed := benchSecrets()
	b := &broadcastRun{c: c, exe: exe, secret: secret, seed: seed, count: make([]uint8, recipients+1),
		fake: &whatsapp.FakeGraph{Token: "bench-token", AutoApprove: true}}
	b.graph = httptest.NewServer(b.fake)
	b.poster = newWebhookPoster(nil, b.secret, c.phoneNumberID)
	b.statuses = newStatusPoster(ctx, b)
	b.fake.Watch(func(cp whatsapp.Captured) {
		if cp.Type == "template" && strings.HasPrefix(cp.To, "917") {
			if i, err := strconv.ParseInt(cp.To[2:], 10, 64); err == nil && i-7_000_000_000 > 0 && i-7_000_000_000 < int64(len(b.count)) {
				b.mu.Lock()
				b.count[i-7_000_000_000]++
				b.times = append(b.times, cp.At)
				b.mu.Unlock()
			}
		}
		b.statuses.add(cp)
	})
	return b, nil
}

// start starts a server process (after a kill, its successor).
func (b *broadcastRun) start(ctx context.Context, extra []string) error {
	url, cmd, err := startServeProcess(ctx, b.exe, b.c, b.secret, b.seed, b.graph.URL, extra...)
	b.proc = cmd
	if err != nil {
		return err
	}
	b.poster.urls = []string{url + "/webhook"}
	if b.st == nil {
		b.st, err = store.Open(ctx, b.c.dbURL)
	}
	return err
}

func (b *broadcastRun) kill() {
	if b.proc != nil {
		b.proc.Process.Kill() // SIGKILL: no shutdown, sends left in flight
		b.proc.Wait()
	}
}

func (b *broadcastRun) close() {
	b.statuses.stop()
	if b.proc != nil && b.proc.ProcessState == nil {
		b.proc.Process.Signal(syscall.SIGTERM)
		b.proc.Wait()
	}
	if b.st != nil {
		b.st.Close()
		b.st = nil
	}
	b.graph.Close()
}

// pacing measures the send rate over the sends after a 5-second warm-up,
// and the spread of the per-second counts.
func (b *broadcastRun) pacing(r *broadcastReport, rate float64, start time.Time) {
	b.mu.Lock()
	times := append([]time.Time(nil), b.times...)
	b.mu.Unlock()
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	warm := start.Add(5 * time.Second)
	var measured []time.Time
	for _, t := range times {
		if !t.Before(warm) && (r.KilledAtS == 0 || t.Before(start.Add(time.Duration(r.KilledAtS*float64(time.Second))))) {
			measured = append(measured, t)
		}
	}
	r.SentInWindow = len(times)
	if len(measured) < 2 {
		return
	}
	if r.FannedOut {
		fanned := start.Add(time.Duration(r.FanOutS * float64(time.Second)))
		var after []time.Time
		for _, t := range measured {
			if t.After(fanned) {
				after = append(after, t)
			}
		}
		if len(after) > 2 {
			r.AfterFanOutPerS = float64(len(after)-1) / after[len(after)-1].Sub(after[0]).Seconds()
		}
	}
	span := measured[len(measured)-1].Sub(measured[0]).Seconds()
	r.WindowS = span
	r.SendPerS = float64(len(measured)-1) / span
	r.PacingErrorPct = math.Abs(r.SendPerS-rate) / rate * 100
	perSecond := map[int64]int{}
	for _, t := range measured {
		perSecond[t.Unix()]++
	}
	var counts []int
	first, last := measured[0].Unix()+1, measured[len(measured)-1].Unix()-1 // whole seconds only
	for s := first; s <= last; s++ {
		counts = append(counts, perSecond[s])
	}
	sort.Ints(counts)
	if len(counts) > 0 {
		r.SecondP10, r.SecondP90 = counts[len(counts)/10], counts[len(counts)*9/10]
	}
}

// twice counts recipients sent the alert more than once, and opted-out
// ones sent it at all.
func (b *broadcastRun) twice(optOutEvery int64) (twice, toOptedOut int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, n := range b.count {
		if n > 1 {
			twice++
		}
		if n > 0 && optOutEvery > 0 && int64(i)%optOutEvery == 0 {
			toOptedOut++
		}
	}
	return twice, toOptedOut
}

// skipped counts recipients who should have had the alert and did not.
func (b *broadcastRun) skipped(recipients, optOutEvery int64) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	var n int64
	for i := int64(1); i <= recipients; i++ {
		if b.count[i] == 0 && (optOutEvery == 0 || i%optOutEvery != 0) {
			n++
		}
	}
	return n
}

// statusPoster plays Meta's status webhooks: each message the fake takes
// is reported "delivered", up to 100 in one delivery, re-posted until the
// server takes it (through a crash too).
type statusPoster struct {
	b       *broadcastRun
	queue   chan whatsapp.Captured
	posts   atomic.Int64
	pending atomic.Int64
	cancel  context.CancelFunc
	done    sync.WaitGroup
}

func newStatusPoster(ctx context.Context, b *broadcastRun) *statusPoster {
	ctx, cancel := context.WithCancel(ctx)
	p := &statusPoster{b: b, queue: make(chan whatsapp.Captured, 2_000_000), cancel: cancel}
	for range 4 {
		p.done.Add(1)
		go p.run(ctx)
	}
	return p
}

// add is called with the fake locked: it must not block.
func (p *statusPoster) add(c whatsapp.Captured) {
	select {
	case p.queue <- c:
		p.pending.Add(1)
	default:
	}
}

func (p *statusPoster) run(ctx context.Context) {
	defer p.done.Done()
	for ctx.Err() == nil {
		var batch []whatsapp.Captured
		select {
		case c := <-p.queue:
			batch = append(batch, c)
		case <-ctx.Done():
			return
		}
	fill:
		for len(batch) < 100 {
			select {
			case c := <-p.queue:
				batch = append(batch, c)
			case <-time.After(20 * time.Millisecond):
				break fill
			}
		}
		body, err := p.b.fake.StatusWebhook(p.b.c.phoneNumberID, "delivered", batch...)
		if err == nil {
			if took, _ := p.b.poster.deliverBody(ctx, body, time.Now().Add(10*time.Minute)); took > 0 {
				p.posts.Add(1)
			}
		}
		p.pending.Add(-int64(len(batch)))
	}
}

// drain waits, up to d, for the statuses queued to be posted.
func (p *statusPoster) drain(d time.Duration) {
	for end := time.Now().Add(d); p.pending.Load() > 0 && time.Now().Before(end); {
		time.Sleep(100 * time.Millisecond)
	}
}

func (p *statusPoster) stop() {
	p.cancel()
	p.done.Wait()
}

// citizenLoad is other citizens writing during the broadcast.
type citizenLoad struct {
	sent   atomic.Int64
	cancel context.CancelFunc
	done   sync.WaitGroup
}

// citizens posts texts at rate from 200 numbers (9180...), each message
// re-posted until taken; their replies' latency is read from the
// database afterwards.
func (b *broadcastRun) citizens(ctx context.Context, rate float64) *citizenLoad {
	ctx, cancel := context.WithCancel(ctx)
	l := &citizenLoad{cancel: cancel}
	if rate <= 0 {
		return l
	}
	texts := []string{"income certificate kavali", "मुझे राशन कार्ड चाहिए", "pension status", "నాకు కుల ధృవీకరణ పత్రం కావాలి", "hi"}
	l.done.Add(1)
	go func() {
		defer l.done.Done()
		tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			m := whatsapp.SimulatedMessage{From: fmt.Sprintf("9180%08d", i%200), ID: fmt.Sprintf("wamid.bc%d.%d", time.Now().UnixNano(), i), Text: texts[i%len(texts)]}
			l.done.Add(1)
			go func() {
				defer l.done.Done()
				if took, _ := b.poster.deliver(ctx, m, time.Now().Add(time.Minute)); took > 0 {
					l.sent.Add(1)
				}
			}()
		}
	}()
	return l
}

func (l *citizenLoad) stop() {
	l.cancel()
	l.done.Wait()
}
