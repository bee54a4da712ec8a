package main

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/netutil"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/certs"
	"github.com/mitra-gov/mitra/dialog"
	"github.com/mitra-gov/mitra/internal/openaiapi"
	"github.com/mitra-gov/mitra/retrieval"
	"github.com/mitra-gov/mitra/server"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/voice"
	"github.com/mitra-gov/mitra/whatsapp"
	"github.com/mitra-gov/mitra/whatsapp/flows"
	"github.com/mitra-gov/mitra/worker"
)

// Development credentials the simulator uses when none are configured;
// never valid against Meta.
const (
	simAppSecret     = "simulator-app-secret"
	simVerifyToken   = "simulator-verify-token"
	simToken         = "simulator-token"
	simPhoneNumberID = "106540352242922"
	// simBusinessAccountID is the simulator's WhatsApp Business Account,
	// whose templates its fake Graph API approves as they are submitted.
	simBusinessAccountID = "102290129340398"
	// templateSyncWait bounds the template sync at start.
	templateSyncWait = 15 * time.Second
)

// serveConfig is everything `mitra serve` is told, read once from flags
// and the environment (registerServeFlags) and checked (validate) before
// anything starts.
type serveConfig struct {
	addr, opsAddr, dbURL, index   string
	appSecret, verifyToken, token string
	phoneNumberID, apiBase        string
	businessAccountID             string
	simulator                     bool
	sendRate                      float64
	// citizenRate (messages a minute) and citizenBurst bound how fast one
	// citizen is answered.
	citizenRate, citizenBurst   float64
	processWorkers, sendWorkers int
	stt, sttModel, tts          string
	voiceMax                    time.Duration
	// Speech backends' endpoints and keys (OPENAI_*, BHASHINI_*,
	// MITRA_TTS_*).
	openAIBaseURL, openAIKey                    string
	bhashiniURL, bhashiniKey, bhashiniServiceID string
	ttsModel, ttsVoice                          string
	llm                                         llmFlags
	engine                                      engineFlags
	// signingKey is MITRA_SIGNING_KEY, a base64 Ed25519 seed; without it
	// a development key is kept in the database.
	signingKey string
	// publicURL is where citizens verify certificates (MITRA_PUBLIC_URL);
	// default: this server.
	publicURL  string
	verifyRate float64
	maxConns   int
	certTabs   int // certificates rendered at once, each in a tab of one Chromium (0: certs.DefaultTabs)
	// trustedProxies are the load balancers whose X-Forwarded-For names
	// the client (MITRA_TRUSTED_PROXIES, comma-separated addresses or
	// CIDRs); none by default.
	trustedProxies []string
	// pollInterval is how often the job queue looks for jobs when a
	// notification is late; headEvery how often the log's head is signed.
	pollInterval, headEvery time.Duration
	// flowKey is the WhatsApp Flows private key (MITRA_FLOW_PRIVATE_KEY,
	// PEM, or MITRA_FLOW_PRIVATE_KEY_FILE); with it Flows are offered.
	// The simulator makes a throwaway one.
	flowKeyPEM, flowKeyFile string
	flowKey                 *rsa.PrivateKey
	// draftRemind and draftTTL time idle drafts; sweepEvery is how often
	// they, overdue grievances and resolved ones are swept.
	draftRemind, draftTTL, sweepEvery time.Duration
	// grievanceContact is the grievance officer the privacy notice names
	// (MITRA_GRIEVANCE_CONTACT); retain are the retention periods, in
	// days, by kind (0 keeps that kind for ever).
	grievanceContact string
	retain           retentionDays
	// campaignRate and messagingTier pace campaigns; prices are Meta's
	// rates in rupees by pricing category, for their cost.
	campaignRate  float64
	campaignGrace time.Duration
	messagingTier int64
	prices        map[string]float64
}

// retentionDays are the retention periods as an operator sets them.
type retentionDays struct {
	messages, media, analyses, statuses, audit, records int
}

func defaultRetentionDays() retentionDays {
	days := func(d time.Duration) int { return int(d / (24 * time.Hour)) }
	def := store.DefaultRetention
	return retentionDays{messages: days(def.Bodies), media: days(def.Media), analyses: days(def.Analyses), statuses: days(def.Statuses), audit: days(def.Audit),
		records: days(def.Records)}
}

