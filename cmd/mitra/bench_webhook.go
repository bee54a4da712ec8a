package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/mitra-gov/mitra/internal/loadgen"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp"
)

type webhookBenchReport struct {
	Rate           float64 `json:"rate"`
	DurationS      float64 `json:"duration_s"`
	Sent           int     `json:"sent"`
	Accepted       int     `json:"accepted"`
	Retries        int     `json:"webhook_retries"`
	ThroughputPerS float64 `json:"throughput_per_s"`
	AckP50MS       float64 `json:"ack_p50_ms"`
	AckP99MS       float64 `json:"ack_p99_ms"`
	ReplyP50MS     float64 `json:"reply_p50_ms"`
	ReplyP99MS     float64 `json:"reply_p99_ms"`
	Stored         int     `json:"stored"`
	Unprocessed    int     `json:"unprocessed"`
	Lost           int     `json:"lost"`
	OutboxRows     int     `json:"outbox_rows"`
	OutboxUnsent   int     `json:"outbox_unsent"`
	GraphSends     int     `json:"graph_sends"`
	DuplicateSends int     `json:"duplicate_sends"`
	GraphFailRate  float64 `json:"graph_fail_rate"`
	RestartedDB    bool    `json:"restarted_db"`
	MaxIngestPerS  float64 `json:"max_ingest_per_s"`
	// IngestBusyPerS is unpaced ingest while the jobs it queues are
	// processed on the same cores, as in service.
	IngestBusyPerS  float64 `json:"max_ingest_processing_per_s"`
	BareInsertPerS  float64 `json:"bare_insert_per_s"`
	IngestOverBare  float64 `json:"ingest_over_bare"`
	DrainS          float64 `json:"drain_s"`
	Concurrency     int     `json:"concurrency"`
	DatabaseCleaned bool    `json:"database_dropped"`
	Flooders        int     `json:"flooders"`
	FloodSent       int     `json:"flood_sent"`
	FloodReplies    int     `json:"flood_replies"`
	NormalP50MS     float64 `json:"normal_reply_p50_ms"`
	NormalP99MS     float64 `json:"normal_reply_p99_ms"`
	KilledServe     bool    `json:"killed_serve"`
	KilledAtS       float64 `json:"killed_at_s,omitempty"`
	ReplyMaxMS      float64 `json:"reply_max_ms"`
	ConsoleProbes   int     `json:"console_probes,omitempty"`
	ConsoleP50MS    float64 `json:"console_p50_ms,omitempty"`
	// Services is the catalogue's size (-services synthesises one), and
	// RSSMB the peak resident memory of this process: the server, its
	// engine and the load generator, which is a few MB of it.
	Services      int     `json:"services"`
	RSSMB         float64 `json:"rss_mb"`
	RSSNowMB      float64 `json:"rss_after_mb"`
	ConsoleP99MS  float64 `json:"console_p99_ms,omitempty"`
	ConsoleFailed int     `json:"console_failed,omitempty"`
	// CPUMSPerMessage is this process's CPU (server, load generator and
	// fake Graph API) over the paced load and its drain, a message; and
	// DBCPUMSPerMessage the database's, when it runs on this machine.
	CPUMSPerMessage   float64 `json:"cpu_ms_per_message"`
	DBCPUMSPerMessage float64 `json:"db_cpu_ms_per_message,omitempty"`
}

