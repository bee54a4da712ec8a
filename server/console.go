package server

import (
	"crypto/subtle"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/internal/password"
	"github.com/mitra-gov/mitra/store"
)

// The console (/console): the pages staff work in, server-rendered with
// html/template in English, Telugu or Hindi. Staff sign in with a
// password (argon2id); a session is a random token in a Secure, HTTP-only,
// SameSite=Strict cookie, stored hashed; every form carries the session's
// CSRF token; every action is audited, refusals too. The one script is
// served from the binary and only refreshes the dashboard.

//go:embed web/console
var consoleFiles embed.FS

// ConsoleConfig turns the console on.
type ConsoleConfig struct {
	// InsecureCookies drops the Secure flag from the session cookie, for
	// the development server on plain http://localhost. Production serves
	// the console behind TLS and keeps it.
	InsecureCookies bool
}

const (
	sessionCookie = "mitra_console"
	// loginCookie carries the sign-in form's CSRF token before there is a
	// session (double submit).
	loginCookie = "mitra_console_login"
	consoleCSP  = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

// dummyHash is what an unknown username's password is checked against,
// so that it takes as long as a known one's. Made at the first sign-in,
// not at start-up: an argon2id hash costs 64 MiB and a tenth of a second,
// which `mitra match` and every other command would otherwise pay.
var dummyHash = sync.OnceValue(func() string {
	h, err := password.Hash("no account has this password")
	if err != nil {
		panic(err)
	}
	return h
})

type console struct {
	s     *Server
	cfg   ConsoleConfig
	pages map[string]*template.Template
}

func (s *Server) consoleRoutes(r *gin.Engine, cfg ConsoleConfig) {
	con := &console{s: s, cfg: cfg, pages: parseConsolePages()}
	// Each file by name: a folder is never listed.
	static, _ := fs.Sub(consoleFiles, "web/console/static")
	for _, name := range []string{"console.css", "console.js"} {
		r.StaticFileFS("/console/static/"+name, name, http.FS(static))
	}
	r.GET("/console/login", con.loginPage)
	r.POST("/console/login", con.login)
	g := r.Group("/console", con.session)
	g.POST("/logout", con.logout)
	g.POST("/lang", con.setLang)
	g.GET("", con.allow(dashboardRoles, con.dashboard))
	g.GET("/live", con.allow(dashboardRoles, con.live))
	g.GET("/desk", con.allow(deskRoles, con.desk))
	g.GET("/desk/:ref", con.allow(deskRoles, con.deskRecord))
	g.GET("/desk/:ref/attachments/:id", con.allow(deskRoles, con.deskAttachment))
	g.POST("/desk/:ref/move", con.allow([]store.Role{store.RoleOfficer}, con.deskMove))
	g.POST("/desk/:ref/talk", con.allow([]store.Role{store.RoleOfficer}, con.deskTalk))
	g.GET("/handovers", con.allow(deskRoles, con.handovers))
	g.GET("/handovers/:id", con.allow(deskRoles, con.handover))
	g.POST("/handovers/:id/take", con.allow(handoverRoles, con.takeHandover))
	g.POST("/handovers/:id/say", con.allow(handoverRoles, con.sayInHandover))
	g.POST("/handovers/:id/template", con.allow(handoverRoles, con.sendTemplate))
	g.GET("/review", con.allow(reviewRoles, con.review))
	g.POST("/review/:key", con.allow([]store.Role{store.RoleEditor}, con.reviewAct))
	g.GET("/review/aliases.yaml", con.allow(reviewRoles, con.reviewAliases))
	g.GET("/review/cases.jsonl", con.allow(reviewRoles, con.reviewCases))
	g.GET("/staff", con.allow(adminRoles, con.staffPage))
	g.POST("/staff", con.allow(adminRoles, con.createStaff))
	g.POST("/staff/:id/disabled", con.allow(adminRoles, con.setDisabled))
	g.GET("/keys", con.allow(adminRoles, con.keysPage))
	g.POST("/keys", con.allow(adminRoles, con.createKey))
	g.POST("/keys/:id/revoke", con.allow(adminRoles, con.revokeKey))
	g.POST("/keys/:id/rotate", con.allow(adminRoles, con.rotateKey))
	g.GET("/audit", con.allow(adminRoles, con.auditPage))
	g.GET("/campaigns", con.allow(campaignViewers, con.campaignsPage))
	g.POST("/campaigns", con.allow(adminRoles, con.createCampaignPage))
	g.GET("/campaigns/:id", con.allow(campaignViewers, con.campaignPage))
	g.POST("/campaigns/:id/move", con.allow(adminRoles, con.moveCampaignPage))
	g.GET("/requests", con.allow(requestViewers, con.requestsPage))
}

// Who may see what. Officers see their own department only (enforced
// where records are read); only officers act on records.
var (
	dashboardRoles = store.Roles
	deskRoles      = []store.Role{store.RoleAdmin, store.RoleOperator, store.RoleOfficer}
	adminRoles     = []store.Role{store.RoleAdmin}
	// handoverRoles talk to citizens: officers (their department's and
	// the general queue) and administrators.
	handoverRoles = []store.Role{store.RoleAdmin, store.RoleOfficer}
)

func parseConsolePages() map[string]*template.Template {
	funcs := template.FuncMap{"t": ct, "bars": bars, "sparkline": sparkline, "ms": func(f float64) string { return formatMS(f) },
		"date": formatDate, "raw": func(r application.Ref) string { return string(r) }, "mask": maskNumber,
		"list": func(items ...string) []string { return items }}
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(consoleFiles, "web/console/layout.html"))
	pages := map[string]*template.Template{}
	names, _ := fs.Glob(consoleFiles, "web/console/pages/*.html")
	for _, n := range names {
		t := template.Must(template.Must(layout.Clone()).ParseFS(consoleFiles, n))
		pages[strings.TrimSuffix(n[strings.LastIndex(n, "/")+1:], ".html")] = t
	}
	return pages
}

