package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/internal/password"
	"github.com/mitra-gov/mitra/store"
)

// dashboardRanges are the time ranges the dashboard offers.
var dashboardRanges = map[string]time.Duration{"hour": time.Hour, "day": 24 * time.Hour, "week": 7 * 24 * time.Hour}

type dashboardView struct {
	Range, Department, District string
	Departments                 []*catalog.Department
	Districts                   []string
	Board                       store.Dashboard
	Query                       template.URL
}

// dashboardFilter reads the range and department asked for; an officer
// always sees their own department.
func (con *console) dashboardFilter(c *gin.Context) (dashboardView, store.DashboardFilter) {
	st := c.MustGet("staff").(store.Staff)
	v := dashboardView{Range: c.Query("range"), Department: c.Query("department"), District: c.Query("district"),
		Departments: con.s.cfg.Catalog.Departments, Districts: application.Districts}
	if !slices.Contains(application.Districts, v.District) {
		v.District = ""
	}
	if _, ok := dashboardRanges[v.Range]; !ok {
		v.Range = "hour"
	}
	if _, ok := con.s.cfg.Catalog.Department(v.Department); !ok {
		v.Department = ""
	}
	if st.Role == store.RoleOfficer {
		v.Department = st.Department
	}
	now := time.Now()
	v.Query = template.URL("range=" + v.Range + "&department=" + v.Department + "&district=" + v.District)
	return v, store.DashboardFilter{Since: now.Add(-dashboardRanges[v.Range]), Until: now.Add(time.Second), Department: v.Department, District: v.District}
}

func (con *console) dashboard(c *gin.Context) {
	v, f := con.dashboardFilter(c)
	board, err := con.s.cfg.Store.Dashboard(c.Request.Context(), f)
	if err != nil {
		con.s.cfg.Log.Error("dashboard", "error", err)
		con.fail(c, http.StatusInternalServerError, "dashboard", "")
		return
	}
	v.Board = board
	con.render(c, http.StatusOK, "dashboard", view{Nav: "dashboard", Data: v})
}

// live renders the dashboard's figures alone, which the page's script
// fetches every few seconds and puts in place: the charts stay drawn by
// the server.
func (con *console) live(c *gin.Context) {
	v, f := con.dashboardFilter(c)
	board, err := con.s.cfg.Store.Dashboard(c.Request.Context(), f)
	if err != nil {
		c.Status(http.StatusServiceUnavailable)
		return
	}
	v.Board = board
	st := c.MustGet("staff").(store.Staff)
	c.Header("Content-Security-Policy", consoleCSP)
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Type", "text/html; charset=utf-8")
	if err := con.pages["dashboard"].ExecuteTemplate(c.Writer, "figures", view{Lang: st.Lang, Staff: st, Data: v}); err != nil {
		con.s.cfg.Log.Error("dashboard figures", "error", err)
	}
}

type deskRow struct {
	application.Record
	ServiceName string
	SLA         string // on_time, due, overdue, or "" when closed
}

type deskView struct {
	Department  string
	Departments []*catalog.Department
	District    string
	Districts   []string
	Status      string
	Statuses    []application.Status
	Rows        []deskRow
	Next        int64
	CanAct      bool
}

// deskDepartment is the department whose records a staff member works:
// an officer's own; for an administrator or operator, the one asked for.
func (con *console) deskDepartment(c *gin.Context, st store.Staff) string {
	if st.Role == store.RoleOfficer {
		return st.Department
	}
	d := c.Query("department")
	if _, ok := con.s.cfg.Catalog.Department(d); !ok && len(con.s.cfg.Catalog.Departments) > 0 {
		d = con.s.cfg.Catalog.Departments[0].ID
	}
	return d
}

func slaState(r application.Record, now time.Time) string {
	switch r.Status {
	case application.Rejected, application.Issued, application.Closed, application.Resolved:
		return ""
	}
	switch {
	case r.DueAt == nil || r.DueAt.After(now.Add(24*time.Hour)):
		return "on_time"
	case r.DueAt.After(now):
		return "due"
	}
	return "overdue"
}

