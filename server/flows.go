package server

import (
	"crypto/rsa"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/dialog"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp"
	"github.com/mitra-gov/mitra/whatsapp/flows"
)

// The WhatsApp Flows data-exchange endpoint, as Meta specifies it: the
// request is signed with the app secret (432 when not), its AES key is
// wrapped with the business's RSA key (421 when it does not decrypt, so
// that the client fetches the public key again), and a token that was
// never issued, has expired or was used already is 427. Each screen's
// answers are checked with the catalogue's rules and kept with the token;
// the last screen's confirmation stores the record, under the token, so
// the completion message that follows finds the same record.

// FlowConfig turns the endpoint on.
type FlowConfig struct {
	Key *rsa.PrivateKey
	// TokenTTL is how long a Flow stays open after it was sent (default
	// a day).
	TokenTTL time.Duration
}

// maxFlowBody bounds a data-exchange request: a screen of answers is a
// few kilobytes, a photo comes by reference.
const maxFlowBody = 1 << 20

type flowEndpoint struct {
	cfg     FlowConfig
	s       *Server
	mu      sync.Mutex
	walkers map[string]*flows.Walker
}

func (s *Server) flowRoutes(r *gin.Engine) {
	if s.cfg.Flows.TokenTTL <= 0 {
		s.cfg.Flows.TokenTTL = 24 * time.Hour
	}
	e := &flowEndpoint{cfg: *s.cfg.Flows, s: s, walkers: map[string]*flows.Walker{}}
	r.POST("/flows/endpoint", e.serve)
}

// walker returns the (cached) walker of a service's form in a language.
func (e *flowEndpoint) walker(service string, lang catalog.Lang) (*flows.Walker, error) {
	form, fields, ok := e.s.cfg.Catalog.FormFor(service)
	if !ok {
		return nil, errors.New("no form")
	}
	key := form.ID + "/" + string(lang)
	e.mu.Lock()
	defer e.mu.Unlock()
	if w, ok := e.walkers[key]; ok {
		return w, nil
	}
	w, err := flows.NewWalker(fields, lang)
	if err == nil {
		e.walkers[key] = w
	}
	return w, err
}

func (e *flowEndpoint) serve(c *gin.Context) {
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, maxFlowBody+1))
	if err != nil || len(body) > maxFlowBody {
		c.JSON(http.StatusRequestEntityTooLarge, gin.H{"error": "body too large"})
		return
	}
	if whatsapp.VerifySignature(e.s.cfg.AppSecret, body, c.GetHeader("X-Hub-Signature-256")) != nil {
		e.s.cfg.Metrics.flowRequests.WithLabelValues("bad_signature").Inc()
		c.JSON(432, gin.H{"error": "request signature does not match"})
		return
	}
	req, sess, err := flows.Decrypt(e.cfg.Key, body)
	switch {
	case errors.Is(err, flows.ErrDecrypt):
		e.s.cfg.Metrics.flowRequests.WithLabelValues("decrypt_failed").Inc()
		c.JSON(421, gin.H{"error": "could not decrypt; fetch the public key again"})
		return
	case err != nil:
		e.s.cfg.Metrics.flowRequests.WithLabelValues("bad_request").Inc()
		c.JSON(http.StatusBadRequest, gin.H{"error": "not a flow data-exchange request"})
		return
	}
	resp, status := e.respond(c, req)
	if status != http.StatusOK {
		e.s.cfg.Metrics.flowRequests.WithLabelValues(strconv.Itoa(status)).Inc()
		c.JSON(status, gin.H{"error_msg": resp})
		return
	}
	out, err := sess.Encrypt(resp)
	if err != nil {
		c.JSON(http.StatusInternalServerError, gin.H{"error": "try again"})
		return
	}
	e.s.cfg.Metrics.flowRequests.WithLabelValues("ok").Inc()
	c.Data(http.StatusOK, "text/plain", []byte(out))
}

