package server

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/dialog"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp"
)

// Human handover in the console: the conversations citizens asked to have
// with a person, by department (an officer sees their own and the general
// queue); taking one tells the citizen who joined; replies go through the
// outbox like every message; sending with "hand back" ends it, and the
// citizen is told mitra is back.

type handoverView struct {
	List     []store.Handover
	H        store.Handover
	Log      []store.Exchange
	CanAct   bool
	InWindow bool
	// Templates are what the officer may send once the window has
	// closed: the handover templates Meta approved in the citizen's
	// language, as the citizen will read them.
	Templates []templateOffer
}

type templateOffer struct {
	Name, Preview string
}

// generalDesk names the general queue's office in a template.
var generalDesk = catalog.Localized{EN: "the citizen help desk", TE: "పౌర సహాయ కేంద్రం", HI: "नागरिक सहायता केंद्र"}

// officeName is how a handover template names the office writing: the
// department, or the general help desk.
func (con *console) officeName(dept string, lang catalog.Lang) string {
	d, ok := con.s.cfg.Catalog.Department(dept)
	if !ok {
		return generalDesk.In(lang)
	}
	return map[catalog.Lang]string{catalog.English: "the " + d.Short.EN + " department", catalog.Telugu: d.Short.TE + " శాఖ",
		catalog.Hindi: d.Short.HI + " विभाग"}[lang]
}

// handoverTemplates are the offers for a handover whose window closed:
// approved in the registry, and known to the catalogue (which fills
// them).
func (con *console) handoverTemplates(c *gin.Context, h store.Handover) ([]templateOffer, error) {
	lang, _ := catalog.ParseLang(h.Lang)
	approved, err := con.s.cfg.Store.ApprovedTemplates(c.Request.Context(), string(catalog.UseHandover), catalog.TemplateLang[lang])
	if err != nil {
		return nil, err
	}
	ok := map[string]bool{}
	for _, a := range approved {
		ok[a.Name] = true
	}
	// In the catalogue's order: its first handover template is the one
	// an officer most often needs.
	var out []templateOffer
	for _, t := range con.s.cfg.Catalog.Templates {
		if ok[t.Name] && t.Use == catalog.UseHandover {
			out = append(out, templateOffer{Name: t.Name, Preview: t.Fill(lang, con.officeName(h.Department, lang))})
		}
	}
	return out, nil
}

// mayAct reports whether a staff member may talk in a handover: an
// administrator any, an officer their department's and the general queue's.
func mayAct(st store.Staff, h store.Handover) bool {
	return st.Role == store.RoleAdmin || st.Role == store.RoleOfficer && (h.Department == st.Department || h.Department == "")
}

// maySee adds the operator, who reads every conversation.
func maySee(st store.Staff, h store.Handover) bool {
	return st.Role == store.RoleOperator || mayAct(st, h)
}

func (con *console) handovers(c *gin.Context) {
	st := c.MustGet("staff").(store.Staff)
	all := st.Role != store.RoleOfficer
	list, err := con.s.cfg.Store.Handovers(c.Request.Context(), st.Department, all)
	if err != nil {
		con.fail(c, http.StatusInternalServerError, "handovers", "")
		return
	}
	if !all {
		general, err := con.s.cfg.Store.Handovers(c.Request.Context(), "", false)
		if err != nil {
			con.fail(c, http.StatusInternalServerError, "handovers", "")
			return
		}
		list = append(list, general...)
	}
	con.render(c, http.StatusOK, "handovers", view{Nav: "handovers", Data: handoverView{List: list}})
}

// handoverFor loads the handover in the path if the staff member may see
// it (404 otherwise, as for records).
func (con *console) handoverFor(c *gin.Context, action string) (store.Handover, bool) {
	st := c.MustGet("staff").(store.Staff)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	var h store.Handover
	if err == nil {
		h, err = con.s.cfg.Store.HandoverByID(c.Request.Context(), id)
	}
	if err != nil || !maySee(st, h) {
		con.fail(c, http.StatusNotFound, action, c.Param("id"))
		return h, false
	}
	return h, true
}

func (con *console) handover(c *gin.Context) {
	h, ok := con.handoverFor(c, "handover_view")
	if !ok {
		return
	}
	con.showHandover(c, h, http.StatusOK, "", "")
}

