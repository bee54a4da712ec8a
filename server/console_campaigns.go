package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/store"
)

// The console's campaigns (administrators create and steer them,
// operators watch) and citizens' data requests (operators and
// administrators see who used which right, numbers masked).

var (
	campaignViewers = []store.Role{store.RoleAdmin, store.RoleOperator}
	requestViewers  = []store.Role{store.RoleAdmin, store.RoleOperator}
)

// ist is the state's clock for the form's schedule (datetime-local has
// no zone).
var ist = time.FixedZone("IST", 5*3600+1800)

// maxFormParams is the most parameters an alert template has: the form
// offers that many boxes a language.
const maxFormParams = 3

type campaignsView struct {
	List      []store.Campaign
	Templates []*catalog.Template
	Topics    []*catalog.Topic
	Districts []string
	Langs     []catalog.Lang
	Slots     []int
	Form      campaignRequest
}

func (con *console) campaignsPage(c *gin.Context) {
	con.showCampaigns(c, http.StatusOK, "", "", campaignRequest{})
}

func (con *console) showCampaigns(c *gin.Context, status int, errKey, reason string, form campaignRequest) {
	list, err := con.s.cfg.Store.Campaigns(c.Request.Context(), 50)
	if err != nil {
		con.fail(c, http.StatusInternalServerError, "campaigns", "")
		return
	}
	var alerts []*catalog.Template
	for _, t := range con.s.cfg.Catalog.Templates {
		if t.Use == catalog.UseAlert {
			alerts = append(alerts, t)
		}
	}
	con.render(c, status, "campaigns", view{Nav: "campaigns", Error: errKey, Reason: reason, Data: campaignsView{List: list, Templates: alerts,
		Topics: con.s.cfg.Catalog.Topics, Districts: application.Districts, Langs: catalog.Langs, Slots: []int{1, 2, 3}, Form: form}})
}

// formCampaign reads the console's form: parameters as p_<lang>_<n>,
// trailing empty boxes dropped.
func formCampaign(c *gin.Context) campaignRequest {
	r := campaignRequest{Name: c.PostForm("name"), Template: c.PostForm("template"), Topic: c.PostForm("topic"),
		Districts: c.PostFormArray("districts"), Langs: c.PostFormArray("languages"), Service: strings.TrimSpace(c.PostForm("service")),
		Params: map[string][]string{}}
	for _, l := range catalog.Langs {
		var ps []string
		for n := 1; n <= maxFormParams; n++ {
			ps = append(ps, strings.TrimSpace(c.PostForm("p_"+string(l)+"_"+strconv.Itoa(n))))
		}
		for len(ps) > 0 && ps[len(ps)-1] == "" {
			ps = ps[:len(ps)-1]
		}
		r.Params[string(l)] = ps
	}
	if at := c.PostForm("scheduled_at"); at != "" {
		if t, err := time.ParseInLocation("2006-01-02T15:04", at, ist); err == nil {
			r.ScheduledAt = t.Format(time.RFC3339)
		} else {
			r.ScheduledAt = at // refused by campaignFrom, with the field named
		}
	}
	return r
}

func (con *console) createCampaignPage(c *gin.Context) {
	st := c.MustGet("staff").(store.Staff)
	form := formCampaign(c)
	camp, field, reason := campaignFrom(con.s.cfg.Catalog, form, "staff:"+st.Username, time.Now())
	if field != "" {
		con.audit(c, "campaign_create", form.Template, "refused: "+field)
		con.showCampaigns(c, http.StatusUnprocessableEntity, "field_error", field+": "+reason, form)
		return
	}
	camp, err := con.s.cfg.Store.CreateCampaign(c.Request.Context(), camp)
	if err != nil {
		con.fail(c, http.StatusInternalServerError, "campaign_create", form.Template)
		return
	}
	con.audit(c, "campaign_create", strconv.FormatInt(camp.ID, 10)+" "+camp.Template+" "+camp.Topic, "ok")
	c.Redirect(http.StatusSeeOther, "/console/campaigns/"+strconv.FormatInt(camp.ID, 10))
}

// consoleCampaign reads the campaign in the path, or shows 404.
func (con *console) consoleCampaign(c *gin.Context, action string) (store.Campaign, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	var camp store.Campaign
	if err == nil {
		camp, err = con.s.cfg.Store.Campaign(c.Request.Context(), id)
	}
	if err != nil {
		con.fail(c, http.StatusNotFound, action, c.Param("id"))
		return camp, false
	}
	return camp, true
}

func (con *console) campaignPage(c *gin.Context) {
	if camp, ok := con.consoleCampaign(c, "campaign"); ok {
		con.showCampaign(c, http.StatusOK, camp, "")
	}
}

func (con *console) showCampaign(c *gin.Context, status int, camp store.Campaign, flash string) {
	v, err := con.s.viewCampaign(c, camp)
	if err != nil {
		con.fail(c, http.StatusInternalServerError, "campaign", strconv.FormatInt(camp.ID, 10))
		return
	}
	con.render(c, status, "campaign", view{Nav: "campaigns", Flash: flash, Data: v})
}

func (con *console) moveCampaignPage(c *gin.Context) {
	camp, ok := con.consoleCampaign(c, "campaign_move")
	if !ok {
		return
	}
	move, known := campaignMoves[c.PostForm("action")]
	if !known {
		con.audit(c, "campaign_move", strconv.FormatInt(camp.ID, 10), "refused: unknown action")
		con.showCampaign(c, http.StatusUnprocessableEntity, camp, "")
		return
	}
	moved, err := con.s.cfg.Store.MoveCampaign(c.Request.Context(), camp.ID, move.from, move.to)
	if err != nil {
		con.fail(c, http.StatusInternalServerError, "campaign_move", strconv.FormatInt(camp.ID, 10))
		return
	}
	outcome, status := "ok", http.StatusOK
	if !moved {
		outcome, status = "refused: "+camp.Status, http.StatusConflict
	}
	con.audit(c, "campaign_"+c.PostForm("action"), strconv.FormatInt(camp.ID, 10), outcome)
	if camp, ok = con.consoleCampaign(c, "campaign"); ok {
		con.showCampaign(c, status, camp, map[bool]string{true: "done"}[moved])
	}
}

func (con *console) requestsPage(c *gin.Context) {
	list, err := con.s.cfg.Store.DataRequests(c.Request.Context(), 200)
	if err != nil {
		con.fail(c, http.StatusInternalServerError, "data_requests", "")
		return
	}
	con.audit(c, "data_requests", "", "viewed")
	con.render(c, http.StatusOK, "requests", view{Nav: "requests", Data: list})
}