// runWebhookBench drives a whole server on loopback with signed webhooks
// at a fixed rate for a bounded time, then checks that every message was
// stored once and answered once. It creates its own database on the
// server of MITRA_DATABASE_URL and drops it afterwards.
func runWebhookBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := newFlagSet("bench webhook", stderr)
	rate := fl.Float64("rate", 1000, "webhook messages per second")
	duration := fl.Duration("duration", 60*time.Second, "how long to send")
	users := fl.Int("users", 500, "distinct citizens")
	concurrency := fl.Int("concurrency", 64, "requests in flight at most")
	failRate := fl.Float64("graph-fail", 0, "share of Graph API sends the fake fails (429 or 500)")
	restart := fl.Bool("restart-db", false, "restart PostgreSQL (scripts/pg) halfway through")
	killServe := fl.Bool("kill-serve", false, "serve from two `mitra serve` processes and kill -9 the first halfway through; the second takes over")
	flooders := fl.Int("flooders", 0, "numbers that flood the server besides the citizens (their replies are throttled)")
	floodRate := fl.Float64("flood-rate", 33, "messages a second each flooding number sends")
	asJSON := fl.Bool("json", false, "print one JSON object")
	cpuProfile := fl.String("cpuprofile", "", "write a CPU profile of the paced load and its drain (server and load generator, one process) to this file")
	memProfile := fl.String("memprofile", "", "write a heap profile, taken after the load, to this file")
	probeConsole := fl.Bool("console", false, "sign an operator in to the console and time its dashboard's live figures every 250 ms during the load")
	admin := os.Getenv("MITRA_DATABASE_URL")
	// Throughput, not throttling, is measured: the bench's citizens write
	// far faster than people do, so their limit is lifted.
	c := &serveConfig{addr: "127.0.0.1:0", opsAddr: "127.0.0.1:0", index: "memory", simulator: true, sendRate: 5000, processWorkers: 16, sendWorkers: 32,
		citizenRate: 1e6, citizenBurst: 1e6}
	c.engine.register(fl)
	if err := fl.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if admin == "" {
		return usagef("bench webhook needs MITRA_DATABASE_URL (scripts/pg start prints one)")
	}
	if *rate <= 0 || *duration <= 0 || *duration > 10*time.Minute || *users <= 0 {
		return usagef("bench webhook: rate and users must be positive, duration at most 10m")
	}
	// --restart-db restarts the cluster of MITRA_DATABASE_URL, and only a
	// local one that scripts/pg runs: never whichever it would pick.
	var pgPort string
	if *restart {
		u, err := url.Parse(admin)
		if err != nil || !isLoopbackHost(u.Hostname()) || u.Port() == "" {
			return usagef("--restart-db needs MITRA_DATABASE_URL on a local cluster with its port (scripts/pg start prints one)")
		}
		pgPort = u.Port()
	}
	dbURL, drop, err := store.CreateDatabase(ctx, admin, fmt.Sprintf("mitra_bench_%d", time.Now().Unix()))
	if err != nil {
		return err
	}
	report := webhookBenchReport{Rate: *rate, GraphFailRate: *failRate, RestartedDB: *restart, Concurrency: *concurrency}
	defer drop() // on the early ways out; dropping twice is harmless

	c.dbURL = dbURL
	if *flooders > 0 {
		// Throttling is what is measured: the citizens' own limits apply,
		// so -rate and -users must make them write like people.
		c.citizenRate, c.citizenBurst = 20, 10
	}
	if err := c.validate(); err != nil {
		return err
	}
	// The floor: bare insert+commit from as many connections as the load
	// has in flight, on a pool of its own, before the server starts, so
	// that it shares neither connections nor cores with a backlog.
	if report.BareInsertPerS, err = bareInsertFloor(ctx, dbURL, *concurrency); err != nil {
		return err
	}
	tg, err := startTarget(ctx, c, *failRate, *killServe, stderr)
	if err != nil {
		return err
	}
	defer tg.close()
	report.KilledServe = *killServe
	cat, err := c.engine.loadCatalog()
	if err != nil {
		return err
	}
	cases, err := loadCases("", cat)
	if err != nil {
		return err
	}
	poster := newWebhookPoster(tg.webhooks, tg.secret, c.phoneNumberID)

	// Paced load, Meta-style: a message is re-posted until it gets 200.
	total := int(*rate * duration.Seconds())
	var acks []time.Duration
	var mu sync.Mutex
	var accepted, retries atomic.Int64
	jobs := make(chan int, *concurrency)
	var wg sync.WaitGroup
	for w := 0; w < *concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				msg := whatsapp.SimulatedMessage{From: fmt.Sprintf(normalPrefix+"%08d", i%*users), ID: fmt.Sprintf("wamid.BENCH%09d", i),
					Text: cases[i%len(cases)].Text}
				lat, tries := poster.deliver(ctx, msg, time.Now().Add(*duration+60*time.Second))
				retries.Add(int64(tries - 1))
				if lat > 0 {
					accepted.Add(1)
					mu.Lock()
					acks = append(acks, lat)
					mu.Unlock()
				}
			}
		}()
	}
	if *killServe {
		report.KilledAtS = (*duration / 2).Seconds()
		go func() {
			time.Sleep(*duration / 2)
			tg.kill()
		}()
	}
	if *restart {
		go func() {
			time.Sleep(*duration / 2)
			for _, step := range []string{"stop", "start"} {
				cmd := exec.Command("./scripts/pg", step)
				cmd.Env = append(os.Environ(), "MITRA_PGPORT="+pgPort)
				cmd.Stdout, cmd.Stderr = io.Discard, stderr
				if err := cmd.Run(); err != nil {
					fmt.Fprintf(stderr, "restart PostgreSQL (%s): %v\n", step, err)
				}
			}
		}()
	}
	var probe *consoleProbe
	probeCtx, stopProbe := context.WithCancel(ctx)
	defer stopProbe()
	if *probeConsole {
		if probe, err = newConsoleProbe(ctx, tg.store, strings.TrimSuffix(tg.webhooks[0], "/webhook")); err != nil {
			return err
		}
		go probe.run(probeCtx, 250*time.Millisecond)
	}
	// The profile covers the paced load and its drain, not the capacity
	// runs after it.
	stopProfile := func() {}
	if *cpuProfile != "" {
		if stopProfile, err = startCPUProfile(*cpuProfile); err != nil {
			return err
		}
		defer stopProfile()
	}
	backend, _ := tg.store.BackendPID(ctx)
	cpu0 := processCPU()
	db0, dbLocal := clusterCPU(backend)
	start := time.Now()
	var floodSent atomic.Int64
	var floodWG sync.WaitGroup
	for f := range *flooders {
		floodWG.Add(1)
		go func() {
			defer floodWG.Done()
			floodSent.Add(int64(flood(ctx, poster, f, *floodRate, *duration)))
		}()
	}
	for i := 0; i < total; i++ {
		if d := time.Until(start.Add(time.Duration(float64(i) / *rate * float64(time.Second)))); d > 0 {
			time.Sleep(d)
		}
		select {
		case jobs <- i:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	floodWG.Wait()
	stopProbe()
	if probe != nil {
		report.ConsoleProbes, report.ConsoleP50MS, report.ConsoleP99MS, report.ConsoleFailed = probe.result()
	}
	report.Flooders, report.FloodSent = *flooders, int(floodSent.Load())
	elapsed := time.Since(start)
	report.Sent, report.Accepted, report.Retries = total, int(accepted.Load()), int(retries.Load())
	report.DurationS = elapsed.Seconds()
	report.ThroughputPerS = float64(report.Accepted) / elapsed.Seconds()
	sort.Slice(acks, func(i, j int) bool { return acks[i] < acks[j] })
	report.AckP50MS, report.AckP99MS = ms(pct(acks, .50)), ms(pct(acks, .99))

	// Drain, then verify: stored once, answered once.
	drainStart := time.Now()
	for time.Since(drainStart) < 3*time.Minute {
		if pending, err := tg.store.Pending(ctx); err == nil && pending == 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	report.DrainS = time.Since(drainStart).Seconds()
	stopProfile()
	if n := float64(total); n > 0 {
		report.CPUMSPerMessage = ms(processCPU()-cpu0) / n
		if db1, ok := clusterCPU(backend); ok && dbLocal {
			report.DBCPUMSPerMessage = ms(db1-db0) / n
		}
	}
	counts, err := tg.store.Totals(ctx)
	if err != nil {
		return err
	}
	report.Stored, report.Unprocessed, report.OutboxRows, report.OutboxUnsent = counts.Inbound, counts.Unprocessed, counts.Outbox, counts.OutboxUnsent
	report.Lost = total + report.FloodSent - report.Stored
	report.GraphSends = tg.fake.SentCount()
	report.DuplicateSends = report.GraphSends - (report.OutboxRows - report.OutboxUnsent)
	if report.ReplyP50MS, report.ReplyP99MS, err = tg.store.ReplyLatency(ctx, ""); err != nil {
		return err
	}
	if report.NormalP50MS, report.NormalP99MS, err = tg.store.ReplyLatency(ctx, normalPrefix); err != nil {
		return err
	}
	for _, m := range tg.fake.Sent() {
		if strings.HasPrefix(m.To, floodPrefix) {
			report.FloodReplies++
		}
	}

	// Capacity: unpaced ingest against the bare insert+commit floor
	// measured before the load, same concurrency, same database.
	if report.ReplyMaxMS, err = tg.store.ReplyLatencyMax(ctx); err != nil {
		return err
	}
	// Ingest alone, the processing paused as the floor had nothing else
	// running; then with the processing of what it queues.
	if err := tg.store.PauseQueue(ctx, store.QueueProcess); err != nil {
		return err
	}
	time.Sleep(time.Second) // the servers hear of the pause
	report.MaxIngestPerS = maxIngest(ctx, poster, *concurrency, 5*time.Second, "A")
	if err := tg.store.ResumeQueue(ctx, store.QueueProcess); err != nil {
		return err
	}
	report.IngestBusyPerS = maxIngest(ctx, poster, *concurrency, 5*time.Second, "B")
	if report.BareInsertPerS > 0 {
		report.IngestOverBare = report.MaxIngestPerS / report.BareInsertPerS
	}
	report.Services, report.RSSMB, report.RSSNowMB = len(cat.Services), peakRSSMB(), residentMB()
	if *memProfile != "" {
		if err := writeHeapProfile(*memProfile); err != nil {
			return err
		}
	}
	// The report says whether the database was dropped, so drop it first.
	tg.close()
	report.DatabaseCleaned = drop() == nil
	if *asJSON {
		return json.NewEncoder(stdout).Encode(report)
	}
	fmt.Fprintf(stdout, "sent %d at %.0f/s for %.1fs: accepted %d (%.0f/s), webhook retries %d\n", report.Sent, *rate, report.DurationS, report.Accepted, report.ThroughputPerS, report.Retries)
	fmt.Fprintf(stdout, "ack p50 %.1f ms, p99 %.1f ms; reply end to end p50 %.1f ms, p99 %.1f ms (drained in %.1fs)\n", report.AckP50MS, report.AckP99MS, report.ReplyP50MS, report.ReplyP99MS, report.DrainS)
	if probe != nil {
		fmt.Fprintf(stdout, "console dashboard during the load: %d fetches, p50 %.1f ms, p99 %.1f ms, %d failed\n", report.ConsoleProbes, report.ConsoleP50MS, report.ConsoleP99MS, report.ConsoleFailed)
	}
	if report.KilledServe {
		fmt.Fprintf(stdout, "first server killed (-9) at %.1fs; slowest first reply %.1f s\n", report.KilledAtS, report.ReplyMaxMS/1000)
	}
	fmt.Fprintf(stdout, "CPU a message over the load and its drain: %.2f ms in this process (server, load generator, fake Graph API), %.2f ms in PostgreSQL\n",
		report.CPUMSPerMessage, report.DBCPUMSPerMessage)
	fmt.Fprintf(stdout, "stored %d (lost %d, unprocessed %d); outbox %d rows, %d unsent; Graph API sends %d, duplicates %d\n",
		report.Stored, report.Lost, report.Unprocessed, report.OutboxRows, report.OutboxUnsent, report.GraphSends, report.DuplicateSends)
	if report.Flooders > 0 {
		fmt.Fprintf(stdout, "flood: %d numbers sent %d messages and got %d replies; the citizens' replies p50 %.1f ms, p99 %.1f ms\n",
			report.Flooders, report.FloodSent, report.FloodReplies, report.NormalP50MS, report.NormalP99MS)
	}
	fmt.Fprintf(stdout, "capacity: ingest %.0f/s (%.0f/s while processing), bare insert+commit %.0f/s, ratio %.2f (concurrency %d)\n",
		report.MaxIngestPerS, report.IngestBusyPerS, report.BareInsertPerS, report.IngestOverBare, *concurrency)
	fmt.Fprintf(stdout, "%d services; RSS of server and load generator: peak %.0f MB, after the load %.0f MB\n", report.Services, report.RSSMB, report.RSSNowMB)
	if report.Lost != 0 || report.Unprocessed != 0 || report.DuplicateSends != 0 || report.OutboxUnsent != 0 {
		return fmt.Errorf("bench webhook: lost %d, unprocessed %d, unsent %d, duplicate sends %d", report.Lost, report.Unprocessed, report.OutboxUnsent, report.DuplicateSends)
	}
	return nil
}

// Senders' number prefixes: the citizens, and the flooding numbers.
const (
	normalPrefix = "9190"
	floodPrefix  = "9199"
)

// flood sends from one number at rate for d, each message posted until it
// is acknowledged, a few at a time; it returns how many were acknowledged.
func flood(ctx context.Context, p *webhookPoster, number int, rate float64, d time.Duration) int {
	var acked atomic.Int64
	var wg sync.WaitGroup
	inFlight := make(chan struct{}, 8)
	start := time.Now()
	for i := 0; time.Since(start) < d && ctx.Err() == nil; i++ {
		if w := time.Until(start.Add(time.Duration(float64(i) / rate * float64(time.Second)))); w > 0 {
			time.Sleep(w)
		}
		inFlight <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-inFlight; wg.Done() }()
			m := whatsapp.SimulatedMessage{From: fmt.Sprintf(floodPrefix+"%08d", number), ID: fmt.Sprintf("wamid.FLOOD%d_%07d", number, i),
				Text: "income certificate"}
			if lat, _ := p.deliver(ctx, m, time.Now().Add(d+time.Minute)); lat > 0 {
				acked.Add(1)
			}
		}()
	}
	wg.Wait()
	return int(acked.Load())
}