func (con *console) desk(c *gin.Context) {
	st := c.MustGet("staff").(store.Staff)
	dept := con.deskDepartment(c, st)
	f := store.Filter{Department: dept, Limit: 50}
	if s := application.Status(c.Query("status")); slices.Contains(application.Statuses, s) {
		f.Status = s
	}
	if n, err := strconv.ParseInt(c.Query("after"), 10, 64); err == nil && n > 0 {
		f.After = n
	}
	if d := c.Query("district"); slices.Contains(application.Districts, d) {
		f.District = d
	}
	list, next, err := con.s.cfg.Store.Applications(c.Request.Context(), f)
	if err != nil {
		con.s.cfg.Log.Error("desk", "error", err)
		con.fail(c, http.StatusInternalServerError, "desk", dept)
		return
	}
	v := deskView{Department: dept, Departments: con.s.cfg.Catalog.Departments, District: f.District, Districts: application.Districts,
		Status: string(f.Status), Statuses: application.Statuses,
		Next: next, CanAct: st.Role == store.RoleOfficer}
	now := time.Now()
	for _, r := range list {
		v.Rows = append(v.Rows, deskRow{Record: r, ServiceName: con.serviceName(r.Service, st.Lang), SLA: slaState(r, now)})
	}
	con.audit(c, "desk_list", dept, "ok")
	con.render(c, http.StatusOK, "desk", view{Nav: "desk", Data: v})
}

func (con *console) serviceName(id, lang string) string {
	if s, ok := con.s.cfg.Catalog.Service(id); ok {
		l, _ := catalog.ParseLang(lang)
		return s.Name.In(l)
	}
	return id
}

// deskRecordFor loads the record in the path if the staff member may see
// it: an officer another department's record is 404, as if it did not
// exist, so that references cannot be probed.
func (con *console) deskRecordFor(c *gin.Context, action string) (application.Record, bool) {
	st := c.MustGet("staff").(store.Staff)
	ref, err := application.ParseRef(c.Param("ref"))
	if err != nil {
		con.fail(c, http.StatusNotFound, action, "(malformed)")
		return application.Record{}, false
	}
	r, err := con.s.cfg.Store.Application(c.Request.Context(), ref)
	switch {
	case errors.Is(err, store.ErrNotFound) || err == nil && st.Role == store.RoleOfficer && r.Department != st.Department:
		con.fail(c, http.StatusNotFound, action, string(ref))
		return r, false
	case err != nil:
		con.s.cfg.Log.Error(action, "error", err)
		con.fail(c, http.StatusInternalServerError, action, string(ref))
		return r, false
	}
	return r, true
}

type recordView struct {
	deskRow
	Answers  [][2]string
	Images   []application.Attachment
	Files    []application.Attachment
	Moves    []application.Status
	CanAct   bool
	CanIssue bool
}

func (con *console) deskRecord(c *gin.Context) {
	r, ok := con.deskRecordFor(c, "desk_view")
	if !ok {
		return
	}
	con.showRecord(c, r, http.StatusOK, "", "")
}

func (con *console) showRecord(c *gin.Context, r application.Record, status int, flash, reason string) {
	st := c.MustGet("staff").(store.Staff)
	v := recordView{deskRow: deskRow{Record: r, ServiceName: con.serviceName(r.Service, st.Lang), SLA: slaState(r, time.Now())},
		CanAct: st.Role == store.RoleOfficer && st.Department == r.Department}
	v.CanIssue = v.CanAct && con.s.cfg.Issuer != nil && con.s.isCertificate(r.Service)
	labels := map[string]string{}
	if _, fields, ok := con.s.cfg.Catalog.FormFor(r.Service); ok {
		l, _ := catalog.ParseLang(st.Lang)
		for _, f := range fields {
			labels[f.ID] = f.Label.In(l)
		}
	}
	keys := make([]string, 0, len(r.Answers))
	for k := range r.Answers {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		label := labels[k]
		if label == "" {
			label = k
		}
		v.Answers = append(v.Answers, [2]string{label, r.Answers[k]})
	}
	for _, a := range r.Attachments {
		if strings.HasPrefix(a.MIME, "image/") {
			v.Images = append(v.Images, a)
		} else {
			v.Files = append(v.Files, a)
		}
	}
	for _, to := range application.Statuses {
		if application.CanMove(r.Kind, r.Status, to, application.ByDepartment) {
			v.Moves = append(v.Moves, to)
		}
	}
	con.audit(c, "desk_view", string(r.Ref), "ok")
	errKey := ""
	if reason != "" {
		errKey = "field_error"
	}
	con.render(c, status, "record", view{Nav: "desk", Data: v, Flash: flash, Error: errKey, Reason: reason})
}

