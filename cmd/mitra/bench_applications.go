package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/dialog"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp"
	"github.com/mitra-gov/mitra/whatsapp/flows"
)

// `mitra bench applications`: simulated citizens complete applications at
// once, some answering in the chat one question at a time, some through a
// WhatsApp Flow that a fake client encrypts as Meta's does; afterwards the
// bench checks that every completed submission was stored once with all
// its answers and confirmed exactly once.

type applicationsBenchReport struct {
	Citizens           int     `json:"citizens"`
	Concurrency        int     `json:"concurrency"`
	Rate               float64 `json:"rate,omitempty"`
	FlowShare          float64 `json:"flow_share"`
	DurationS          float64 `json:"duration_s"`
	Completed          int     `json:"completed"`
	ChatCompleted      int     `json:"chat_completed"`
	FlowCompleted      int     `json:"flow_completed"`
	Failed             int     `json:"failed"`
	ApplicationsPerSec float64 `json:"applications_per_sec"`
	Messages           int64   `json:"messages"`
	MessagesPerSec     float64 `json:"messages_per_sec"`
	StepP50MS          float64 `json:"step_p50_ms"`
	StepP99MS          float64 `json:"step_p99_ms"`
	FlowRequests       int     `json:"flow_requests"`
	FlowEndpointP50MS  float64 `json:"flow_endpoint_p50_ms"`
	FlowEndpointP99MS  float64 `json:"flow_endpoint_p99_ms"`
	Stored             int     `json:"stored"`
	Incomplete         int     `json:"incomplete"`
	Lost               int     `json:"lost"`
	Duplicates         int     `json:"duplicates"`
	Confirmations      int     `json:"confirmations"`
	Services           int     `json:"services"`
	DatabaseDropped    bool    `json:"database_dropped"`
}

func runApplicationsBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := newFlagSet("bench applications", stderr)
	citizens := fl.Int("citizens", 400, "applications to complete, one citizen each")
	concurrency := fl.Int("concurrency", 80, "citizens filling a form at once")
	flowShare := fl.Float64("flow-share", 0.5, "share of citizens who use a WhatsApp Flow instead of the chat")
	rate := fl.Float64("rate", 0, "citizens starting an application a second (open loop, for latency at a load); 0: as many at once as -concurrency, as fast as replies come (throughput)")
	asJSON := fl.Bool("json", false, "print one JSON object")
	cpuProfile := fl.String("cpuprofile", "", "write a CPU profile of the whole run (server and citizens) to this file")
	admin := os.Getenv("MITRA_DATABASE_URL")
	// The citizens answer as fast as replies come, far faster than people:
	// their per-citizen limit is lifted; throughput is measured.
	c := &serveConfig{addr: "127.0.0.1:0", opsAddr: "127.0.0.1:0", index: "memory", simulator: true, sendRate: 5000, processWorkers: 16, sendWorkers: 32,
		citizenRate: 1e6, citizenBurst: 1e6, sweepEvery: -1}
	c.engine.register(fl)
	if err := fl.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if admin == "" {
		return usagef("bench applications needs MITRA_DATABASE_URL (scripts/pg start prints one)")
	}
	if *citizens <= 0 || *concurrency <= 0 || *flowShare < 0 || *flowShare > 1 || *rate < 0 {
		return usagef("bench applications: citizens and concurrency must be positive, flow-share between 0 and 1")
	}
	dbURL, drop, err := store.CreateDatabase(ctx, admin, fmt.Sprintf("mitra_bench_apps_%d", time.Now().UnixNano()))
	if err != nil {
		return err
	}
	defer drop()
	c.dbURL = dbURL
	if err := c.validate(); err != nil {
		return err
	}
	tg, err := startTarget(ctx, c, 0, false, stderr)
	if err != nil {
		return err
	}
	defer tg.close()
	cat, err := c.engine.loadCatalog()
	if err != nil {
		return err
	}
	b, err := newApplicationsBench(cat, tg, c)
	if err != nil {
		return err
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	report := applicationsBenchReport{Citizens: *citizens, Concurrency: *concurrency, FlowShare: *flowShare, Rate: *rate, Services: len(b.services)}
	start := time.Now()
	var wg sync.WaitGroup
	var chatDone, flowDone, failed atomic.Int64
	work := make(chan int)
	for range *concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				// Flows are spread evenly among the citizens.
				useFlow := math.Floor(float64(i+1)**flowShare) > math.Floor(float64(i)**flowShare)
				var err error
				if useFlow {
					err = b.applyByFlow(ctx, i)
				} else {
					err = b.applyInChat(ctx, i)
				}
				switch {
				case err != nil:
					failed.Add(1)
					b.noteFailure(stderr, err)
				case useFlow:
					flowDone.Add(1)
				default:
					chatDone.Add(1)
				}
			}
		}()
	}
	// Open loop: a citizen starts every 1/rate seconds whether or not the
	// others are done (up to -concurrency in flight).
	var tick <-chan time.Time
	if *rate > 0 {
		t := time.NewTicker(time.Duration(float64(time.Second) / *rate))
		defer t.Stop()
		tick = t.C
	}
	for i := range *citizens {
		if tick != nil {
			<-tick
		}
		work <- i
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(start)
	report.DurationS = elapsed.Seconds()
	report.ChatCompleted, report.FlowCompleted, report.Failed = int(chatDone.Load()), int(flowDone.Load()), int(failed.Load())
	report.Completed = report.ChatCompleted + report.FlowCompleted
	report.ApplicationsPerSec = float64(report.Completed) / elapsed.Seconds()
	report.Messages = b.messages.Load()
	report.MessagesPerSec = float64(report.Messages) / elapsed.Seconds()
	steps, flowLat := b.latencies()
	report.StepP50MS, report.StepP99MS = ms(pct(steps, 0.5)), ms(pct(steps, 0.99))
	report.FlowRequests = len(flowLat)
	report.FlowEndpointP50MS, report.FlowEndpointP99MS = ms(pct(flowLat, 0.5)), ms(pct(flowLat, 0.99))
	// A moment for the last confirmations' bookkeeping, then the check.
	time.Sleep(500 * time.Millisecond)
	if err := b.verify(ctx, &report); err != nil {
		return err
	}
	tg.close()
	drop()
	report.DatabaseDropped = true
	// Losing or doubling a citizen's application is a failure whatever
	// the speed: the command says so with its exit status, after the
	// figures.
	var bad error
	if report.Lost > 0 || report.Duplicates > 0 || report.Incomplete > 0 || report.Failed > 0 {
		bad = fmt.Errorf("bench applications: %d lost, %d duplicates, %d incomplete, %d failed", report.Lost, report.Duplicates, report.Incomplete, report.Failed)
	}
	if *asJSON {
		if err := json.NewEncoder(stdout).Encode(report); err != nil {
			return err
		}
		return bad
	}
	fmt.Fprintf(stdout, "applications: %d completed in %.1fs (%.1f/s; %d in the chat, %d by Flow), %d failed\n",
		report.Completed, report.DurationS, report.ApplicationsPerSec, report.ChatCompleted, report.FlowCompleted, report.Failed)
	fmt.Fprintf(stdout, "messages: %d (%.0f/s); chat step p50 %.1f ms, p99 %.1f ms\n", report.Messages, report.MessagesPerSec, report.StepP50MS, report.StepP99MS)
	fmt.Fprintf(stdout, "flow endpoint: %d requests, p50 %.1f ms, p99 %.1f ms\n", report.FlowRequests, report.FlowEndpointP50MS, report.FlowEndpointP99MS)
	fmt.Fprintf(stdout, "verified: %d stored, %d incomplete, %d lost, %d duplicates, %d confirmations\n",
		report.Stored, report.Incomplete, report.Lost, report.Duplicates, report.Confirmations)
	return bad
}

// applicationsBench is the citizens' side: a webhook poster, an inbox per
// citizen fed by the fake Graph API, and a Flow client per Flow.
type applicationsBench struct {
	cat      *catalog.Catalog
	tg       *benchTarget
	poster   *webhookPoster
	endpoint string
	appKey   string
	flowKey  *rsa.PublicKey
	services []string
	flowJSON map[string][]byte

	inboxes       sync.Map // citizen -> chan whatsapp.Captured
	mu            sync.Mutex
	confirmations map[string]int
	// submitted are the citizens whose last message (Submit, or the
	// Flow's completion) the webhook acknowledged: each must have one
	// record and one confirmation.
	submitted   sync.Map
	steps, flow []time.Duration
	messages    atomic.Int64
	failures    atomic.Int64
}

