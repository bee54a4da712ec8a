package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/certs"
	"github.com/mitra-gov/mitra/retrieval"
	"github.com/mitra-gov/mitra/server"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/voice"
	"github.com/mitra-gov/mitra/whatsapp"
	"github.com/mitra-gov/mitra/worker"
)

// Development credentials the simulator uses when none are configured;
// never valid against Meta.
const (
	simAppSecret     = "simulator-app-secret"
	simVerifyToken   = "simulator-verify-token"
	simToken         = "simulator-token"
	simPhoneNumberID = "106540352242922"
)

type serveConfig struct {
	addr, dbURL, index            string
	appSecret, verifyToken, token string
	phoneNumberID, apiBase        string
	simulator                     bool
	sendRate                      float64
	processWorkers, sendWorkers   int
	stt, sttModel, tts            string
	voiceMax                      time.Duration
	llm                           llmFlags
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := newFlagSet("serve", stderr)
	c := registerServeFlags(fl)
	var ef engineFlags
	ef.register(fl)
	if err := fl.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if err := c.validate(); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	st, err := startStack(ctx, c, &ef, log, stderr)
	if err != nil {
		return err
	}
	defer st.close()
	log.Info("mitra serving", "addr", st.ln.Addr().String(), "services", st.services, "index", c.index, "simulator", c.simulator)
	if c.simulator {
		fmt.Fprintf(stdout, "mitra is running: open %s/simulator\n", st.self)
	}
	select {
	case err = <-st.errc:
	case <-ctx.Done():
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func registerServeFlags(fl *flag.FlagSet) *serveConfig {
	c := &serveConfig{}
	fl.StringVar(&c.addr, "addr", envOr("MITRA_ADDR", "127.0.0.1:8080"), "listen address")
	fl.StringVar(&c.dbURL, "database-url", os.Getenv("MITRA_DATABASE_URL"), "PostgreSQL URL (MITRA_DATABASE_URL)")
	fl.StringVar(&c.index, "index", envOr("MITRA_INDEX", "memory"), "catalogue vector index: memory or pgvector")
	fl.BoolVar(&c.simulator, "simulator", os.Getenv("WHATSAPP_API_BASE") == "", "serve the browser simulator and a built-in fake Graph API (default when WHATSAPP_API_BASE is unset)")
	fl.StringVar(&c.apiBase, "whatsapp-api-base", os.Getenv("WHATSAPP_API_BASE"), "Graph API base URL, e.g. https://graph.facebook.com/v24.0")
	fl.Float64Var(&c.sendRate, "send-rate", 80, "messages per second per business number")
	fl.IntVar(&c.processWorkers, "process-workers", 8, "inbound messages processed at once")
	fl.IntVar(&c.sendWorkers, "send-workers", 16, "sends in flight at once")
	fl.StringVar(&c.stt, "stt", envOr("MITRA_STT", "none"), "speech-to-text for voice notes: none, openai (any OpenAI-compatible /v1/audio/transcriptions) or bhashini")
	fl.StringVar(&c.sttModel, "stt-model", envOr("MITRA_STT_MODEL", "whisper-1"), "transcription model for -stt openai")
	fl.StringVar(&c.tts, "tts", envOr("MITRA_TTS", "espeak"), "spoken replies: espeak (offline, espeak-ng), openai (/v1/audio/speech) or none")
	fl.DurationVar(&c.voiceMax, "voice-max", 2*time.Minute, "longest voice note accepted")
	c.llm.register(fl)
	c.appSecret, c.verifyToken = os.Getenv("WHATSAPP_APP_SECRET"), os.Getenv("WHATSAPP_VERIFY_TOKEN")
	c.token, c.phoneNumberID = os.Getenv("WHATSAPP_TOKEN"), os.Getenv("WHATSAPP_PHONE_NUMBER_ID")
	return c
}

// runningStack is a started server: store, job queue, HTTP.
type runningStack struct {
	store    *store.Store
	river    *river.Client[pgx.Tx]
	http     *http.Server
	ln       net.Listener
	self     string
	sim      *server.Simulator
	issuer   *certs.Issuer
	services int
	errc     chan error
}

// startStack opens the database, builds the engine, starts the job queue
// and the HTTP server. It is the one place the server is assembled, for
// `mitra serve` and `mitra bench webhook`.
func startStack(ctx context.Context, c *serveConfig, ef *engineFlags, log *slog.Logger, stderr io.Writer) (*runningStack, error) {
	st, err := store.Open(ctx, c.dbURL)
	if err != nil {
		return nil, err
	}
	rs := &runningStack{store: st, errc: make(chan error, 1)}
	fail := func(err error) (*runningStack, error) {
		rs.close()
		return nil, err
	}
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
	eng, err := ef.buildWith(ctx, newIndex)
	if err != nil {
		return fail(err)
	}
	rs.services = len(eng.Catalog().Services)
	if rs.ln, err = net.Listen("tcp", c.addr); err != nil {
		return fail(fmt.Errorf("listen on %s: %w", c.addr, err))
	}
	rs.self = "http://" + loopback(rs.ln.Addr())
	apiBase := c.apiBase
	if c.simulator {
		rs.sim = &server.Simulator{Fake: &whatsapp.FakeGraph{Token: c.token}, AppSecret: c.appSecret, PhoneNumberID: c.phoneNumberID,
			WebhookURL: rs.self + "/webhook", HTTP: &http.Client{Timeout: 10 * time.Second}}
		apiBase = rs.self + server.FakeGraphPrefix + "/v24.0"
	}
	graph, err := whatsapp.NewClient(whatsapp.ClientConfig{BaseURL: apiBase, PhoneNumberID: c.phoneNumberID, Token: c.token})
	if err != nil {
		return fail(err)
	}
	metrics := server.NewMetrics(st.QueueDepth)
	v, err := c.voice(graph)
	if err != nil {
		return fail(err)
	}
	matcher, answerer, err := c.llm.wrap(eng, log)
	if err != nil {
		return fail(err)
	}
	riverWorkers, workers := worker.New(worker.Deps{Store: st, Catalog: eng.Catalog(), Matcher: matcher, Sender: graph, Log: log,
		Rate: c.sendRate, Metrics: metrics, Voice: v, Answerer: answerer, Media: graph})
	rc, err := river.NewClient(riverpgxv5.New(st.Pool), &river.Config{
		Queues: map[string]river.QueueConfig{
			worker.QueueProcess: {MaxWorkers: c.processWorkers},
			worker.QueueSend:    {MaxWorkers: c.sendWorkers},
		},
		Workers: riverWorkers,
		// A citizen is waiting for each job: fetch as soon as one is
		// inserted, and poll often when notifications are late.
		FetchCooldown:     5 * time.Millisecond,
		FetchPollInterval: 100 * time.Millisecond,
		// River's routine producer reports are debug detail for us.
		Logger: slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})).With("component", "river"),
	})
	if err != nil {
		return fail(fmt.Errorf("job queue: %w", err))
	}
	workers.SetEnqueuer(rc)
	if err := rc.Start(ctx); err != nil {
		return fail(fmt.Errorf("start job queue: %w", err))
	}
	rs.river = rc
	issuer, err := newIssuer(ctx, st, eng.Catalog(), rc, orString(os.Getenv("MITRA_PUBLIC_URL"), rs.self))
	if err != nil {
		return fail(err)
	}
	rs.issuer = issuer
	go signHeads(ctx, issuer, log)
	handler := server.New(server.Config{AppSecret: c.appSecret, VerifyToken: c.verifyToken, Store: st, Enqueuer: rc, Log: log, Metrics: metrics,
		Simulator: rs.sim, Issuer: issuer})
	rs.http = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { rs.errc <- rs.http.Serve(rs.ln) }()
	return rs, nil
}