// webhookPoster posts as Meta does: each message until it is
// acknowledged. With several URLs (replicas behind a load balancer), a
// failed post goes to the next.
//
// It posts with fasthttp's client rather than net/http's: the load
// generator shares the machine's two cores with the server it loads,
// and net/http's transport (two goroutines and their channels a
// connection, a fresh request and response a post) cost a fifth of the
// machine's CPU in the ingest bench, the server's loss.
type webhookPoster struct {
	urls                  []string
	secret, phoneNumberID string
	client                *fasthttp.Client
}

// newWebhookPoster posts to urls. Like net/http's client, it opens as many
// connections as posts are in flight (the benches bound those
// themselves): a cap would make a citizen's post wait behind a flood's.
func newWebhookPoster(urls []string, secret, phoneNumberID string) *webhookPoster {
	return &webhookPoster{urls: urls, secret: secret, phoneNumberID: phoneNumberID,
		client: &fasthttp.Client{MaxConnsPerHost: 1 << 16, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second,
			NoDefaultUserAgentHeader: true}}
}

// deliver posts one message until it is acknowledged or the deadline
// passes, as Meta retries; it returns the latency of the successful post
// (0 if none) and the number of tries.
func (p *webhookPoster) deliver(ctx context.Context, m whatsapp.SimulatedMessage, deadline time.Time) (time.Duration, int) {
	m.PhoneNumberID, m.Time = p.phoneNumberID, time.Now()
	body, _ := whatsapp.SimulatedWebhook(m)
	return p.deliverBody(ctx, body, deadline)
}