func (con *console) showHandover(c *gin.Context, h store.Handover, status int, flash, errKey string) {
	st := c.MustGet("staff").(store.Staff)
	log, err := con.s.cfg.Store.ConversationLog(c.Request.Context(), h.Citizen, 50)
	if err != nil {
		con.fail(c, http.StatusInternalServerError, "handover_view", strconv.FormatInt(h.ID, 10))
		return
	}
	// What the citizen typed into forms (an Aadhaar, a phone number) is
	// masked here as everywhere staff read their words.
	for i := range log {
		log[i].Text = maskText(log[i].Text)
	}
	v := handoverView{H: h, Log: log, CanAct: mayAct(st, h), InWindow: time.Since(h.LastCitizen) < whatsapp.OpenWindow}
	if !v.InWindow && v.CanAct && h.TakenByID == st.ID {
		if v.Templates, err = con.handoverTemplates(c, h); err != nil {
			con.fail(c, http.StatusInternalServerError, "handover_view", strconv.FormatInt(h.ID, 10))
			return
		}
	}
	con.audit(c, "handover_view", strconv.FormatInt(h.ID, 10), "ok")
	con.render(c, status, "handover", view{Nav: "handovers", Flash: flash, Error: errKey, Data: v})
}

// sendTemplate sends an approved handover template to a citizen whose
// window has closed: the only message WhatsApp allows then. Their reply
// reopens the window and comes to the held conversation.
func (con *console) sendTemplate(c *gin.Context) {
	h, ok := con.handoverFor(c, "handover_template")
	if !ok {
		return
	}
	st := c.MustGet("staff").(store.Staff)
	id := strconv.FormatInt(h.ID, 10)
	if !mayAct(st, h) || h.TakenByID != st.ID {
		con.fail(c, http.StatusForbidden, "handover_template", id)
		return
	}
	offers, err := con.handoverTemplates(c, h)
	if err != nil {
		con.fail(c, http.StatusInternalServerError, "handover_template", id)
		return
	}
	name := c.PostForm("template")
	i := slices.IndexFunc(offers, func(o templateOffer) bool { return o.Name == name })
	if i < 0 {
		// Not approved in the citizen's language, or not a handover
		// template: refused before it costs anything.
		con.audit(c, "handover_template", id+" "+name, "refused: not approved")
		con.showHandover(c, h, http.StatusUnprocessableEntity, "", "template_not_approved")
		return
	}
	lang, _ := catalog.ParseLang(h.Lang)
	msg, err := whatsapp.TemplateMessage(h.Citizen, name, catalog.TemplateLang[lang], con.officeName(h.Department, lang))
	if err == nil {
		err = con.s.cfg.Store.SayInHandover(c.Request.Context(), h.ID, st.ID, []whatsapp.Outgoing{{Message: &msg}}, false)
	}
	if err != nil {
		con.fail(c, http.StatusNotFound, "handover_template", id)
		return
	}
	con.audit(c, "handover_template", id+" "+name, "ok")
	h, _ = con.s.cfg.Store.HandoverByID(c.Request.Context(), h.ID)
	con.showHandover(c, h, http.StatusOK, "done", "")
}

// notice renders a text to the citizen in their language.
func notice(h store.Handover, text string) ([]whatsapp.Outgoing, error) {
	lang, _ := catalog.ParseLang(h.Lang)
	return whatsapp.Render(h.Citizen, []dialog.Reply{{Text: text, Lang: lang}}, false)
}

func (con *console) takeHandover(c *gin.Context) {
	h, ok := con.handoverFor(c, "handover_take")
	if !ok {
		return
	}
	st := c.MustGet("staff").(store.Staff)
	id := strconv.FormatInt(h.ID, 10)
	if !mayAct(st, h) {
		con.fail(c, http.StatusForbidden, "handover_take", id)
		return
	}
	lang, _ := catalog.ParseLang(h.Lang)
	items, err := notice(h, dialog.HandoverNotice(lang, dialog.HandoverJoined, st.Name))
	if err == nil {
		err = con.s.cfg.Store.TakeHandover(c.Request.Context(), h.ID, st.ID, items)
	}
	switch {
	case errors.Is(err, store.ErrTakenByOther):
		con.audit(c, "handover_take", id, "refused: taken")
		con.showHandover(c, h, http.StatusConflict, "", "taken_by_other")
		return
	case err != nil:
		con.fail(c, http.StatusNotFound, "handover_take", id)
		return
	}
	con.audit(c, "handover_take", id, "ok")
	h, _ = con.s.cfg.Store.HandoverByID(c.Request.Context(), h.ID)
	con.showHandover(c, h, http.StatusOK, "done", "")
}

