// Package server is mitra's HTTP face: the WhatsApp webhook (verify, then
// parse, then store and enqueue in one transaction, then 200), health and
// readiness, Prometheus metrics, and the browser simulator. It holds no
// business logic: the dialog runs in jobs (package worker), and the
// webhook only stores what arrived (package store queues the jobs).
package server

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/certs"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp"
)

// MaxWebhookBody caps a webhook body. Meta batches up to 1,000 updates in
// one POST, which stays well under this.
const MaxWebhookBody = 4 << 20

// Config wires the server.
type Config struct {
	AppSecret   string
	VerifyToken string
	Store       *store.Store
	Log         *slog.Logger
	Metrics     *Metrics
	// Simulator, when set, serves the browser simulator and its fake
	// Graph API on this server.
	Simulator *Simulator
	// Issuer, when set, serves the certificate API, verification and log.
	Issuer *certs.Issuer
	// Catalog names services for the back office and holds the forms.
	Catalog *catalog.Catalog
	// Flows, when set, serves the WhatsApp Flows data-exchange endpoint.
	Flows *FlowConfig
	// VerifyRate is how many verification lookups a second one client
	// may make (default 5): a person checks a certificate or two; a
	// harvester guesses thousands.
	VerifyRate float64
	// TrustedProxies are the load balancers whose X-Forwarded-For names
	// the client (none: the connection's address).
	TrustedProxies []string
	// Console, when set, serves the staff console at /console.
	Console *ConsoleConfig
	// Prices are Meta's rates in rupees for a billable message, by
	// pricing category (marketing, utility, authentication), for the
	// cost of campaigns; a category without one is counted, not priced.
	Prices map[string]float64
}

// Server is the HTTP handler.
type Server struct {
	cfg          Config
	router       *gin.Engine
	verifyLimits *clientLimits
	// bodies bounds the webhook bodies read at once: each may be 4 MiB
	// before its signature can be checked.
	bodies chan struct{}
}

// maxBodiesAtOnce × MaxWebhookBody bounds the memory unsigned bodies can
// take (256 MiB).
const maxBodiesAtOnce = 64

// New builds the router.
func New(cfg Config) *Server {
	gin.SetMode(gin.ReleaseMode)
	if cfg.VerifyRate <= 0 {
		cfg.VerifyRate = 5
	}
	r := gin.New()
	// Client addresses (for the per-client limits) come from the
	// connection, never from a header a client can forge; behind a load
	// balancer, name it with TrustedProxies.
	if err := r.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		cfg.Log.Error("trusted proxies", "error", err)
	}
	r.Use(gin.Recovery(), securityHeaders, requestLog(cfg.Log))
	s := &Server{cfg: cfg, router: r, verifyLimits: newClientLimits(cfg.VerifyRate, max(1, int(2*cfg.VerifyRate))),
		bodies: make(chan struct{}, maxBodiesAtOnce)}
	r.GET("/webhook", s.verifyWebhook)
	r.POST("/webhook", s.receiveWebhook)
	r.GET("/healthz", healthz)
	if cfg.Simulator != nil {
		cfg.Simulator.routes(r)
	}
	if cfg.Flows != nil && cfg.Flows.Key != nil {
		s.flowRoutes(r)
	}
	if cfg.Console != nil {
		s.consoleRoutes(r, *cfg.Console)
	}
	api := r.Group("/api/v1", s.department)
	s.applicationRoutes(api)
	s.campaignRoutes(api)
	if cfg.Issuer != nil {
		s.certRoutes(r, api)
	}
	return s
}

// Ops is the operators' handler (/metrics, /readyz, /healthz), for a listen
// address of its own that the public never reaches.
func (s *Server) Ops() http.Handler {
	r := gin.New()
	r.Use(gin.Recovery(), securityHeaders)
	r.GET("/healthz", healthz)
	r.GET("/readyz", s.ready)
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(s.cfg.Metrics.Registry,
		// A failing collector (the database away) leaves its series out;
		// the error goes to the log, not into the response.
		promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, ErrorLog: slog.NewLogLogger(s.cfg.Log.Handler(), slog.LevelWarn)})))
	return r
}

func healthz(c *gin.Context) { c.String(http.StatusOK, "ok") }