// deliverBody posts a webhook body, signed, until it is acknowledged or
// the deadline passes.
func (p *webhookPoster) deliverBody(ctx context.Context, body []byte, deadline time.Time) (time.Duration, int) {
	sig := whatsapp.Sign(p.secret, body)
	req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(res)
	req.Header.SetMethod(fasthttp.MethodPost)
	req.Header.SetContentType("application/json")
	req.Header.Set("X-Hub-Signature-256", sig)
	req.SetBodyRaw(body)
	backoff := 50 * time.Millisecond
	for tries := 1; ; tries++ {
		t0 := time.Now()
		req.SetRequestURI(p.urls[(tries-1)%len(p.urls)])
		if err := p.client.Do(req, res); err == nil && res.StatusCode() == fasthttp.StatusOK {
			return time.Since(t0), tries
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return 0, tries
		}
		time.Sleep(backoff)
		backoff = min(2*backoff, 2*time.Second)
	}
}

// bareInsertFloor times single-row insert+commit for 5 s from workers
// connections of a pool of that size (the URL's pool_max_conns).
func bareInsertFloor(ctx context.Context, dbURL string, workers int) (float64, error) {
	sep := "?"
	if strings.Contains(dbURL, "?") {
		sep = "&"
	}
	floor, err := store.Open(ctx, fmt.Sprintf("%s%spool_max_conns=%d", dbURL, sep, workers))
	if err != nil {
		return 0, err
	}
	defer floor.Close()
	return floor.BareInsertRate(ctx, workers, 5*time.Second)
}

// maxIngest posts as fast as workers allow for d: the server's ingest
// capacity, unpaced.
func maxIngest(ctx context.Context, p *webhookPoster, workers int, d time.Duration, run string) float64 {
	end := time.Now().Add(d)
	rate, _ := loadgen.For(workers, d, func(i int64) error {
		m := whatsapp.SimulatedMessage{From: fmt.Sprintf("9191%08d", i%1000), ID: fmt.Sprintf("wamid.CAP%s%09d", run, i), Text: "hi"}
		if lat, _ := p.deliver(ctx, m, end); lat == 0 {
			return errNotAcked
		}
		return nil
	})
	return rate
}

var errNotAcked = errors.New("bench: webhook not acknowledged")

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(p*float64(len(sorted)-1))]
}