// formatDate prints a time (or a due date that may be unset) in UTC, to
// the minute.
func formatDate(v any) string {
	switch t := v.(type) {
	case time.Time:
		return t.UTC().Format("2006-01-02 15:04")
	case *time.Time:
		if t != nil {
			return t.UTC().Format("2006-01-02 15:04")
		}
	}
	return ""
}

// view is what every page template gets.
type view struct {
	Lang  string
	Staff store.Staff
	CSRF  string
	Nav   string
	Flash string
	Error string
	// Reason is a refusal's own words, shown after Error.
	Reason string
	Data   any
}

func (con *console) render(c *gin.Context, status int, page string, v view) {
	if v.Lang == "" {
		v.Lang = "en"
	}
	if st, ok := c.Get("staff"); ok {
		v.Staff = st.(store.Staff)
		v.CSRF = c.GetString("csrf")
		if v.Lang == "en" && v.Staff.Lang != "" {
			v.Lang = v.Staff.Lang
		}
	}
	c.Header("Content-Security-Policy", consoleCSP)
	c.Header("Cache-Control", "no-store")
	c.Status(status)
	c.Header("Content-Type", "text/html; charset=utf-8")
	if err := con.pages[page].ExecuteTemplate(c.Writer, "layout.html", v); err != nil {
		con.s.cfg.Log.Error("console page", "page", page, "error", err)
	}
}

// fail shows a page-level refusal (403, 404, 500) in the staff member's
// language, and audits it.
func (con *console) fail(c *gin.Context, status int, action, subject string) {
	key := map[int]string{http.StatusForbidden: "forbidden", http.StatusNotFound: "not_found"}[status]
	if key == "" {
		key = "try_again"
	}
	con.audit(c, action, subject, http.StatusText(status))
	con.render(c, status, "message", view{Error: key})
}

func (con *console) audit(c *gin.Context, action, subject, outcome string) {
	st, _ := c.Get("staff")
	staff, _ := st.(store.Staff)
	if err := con.s.cfg.Store.StaffAudit(c.Request.Context(), staff.ID, staff.Username, action, subject, outcome); err != nil {
		con.s.cfg.Log.Error("staff audit", "action", action, "error", err)
	}
}

func (con *console) cookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: "/console", MaxAge: maxAge, HttpOnly: true,
		Secure: !con.cfg.InsecureCookies, SameSite: http.SameSiteStrictMode})
}

func (con *console) loginPage(c *gin.Context) {
	token := randomHex()
	con.cookie(c, loginCookie, token, 3600)
	con.render(c, http.StatusOK, "login", view{CSRF: token, Lang: loginLang(c)})
}

func loginLang(c *gin.Context) string {
	if l := c.Query("lang"); l == "te" || l == "hi" {
		return l
	}
	return "en"
}