// respond answers a decrypted request: the response to encrypt and 200,
// or a message and the status Meta expects.
func (e *flowEndpoint) respond(c *gin.Context, req flows.Request) (any, int) {
	ctx := c.Request.Context()
	if strings.EqualFold(req.Action, flows.ActionPing) {
		return flows.Response{Data: map[string]any{"status": "active"}}, http.StatusOK
	}
	var resp flows.Response
	status := http.StatusOK
	var message string
	err := e.s.cfg.Store.InTx(ctx, func(tx store.Tx) error {
		ft, err := tx.LockFlowToken(ctx, req.FlowToken)
		expired := err == nil && time.Since(ft.Created) > e.cfg.TokenTTL
		if errors.Is(err, store.ErrNotFound) || expired || (err == nil && ft.Used && !confirming(req)) {
			status, message = 427, "This form is no longer open. Please ask for it again in the chat."
			return nil
		}
		if err != nil {
			return err
		}
		lang, _ := catalog.ParseLang(ft.Lang)
		w, err := e.walker(ft.Service, lang)
		if err != nil {
			status, message = 427, "This form is no longer available."
			return nil
		}
		if ft.Used {
			// The confirmation asked again (WhatsApp retries when the
			// answer was lost): the same SUCCESS, from the stored draft,
			// and nothing stored twice.
			resp, _, err = w.Respond(req, ft.Answers, time.Now())
			if err != nil || resp.Screen != flows.ScreenSuccess {
				status, message = 427, "This form was already sent."
			}
			return nil
		}
		before := ft.Answers[flows.ConsentKey]
		var draft map[string]string
		resp, draft, err = w.Respond(req, ft.Answers, time.Now())
		if errors.Is(err, flows.ErrBadRequest) {
			status, message = http.StatusBadRequest, "unknown screen or action"
			return nil
		}
		if err != nil {
			return err
		}
		consented := before != "yes" && draft[flows.ConsentKey] == "yes"
		if consented {
			if _, err := tx.RecordConsent(ctx, ft.Citizen, application.Consent{Service: ft.Service, NoticeVersion: dialog.NoticeVersion, Channel: "flow", Agreed: true}); err != nil {
				return err
			}
		}
		if resp.Screen == flows.ScreenSuccess {
			return e.submit(c, tx, ft, draft)
		}
		return tx.SaveFlowAnswers(ctx, ft.Token, draft, consented)
	})
	if err != nil {
		e.s.cfg.Log.Error("flow endpoint", "error", err)
		return "Please try again.", http.StatusInternalServerError
	}
	if status != http.StatusOK {
		return message, status
	}
	return resp, http.StatusOK
}

// submit stores the completed Flow as a record and closes its token.
func (e *flowEndpoint) submit(c *gin.Context, tx store.Tx, ft store.FlowToken, draft map[string]string) error {
	s, ok := e.s.cfg.Catalog.Service(ft.Service)
	if !ok {
		return errors.New("flow for an unknown service")
	}
	// Files picked in a Flow arrive as references to Meta's encrypted
	// media, which mitra does not fetch yet: they are not kept as
	// answers (the keys in them would be), and the chat takes photos.
	_, fields, _ := e.s.cfg.Catalog.FormFor(ft.Service)
	media := map[string]bool{}
	for _, f := range fields {
		media[f.ID] = f.Type == "photo" || f.Type == "document"
	}
	answers := map[string]string{}
	for k, v := range draft {
		if !strings.HasPrefix(k, "@") && !media[k] {
			answers[k] = v
		}
	}
	rec, _, err := tx.SubmitFor(c.Request.Context(), s, ft.Citizen, application.Submission{Service: ft.Service, Key: "flow:" + ft.Token,
		Channel: "flow", Lang: ft.Lang, Answers: answers})
	if err != nil {
		return err
	}
	return tx.UseFlowToken(c.Request.Context(), ft.Token, rec.ID)
}

// confirming reports whether a request is the summary's confirmation.
func confirming(req flows.Request) bool {
	action, _ := req.Data["action"].(string)
	return req.Action == flows.ActionDataExchange && action == "confirm"
}