func newApplicationsBench(cat *catalog.Catalog, tg *benchTarget, c *serveConfig) (*applicationsBench, error) {
	base := strings.TrimSuffix(tg.webhooks[0], "/webhook")
	b := &applicationsBench{cat: cat, tg: tg, endpoint: base + "/flows/endpoint", appKey: tg.secret, flowJSON: map[string][]byte{},
		confirmations: map[string]int{},
		poster:        newWebhookPoster(tg.webhooks, tg.secret, c.phoneNumberID)}
	if c.flowKey == nil {
		return nil, errors.New("bench applications: the simulator made no Flows key")
	}
	// The services any citizen can complete without a photo: every
	// required question has an example answer.
	for _, f := range cat.Forms {
		if len(f.Services) == 0 {
			continue
		}
		_, fields, _ := cat.FormFor(f.Services[0])
		if !slices.ContainsFunc(fields, func(fl *catalog.Field) bool { _, ok := fl.Example(); return fl.Required && !ok }) {
			b.services = append(b.services, f.Services[0])
			doc, err := buildFlow(cat, f, catalog.English)
			if err != nil {
				return nil, err
			}
			b.flowJSON[f.Services[0]] = doc
		}
	}
	if len(b.services) == 0 {
		return nil, errors.New("bench applications: no form can be filled without a photo")
	}
	sort.Strings(b.services)
	confirmation := "Reference number"
	tg.fake.Watch(func(m whatsapp.Captured) {
		if bytes.Contains(m.Payload, []byte(confirmation)) {
			b.confirmations[m.To]++ // under the fake's lock
		}
		if ch, ok := b.inboxes.Load(m.To); ok {
			select {
			case ch.(chan whatsapp.Captured) <- m:
			default:
			}
		}
	})
	b.flowKey = &c.flowKey.PublicKey
	return b, nil
}

func (b *applicationsBench) noteFailure(stderr io.Writer, err error) {
	if b.failures.Add(1) <= 5 {
		fmt.Fprintln(stderr, "bench applications:", err)
	}
}

func (b *applicationsBench) latencies() (steps, flow []time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	steps, flow = slices.Clone(b.steps), slices.Clone(b.flow)
	slices.Sort(steps)
	slices.Sort(flow)
	return steps, flow
}

// benchCitizen is one citizen's side of the chat.
type benchCitizen struct {
	b       *applicationsBench
	from    string
	inbox   chan whatsapp.Captured
	seq     int
	updated time.Time
	// state is the conversation as the last reply left it.
	state dialog.State
}

func (b *applicationsBench) citizen(i int) *benchCitizen {
	c := &benchCitizen{b: b, from: fmt.Sprintf("9192%08d", i), inbox: make(chan whatsapp.Captured, 256)}
	b.inboxes.Store(c.from, c.inbox)
	return c
}

// send posts one message and waits until the conversation has taken it
// (its state moved on) and its first reply arrived.
func (c *benchCitizen) send(ctx context.Context, m whatsapp.SimulatedMessage) error {
	c.seq++
	m.From, m.ID = c.from, fmt.Sprintf("wamid.APP%s-%d", c.from, c.seq)
	t0 := time.Now()
	deadline := t0.Add(60 * time.Second)
	if lat, _ := c.b.poster.deliver(ctx, m, deadline); lat == 0 {
		return fmt.Errorf("%s: webhook not acknowledged", c.from)
	}
	c.b.messages.Add(1)
	for {
		select {
		case <-c.inbox:
		case <-time.After(time.Until(deadline)):
			return fmt.Errorf("%s: no reply to message %d", c.from, c.seq)
		}
		st, err := c.b.tg.store.Conversation(ctx, c.from)
		if err != nil {
			return err
		}
		if st.Updated.After(c.updated) {
			c.updated, c.state = st.Updated, st
			c.b.mu.Lock()
			c.b.steps = append(c.b.steps, time.Since(t0))
			c.b.mu.Unlock()
			return nil
		}
	}
}

func (c *benchCitizen) tap(ctx context.Context, id string) error {
	return c.send(ctx, whatsapp.SimulatedMessage{OptionID: id, OptionTitle: id, OptionKind: "button"})
}

// applyInChat fills a form one question at a time with each field's
// example answer.
func (b *applicationsBench) applyInChat(ctx context.Context, i int) error {
	c := b.citizen(i)
	service := b.services[i%len(b.services)]
	if err := c.tap(ctx, "applychat:"+service); err != nil {
		return err
	}
	if err := c.tap(ctx, "consent:yes"); err != nil {
		return err
	}
	_, fields, _ := b.cat.FormFor(service)
	for step := 0; ; step++ {
		var err error
		d := c.state.Draft
		switch {
		case step > 80:
			return fmt.Errorf("%s: the form never ended", c.from)
		case d == nil:
			return fmt.Errorf("%s: the draft is gone before submitting", c.from)
		case d.Stage == "summary":
			return c.finish(ctx, whatsapp.SimulatedMessage{OptionID: "submit", OptionTitle: "Submit", OptionKind: "button"})
		case d.Stage != "question":
			return fmt.Errorf("%s: the form stands at %q", c.from, d.Stage)
		}
		i := slices.IndexFunc(fields, func(f *catalog.Field) bool { return f.ID == d.Field })
		if i < 0 {
			return fmt.Errorf("%s: no field %q", c.from, d.Field)
		}
		f := fields[i]
		v, ok := f.Example()
		switch {
		case !ok:
			err = c.tap(ctx, "skip")
		case f.Type == "choice" || f.Type == "yes_no":
			err = c.tap(ctx, "ans:"+v)
		default:
			err = c.send(ctx, whatsapp.SimulatedMessage{Text: v})
		}
		if err != nil {
			return err
		}
	}
}