func (con *console) login(c *gin.Context) {
	cookie, _ := c.Cookie(loginCookie)
	form := c.PostForm("csrf")
	lang := loginLang(c)
	if cookie == "" || subtle.ConstantTimeCompare([]byte(cookie), []byte(form)) != 1 {
		con.audit(c, "login", "", "csrf refused")
		c.AbortWithStatus(http.StatusForbidden)
		return
	}
	username := strings.TrimSpace(c.PostForm("username"))
	pw := c.PostForm("password")
	if len(username) > 64 || len(pw) > 256 {
		con.render(c, http.StatusBadRequest, "login", view{CSRF: cookie, Error: "bad_login", Lang: lang})
		return
	}
	st, err := con.s.cfg.Store.Login(c.Request.Context(), username, dummyHash(), func(h string) error { return password.Verify(h, pw) })
	switch {
	case errors.Is(err, store.ErrBadLogin) || errors.Is(err, store.ErrLocked):
		key := "bad_login"
		if errors.Is(err, store.ErrLocked) {
			key = "locked"
		}
		_ = con.s.cfg.Store.StaffAudit(c.Request.Context(), st.ID, username, "login", "", key)
		con.render(c, http.StatusUnauthorized, "login", view{CSRF: cookie, Error: key, Lang: lang})
		return
	case err != nil:
		con.s.cfg.Log.Error("console login", "error", err)
		con.render(c, http.StatusInternalServerError, "login", view{CSRF: cookie, Error: "try_again", Lang: lang})
		return
	}
	token, _, err := con.s.cfg.Store.CreateSession(c.Request.Context(), st.ID)
	if err != nil {
		con.s.cfg.Log.Error("console session", "error", err)
		con.render(c, http.StatusInternalServerError, "login", view{CSRF: cookie, Error: "try_again", Lang: lang})
		return
	}
	_ = con.s.cfg.Store.StaffAudit(c.Request.Context(), st.ID, st.Username, "login", "", "ok")
	con.cookie(c, loginCookie, "", -1)
	con.cookie(c, sessionCookie, token, int(store.SessionTTL.Seconds()))
	c.Redirect(http.StatusSeeOther, "/console")
}

// session admits a request with a live session, and a POST only with the
// session's CSRF token; without one a page goes to the sign-in form and
// anything else is refused.
func (con *console) session(c *gin.Context) {
	token, _ := c.Cookie(sessionCookie)
	var st store.Staff
	var csrf string
	var err error
	if token != "" && len(token) <= 128 {
		st, csrf, err = con.s.cfg.Store.Session(c.Request.Context(), token)
	} else {
		err = store.ErrNotFound
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		if c.Request.Method == http.MethodGet && !strings.HasPrefix(c.Request.URL.Path, "/console/live") {
			c.Redirect(http.StatusSeeOther, "/console/login")
		} else {
			c.Status(http.StatusUnauthorized)
		}
		c.Abort()
		return
	case err != nil:
		con.s.cfg.Log.Error("console session", "error", err)
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.Set("staff", st)
	c.Set("csrf", csrf)
	c.Set("token", token)
	if c.Request.Method != http.MethodGet && subtle.ConstantTimeCompare([]byte(c.PostForm("csrf")), []byte(csrf)) != 1 {
		con.audit(c, "csrf", c.Request.URL.Path, "refused")
		c.AbortWithStatus(http.StatusForbidden)
		return
	}
	c.Next()
}

// allow lets only the given roles through; others get 403, audited.
func (con *console) allow(roles []store.Role, h gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		st := c.MustGet("staff").(store.Staff)
		if !slices.Contains(roles, st.Role) {
			con.fail(c, http.StatusForbidden, "open", c.Request.URL.Path)
			return
		}
		h(c)
	}
}

func (con *console) logout(c *gin.Context) {
	if err := con.s.cfg.Store.EndSession(c.Request.Context(), c.GetString("token")); err != nil {
		con.s.cfg.Log.Error("console logout", "error", err)
	}
	con.audit(c, "logout", "", "ok")
	con.cookie(c, sessionCookie, "", -1)
	c.Redirect(http.StatusSeeOther, "/console/login")
}

func (con *console) setLang(c *gin.Context) {
	st := c.MustGet("staff").(store.Staff)
	lang := c.PostForm("lang")
	if lang != "en" && lang != "te" && lang != "hi" {
		con.fail(c, http.StatusBadRequest, "lang", lang)
		return
	}
	if err := con.s.cfg.Store.SetStaffLang(c.Request.Context(), st.ID, lang); err != nil {
		con.fail(c, http.StatusInternalServerError, "lang", lang)
		return
	}
	con.audit(c, "lang", lang, "ok")
	back := c.PostForm("back")
	if !strings.HasPrefix(back, "/console") || strings.HasPrefix(back, "//") {
		back = "/console"
	}
	c.Redirect(http.StatusSeeOther, back)
}