// signatureShaped reports whether a header looks like Meta's signature
// ("sha256=" and 64 hex digits); whether it matches is checked on the body.
func signatureShaped(h string) bool {
	hexSum, ok := strings.CutPrefix(h, "sha256=")
	if !ok || len(hexSum) != 64 {
		return false
	}
	_, err := hex.DecodeString(hexSum)
	return err == nil
}

// securityHeaders go on every response: no sniffing, no framing, no
// referrer, and a policy that loads nothing; pages that need more say so
// (pageCSP).
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	c.Next()
}

// pageCSP lets a server-rendered page use its own inline styles, and
// nothing from anywhere else.
const pageCSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

// requestLog logs each request's method, path, status and duration: never
// bodies or phone numbers.
func requestLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		log.Info("http", "method", c.Request.Method, "path", c.FullPath(), "status", c.Writer.Status(), "duration", time.Since(start))
	}
}

// verifyWebhook answers Meta's subscription handshake: 200 with the raw
// challenge when the token matches, 403 otherwise.
func (s *Server) verifyWebhook(c *gin.Context) {
	mode := c.Query("hub.mode")
	token := c.Query("hub.verify_token")
	if mode != "subscribe" || s.cfg.VerifyToken == "" ||
		subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.VerifyToken)) != 1 {
		c.String(http.StatusForbidden, "verification failed")
		return
	}
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(c.Query("hub.challenge")))
}

// receiveWebhook verifies, parses, stores and enqueues, then answers 200.
// Nothing is processed on the request path: Meta wants an answer fast and
// retries otherwise.
func (s *Server) receiveWebhook(c *gin.Context) {
	start := time.Now()
	defer func() { s.cfg.Metrics.webhookSeconds.Observe(time.Since(start).Seconds()) }()
	// A post without a well-formed signature is refused before it may
	// take one of the body slots.
	if !signatureShaped(c.GetHeader("X-Hub-Signature-256")) {
		c.JSON(http.StatusUnauthorized, gin.H{"error": "invalid signature"})
		return
	}
	select {
	case s.bodies <- struct{}{}:
		defer func() { <-s.bodies }()
	case <-time.After(5 * time.Second):
		// Meta retries a 503; a flood of unsigned bodies waits here.
		c.JSON(http.StatusServiceUnavailable, gin.H{"error": "busy"})
		return
	case <-c.Request.Context().Done():
		return
	}
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, MaxWebhookBody+1))
	if err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": "unreadable body"})
		return
	}
	if len(body) > MaxWebhookBody {
		c.JSON(http.StatusRequestEntityTooLarge, gin.H{"error": "body too large"})
		return
	}
	if err := whatsapp.VerifySignature(s.cfg.AppSecret, body, c.GetHeader("X-Hub-Signature-256")); err != nil {
		s.cfg.Log.Warn("webhook signature rejected", "bytes", len(body))
		c.JSON(http.StatusUnauthorized, gin.H{"error": "invalid signature"})
		return
	}
	ev, err := whatsapp.ParseWebhook(body)
	if err != nil {
		s.cfg.Log.Warn("webhook body rejected", "error", err)
		c.JSON(http.StatusBadRequest, gin.H{"error": "not a WhatsApp webhook"})
		return
	}
	fresh, err := s.cfg.Store.IngestWebhook(c.Request.Context(), ev)
	if err != nil {
		// 500 makes Meta retry; the transaction left nothing half-done.
		s.cfg.Log.Error("webhook not stored", "error", err)
		c.JSON(http.StatusInternalServerError, gin.H{"error": "try again"})
		return
	}
	for _, m := range ev.Messages {
		s.cfg.Metrics.inbound.WithLabelValues(bounded(m.Type, messageTypes)).Inc()
	}
	for _, st := range ev.Statuses {
		s.cfg.Metrics.statuses.WithLabelValues(bounded(st.Status, statusNames)).Inc()
	}
	rejected := 0
	for reason, n := range ev.Rejected {
		s.cfg.Metrics.rejected.WithLabelValues(reason).Add(float64(n))
		rejected += n
	}
	if rejected > 0 {
		// The reasons only: never the bodies or numbers.
		s.cfg.Log.Warn("webhook updates rejected", "rejected", rejected, "reasons", ev.Rejected)
	}
	s.cfg.Log.Info("webhook stored", "messages", len(ev.Messages), "new", fresh, "statuses", len(ev.Statuses), "rejected", rejected)
	c.String(http.StatusOK, "ok")
}