func (r retentionDays) periods() store.Retention {
	day := func(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }
	return store.Retention{Bodies: day(r.messages), Media: day(r.media), Analyses: day(r.analyses), Statuses: day(r.statuses), Audit: day(r.audit),
		Records: day(r.records)}
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := newFlagSet("serve", stderr)
	c := registerServeFlags(fl)
	if err := fl.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if err := c.validate(); err != nil {
		return err
	}
	m := &Main{cfg: c, log: slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo})), queueLog: stderr}
	if err := m.Run(ctx); err != nil {
		m.Close()
		return err
	}
	defer m.Close()
	m.log.Info("mitra serving", "addr", m.ln.Addr().String(), "services", m.services, "index", c.index, "simulator", c.simulator)
	if c.simulator {
		fmt.Fprintf(stdout, "mitra is running: open %s/simulator\n", m.self)
	}
	var err error
	select {
	case err = <-m.errc:
	case <-ctx.Done():
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func registerServeFlags(fl *flag.FlagSet) *serveConfig {
	c := &serveConfig{}
	fl.StringVar(&c.addr, "addr", envOr("MITRA_ADDR", "127.0.0.1:8080"), "listen address: the webhook, the certificate API and the public pages")
	fl.StringVar(&c.opsAddr, "ops-addr", envOr("MITRA_OPS_ADDR", "127.0.0.1:9090"), "operators' listen address: /metrics, /readyz, /healthz")
	fl.Float64Var(&c.verifyRate, "verify-rate", 5, "certificate lookups a second one client may make")
	fl.IntVar(&c.certTabs, "cert-tabs", certs.DefaultTabs, "certificates rendered at once, each in a tab of one headless Chromium; issuance beyond them waits, then gets 503")
	fl.IntVar(&c.maxConns, "max-conns", 2000, "connections served at once on -addr")
	fl.StringVar(&c.dbURL, "database-url", os.Getenv("MITRA_DATABASE_URL"), "PostgreSQL URL (MITRA_DATABASE_URL)")
	fl.StringVar(&c.index, "index", envOr("MITRA_INDEX", "memory"), "catalogue vector index: memory or pgvector")
	fl.BoolVar(&c.simulator, "simulator", false, "development only: serve the browser simulator and a built-in fake Graph API, with development secrets, on a loopback address")
	fl.StringVar(&c.apiBase, "whatsapp-api-base", os.Getenv("WHATSAPP_API_BASE"), "Graph API base URL, e.g. https://graph.facebook.com/v24.0")
	fl.Float64Var(&c.sendRate, "send-rate", 80, "messages per second per business number, shared by every process")
	fl.Float64Var(&c.citizenRate, "citizen-rate", 20, "messages a minute one citizen is answered; above it they are stored, with one \"please wait\" a minute")
	fl.Float64Var(&c.citizenBurst, "citizen-burst", 10, "messages one citizen may send at once before -citizen-rate applies")
	fl.IntVar(&c.processWorkers, "process-workers", 8, "inbound messages processed at once, in the lane (texts and taps) and as many again as jobs (voice notes, photos, retries)")
	fl.IntVar(&c.sendWorkers, "send-workers", 16, "sends in flight at once")
	fl.StringVar(&c.stt, "stt", envOr("MITRA_STT", "none"), "speech-to-text for voice notes: none, openai (any OpenAI-compatible /v1/audio/transcriptions) or bhashini")
	fl.StringVar(&c.sttModel, "stt-model", envOr("MITRA_STT_MODEL", "whisper-1"), "transcription model for -stt openai")
	fl.StringVar(&c.tts, "tts", envOr("MITRA_TTS", "espeak"), "spoken replies: espeak (offline, espeak-ng), openai (/v1/audio/speech) or none")
	fl.DurationVar(&c.voiceMax, "voice-max", 2*time.Minute, "longest voice note accepted")
	c.llm.register(fl)
	c.engine.register(fl)
	c.appSecret, c.verifyToken = os.Getenv("WHATSAPP_APP_SECRET"), os.Getenv("WHATSAPP_VERIFY_TOKEN")
	c.token, c.phoneNumberID = os.Getenv("WHATSAPP_TOKEN"), os.Getenv("WHATSAPP_PHONE_NUMBER_ID")
	c.businessAccountID = os.Getenv("WHATSAPP_BUSINESS_ACCOUNT_ID")
	c.signingKey, c.publicURL = os.Getenv("MITRA_SIGNING_KEY"), os.Getenv("MITRA_PUBLIC_URL")
	for _, p := range strings.Split(os.Getenv("MITRA_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.trustedProxies = append(c.trustedProxies, p)
		}
	}
	c.openAIBaseURL, c.openAIKey = os.Getenv("OPENAI_BASE_URL"), os.Getenv("OPENAI_API_KEY")
	c.bhashiniURL, c.bhashiniKey, c.bhashiniServiceID = os.Getenv("BHASHINI_URL"), os.Getenv("BHASHINI_API_KEY"), os.Getenv("BHASHINI_SERVICE_ID")
	c.ttsModel, c.ttsVoice = envOr("MITRA_TTS_MODEL", "gpt-4o-mini-tts"), envOr("MITRA_TTS_VOICE", "alloy")
	c.flowKeyPEM, c.flowKeyFile = os.Getenv("MITRA_FLOW_PRIVATE_KEY"), os.Getenv("MITRA_FLOW_PRIVATE_KEY_FILE")
	fl.DurationVar(&c.draftRemind, "draft-remind", 2*time.Hour, "remind a citizen of a form left unfinished this long")
	fl.DurationVar(&c.draftTTL, "draft-ttl", 23*time.Hour, "delete a form left unfinished this long (keep it under 24h: the notice is a plain message)")
	fl.DurationVar(&c.sweepEvery, "sweep-every", time.Minute, "how often overdue grievances, resolved ones and idle drafts are swept")
	fl.StringVar(&c.grievanceContact, "grievance-contact", envOr("MITRA_GRIEVANCE_CONTACT", dialog.DefaultGrievanceContact), "the grievance officer named in the privacy notice (a phone number or an address)")
	fl.Float64Var(&c.campaignRate, "campaign-rate", 0, "campaign messages a second across every process (default: four fifths of -send-rate, leaving the rest to replies)")
	fl.DurationVar(&c.campaignGrace, "campaign-grace", 10*time.Minute, "how long a campaign message claimed by a process that died waits for its status before it is sent again")
	fl.Int64Var(&c.messagingTier, "messaging-tier", int64(envInt("MITRA_MESSAGING_TIER", 0)), "the portfolio's daily limit of business-initiated recipients: 250, 2000, 10000, 100000 or 0 (unlimited)")
	c.prices = map[string]float64{}
	for _, category := range []string{"utility", "marketing", "authentication"} {
		if v, err := strconv.ParseFloat(os.Getenv("MITRA_PRICE_"+strings.ToUpper(category)), 64); err == nil && v >= 0 {
			c.prices[category] = v
		}
	}
	def := defaultRetentionDays()
	fl.IntVar(&c.retain.messages, "retain-message-days", envInt("MITRA_RETAIN_MESSAGE_DAYS", def.messages), "days the words of messages and profile names are kept (at least 1)")
	fl.IntVar(&c.retain.media, "retain-media-days", envInt("MITRA_RETAIN_MEDIA_DAYS", def.media), "days photos and documents of forms never submitted are kept (0: for ever)")
	fl.IntVar(&c.retain.analyses, "retain-analysis-days", envInt("MITRA_RETAIN_ANALYSIS_DAYS", def.analyses), "days per-message analyses are kept; hourly roll-ups stay (0: for ever)")
	fl.IntVar(&c.retain.statuses, "retain-status-days", envInt("MITRA_RETAIN_STATUS_DAYS", def.statuses), "days delivery statuses are kept (0: for ever)")
	fl.IntVar(&c.retain.records, "retain-record-days", envInt("MITRA_RETAIN_RECORD_DAYS", def.records), "days finished applications and grievances are kept, with their answers and attachments (0: for ever; certificates stay)")
	fl.IntVar(&c.retain.audit, "retain-audit-days", envInt("MITRA_RETAIN_AUDIT_DAYS", def.audit), "days staff and API audit and data requests are kept (0: for ever)")
	return c
}

// loadFlowKey reads the Flows private key, if one is configured; the
// simulator, with none, makes a throwaway one for its own Flows.
func (c *serveConfig) loadFlowKey() error {
	data := []byte(c.flowKeyPEM)
	if c.flowKeyFile != "" {
		var err error
		if data, err = os.ReadFile(c.flowKeyFile); err != nil {
			return usagef("MITRA_FLOW_PRIVATE_KEY_FILE: %v", err)
		}
	}
	if len(data) == 0 {
		if !c.simulator {
			return nil
		}
		var err error
		if data, _, err = flows.GenerateKey(); err != nil {
			return err
		}
	}
	key, err := flows.ParsePrivateKey(data)
	if err != nil {
		// The key's bytes stay out of the message.
		return usagef("the Flows private key is not a usable RSA key (2048 bits or more, PEM)")
	}
	c.flowKey = key
	return nil
}

// Main is a running mitra server: store and job queue, the engine and the
// dialog, the workers, the certificate issuer and the HTTP server. It is
// the one place the server is assembled, for `mitra serve`, `mitra bench
// webhook` and the end-to-end tests alike.
type Main struct {
	cfg *serveConfig
	log *slog.Logger
	// queueLog receives the job queue's warnings (nil: discarded).
	queueLog io.Writer
	// fake, if set before Run, is the fake Graph API the simulator
	// serves; Run makes one when the simulator is on and none is set.
	fake *whatsapp.FakeGraph

	store    *store.Store
	http     *http.Server
	ln       net.Listener
	self     string
	ops      *http.Server
	opsLn    net.Listener
	opsURL   string
	sim      *server.Simulator
	issuer   *certs.Issuer
	renderer *certs.Chromium // Chromium starts with the first certificate issued
	services int
	errc     chan error
	stop     context.CancelFunc
}

// Run opens the database, builds everything, starts the job queue and the
// HTTP server, and returns once they are serving. Close stops them, also
// after a failed Run.
func (m *Main) Run(ctx context.Context) error {
	c := m.cfg
	ctx, m.stop = context.WithCancel(ctx)
	m.errc = make(chan error, 1)
	st, err := store.Open(ctx, c.dbURL, store.ForJobs(c.processWorkers))
	if err != nil {
		return err
	}
	m.store = st
	var newIndex indexFactory
	if c.index == "pgvector" {
		newIndex = func(ctx context.Context, cat *catalog.Catalog, emb retrieval.Embedder) (retrieval.Index, error) {
			vecs, err := retrieval.EmbedServices(ctx, emb, cat.Services)
			if err != nil {
				return nil, err
			}
			ids := make([]string, len(cat.Services))
			for i, s := range cat.Services {
				ids[i] = s.ID
			}
			return st.SyncVectors(ctx, emb.Name(), ids, vecs)
		}
	}
	eng, err := c.engine.buildWith(ctx, newIndex)
	if err != nil {
		return err
	}
	// Building the engine leaves garbage several times the size of what
	// it keeps (the catalogue's YAML, every alias's keys): returned to the
	// system now, it is not carried as resident memory for the server's
	// life.
	debug.FreeOSMemory()
	cat := eng.Catalog()
	m.services = len(cat.Services)
	if m.ln, err = net.Listen("tcp", c.addr); err != nil {
		return fmt.Errorf("listen on %s: %w", c.addr, err)
	}
	m.self = "http://" + loopback(m.ln.Addr())
	// A connection cap: trickling clients cannot hold every socket.
	m.ln = netutil.LimitListener(m.ln, cmp.Or(c.maxConns, 2000))
	if m.opsLn, err = net.Listen("tcp", cmp.Or(c.opsAddr, "127.0.0.1:0")); err != nil {
		return fmt.Errorf("listen on %s: %w", c.opsAddr, err)
	}
	m.opsURL = "http://" + loopback(m.opsLn.Addr())
	apiBase := c.apiBase
	if c.simulator {
		if m.fake == nil {
			m.fake = &whatsapp.FakeGraph{Token: c.token, AutoApprove: true}
		}
		m.sim = &server.Simulator{Fake: m.fake, AppSecret: c.appSecret, PhoneNumberID: c.phoneNumberID,
			WebhookURL: m.self + "/webhook", HTTP: &http.Client{Timeout: 10 * time.Second}}
		if c.flowKey != nil {
			m.sim.Flows = &server.SimulatedFlows{Key: &c.flowKey.PublicKey, Endpoint: m.self + "/flows/endpoint", JSON: flowByName(cat)}
		}
		apiBase = m.self + server.FakeGraphPrefix + "/v24.0"
	}
	graph, err := whatsapp.NewClient(whatsapp.ClientConfig{BaseURL: apiBase, PhoneNumberID: c.phoneNumberID,
		BusinessAccountID: c.businessAccountID, Token: c.token})
	if err != nil {
		return err
	}
	metrics := server.NewMetrics(st.QueueDepth)
	v, err := c.voice(graph)
	if err != nil {
		return err
	}
	matcher, answerer, err := c.llm.wrap(eng, m.log)
	if err != nil {
		return err
	}
	bot := dialog.New(dialog.Config{Catalog: cat, Matcher: decisionCounter{matcher, metrics}, Answerer: answerer, Certificates: st,
		Applications: st, Flows: c.flowKey != nil, Privacy: dialog.PrivacyConfig{Contact: c.grievanceContact, BodyDays: c.retain.messages}})
	workers, process := worker.New(worker.Deps{Store: st, Bot: bot, Catalog: cat, Sender: graph, Templates: graph, Log: m.log,
		SenderKey: c.phoneNumberID, SendLimit: store.Limit{Rate: c.sendRate, Burst: max(1, c.sendRate)},
		CitizenLimit: store.Limit{Rate: c.citizenRate / 60, Burst: c.citizenBurst},
		Metrics:      metrics, Voice: v, Media: graph, DraftRemindAfter: c.draftRemind, DraftTTL: c.draftTTL, Retention: c.retain.periods(),
		Campaigns: worker.CampaignConfig{Rate: c.campaignRate, Tier: c.messagingTier, Grace: c.campaignGrace}})
	// The registry is synced before any job runs, so that a notice due at
	// start finds its template's verdict; Meta being away only delays it
	// to the hourly sync, with the verdicts already stored. The
	// simulator's Meta is this server, not listening yet: its sync is the
	// job that the queue runs at start.
	if !c.simulator {
		syncCtx, cancel := context.WithTimeout(ctx, templateSyncWait)
		if res, err := worker.SyncTemplates(syncCtx, st, cat, graph); err != nil {
			m.log.Warn("templates not synced at start", "error", err)
		} else {
			m.log.Info("templates synced", "submitted", res.Submitted, "failed", res.Failed, "statuses", res.Statuses)
		}
		cancel()
	}
	queueLog := io.Discard
	if m.queueLog != nil {
		queueLog = m.queueLog
	}
	err = st.StartWork(ctx, workers, store.WorkConfig{ProcessWorkers: c.processWorkers, SendWorkers: c.sendWorkers, PollInterval: c.pollInterval,
		SweepEvery: c.sweepEvery, Local: process,
		// River's routine producer reports are debug detail for us.
		Log: slog.New(slog.NewJSONHandler(queueLog, &slog.HandlerOptions{Level: slog.LevelWarn})).With("component", "river")})
	if err != nil {
		return err
	}
	m.renderer = &certs.Chromium{Tabs: cmp.Or(c.certTabs, certs.DefaultTabs), Log: m.log}
	if m.issuer, err = c.issuer(ctx, st, cat, orString(c.publicURL, m.self), m.renderer); err != nil {
		return err
	}
	go m.issuer.SignHeads(ctx, orDuration(c.headEvery, 5*time.Second), m.log)
	handler := server.New(server.Config{AppSecret: c.appSecret, VerifyToken: c.verifyToken, Store: st, Log: m.log, Metrics: metrics,
		Simulator: m.sim, Issuer: m.issuer, VerifyRate: c.verifyRate, TrustedProxies: c.trustedProxies, Catalog: cat, Flows: flowConfig(c.flowKey),
		// The simulator runs on plain http://127.0.0.1, where a Secure
		// cookie would never come back; anywhere else the console is
		// behind TLS.
		Console: &server.ConsoleConfig{InsecureCookies: c.simulator}, Prices: c.prices})
	// Timeouts bound what a slow or idle client can hold: a webhook body
	// arrives in seconds; issuance may wait for a rendering slot.
	m.http = &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second,
		WriteTimeout: 90 * time.Second, IdleTimeout: 60 * time.Second, MaxHeaderBytes: 64 << 10}
	m.ops = &http.Server{Handler: handler.Ops(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 60 * time.Second}
	// The first of the two servers to stop ends runServe; errc holds one.
	report := func(err error) {
		select {
		case m.errc <- err:
		default:
		}
	}
	go func() { report(m.http.Serve(m.ln)) }()
	go func() {
		if err := m.ops.Serve(m.opsLn); !errors.Is(err, http.ErrServerClosed) {
			report(err)
		}
	}()
	return nil
}

// Close stops HTTP, lets running jobs finish, ends Chromium, and closes
// the database. Closing twice is harmless.
func (m *Main) Close() error {
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var err error
	if m.http != nil {
		err = m.http.Shutdown(shutdown)
	} else if m.ln != nil {
		err = m.ln.Close()
	}
	if m.ops != nil {
		m.ops.Shutdown(shutdown)
	} else if m.opsLn != nil {
		m.opsLn.Close()
	}
	m.http, m.ln, m.ops, m.opsLn = nil, nil, nil, nil
	if m.stop != nil {
		m.stop()
	}
	if m.renderer != nil {
		// After HTTP: the issuances in flight have their PDFs.
		m.renderer.Close()
	}
	if m.store != nil {
		m.store.Close()
		m.store = nil
	}
	return err
}

// decisionCounter passes matches through and counts the decisions.
type decisionCounter struct {
	dialog.Matcher
	metrics *server.Metrics
}

func (d decisionCounter) Match(ctx context.Context, text string, prev catalog.Lang) (retrieval.Result, error) {
	res, err := d.Matcher.Match(ctx, text, prev)
	if err == nil {
		d.metrics.Decision(string(res.Decision))
	}
	return res, err
}

// speechTimeout bounds one exchange with a speech server: a two-minute
// note takes seconds to transcribe, and the processing job (30 s) must
// have time left to answer when the server does not.
const speechTimeout = 20 * time.Second

// issuer builds the certificate issuer, rendering with r, as many at once
// as it has tabs. The signing key comes from MITRA_SIGNING_KEY (a base64
// Ed25519 seed) in production; without it a development key is created
// once and kept in the database.
func (c *serveConfig) issuer(ctx context.Context, st *store.Store, cat *catalog.Catalog, baseURL string, r *certs.Chromium) (*certs.Issuer, error) {
	var seed []byte
	if c.signingKey != "" {
		b, err := base64.StdEncoding.DecodeString(c.signingKey)
		if err != nil || len(b) != ed25519.SeedSize {
			return nil, usagef("MITRA_SIGNING_KEY must be a base64 Ed25519 seed of %d bytes", ed25519.SeedSize)
		}
		seed = b
	} else {
		var err error
		seed, err = st.SigningSeed(ctx, func() ([]byte, string) {
			s := make([]byte, ed25519.SeedSize)
			rand.Read(s)
			return s, certs.KeyID(ed25519.NewKeyFromSeed(s).Public().(ed25519.PublicKey))
		})
		if err != nil {
			return nil, err
		}
	}
	return &certs.Issuer{Store: st, Catalog: cat, Signer: certs.NewSigner(ed25519.NewKeyFromSeed(seed)), Renderer: r, MaxConcurrent: r.Tabs,
		BaseURL: baseURL}, nil
}

// voice builds the speech backends from configuration.
func (c *serveConfig) voice(media worker.MediaClient) (*worker.Voice, error) {
	v := &worker.Voice{Media: media, MaxDuration: c.voiceMax}
	switch c.stt {
	case "none", "":
	case "openai":
		v.Transcriber = voice.NewOpenAITranscriber(openaiapi.New(c.openAIBaseURL, c.openAIKey, speechTimeout), c.sttModel)
	case "bhashini":
		b := &voice.BhashiniTranscriber{URL: c.bhashiniURL, APIKey: c.bhashiniKey, ServiceID: c.bhashiniServiceID, Convert: voice.ToWAV16k}
		if b.URL == "" || b.APIKey == "" || b.ServiceID == "" {
			return nil, usagef("-stt bhashini needs BHASHINI_URL, BHASHINI_API_KEY and BHASHINI_SERVICE_ID")
		}
		v.Transcriber = b
	default:
		return nil, usagef("-stt %q: want none, openai or bhashini", c.stt)
	}
	switch c.tts {
	case "none", "":
	case "espeak":
		if _, err := exec.LookPath("espeak-ng"); err == nil {
			v.Synthesizer = voice.Espeak{}
		}
	case "openai":
		v.Synthesizer = voice.NewOpenAISpeech(openaiapi.New(c.openAIBaseURL, c.openAIKey, speechTimeout), c.ttsModel, c.ttsVoice)
	default:
		return nil, usagef("-tts %q: want espeak, openai or none", c.tts)
	}
	return v, nil
}

// validate checks the configuration before anything starts. The simulator
// is a development tool: it signs webhooks itself and shows every reply to
// whoever asks, so it runs only when asked for, only with development
// secrets and only on a loopback address; anything that looks like
// production alongside it is refused. Without it, every production
// setting must be there, and all that are missing are named at once.
func (c *serveConfig) validate() error {
	if c.dbURL == "" {
		return usagef("serve needs a database: set MITRA_DATABASE_URL (./scripts/run starts a local one)")
	}
	if c.index != "memory" && c.index != "pgvector" {
		return usagef("-index %q: want memory or pgvector", c.index)
	}
	if c.certTabs < 0 {
		return usagef("-cert-tabs must be at least 1 (0: %d)", certs.DefaultTabs)
	}
	if c.citizenBurst != 0 && (c.citizenBurst < 1 || c.citizenRate <= 0) {
		return usagef("-citizen-burst must be at least 1 and -citizen-rate above 0")
	}
	for _, p := range c.trustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			return usagef("MITRA_TRUSTED_PROXIES: %q is neither an address nor a CIDR", p)
		}
	}
	c.draftRemind, c.draftTTL = cmp.Or(c.draftRemind, 2*time.Hour), cmp.Or(c.draftTTL, 23*time.Hour)
	if c.draftTTL <= c.draftRemind || c.draftTTL > dialog.IdleTimeout {
		return usagef("-draft-ttl must be above -draft-remind and at most %s", dialog.IdleTimeout)
	}
	// A configuration built in code (the benches, the tests) leaves these
	// zero: the defaults, as the flags have them.
	if c.retain == (retentionDays{}) {
		c.retain = defaultRetentionDays()
	}
	if err := c.retain.validate(); err != nil {
		return err
	}
	switch c.messagingTier {
	case 0, 250, 2000, 10_000, 100_000:
	default:
		return usagef("-messaging-tier %d: Meta's tiers are 250, 2000, 10000 and 100000 (0: unlimited)", c.messagingTier)
	}
	if c.campaignRate < 0 || c.sendRate > 0 && c.campaignRate > c.sendRate {
		return usagef("-campaign-rate must be at most -send-rate: campaigns share the number's throughput with replies")
	}
	if c.grievanceContact = strings.TrimSpace(c.grievanceContact); c.grievanceContact == "" {
		c.grievanceContact = dialog.DefaultGrievanceContact
	}
	if c.simulator {
		if err := c.validateSimulator(); err != nil {
			return err
		}
		return c.loadFlowKey()
	}
	if c.engine.services > 0 {
		// Invented services shown to real citizens would send them to
		// offices that do not exist.
		return usagef("-services synthesises a catalogue to measure scale: it runs only with -simulator")
	}
	if err := c.loadFlowKey(); err != nil {
		return err
	}
	var missing []string
	for _, s := range []struct{ name, value string }{
		{"WHATSAPP_APP_SECRET", c.appSecret}, {"WHATSAPP_VERIFY_TOKEN", c.verifyToken}, {"WHATSAPP_TOKEN", c.token},
		{"WHATSAPP_PHONE_NUMBER_ID", c.phoneNumberID}, {"WHATSAPP_BUSINESS_ACCOUNT_ID", c.businessAccountID}, {"WHATSAPP_API_BASE", c.apiBase},
		{"MITRA_PUBLIC_URL", c.publicURL}, {"MITRA_SIGNING_KEY", c.signingKey},
	} {
		if s.value == "" {
			missing = append(missing, s.name)
		}
	}
	if len(missing) > 0 {
		return usagef("serve without -simulator needs %s (or pass -simulator on a development machine)", strings.Join(missing, ", "))
	}
	if u, err := url.Parse(c.publicURL); err != nil || u.Scheme == "" || u.Host == "" {
		return usagef("MITRA_PUBLIC_URL %q: want the public verification site, e.g. https://verify.example.gov.in", c.publicURL)
	} else if isLoopbackHost(u.Hostname()) {
		return usagef("MITRA_PUBLIC_URL %q is a loopback address: citizens' QR codes must point at the public site", c.publicURL)
	}
	return nil
}