// applyByFlow opens the service's Flow, walks it with a client that
// encrypts as Meta's does, and sends the completion message.
func (b *applicationsBench) applyByFlow(ctx context.Context, i int) error {
	c := b.citizen(i)
	service := b.services[i%len(b.services)]
	c.seq++
	m := whatsapp.SimulatedMessage{From: c.from, ID: fmt.Sprintf("wamid.APP%s-%d", c.from, c.seq), OptionID: "apply:" + service, OptionTitle: "Apply", OptionKind: "button"}
	if lat, _ := b.poster.deliver(ctx, m, time.Now().Add(60*time.Second)); lat == 0 {
		return fmt.Errorf("%s: webhook not acknowledged", c.from)
	}
	b.messages.Add(1)
	token := ""
	deadline := time.After(60 * time.Second)
	for token == "" {
		select {
		case got := <-c.inbox:
			token = flowTokenOf(got)
		case <-deadline:
			return fmt.Errorf("%s: no Flow arrived", c.from)
		}
	}
	fc := flows.NewFakeClient(b.flowKey, b.endpoint, b.appKey)
	if err := fc.UseFlow(b.flowJSON[service]); err != nil {
		return err
	}
	timed := func(f func() (flows.FakeScreen, error)) (flows.FakeScreen, error) {
		t0 := time.Now()
		s, err := f()
		b.mu.Lock()
		b.flow = append(b.flow, time.Since(t0))
		b.mu.Unlock()
		return s, err
	}
	screen, err := timed(func() (flows.FakeScreen, error) { return fc.Init(ctx, token) })
	if err != nil {
		return err
	}
	_, fields, _ := b.cat.FormFor(service)
	answers := map[string]any{"consent": true}
	for _, f := range fields {
		if v, ok := f.Example(); ok {
			answers[f.ID] = v
		}
	}
	for n := 0; screen.ID != flows.ScreenSuccess; n++ {
		if n > 20 {
			return fmt.Errorf("%s: the Flow never ended", c.from)
		}
		id := screen.ID
		if screen, err = timed(func() (flows.FakeScreen, error) { return fc.Submit(ctx, id, answers) }); err != nil {
			return fmt.Errorf("%s: %s: %w", c.from, id, err)
		}
	}
	params, err := json.Marshal(screen.Data["extension_message_response"].(map[string]any)["params"])
	if err != nil {
		return err
	}
	return c.finish(ctx, whatsapp.SimulatedMessage{FlowResponse: string(params)})
}

// finish sends the message that submits, and waits for the confirmation.
func (c *benchCitizen) finish(ctx context.Context, m whatsapp.SimulatedMessage) error {
	c.b.submitted.Store(c.from, true)
	return c.send(ctx, m)
}

// flowTokenOf reads the flow_token of a Flow message, "" for any other.
func flowTokenOf(m whatsapp.Captured) string {
	var msg struct {
		Interactive struct {
			Type   string `json:"type"`
			Action struct {
				Parameters struct {
					FlowToken string `json:"flow_token"`
				} `json:"parameters"`
			} `json:"action"`
		} `json:"interactive"`
	}
	if json.Unmarshal(m.Payload, &msg) != nil || msg.Interactive.Type != "flow" {
		return ""
	}
	return msg.Interactive.Action.Parameters.FlowToken
}

// verify checks the database against what the citizens completed: one
// record each, every required answer kept, one confirmation each.
func (b *applicationsBench) verify(ctx context.Context, r *applicationsBenchReport) error {
	records, err := b.tg.store.AllApplications(ctx)
	if err != nil {
		return err
	}
	per := map[string]int{}
	for _, rec := range records {
		per[rec.Citizen]++
		_, fields, _ := b.cat.FormFor(rec.Service)
		for _, f := range fields {
			if _, ok := f.Example(); ok && f.Required && (f.ShowIf == nil || rec.Answers[f.ShowIf.Field] == f.ShowIf.Equals) && rec.Answers[f.ID] == "" {
				r.Incomplete++
				break
			}
		}
	}
	r.Stored = len(records)
	b.tg.fake.Watch(nil)
	for from, n := range per {
		if _, ok := b.submitted.Load(from); !ok {
			r.Duplicates += n // stored without being submitted: a stray record
		}
	}
	b.submitted.Range(func(k, _ any) bool {
		from := k.(string)
		n, confirmed := per[from], b.confirmations[from]
		switch {
		case n == 0 || confirmed == 0:
			r.Lost++
		case n > 1 || confirmed > 1:
			r.Duplicates += max(n, confirmed) - 1
		}
		r.Confirmations += confirmed
		return true
	})
	return nil
}
