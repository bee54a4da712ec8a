package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"gopkg.in/yaml.v3"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/store"
)

// The review queue: what mitra did not place (sent to the menu, or asked
// "which of these?"), grouped by what the messages have in common, for
// content editors to turn into aliases or eval cases, or to mark out of
// scope. Evaluators and administrators read it. Proposed aliases are
// exported in the catalogue's own YAML and proposed cases in the eval
// suites' JSONL, for review before they are merged: nothing here edits
// the catalogue a running server uses.

var reviewRoles = []store.Role{store.RoleAdmin, store.RoleEditor, store.RoleEvaluator}

// reviewWindow is how far back the queue looks.
const reviewWindow = 7 * 24 * time.Hour

type reviewRow struct {
	store.ReviewGroup
	Text    string // the sample, numbers masked
	Offered []*catalog.Service
}

type reviewView struct {
	Rows    []reviewRow
	CanEdit bool
}

// longNumber is a run of digits long enough to be a phone, Aadhaar or
// account number: masked wherever staff read a citizen's words.
var longNumber = regexp.MustCompile(`\d{6,}`)

func maskText(s string) string { return longNumber.ReplaceAllString(s, "••••••") }

func (con *console) review(c *gin.Context) {
	con.showReview(c, http.StatusOK, "", "")
}

func (con *console) showReview(c *gin.Context, status int, flash, reason string) {
	st := c.MustGet("staff").(store.Staff)
	groups, err := con.s.cfg.Store.ReviewGroups(c.Request.Context(), time.Now().Add(-reviewWindow), 100)
	if err != nil {
		con.fail(c, http.StatusInternalServerError, "review", "")
		return
	}
	v := reviewView{CanEdit: st.Role == store.RoleEditor}
	for _, g := range groups {
		row := reviewRow{ReviewGroup: g, Text: maskText(g.Sample)}
		for _, id := range strings.Fields(g.Candidates) {
			if svc, ok := con.s.cfg.Catalog.Service(id); ok {
				row.Offered = append(row.Offered, svc)
			}
		}
		v.Rows = append(v.Rows, row)
	}
	errKey := ""
	if reason != "" {
		errKey = "field_error"
	}
	con.render(c, status, "review", view{Nav: "review", Flash: flash, Error: errKey, Reason: reason, Data: v})
}

// reviewAct records an editor's action on a group: the text is the
// group's sample as stored, never what the form says it is.
func (con *console) reviewAct(c *gin.Context) {
	st := c.MustGet("staff").(store.Staff)
	key := c.Param("key")
	g, err := con.s.cfg.Store.ReviewGroup(c.Request.Context(), key, time.Now().Add(-reviewWindow))
	switch {
	case errors.Is(err, store.ErrNotFound):
		con.fail(c, http.StatusNotFound, "review_act", key)
		return
	case err != nil:
		con.fail(c, http.StatusInternalServerError, "review_act", key)
		return
	}
	a := store.ReviewAction{Action: c.PostForm("action"), Service: strings.TrimSpace(c.PostForm("service")), Text: g.Sample, Lang: g.Lang, Script: g.Script}
	_, known := con.s.cfg.Catalog.Service(a.Service)
	switch {
	case a.Action != "alias" && a.Action != "eval" && a.Action != "oos":
		con.audit(c, "review_act", key, "refused: action")
		con.showReview(c, http.StatusUnprocessableEntity, "", "action: alias, eval or oos")
		return
	case a.Action != "oos" && !known:
		con.audit(c, "review_act", key, "refused: service")
		con.showReview(c, http.StatusUnprocessableEntity, "", "service: a service id of the catalogue")
		return
	case strings.TrimSpace(a.Text) == "" || utf8.RuneCountInString(a.Text) > catalog.MaxSituation:
		con.audit(c, "review_act", key, "refused: text")
		con.showReview(c, http.StatusUnprocessableEntity, "", "text: the message's text is gone or longer than an alias may be")
		return
	}
	if a.Action == "oos" {
		a.Service = ""
	}
	if err := con.s.cfg.Store.AddReviewAction(c.Request.Context(), key, st.ID, a); err != nil {
		con.fail(c, http.StatusInternalServerError, "review_act", key)
		return
	}
	con.audit(c, "review_"+a.Action, key+" "+a.Service, "ok")
	con.showReview(c, http.StatusOK, "done", "")
}

// aliasKey is the catalogue's alias list a text belongs in, by its
// language and script.
func aliasKey(lang, script string) string {
	if script == "romanized" && (lang == "te" || lang == "hi") {
		return lang + "_latn"
	}
	return lang
}

// reviewAliases exports the proposed aliases in the catalogue's YAML, by
// service, for an editor to review and merge into catalog/data.
func (con *console) reviewAliases(c *gin.Context) {
	acts, err := con.s.cfg.Store.ReviewActions(c.Request.Context(), "alias")
	if err != nil {
		con.fail(c, http.StatusInternalServerError, "review_export", "aliases")
		return
	}
	type entry struct {
		ID      string              `yaml:"id"`
		Aliases map[string][]string `yaml:"aliases"`
	}
	var out struct {
		Services []*entry `yaml:"services"`
	}
	byID := map[string]*entry{}
	for _, a := range acts {
		e := byID[a.Service]
		if e == nil {
			e = &entry{ID: a.Service, Aliases: map[string][]string{}}
			byID[a.Service] = e
			out.Services = append(out.Services, e)
		}
		k := aliasKey(a.Lang, a.Script)
		if !slices.Contains(e.Aliases[k], a.Text) {
			e.Aliases[k] = append(e.Aliases[k], a.Text)
		}
	}
	body, err := yaml.Marshal(out)
	if err != nil {
		con.fail(c, http.StatusInternalServerError, "review_export", "aliases")
		return
	}
	con.audit(c, "review_export", "aliases", "ok")
	head := "# Aliases proposed in the console's review queue, in the catalogue's format:\n" +
		"# merge each into its service in catalog/data/<department>.yaml after review, then run mitra catalog lint.\n"
	c.Data(http.StatusOK, "text/yaml; charset=utf-8", append([]byte(head), body...))
}

// reviewCases exports the proposed eval cases (and the out-of-scope
// ones, expecting no service) as an eval suite's JSONL.
func (con *console) reviewCases(c *gin.Context) {
	acts, err := con.s.cfg.Store.ReviewActions(c.Request.Context(), "eval", "oos")
	if err != nil {
		con.fail(c, http.StatusInternalServerError, "review_export", "cases")
		return
	}
	var b strings.Builder
	for _, a := range acts {
		expect := []string{}
		tags := []string{"review"}
		if a.Action == "oos" {
			tags = append(tags, "oos")
		} else {
			expect = append(expect, a.Service)
		}
		line, _ := json.Marshal(map[string]any{"text": a.Text, "lang": a.Lang, "expect": expect, "tags": tags})
		b.Write(line)
		b.WriteByte('\n')
	}
	con.audit(c, "review_export", "cases", "ok")
	c.Data(http.StatusOK, "application/jsonl; charset=utf-8", []byte(b.String()))
}
