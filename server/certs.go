package server

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/certs"
)

// certIDShape is what a certificate id can look like.
var certIDShape = regexp.MustCompile(`^[A-Z]{2}-[0-9]{4}-[A-Z2-7]{4,32}$`)

// maxAPIBody caps a department API request: the largest valid issuance
// (20 fields of 300 characters) is well under it.
const maxAPIBody = 64 << 10

// readAPIBody reads a request body up to maxAPIBody; a larger one is
// answered 413 (ok false).
func readAPIBody(c *gin.Context) ([]byte, bool) {
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, maxAPIBody+1))
	if err == nil && len(body) <= maxAPIBody {
		return body, true
	}
	c.JSON(http.StatusRequestEntityTooLarge, gin.H{"error": fmt.Sprintf("body over %d KiB", maxAPIBody>>10)})
	return nil, false
}

// certRoutes serve the departments' issuance API (authenticated, audited),
// the public verification page, and the transparency log's endpoints.
func (s *Server) certRoutes(r *gin.Engine, api *gin.RouterGroup) {
	api.POST("/certificates", s.issue)
	api.POST("/certificates/:id/revoke", s.revoke)
	r.GET("/v/:id", s.verifyPage)
	r.GET("/log/keys", s.logKeys)
	r.GET("/log/head", s.logHead)
	r.GET("/log/consistency", s.logConsistency)
}

// department authenticates a department's API key ("Authorization:
// Bearer mk_...") and puts the department in the context.
func (s *Server) department(c *gin.Context) {
	key, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	if !ok || key == "" {
		c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": "missing API key"})
		return
	}
	dept, ok, err := s.cfg.Store.KeyDepartment(c.Request.Context(), key)
	if err != nil {
		c.AbortWithStatusJSON(http.StatusInternalServerError, gin.H{"error": "try again"})
		return
	}
	if !ok {
		// Not a department's action, and a row per guess would let anyone
		// fill the audit table: counted and logged instead.
		s.cfg.Metrics.unknownKeys.Inc()
		s.cfg.Log.Warn("unknown API key", "path", c.FullPath())
		c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": "unknown API key"})
		return
	}
	c.Set("department", dept)
}

// audit records a department's call; a failure to record it is logged and
// counted, so that operators see an audit trail with holes.
func (s *Server) audit(ctx context.Context, dept, action, certID string, status int, detail string) {
	if err := s.cfg.Store.Audit(ctx, dept, action, certID, status, detail); err != nil {
		s.cfg.Metrics.auditFailures.Inc()
		s.cfg.Log.Error("audit not recorded", "department", dept, "action", action, "error", err)
	}
}