func (con *console) deskAttachment(c *gin.Context) {
	r, ok := con.deskRecordFor(c, "desk_attachment")
	if !ok {
		return
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		con.fail(c, http.StatusNotFound, "desk_attachment", string(r.Ref))
		return
	}
	a, data, err := con.s.cfg.Store.Attachment(c.Request.Context(), r.ID, id)
	if err != nil {
		con.fail(c, http.StatusNotFound, "desk_attachment", string(r.Ref))
		return
	}
	con.audit(c, "desk_attachment", string(r.Ref)+"/"+c.Param("id"), "ok")
	// Shown inline only as an image the browser cannot run; anything else
	// downloads.
	disposition := "attachment"
	if slices.Contains([]string{"image/jpeg", "image/png", "image/webp"}, a.MIME) {
		disposition = "inline"
	}
	c.Header("Content-Disposition", disposition+`; filename="`+strings.ReplaceAll(a.Name, `"`, "")+`"`)
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, a.MIME, data)
}

// deskMove makes a move from the record page, through the same applyMove
// as the back-office API, audited as the staff member. Only officers
// reach it, and deskRecordFor finds them their own department's records
// only.
func (con *console) deskMove(c *gin.Context) {
	r, ok := con.deskRecordFor(c, "desk_move")
	if !ok {
		return
	}
	var req moveRequest
	req.Status = application.Status(c.PostForm("status"))
	req.Note = c.PostForm("note")
	req.IssueCertificate = c.PostForm("issue") == "on"
	req.Certificate.Office = c.PostForm("office")
	audit := func(action, subject string, status int, detail string) {
		con.audit(c, action, subject, fmt.Sprintf("%d %s", status, detail))
	}
	moved, fail := con.s.applyMove(c.Request.Context(), r, req, audit)
	if fail != nil {
		msg := fail.Reason
		if fail.Field != "" {
			msg = fail.Field + ": " + fail.Reason
		}
		// The refusal in the API's own words, on the record's page.
		con.showRecord(c, moved, fail.Status, "", msg)
		return
	}
	con.showRecord(c, moved, http.StatusOK, "done", "")
}

type staffView struct {
	List   []store.Staff
	Roles  []store.Role
	Depts  []*catalog.Department
	NewKey string
	Keys   []store.APIKey
	Audit  []store.AuditEntry
}

func (con *console) staffPage(c *gin.Context) {
	con.showStaff(c, http.StatusOK, "", "", "")
}

func (con *console) showStaff(c *gin.Context, status int, flash, errKey, reason string) {
	list, err := con.s.cfg.Store.ListStaff(c.Request.Context())
	if err != nil {
		con.fail(c, http.StatusInternalServerError, "staff_list", "")
		return
	}
	con.render(c, status, "staff", view{Nav: "staff", Flash: flash, Error: errKey, Reason: reason,
		Data: staffView{List: list, Roles: store.Roles, Depts: con.s.cfg.Catalog.Departments}})
}

func (con *console) createStaff(c *gin.Context) {
	st := store.Staff{Username: strings.TrimSpace(c.PostForm("username")), Name: strings.TrimSpace(c.PostForm("name")),
		Role: store.Role(c.PostForm("role")), Department: c.PostForm("department"), Lang: c.PostForm("lang")}
	pw := c.PostForm("password")
	if st.Role != store.RoleOfficer {
		st.Department = ""
	}
	reason := ""
	_, deptOK := con.s.cfg.Catalog.Department(st.Department)
	switch {
	case !store.ValidUsername(st.Username):
		reason = "username: 3 to 32 lowercase letters, digits, dots or dashes"
	case st.Name == "" || utf8.RuneCountInString(st.Name) > 80:
		reason = "name: 1 to 80 characters"
	case !slices.Contains(store.Roles, st.Role):
		reason = "role: unknown role"
	case st.Role == store.RoleOfficer && !deptOK:
		reason = "department: an officer needs their department"
	case st.Lang != "en" && st.Lang != "te" && st.Lang != "hi":
		reason = "lang: en, te or hi"
	case utf8.RuneCountInString(pw) < password.MinLength || len(pw) > 256:
		reason = "password: at least 12 characters"
	}
	if reason != "" {
		con.audit(c, "staff_create", st.Username, "refused: "+reason)
		con.showStaff(c, http.StatusUnprocessableEntity, "", "field_error", reason)
		return
	}
	hash, err := password.Hash(pw)
	if err == nil {
		_, err = con.s.cfg.Store.CreateStaff(c.Request.Context(), st, hash)
	}
	switch {
	case errors.Is(err, store.ErrTaken):
		con.audit(c, "staff_create", st.Username, "refused: taken")
		con.showStaff(c, http.StatusConflict, "", "field_error", "username: taken")
		return
	case err != nil:
		con.s.cfg.Log.Error("staff create", "error", err)
		con.fail(c, http.StatusInternalServerError, "staff_create", st.Username)
		return
	}
	con.audit(c, "staff_create", st.Username+" ("+string(st.Role)+" "+st.Department+")", "ok")
	con.showStaff(c, http.StatusOK, "done", "", "")
}

