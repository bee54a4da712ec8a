package server

import (
	"bytes"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mitra-gov/mitra/whatsapp"
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
}

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
	id := make([]byte, 12)
	rand.Read(id)
	body, err := whatsapp.SimulatedWebhook(whatsapp.SimulatedMessage{
		PhoneNumberID: s.PhoneNumberID, From: in.From, Name: in.Name, ID: "wamid.SIM" + hex.EncodeToString(id), Time: time.Now(),
		Text: in.Text, OptionID: in.OptionID, OptionTitle: in.OptionTitle, OptionKind: in.OptionKind,
	})
	if err != nil {
		c.JSON(http.StatusInternalServerError, gin.H{"error": err.Error()})
		return
	}
	req, _ := http.NewRequestWithContext(c.Request.Context(), http.MethodPost, s.WebhookURL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", whatsapp.Sign(s.AppSecret, body))
	res, err := s.HTTP.Do(req)
	if err != nil {
		c.JSON(http.StatusBadGateway, gin.H{"error": fmt.Sprintf("post webhook: %v", err)})
		return
	}
	res.Body.Close()
	c.JSON(http.StatusOK, gin.H{"webhook_status": res.StatusCode})
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