// maxHandoverText bounds one officer message (WhatsApp allows 4,096).
const maxHandoverText = 4000

func (con *console) sayInHandover(c *gin.Context) {
	h, ok := con.handoverFor(c, "handover_say")
	if !ok {
		return
	}
	st := c.MustGet("staff").(store.Staff)
	id := strconv.FormatInt(h.ID, 10)
	text := strings.TrimSpace(c.PostForm("text"))
	closing := c.PostForm("close") == "on"
	switch {
	case !mayAct(st, h) || h.TakenByID != st.ID:
		con.fail(c, http.StatusForbidden, "handover_say", id)
		return
	case text == "" && !closing || utf8.RuneCountInString(text) > maxHandoverText:
		con.audit(c, "handover_say", id, "refused: text")
		con.showHandover(c, h, http.StatusUnprocessableEntity, "", "field_error")
		return
	case time.Since(h.LastCitizen) >= whatsapp.OpenWindow && text != "":
		con.audit(c, "handover_say", id, "refused: outside the window")
		con.showHandover(c, h, http.StatusUnprocessableEntity, "", "outside_window")
		return
	}
	var replies []dialog.Reply
	lang, _ := catalog.ParseLang(h.Lang)
	if text != "" {
		replies = append(replies, dialog.Reply{Text: text, Lang: lang})
	}
	if closing {
		replies = append(replies, dialog.Reply{Text: dialog.HandoverNotice(lang, dialog.HandoverLeft, ""), Lang: lang})
	}
	items, err := whatsapp.Render(h.Citizen, replies, false)
	if err == nil {
		err = con.s.cfg.Store.SayInHandover(c.Request.Context(), h.ID, st.ID, items, closing)
	}
	if err != nil {
		con.fail(c, http.StatusNotFound, "handover_say", id)
		return
	}
	outcome := "ok"
	if closing {
		outcome = "ok, handed back"
	}
	con.audit(c, "handover_say", id, outcome)
	h, _ = con.s.cfg.Store.HandoverByID(c.Request.Context(), h.ID)
	con.showHandover(c, h, http.StatusOK, "done", "")
}

// maskNumber shows a citizen's number as staff need it: enough to tell
// two apart, never enough to call ("9190 •••••• 01").
func maskNumber(n string) string {
	if len(n) < 8 {
		return "••••"
	}
	return n[:4] + " •••••• " + n[len(n)-2:]
}

// deskTalk takes the conversation of a record's citizen from the desk:
// the officer then writes to them in the handover.
func (con *console) deskTalk(c *gin.Context) {
	r, ok := con.deskRecordFor(c, "handover_start")
	if !ok {
		return
	}
	st := c.MustGet("staff").(store.Staff) // an officer, of r's department (deskRecordFor)
	lang, _ := catalog.ParseLang(r.Lang)
	items, err := whatsapp.Render(r.Citizen, []dialog.Reply{{Text: dialog.HandoverNotice(lang, dialog.HandoverJoined, st.Name), Lang: lang}}, false)
	var id int64
	if err == nil {
		id, err = con.s.cfg.Store.StartHandover(c.Request.Context(), r.Citizen, r.Department, string(lang), st.ID, items)
	}
	switch {
	case errors.Is(err, store.ErrTakenByOther):
		con.audit(c, "handover_start", string(r.Ref), "refused: taken")
		con.showRecord(c, r, http.StatusConflict, "", ct(st.Lang, "taken_by_other"))
		return
	case err != nil:
		con.fail(c, http.StatusInternalServerError, "handover_start", string(r.Ref))
		return
	}
	con.audit(c, "handover_start", string(r.Ref)+" "+strconv.FormatInt(id, 10), "ok")
	c.Redirect(http.StatusSeeOther, "/console/handovers/"+strconv.FormatInt(id, 10))
}