func (con *console) setDisabled(c *gin.Context) {
	me := c.MustGet("staff").(store.Staff)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	disable := c.PostForm("disabled") == "true"
	if err != nil || (id == me.ID && disable) {
		con.audit(c, "staff_disable", c.Param("id"), "refused")
		con.showStaff(c, http.StatusUnprocessableEntity, "", "field_error", "id: not an account you can disable")
		return
	}
	if err := con.s.cfg.Store.SetStaffDisabled(c.Request.Context(), id, disable); err != nil {
		con.fail(c, http.StatusNotFound, "staff_disable", c.Param("id"))
		return
	}
	con.audit(c, "staff_disable", fmt.Sprintf("%d disabled=%v", id, disable), "ok")
	con.showStaff(c, http.StatusOK, "done", "", "")
}

func (con *console) keysPage(c *gin.Context) { con.showKeys(c, http.StatusOK, "", "", "") }

func (con *console) showKeys(c *gin.Context, status int, newKey, errKey, reason string) {
	keys, err := con.s.cfg.Store.APIKeys(c.Request.Context())
	if err != nil {
		con.fail(c, http.StatusInternalServerError, "keys_list", "")
		return
	}
	flash := ""
	if newKey != "" {
		flash = "key_once"
	}
	con.render(c, status, "keys", view{Nav: "keys", Flash: flash, Error: errKey, Reason: reason,
		Data: staffView{Keys: keys, Depts: con.s.cfg.Catalog.Departments, NewKey: newKey}})
}

func (con *console) createKey(c *gin.Context) {
	dept, label := c.PostForm("department"), strings.TrimSpace(c.PostForm("label"))
	if _, ok := con.s.cfg.Catalog.Department(dept); !ok || utf8.RuneCountInString(label) > 64 {
		con.audit(c, "key_create", dept, "refused")
		con.showKeys(c, http.StatusUnprocessableEntity, "", "field_error", "department: a department of the catalogue; label: at most 64 characters")
		return
	}
	key, err := con.s.cfg.Store.CreateAPIKey(c.Request.Context(), dept, label)
	if err != nil {
		con.fail(c, http.StatusInternalServerError, "key_create", dept)
		return
	}
	con.audit(c, "key_create", dept+" "+label, "ok")
	con.showKeys(c, http.StatusOK, key, "", "")
}

func (con *console) revokeKey(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	var dept string
	if err == nil {
		dept, err = con.s.cfg.Store.RevokeAPIKeyID(c.Request.Context(), id)
	}
	if err != nil {
		con.fail(c, http.StatusNotFound, "key_revoke", c.Param("id"))
		return
	}
	con.audit(c, "key_revoke", c.Param("id")+" "+dept, "ok")
	con.showKeys(c, http.StatusOK, "", "", "")
}

// rotateKey issues a new key for the same department, then revokes the
// old one (in that order, so a failure never leaves the department
// without a key): its system switches to the new key shown once here.
func (con *console) rotateKey(c *gin.Context) {
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	keys, err := con.s.cfg.Store.APIKeys(c.Request.Context())
	if err != nil {
		con.fail(c, http.StatusInternalServerError, "key_rotate", c.Param("id"))
		return
	}
	i := slices.IndexFunc(keys, func(k store.APIKey) bool { return k.ID == id && !k.Revoked })
	if i < 0 {
		con.fail(c, http.StatusNotFound, "key_rotate", c.Param("id"))
		return
	}
	key, err := con.s.cfg.Store.CreateAPIKey(c.Request.Context(), keys[i].Department, keys[i].Label)
	if err == nil {
		_, err = con.s.cfg.Store.RevokeAPIKeyID(c.Request.Context(), id)
	}
	if err != nil {
		con.fail(c, http.StatusInternalServerError, "key_rotate", c.Param("id"))
		return
	}
	con.audit(c, "key_rotate", c.Param("id")+" "+keys[i].Department, "ok")
	con.showKeys(c, http.StatusOK, key, "", "")
}

func (con *console) auditPage(c *gin.Context) {
	log, err := con.s.cfg.Store.StaffAuditLog(c.Request.Context(), 200)
	if err != nil {
		con.fail(c, http.StatusInternalServerError, "audit", "")
		return
	}
	con.render(c, http.StatusOK, "audit", view{Nav: "audit", Data: staffView{Audit: log}})
}

func randomHex() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}