func (s *Server) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.cfg.Store.Ready(ctx); err != nil {
		// The cause goes to the log: a raw database error names the
		// user, host and port.
		s.cfg.Log.Warn("not ready", "error", err)
		c.JSON(http.StatusServiceUnavailable, gin.H{"ready": false})
		return
	}
	c.JSON(http.StatusOK, gin.H{"ready": true})
}

// Label values are Meta's documented names; anything else is "other", so
// that a sender cannot mint series.
var (
	messageTypes = set("text", "audio", "image", "video", "document", "sticker", "location", "contacts", "interactive",
		"button", "reaction", "order", "system", "request_welcome", "unsupported")
	statusNames = set("sent", "delivered", "read", "played", "failed", "deleted")
)

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

func bounded(v string, known map[string]bool) string {
	if known[v] {
		return v
	}
	return "other"
}

// Metrics are the Prometheus series operators watch.
type Metrics struct {
	Registry       *prometheus.Registry
	inbound        *prometheus.CounterVec
	statuses       *prometheus.CounterVec
	rejected       *prometheus.CounterVec
	unknownKeys    prometheus.Counter
	flowRequests   *prometheus.CounterVec
	auditFailures  prometheus.Counter
	decisions      *prometheus.CounterVec
	sends          *prometheus.CounterVec
	webhookSeconds prometheus.Histogram
}

// NewMetrics registers mitra's series (and Go's) on a new registry. depth,
// if not nil, reports queue depth by queue and state when scraped.
func NewMetrics(depth func(context.Context) (map[[2]string]float64, error)) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry:    reg,
		inbound:     prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mitra_inbound_messages_total", Help: "Inbound WhatsApp messages stored, by type."}, []string{"type"}),
		statuses:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mitra_delivery_statuses_total", Help: "Delivery statuses received, by status."}, []string{"status"}),
		rejected:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mitra_webhook_rejected_total", Help: "Webhook updates not kept (the rest of their batch was), by reason."}, []string{"reason"}),
		unknownKeys: prometheus.NewCounter(prometheus.CounterOpts{Name: "mitra_api_unknown_keys_total", Help: "Department API calls with an unknown or revoked key."}),
		flowRequests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mitra_flow_requests_total",
			Help: "WhatsApp Flows endpoint requests by outcome (ok, bad_signature, decrypt_failed, bad_request, and HTTP statuses)."}, []string{"outcome"}),
		auditFailures: prometheus.NewCounter(prometheus.CounterOpts{Name: "mitra_audit_failures_total", Help: "Department API calls whose audit row could not be written."}),
		decisions:     prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mitra_decisions_total", Help: "Routing decisions for free text, by decision."}, []string{"decision"}),
		sends:         prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mitra_send_results_total", Help: "Graph API send results, by error code (ok for success)."}, []string{"code"}),
		webhookSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "mitra_webhook_seconds", Help: "Webhook ack latency.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1}}),
	}
	reg.MustRegister(m.inbound, m.statuses, m.rejected, m.unknownKeys, m.flowRequests, m.auditFailures, m.decisions, m.sends, m.webhookSeconds,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	if depth != nil {
		reg.MustRegister(queueDepth{depth, prometheus.NewDesc("mitra_queue_jobs", "Jobs in the queue, by queue and state.", []string{"queue", "state"}, nil)})
	}
	return m
}

// Decision counts a routing decision.
func (m *Metrics) Decision(d string) { m.decisions.WithLabelValues(d).Inc() }

// SendResult counts a send result (worker.Metrics).
func (m *Metrics) SendResult(code string) { m.sends.WithLabelValues(code).Inc() }

type queueDepth struct {
	read func(context.Context) (map[[2]string]float64, error)
	desc *prometheus.Desc
}

func (q queueDepth) Describe(ch chan<- *prometheus.Desc) { ch <- q.desc }

func (q queueDepth) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	counts, err := q.read(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(q.desc, errors.Join(errors.New("queue depth"), err))
		return
	}
	for k, v := range counts {
		ch <- prometheus.MustNewConstMetric(q.desc, prometheus.GaugeValue, v, k[0], k[1])
	}
}
