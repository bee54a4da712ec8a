package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/certs"
	"github.com/mitra-gov/mitra/store"
)

// The departments' back office: list their applications and grievances,
// read one with its attachments, and move it along. Every call is
// authenticated by the department's key and audited, whatever its
// outcome; another department's record is 403, a move its status does not
// allow is 409.

// maxNote bounds a department's note or question to a citizen.
const maxNote = 1000

func (s *Server) applicationRoutes(api *gin.RouterGroup) {
	api.GET("/applications", s.listApplications)
	api.GET("/applications/:ref", s.getApplication)
	api.GET("/applications/:ref/attachments/:id", s.getAttachment)
	api.POST("/applications/:ref/status", s.moveApplication)
}

// fieldError answers 4xx naming the field at fault, and audits the
// refusal: a department's call is recorded whatever its outcome.
func (s *Server) fieldError(c *gin.Context, action string, status int, field, reason string) {
	s.audit(c.Request.Context(), c.GetString("department"), action, subject(c), status, field+": "+reason)
	c.JSON(status, gin.H{"error": reason, "field": field})
}

// subject is the record a call names, as far as it can be kept: a path
// is the caller's to fill.
func subject(c *gin.Context) string {
	ref := c.Param("ref")
	if len(ref) > 32 || !utf8.ValidString(ref) {
		return "(malformed)"
	}
	return ref
}

// failed answers 500 and audits it.
func (s *Server) failed(c *gin.Context, action string, err error) {
	s.cfg.Log.Error(action, "department", c.GetString("department"), "error", err)
	s.audit(c.Request.Context(), c.GetString("department"), action, subject(c), http.StatusInternalServerError, "internal error")
	c.JSON(http.StatusInternalServerError, gin.H{"error": "try again"})
}

func (s *Server) listApplications(c *gin.Context) {
	dept := c.GetString("department")
	ctx := c.Request.Context()
	f := store.Filter{Department: dept, Limit: 50}
	q := c.Request.URL.Query()
	if v := q.Get("status"); v != "" {
		if !slices.Contains(application.Statuses, application.Status(v)) {
			s.fieldError(c, "list_applications", http.StatusBadRequest, "status", "unknown status")
			return
		}
		f.Status = application.Status(v)
	}
	if v := q.Get("service"); v != "" {
		svc, ok := s.cfg.Catalog.Service(v)
		if !ok || svc.Department != dept {
			s.fieldError(c, "list_applications", http.StatusBadRequest, "service", "not a service of this department")
			return
		}
		f.Service = v
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			s.fieldError(c, "list_applications", http.StatusBadRequest, "since", "want an RFC 3339 time, e.g. 2026-12-01T00:00:00Z")
			return
		}
		f.Since = t
	}
	if v := q.Get("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			s.fieldError(c, "list_applications", http.StatusBadRequest, "cursor", "not a cursor from a previous page")
			return
		}
		f.After = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			s.fieldError(c, "list_applications", http.StatusBadRequest, "limit", "want 1 to 200")
			return
		}
		f.Limit = n
	}
	list, next, err := s.cfg.Store.Applications(ctx, f)
	if err != nil {
		s.failed(c, "list_applications", err)
		return
	}
	s.audit(ctx, dept, "list_applications", "", http.StatusOK, c.Request.URL.RawQuery)
	page := gin.H{"applications": nonNil(list)}
	if next > 0 {
		page["next_cursor"] = strconv.FormatInt(next, 10)
	}
	c.JSON(http.StatusOK, page)
}

func nonNil(list []application.Record) []application.Record {
	if list == nil {
		return []application.Record{}
	}
	return list
}

// record loads the record named in the path for the calling department:
// ok false when it answered (400, 404, 403).
func (s *Server) record(c *gin.Context, action string) (application.Record, bool) {
	dept := c.GetString("department")
	ctx := c.Request.Context()
	ref, err := application.ParseRef(c.Param("ref"))
	if err != nil {
		s.fieldError(c, action, http.StatusBadRequest, "ref", "not a reference number (11 digits with a check digit)")
		return application.Record{}, false
	}
	r, err := s.cfg.Store.Application(ctx, ref)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.audit(ctx, dept, action, string(ref), http.StatusNotFound, "no such record")
		c.JSON(http.StatusNotFound, gin.H{"error": "no such application"})
		return r, false
	case err != nil:
		s.failed(c, action, err)
		return r, false
	case r.Department != dept:
		s.audit(ctx, dept, action, string(ref), http.StatusForbidden, "another department's record")
		c.JSON(http.StatusForbidden, gin.H{"error": "this application belongs to another department"})
		return r, false
	}
	return r, true
}

func (s *Server) getApplication(c *gin.Context) {
	r, ok := s.record(c, "get_application")
	if !ok {
		return
	}
	s.audit(c.Request.Context(), r.Department, "get_application", string(r.Ref), http.StatusOK, "")
	c.JSON(http.StatusOK, r)
}

