package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mitra-gov/mitra/whatsapp"
	"github.com/mitra-gov/mitra/whatsapp/flows"
)

//go:embed web/simulator.html
var simulatorPage []byte

// Simulator lets a person talk to mitra in a browser without a Meta
// account: the page's messages are turned into webhook bodies exactly as
// Meta sends them, signed with the app secret and posted to this server's
// own /webhook; the replies are captured by a built-in fake Graph API,
// which the page shows as chat bubbles, lists and buttons.
type Simulator struct {
	Fake          *whatsapp.FakeGraph
	AppSecret     string
	PhoneNumberID string
	// WebhookURL is this server's webhook, as reachable from itself.
	WebhookURL string
	HTTP       *http.Client
	// Flows, if set, plays the WhatsApp client's side of Flows: the page
	// renders a Flow's screens, and each screen's answers go to the Flow
	// endpoint encrypted as Meta's client encrypts them.
	Flows *SimulatedFlows

	mu       sync.Mutex
	sessions map[string]*flows.FakeClient
}

// SimulatedFlows is what the simulator's Flow client needs: the public key
// the endpoint's private key pairs with, the endpoint, and each published
// Flow's JSON by name.
type SimulatedFlows struct {
	Key      *rsa.PublicKey
	Endpoint string
	JSON     func(name string) ([]byte, error)
}

// maxFlowSessions bounds the Flows open in the simulator at once.
const maxFlowSessions = 1000

// FakeGraphPrefix is where the fake Graph API is mounted; point the Graph
// client's base URL at <server>/fake-graph/v24.0.
const FakeGraphPrefix = "/fake-graph"

func (s *Simulator) routes(r *gin.Engine) {
	r.GET("/", func(c *gin.Context) { c.Redirect(http.StatusFound, "/simulator") })
	r.GET("/simulator", func(c *gin.Context) {
		// The page's own inline script and style, and requests to this
		// server; nothing from anywhere else.
		c.Header("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'")
		c.Data(http.StatusOK, "text/html; charset=utf-8", simulatorPage)
	})
	r.POST("/simulator/api/send", s.send)
	r.GET("/simulator/api/messages", s.messages)
	if s.Flows != nil {
		r.GET("/simulator/api/flow", s.flowJSON)
		r.POST("/simulator/api/flow", s.flowExchange)
	}
	r.Any(FakeGraphPrefix+"/*path", gin.WrapH(s.Fake))
}

type simSend struct {
	From        string `json:"from"`
	Name        string `json:"name"`
	Text        string `json:"text"`
	OptionID    string `json:"option_id"`
	OptionTitle string `json:"option_title"`
	OptionKind  string `json:"option_kind"`
}

func (s *Simulator) send(c *gin.Context) {
	var in simSend
	if err := c.ShouldBindJSON(&in); err != nil || in.From == "" || (in.Text == "" && in.OptionID == "") {
		c.JSON(http.StatusBadRequest, gin.H{"error": "want from and text or option_id"})
		return
	}
	status, err := s.post(c.Request.Context(), whatsapp.SimulatedMessage{From: in.From, Name: in.Name,
		Text: in.Text, OptionID: in.OptionID, OptionTitle: in.OptionTitle, OptionKind: in.OptionKind})
	if err != nil {
		c.JSON(http.StatusBadGateway, gin.H{"error": err.Error()})
		return
	}
	c.JSON(http.StatusOK, gin.H{"webhook_status": status})
}

// post sends one citizen's message to the webhook, signed as Meta signs.
func (s *Simulator) post(ctx context.Context, m whatsapp.SimulatedMessage) (int, error) {
	id := make([]byte, 12)
	rand.Read(id)
	m.PhoneNumberID, m.ID, m.Time = s.PhoneNumberID, "wamid.SIM"+hex.EncodeToString(id), time.Now()
	body, err := whatsapp.SimulatedWebhook(m)
	if err != nil {
		return 0, err
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.WebhookURL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", whatsapp.Sign(s.AppSecret, body))
	res, err := s.HTTP.Do(req)
	if err != nil {
		return 0, fmt.Errorf("post webhook: %w", err)
	}
	res.Body.Close()
	return res.StatusCode, nil
}

// flowJSON serves a published Flow's JSON, for the page to draw its
// screens.
func (s *Simulator) flowJSON(c *gin.Context) {
	doc, err := s.Flows.JSON(c.Query("name"))
	if err != nil {
		c.JSON(http.StatusNotFound, gin.H{"error": "no such flow", "field": "name"})
		return
	}
	c.Data(http.StatusOK, "application/json", doc)
}

type simFlowStep struct {
	From   string         `json:"from"`
	Name   string         `json:"name"`
	Token  string         `json:"token"`
	Action string         `json:"action"` // init, submit, back
	Screen string         `json:"screen"`
	Form   map[string]any `json:"form"`
}

// flowExchange is one tap in a Flow: the simulator's client encrypts it
// to the endpoint, checks the answer against the routing model, and on
// SUCCESS sends the completion message, as WhatsApp does.
func (s *Simulator) flowExchange(c *gin.Context) {
	var in simFlowStep
	if err := c.ShouldBindJSON(&in); err != nil || in.From == "" || in.Token == "" {
		c.JSON(http.StatusBadRequest, gin.H{"error": "want from, name, token and action"})
		return
	}
	ctx := c.Request.Context()
	fc, err := s.session(in)
	if err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": err.Error(), "field": "name"})
		return
	}
	var screen flows.FakeScreen
	switch in.Action {
	case "init":
		screen, err = fc.Init(ctx, in.Token)
	case "submit":
		screen, err = fc.Submit(ctx, in.Screen, in.Form)
	case "back":
		screen, err = fc.Back(ctx, in.Screen)
	default:
		c.JSON(http.StatusBadRequest, gin.H{"error": "action must be init, submit or back", "field": "action"})
		return
	}
	if err != nil {
		c.JSON(http.StatusOK, gin.H{"error": err.Error()})
		return
	}
	if screen.ID == flows.ScreenSuccess {
		s.mu.Lock()
		delete(s.sessions, in.Token)
		s.mu.Unlock()
		params, _ := json.Marshal(screen.Data["extension_message_response"].(map[string]any)["params"])
		if _, err := s.post(ctx, whatsapp.SimulatedMessage{From: in.From, FlowResponse: string(params)}); err != nil {
			c.JSON(http.StatusBadGateway, gin.H{"error": err.Error()})
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"screen": screen.ID, "data": screen.Data})
}

// session is the Flow client of one token.
func (s *Simulator) session(in simFlowStep) (*flows.FakeClient, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fc, ok := s.sessions[in.Token]; ok && in.Action != "init" {
		return fc, nil
	}
	doc, err := s.Flows.JSON(in.Name)
	if err != nil {
		return nil, err
	}
	fc := flows.NewFakeClient(s.Flows.Key, s.Flows.Endpoint, s.AppSecret)
	if err := fc.UseFlow(doc); err != nil {
		return nil, err
	}
	if s.sessions == nil || len(s.sessions) >= maxFlowSessions {
		s.sessions = map[string]*flows.FakeClient{}
	}
	s.sessions[in.Token] = fc
	return fc, nil
}

func (s *Simulator) messages(c *gin.Context) {
	to := c.Query("to")
	after, _ := strconv.Atoi(c.Query("after"))
	sent, next := s.Fake.SentSince(after)
	out := []json.RawMessage{}
	for _, m := range sent {
		if m.To == to {
			out = append(out, m.Payload)
		}
	}
	c.JSON(http.StatusOK, gin.H{"messages": out, "next": next})
}