func (s *Server) issue(c *gin.Context) {
	dept := c.GetString("department")
	ctx := c.Request.Context()
	var req certs.Request
	body, ok := readAPIBody(c)
	if !ok {
		s.audit(ctx, dept, "issue", "", http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	if err := json.Unmarshal(body, &req); err != nil {
		s.audit(ctx, dept, "issue", "", http.StatusBadRequest, "malformed JSON")
		c.JSON(http.StatusBadRequest, gin.H{"error": "body must be a JSON object"})
		return
	}
	if k := c.GetHeader("Idempotency-Key"); k != "" && req.IdempotencyKey == "" {
		req.IdempotencyKey = k
	}
	cert, replayed, fieldErrs, err := s.cfg.Issuer.Issue(ctx, dept, req)
	switch {
	case len(fieldErrs) > 0:
		s.audit(ctx, dept, "issue", "", http.StatusUnprocessableEntity, fieldErrs[0].Field+": "+fieldErrs[0].Reason)
		c.JSON(http.StatusUnprocessableEntity, gin.H{"errors": fieldErrs})
		return
	case errors.Is(err, certs.ErrConflict):
		s.audit(ctx, dept, "issue", "", http.StatusConflict, "idempotency key reused with another body")
		c.JSON(http.StatusConflict, gin.H{"errors": []certs.FieldError{{Field: "idempotency_key", Reason: "already used for a different request"}}})
		return
	case errors.Is(err, certs.ErrBusy):
		s.audit(ctx, dept, "issue", "", http.StatusServiceUnavailable, "busy")
		c.Header("Retry-After", "5")
		c.JSON(http.StatusServiceUnavailable, gin.H{"error": "too many certificates being issued at once; try again shortly"})
		return
	case err != nil:
		s.cfg.Log.Error("issue certificate", "department", dept, "error", err)
		s.audit(ctx, dept, "issue", "", http.StatusInternalServerError, "internal error")
		c.JSON(http.StatusInternalServerError, gin.H{"error": "try again"})
		return
	}
	status := http.StatusCreated
	if replayed {
		status = http.StatusOK
	}
	s.audit(ctx, dept, "issue", cert.ID, status, map[bool]string{true: "replayed", false: "issued"}[replayed])
	c.JSON(status, gin.H{"id": cert.ID, "replayed": replayed, "verify_url": strings.TrimSuffix(cert.QRText[:strings.IndexByte(cert.QRText, '#')], "/")})
}

func (s *Server) revoke(c *gin.Context) {
	dept := c.GetString("department")
	ctx := c.Request.Context()
	var req struct {
		Reason string `json:"reason"`
	}
	body, ok := readAPIBody(c)
	if !ok {
		return
	}
	if err := json.Unmarshal(body, &req); err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": "body must be a JSON object"})
		return
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(req.Reason)); n == 0 || n > certs.MaxRevokeReason || strings.ContainsFunc(req.Reason, unicode.IsControl) {
		c.JSON(http.StatusUnprocessableEntity, gin.H{"errors": []certs.FieldError{{Field: "reason",
			Reason: fmt.Sprintf("required, at most %d characters, no control characters", certs.MaxRevokeReason)}}})
		return
	}
	err := s.cfg.Issuer.Revoke(ctx, dept, c.Param("id"), req.Reason)
	status := http.StatusOK
	switch {
	case errors.Is(err, certs.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, certs.ErrForbidden):
		status = http.StatusForbidden
	case err != nil:
		status = http.StatusInternalServerError
	}
	s.audit(ctx, dept, "revoke", c.Param("id"), status, req.Reason)
	if status != http.StatusOK {
		c.JSON(status, gin.H{"error": http.StatusText(status)})
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": c.Param("id"), "revoked": true})
}

var verifyTexts = map[catalog.Lang]map[string]string{
	catalog.Telugu:  {"title": "సర్టిఫికెట్ ధృవీకరణ", "valid": "చెల్లుబాటు అవుతుంది", "revoked": "రద్దు చేయబడింది", "unknown": "ఈ సంఖ్యతో సర్టిఫికెట్ లేదు", "tampered": "రికార్డు మార్చబడింది — ఈ సర్టిఫికెట్‌ను నమ్మవద్దు", "pending": "జారీ అయింది; పబ్లిక్ లాగ్‌లో త్వరలో చేరుతుంది", "holder": "ఎవరికి", "service": "సేవ", "issued": "జారీ తేదీ"},
	catalog.Hindi:   {"title": "प्रमाण पत्र सत्यापन", "valid": "वैध है", "revoked": "रद्द कर दिया गया है", "unknown": "इस संख्या का कोई प्रमाण पत्र नहीं है", "tampered": "रिकॉर्ड बदला गया है — इस प्रमाण पत्र पर भरोसा न करें", "pending": "जारी हुआ; सार्वजनिक लॉग में जल्द जुड़ेगा", "holder": "किसके नाम", "service": "सेवा", "issued": "जारी करने की तिथि"},
	catalog.English: {"title": "Certificate verification", "valid": "Valid", "revoked": "Revoked", "unknown": "No certificate with this number", "tampered": "The record was altered — do not trust this certificate", "pending": "Issued; joins the public log shortly", "holder": "Issued to", "service": "Service", "issued": "Date of issue"},
}

var verifyHTML = template.Must(template.New("v").Parse(`<!doctype html><html lang="{{.Lang}}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.T.title}}</title>
<style>body{font-family:system-ui,"Noto Sans Telugu","Noto Sans Devanagari",sans-serif;max-width:560px;margin:2rem auto;padding:0 1rem}
.s{font-size:1.4rem;font-weight:700;padding:.8rem;border-radius:8px}.valid{background:#e3f6e8;color:#0a6b2b}.revoked,.tampered{background:#fde8e8;color:#a11}
.unknown,.pending{background:#eef;color:#335}td{padding:.3rem .6rem}nav a{margin-right:.8rem}</style></head><body>
<nav><a href="?lang=te">తెలుగు</a><a href="?lang=hi">हिन्दी</a><a href="?lang=en">English</a></nav>
<h1>{{.T.title}}</h1><p class="s {{.S.State}}" id="state">{{index .T .S.State}}{{if .S.Reason}}: {{.S.Reason}}{{end}}</p>
{{if .S.Holder}}<table><tr><td>{{.T.holder}}</td><td><b id="holder">{{.S.Holder}}</b></td></tr><tr><td>{{.T.service}}</td><td>{{.Service}}</td></tr>
<tr><td>{{.T.issued}}</td><td>{{.S.Issued}}</td></tr></table>{{end}}<p><small>{{.S.ID}}</small></p></body></html>`))

// verifyPage is public: /v/{id} in te/hi/en (?lang=), or JSON with
// ?format=json (status, inclusion proof and signed tree head).
func (s *Server) verifyPage(c *gin.Context) {
	id := c.Param("id")
	if !s.verifyLimits.allow(c.ClientIP()) {
		c.Header("Retry-After", "1")
		c.JSON(http.StatusTooManyRequests, gin.H{"error": "too many lookups; slow down"})
		return
	}
	if !certIDShape.MatchString(id) {
		// Not an id mitra issues (NUL, invalid UTF-8, too long): unknown,
		// without asking the database.
		c.JSON(http.StatusNotFound, certs.Status{ID: "", State: "unknown"})
		return
	}
	st, err := s.cfg.Issuer.Verify(c.Request.Context(), id)
	if err != nil {
		c.String(http.StatusInternalServerError, "try again")
		return
	}
	if c.Query("format") == "json" {
		c.JSON(http.StatusOK, st)
		return
	}
	lang, ok := catalog.ParseLang(c.Query("lang"))
	if !ok {
		lang = catalog.English
		if al := c.GetHeader("Accept-Language"); strings.HasPrefix(al, "te") {
			lang = catalog.Telugu
		} else if strings.HasPrefix(al, "hi") {
			lang = catalog.Hindi
		}
	}
	service := st.ServiceID
	if svc, ok := s.cfg.Issuer.Catalog.Service(st.ServiceID); ok {
		service = svc.Name.In(lang)
	}
	c.Header("Content-Security-Policy", pageCSP)
	c.Status(http.StatusOK)
	c.Header("Content-Type", "text/html; charset=utf-8")
	verifyHTML.Execute(c.Writer, map[string]any{"Lang": lang, "T": verifyTexts[lang], "S": st, "Service": service})
}

func (s *Server) logKeys(c *gin.Context) {
	keys := map[string]string{}
	for id, k := range s.cfg.Issuer.Keys() {
		keys[id] = hex.EncodeToString(k)
	}
	c.JSON(http.StatusOK, keys)
}

func (s *Server) logHead(c *gin.Context) {
	size := int64(-1)
	if v := c.Query("size"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			c.JSON(http.StatusBadRequest, gin.H{"error": "size must be a number"})
			return
		}
		size = n
	}
	h, err := s.cfg.Issuer.Head(c.Request.Context(), size)
	if errors.Is(err, certs.ErrNotFound) {
		c.JSON(http.StatusNotFound, gin.H{"error": "no signed tree head of that size"})
		return
	}
	if err != nil {
		c.JSON(http.StatusInternalServerError, gin.H{"error": "try again"})
		return
	}
	c.JSON(http.StatusOK, h)
}

// logConsistency proves ?first=A is a prefix of ?second=B.
func (s *Server) logConsistency(c *gin.Context) {
	a, err1 := strconv.ParseUint(c.Query("first"), 10, 64)
	b, err2 := strconv.ParseUint(c.Query("second"), 10, 64)
	if err1 != nil || err2 != nil || a > b {
		c.JSON(http.StatusBadRequest, gin.H{"error": "want first <= second"})
		return
	}
	proof, err := s.cfg.Issuer.Consistency(c.Request.Context(), a, b)
	if err != nil {
		// The cause goes to the log; a database error names hosts.
		s.cfg.Log.Warn("consistency proof", "first", a, "second", b, "error", err)
		c.JSON(http.StatusBadRequest, gin.H{"error": "no consistency proof between these sizes"})
		return
	}
	out := make([]string, len(proof))
	for i, p := range proof {
		out[i] = hex.EncodeToString(p)
	}
	c.JSON(http.StatusOK, gin.H{"first": a, "second": b, "proof": out})
}