func (s *Server) getAttachment(c *gin.Context) {
	r, ok := s.record(c, "get_attachment")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.fieldError(c, "get_attachment", http.StatusBadRequest, "id", "not an attachment id")
		return
	}
	a, data, err := s.cfg.Store.Attachment(ctx, r.ID, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.audit(ctx, r.Department, "get_attachment", string(r.Ref), http.StatusNotFound, c.Param("id"))
		c.JSON(http.StatusNotFound, gin.H{"error": "no such attachment on this application"})
		return
	case err != nil:
		s.failed(c, "get_attachment", err)
		return
	}
	s.audit(ctx, r.Department, "get_attachment", string(r.Ref), http.StatusOK, c.Param("id"))
	c.Header("Content-Disposition", `attachment; filename="`+a.Name+`"`)
	c.Data(http.StatusOK, a.MIME, data)
}

// moveRequest moves a record: a status and a note (the question, for
// needs_information; the reason, for a rejection). Approving with
// issue_certificate issues the certificate from the application's answers
// and moves it on to issued: the PDF reaches the citizen in the chat.
type moveRequest struct {
	Status           application.Status `json:"status"`
	Note             string             `json:"note"`
	IssueCertificate bool               `json:"issue_certificate"`
	Certificate      struct {
		Office   string `json:"issuing_office"`
		Validity string `json:"validity"`
	} `json:"certificate"`
}

func (s *Server) moveApplication(c *gin.Context) {
	r, ok := s.record(c, "move_application")
	if !ok {
		return
	}
	dept, ctx := r.Department, c.Request.Context()
	body, ok := readAPIBody(c)
	if !ok {
		return
	}
	var req moveRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.audit(ctx, dept, "move_application", string(r.Ref), http.StatusBadRequest, "malformed JSON")
		c.JSON(http.StatusBadRequest, gin.H{"error": "body must be a JSON object"})
		return
	}
	audit := func(action, subject string, status int, detail string) {
		s.audit(ctx, dept, action, subject, status, detail)
	}
	moved, fail := s.applyMove(ctx, r, req, audit)
	switch {
	case fail == nil:
		c.JSON(http.StatusOK, moved)
	case len(fail.FieldErrors) > 0:
		c.JSON(fail.Status, gin.H{"errors": fail.FieldErrors, "application": moved})
	case fail.Status == http.StatusConflict:
		c.JSON(fail.Status, gin.H{"error": fail.Reason, "field": "status", "current_status": fail.Current})
	case fail.Status == http.StatusServiceUnavailable:
		c.JSON(fail.Status, gin.H{"error": fail.Reason, "application": moved})
	case fail.Field != "":
		c.JSON(fail.Status, gin.H{"error": fail.Reason, "field": fail.Field})
	default:
		c.JSON(fail.Status, gin.H{"error": fail.Reason})
	}
}

// moveFailure is why a move was refused or failed: the HTTP status, the
// field at fault (if any), and a reason the caller can show.
type moveFailure struct {
	Status      int
	Field       string
	Reason      string
	Current     application.Status
	FieldErrors []certs.FieldError
}

// auditFunc records one outcome of a department's or a staff member's
// action, in their own audit.
type auditFunc func(action, subject string, status int, detail string)