// close stops HTTP, lets running jobs finish, and closes the pool.
func (rs *runningStack) close() {
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if rs.http != nil {
		rs.http.Shutdown(shutdown)
	} else if rs.ln != nil {
		rs.ln.Close()
	}
	if rs.river != nil {
		rs.river.Stop(shutdown)
	}
	rs.store.Close()
}

// newIssuer builds the certificate issuer. The signing key comes from
// MITRA_SIGNING_KEY (a base64 Ed25519 seed) in production; without it a
// development key is created once and kept in the database.
func newIssuer(ctx context.Context, st *store.Store, cat *catalog.Catalog, rc *river.Client[pgx.Tx], baseURL string) (*certs.Issuer, error) {
	var seed []byte
	if v := os.Getenv("MITRA_SIGNING_KEY"); v != "" {
		b, err := base64.StdEncoding.DecodeString(v)
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
	return &certs.Issuer{Store: st, Catalog: cat, Signer: certs.NewSigner(ed25519.NewKeyFromSeed(seed)), Renderer: certs.Chromium{},
		BaseURL: baseURL, Enqueue: func(ctx context.Context, tx pgx.Tx, id string) error {
			_, err := rc.InsertTx(ctx, tx, worker.DeliverArgs{CertID: id}, nil)
			return err
		}}, nil
}

// signHeads signs a tree head whenever the log has grown, every few
// seconds, so that new certificates become verifiable against the log.
func signHeads(ctx context.Context, issuer *certs.Issuer, log *slog.Logger) {
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	var last uint64
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		h, err := issuer.Head(ctx, -1)
		if err == nil {
			last = h.Size
		}
		leaves, err := issuer.Store.LeafHashes(ctx)
		if err != nil || uint64(len(leaves)) == last {
			continue
		}
		if h, err := issuer.SignHead(ctx); err != nil {
			log.Warn("sign tree head", "error", err)
		} else {
			log.Info("tree head signed", "size", h.Size)
		}
	}
}