// validate refuses periods that would break what they protect: a negative
// one, messages kept for ever (the notice promises a period), photos deleted before a draft that holds them can expire, audit
// kept under a year.
func (r retentionDays) validate() error {
	switch {
	case min(r.messages, r.media, r.analyses, r.statuses, r.audit, r.records) < 0:
		return usagef("retention days cannot be negative (0 keeps for ever)")
	case r.messages == 0:
		return usagef("-retain-message-days must be at least 1: the privacy notice tells citizens when their messages are deleted")
	case r.media == 1:
		return usagef("-retain-media-days must be at least 2: a form's photos must outlive the form's %s", dialog.IdleTimeout)
	case r.audit > 0 && r.audit < 365:
		return usagef("-retain-audit-days must be at least 365 (or 0, for ever): the audit is how staff actions are answered for")
	}
	return nil
}

func (c *serveConfig) validateSimulator() error {
	var real []string
	for _, s := range []struct{ name, value, dev string }{
		{"WHATSAPP_APP_SECRET", c.appSecret, simAppSecret}, {"WHATSAPP_VERIFY_TOKEN", c.verifyToken, simVerifyToken},
		{"WHATSAPP_TOKEN", c.token, simToken}, {"WHATSAPP_API_BASE", c.apiBase, ""}, {"MITRA_SIGNING_KEY", c.signingKey, ""},
		{"MITRA_FLOW_PRIVATE_KEY", c.flowKeyPEM, ""}, {"MITRA_FLOW_PRIVATE_KEY_FILE", c.flowKeyFile, ""},
	} {
		if s.value != "" && s.value != s.dev {
			real = append(real, s.name)
		}
	}
	if len(real) > 0 {
		return usagef("-simulator runs only with development settings, but %s %s set: unset them, or serve without -simulator",
			strings.Join(real, ", "), map[bool]string{true: "is", false: "are"}[len(real) == 1])
	}
	if u, err := url.Parse(c.dbURL); err == nil && u.Hostname() != "" && !isLoopbackHost(u.Hostname()) {
		return usagef("-simulator runs only on a local database, not %s: its jobs would answer real citizens into the fake Graph API", u.Hostname())
	}
	host, _, err := net.SplitHostPort(c.addr)
	if err != nil || !isLoopbackHost(host) {
		return usagef("-simulator listens only on a loopback address (e.g. 127.0.0.1:8080), not %q: it shows every reply to whoever asks", c.addr)
	}
	c.appSecret, c.verifyToken, c.token = simAppSecret, simVerifyToken, simToken
	c.phoneNumberID = orString(c.phoneNumberID, simPhoneNumberID)
	c.businessAccountID = orString(c.businessAccountID, simBusinessAccountID)
	return nil
}

func flowConfig(key *rsa.PrivateKey) *server.FlowConfig {
	if key == nil {
		return nil
	}
	return &server.FlowConfig{Key: key}
}

// isLoopbackHost reports whether host names this machine only.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func orString(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

func orDuration(v, def time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return def
}

// loopback turns a listen address into one this process can dial.
func loopback(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil || host == "" || host == "::" || host == "0.0.0.0" {
		return "127.0.0.1:" + port
	}
	return net.JoinHostPort(host, port)
}