// applyMove checks and makes a move, issuing the certificate when asked:
// the one implementation behind the back-office API and the console's
// desk. Every outcome is audited through audit. On failure the record
// returned is the latest known (approved, when only issuance failed).
func (s *Server) applyMove(ctx context.Context, r application.Record, req moveRequest, audit auditFunc) (application.Record, *moveFailure) {
	dept := r.Department
	refuse := func(status int, field, reason string) (application.Record, *moveFailure) {
		audit("move_application", string(r.Ref), status, field+": "+reason)
		return r, &moveFailure{Status: status, Field: field, Reason: reason}
	}
	req.Note = strings.TrimSpace(req.Note)
	switch {
	case !slices.Contains(application.Statuses, req.Status):
		return refuse(http.StatusUnprocessableEntity, "status", "unknown status")
	case utf8.RuneCountInString(req.Note) > maxNote || strings.ContainsFunc(req.Note, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }):
		return refuse(http.StatusUnprocessableEntity, "note", "at most 1000 characters, no control characters")
	case req.Note == "" && (req.Status == application.NeedsInformation || req.Status == application.Rejected):
		return refuse(http.StatusUnprocessableEntity, "note", "say what is needed, or why it is rejected: the citizen reads it")
	case req.IssueCertificate && ((req.Status != application.Approved && req.Status != application.Issued) || s.cfg.Issuer == nil || !s.isCertificate(r.Service)):
		return refuse(http.StatusUnprocessableEntity, "issue_certificate", "only when approving a certificate application, on a server that issues certificates")
	case req.IssueCertificate && strings.TrimSpace(req.Certificate.Office) == "":
		return refuse(http.StatusUnprocessableEntity, "certificate.issuing_office", "required to issue the certificate")
	}
	// Issuing moves an approved record to issued once the certificate
	// exists; asked for with status issued, it retries an approval whose
	// certificate failed.
	moved := r
	if !(req.IssueCertificate && req.Status == application.Issued) {
		var err error
		moved, err = s.cfg.Store.Move(ctx, store.Change{Ref: r.Ref, To: req.Status, Department: dept, By: application.ByDepartment, Note: req.Note})
		if fail := s.moveOutcome(r, req.Status, err, audit); fail != nil {
			return r, fail
		}
	}
	if !req.IssueCertificate {
		return moved, nil
	}
	if moved.Status != application.Approved {
		return moved, s.moveOutcome(moved, application.Issued, application.ErrTransition, audit)
	}
	cert, fieldErrs, err := s.issueFor(ctx, moved, req)
	switch {
	case len(fieldErrs) > 0:
		audit("issue", string(r.Ref), http.StatusUnprocessableEntity, fieldErrs[0].Field+": "+fieldErrs[0].Reason)
		return moved, &moveFailure{Status: http.StatusUnprocessableEntity, Field: fieldErrs[0].Field, Reason: fieldErrs[0].Reason, FieldErrors: fieldErrs}
	case err != nil:
		s.cfg.Log.Error("issue for application", "error", err)
		audit("issue", string(r.Ref), http.StatusServiceUnavailable, "approved; certificate not issued")
		return moved, &moveFailure{Status: http.StatusServiceUnavailable, Reason: "approved, but the certificate was not issued; try status issued again shortly"}
	}
	audit("issue", cert.ID, http.StatusCreated, "for "+string(r.Ref))
	issued, err := s.cfg.Store.Move(ctx, store.Change{Ref: r.Ref, To: application.Issued, Department: dept, By: application.ByDepartment, Certificate: cert.ID})
	if fail := s.moveOutcome(r, application.Issued, err, audit); fail != nil {
		return moved, fail
	}
	return issued, nil
}

// moveOutcome audits a move's outcome and says why it failed (409, 403,
// 500), nil when it was made.
func (s *Server) moveOutcome(r application.Record, to application.Status, err error, audit auditFunc) *moveFailure {
	switch {
	case errors.Is(err, application.ErrTransition):
		audit("move_application", string(r.Ref), http.StatusConflict, string(r.Status)+" -> "+string(to))
		return &moveFailure{Status: http.StatusConflict, Field: "status", Reason: err.Error(), Current: r.Status}
	case errors.Is(err, store.ErrForbidden):
		audit("move_application", string(r.Ref), http.StatusForbidden, "another department's record")
		return &moveFailure{Status: http.StatusForbidden, Reason: "this application belongs to another department"}
	case err != nil:
		s.cfg.Log.Error("move_application", "department", r.Department, "error", err)
		audit("move_application", string(r.Ref), http.StatusInternalServerError, "internal error")
		return &moveFailure{Status: http.StatusInternalServerError, Reason: "try again"}
	}
	audit("move_application", string(r.Ref), http.StatusOK, string(r.Status)+" -> "+string(to))
	return nil
}

// issueFor issues the certificate an approved application asked for,
// from its answers: the holder's name, and the form's plain answers (never
// an Aadhaar or phone number, which a public certificate must not carry).
// The reference is the idempotency key, so asking again issues once.
func (s *Server) issueFor(ctx context.Context, r application.Record, req moveRequest) (certs.Certificate, []certs.FieldError, error) {
	fields := map[string]string{}
	if _, formFields, ok := s.cfg.Catalog.FormFor(r.Service); ok {
		for _, f := range formFields {
			switch f.Type {
			case "aadhaar", "phone", "photo", "document", "location":
				continue
			}
			if v := r.Answers[f.ID]; v != "" && f.ID != "applicant_name" && len(fields) < 20 {
				fields[f.ID] = v
			}
		}
	}
	lang := r.Lang
	if _, ok := catalog.ParseLang(lang); !ok {
		lang = string(catalog.English)
	}
	cr := certs.Request{IdempotencyKey: "application:" + string(r.Ref), WAID: r.Citizen, ServiceID: r.Service, Holder: r.Answers["applicant_name"],
		Lang: lang, Office: req.Certificate.Office, Validity: req.Certificate.Validity, Fields: fields}
	cert, _, fieldErrs, err := s.cfg.Issuer.Issue(ctx, r.Department, cr)
	return cert, fieldErrs, err
}

func (s *Server) isCertificate(serviceID string) bool {
	svc, ok := s.cfg.Catalog.Service(serviceID)
	return ok && svc.Kind == "certificate"
}