// voice builds the speech backends from configuration.
func (c *serveConfig) voice(media worker.MediaClient) (*worker.Voice, error) {
	v := &worker.Voice{Media: media, MaxDuration: c.voiceMax}
	switch c.stt {
	case "none", "":
	case "openai":
		v.Transcriber = voice.NewOpenAITranscriber(os.Getenv("OPENAI_BASE_URL"), os.Getenv("OPENAI_API_KEY"), c.sttModel)
	case "bhashini":
		b := &voice.BhashiniTranscriber{URL: os.Getenv("BHASHINI_URL"), APIKey: os.Getenv("BHASHINI_API_KEY"),
			ServiceID: os.Getenv("BHASHINI_SERVICE_ID"), Convert: voice.ToWAV16k}
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
		v.Synthesizer = voice.NewOpenAISpeech(os.Getenv("OPENAI_BASE_URL"), os.Getenv("OPENAI_API_KEY"),
			envOr("MITRA_TTS_MODEL", "gpt-4o-mini-tts"), envOr("MITRA_TTS_VOICE", "alloy"))
	default:
		return nil, usagef("-tts %q: want espeak, openai or none", c.tts)
	}
	return v, nil
}

func (c *serveConfig) validate() error {
	if c.dbURL == "" {
		return usagef("serve needs a database: set MITRA_DATABASE_URL (./scripts/run starts a local one)")
	}
	if c.index != "memory" && c.index != "pgvector" {
		return usagef("-index %q: want memory or pgvector", c.index)
	}
	if c.simulator {
		c.appSecret = orString(c.appSecret, simAppSecret)
		c.verifyToken = orString(c.verifyToken, simVerifyToken)
		c.token = orString(c.token, simToken)
		c.phoneNumberID = orString(c.phoneNumberID, simPhoneNumberID)
		return nil
	}
	for name, v := range map[string]string{"WHATSAPP_APP_SECRET": c.appSecret, "WHATSAPP_VERIFY_TOKEN": c.verifyToken,
		"WHATSAPP_TOKEN": c.token, "WHATSAPP_PHONE_NUMBER_ID": c.phoneNumberID, "WHATSAPP_API_BASE": c.apiBase} {
		if v == "" {
			return usagef("serve without -simulator needs %s", name)
		}
	}
	return nil
}

func orString(v, def string) string {
	if v != "" {
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
