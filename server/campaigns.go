package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/store"
)

// Alerts and campaigns over HTTP: the state's portal records web opt-ins
// and creates campaigns with a department's key; administrators create,
// pause, resume and cancel campaigns in the console, and operators watch
// their counts. Both check a campaign with campaignFrom.

// campaignRequest is a campaign as the API and the console's form give
// it.
type campaignRequest struct {
	Name      string              `json:"name"`
	Template  string              `json:"template"`
	Params    map[string][]string `json:"params"`
	Topic     string              `json:"topic"`
	Districts []string            `json:"districts"`
	Langs     []string            `json:"languages"`
	Service   string              `json:"service"`
	// ScheduledAt is RFC 3339; empty sends at once.
	ScheduledAt string `json:"scheduled_at"`
}

// maxParam bounds one template parameter (Meta's limit for a body
// variable's text is far above what a citizen reads on a phone).
const maxParam = 300

// campaignFrom checks a request against the catalogue: an alert template,
// its parameters in every language, a topic, known districts, languages
// and service, a time not in the past. It names the field at fault.
func campaignFrom(cat *catalog.Catalog, r campaignRequest, by string, now time.Time) (store.Campaign, string, string) {
	c := store.Campaign{Name: strings.TrimSpace(r.Name), Template: r.Template, Params: r.Params, Topic: r.Topic, Districts: r.Districts,
		Langs: r.Langs, Service: r.Service, CreatedBy: by}
	t, ok := cat.Template(r.Template)
	switch {
	case c.Name == "" || utf8.RuneCountInString(c.Name) > 100:
		return c, "name", "1 to 100 characters"
	case !ok || t.Use != catalog.UseAlert:
		return c, "template", "not an alert template of the catalogue"
	}
	if _, ok := cat.Topic(r.Topic); !ok {
		return c, "topic", "not an alert topic of the catalogue"
	}
	for _, l := range catalog.Langs {
		ps := r.Params[string(l)]
		if len(ps) != len(t.Params) {
			return c, "params." + string(l), fmt.Sprintf("%d parameters, in order: %s", len(t.Params), paramNames(t))
		}
		for _, p := range ps {
			if strings.TrimSpace(p) == "" || utf8.RuneCountInString(p) > maxParam || strings.ContainsAny(p, "\n\t") || !utf8.ValidString(p) {
				return c, "params." + string(l), fmt.Sprintf("each parameter 1 to %d characters on one line", maxParam)
			}
		}
	}
	for _, d := range r.Districts {
		if !slices.Contains(application.Districts, d) {
			return c, "districts", fmt.Sprintf("%q is not a district", d)
		}
	}
	for _, l := range r.Langs {
		if !validLang(l) {
			return c, "languages", "te, hi or en"
		}
	}
	if r.Service != "" {
		if _, ok := cat.Service(r.Service); !ok {
			return c, "service", "not a service of the catalogue"
		}
	}
	if r.ScheduledAt != "" {
		at, err := time.Parse(time.RFC3339, r.ScheduledAt)
		if err != nil || at.Before(now.Add(-time.Minute)) || at.After(now.Add(90*24*time.Hour)) {
			return c, "scheduled_at", "an RFC 3339 time from now to 90 days ahead"
		}
		c.ScheduledAt = at
	}
	return c, "", ""
}

func paramNames(t *catalog.Template) string {
	var names []string
	for _, p := range t.Params {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

func (s *Server) campaignRoutes(api *gin.RouterGroup) {
	api.POST("/alerts/subscriptions", s.subscribeWeb)
	api.DELETE("/alerts/subscriptions", s.unsubscribeWeb)
	api.POST("/campaigns", s.createCampaign)
	api.GET("/campaigns/:id", s.getCampaign)
	api.POST("/campaigns/:id/:action", s.moveCampaignAPI)
}

// subscriptionRequest is a web opt-in the portal took (it verified the
// number, e.g. by an OTP of its own).
type subscriptionRequest struct {
	WAID     string `json:"wa_id"`
	Topic    string `json:"topic"`
	District string `json:"district"`
	Lang     string `json:"language"`
}

// validLang is one of mitra's language codes, as stored.
func validLang(l string) bool {
	lang, ok := catalog.ParseLang(l)
	return ok && string(lang) == l
}

func validWAID(s string) bool {
	return len(s) >= 10 && len(s) <= 15 && strings.Trim(s, "0123456789") == ""
}

func (s *Server) readSubscription(c *gin.Context, action string) (subscriptionRequest, bool) {
	var r subscriptionRequest
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 4096)
	if err := json.NewDecoder(c.Request.Body).Decode(&r); err != nil {
		s.fieldError(c, action, http.StatusBadRequest, "body", "a JSON object")
		return r, false
	}
	_, topicOK := s.cfg.Catalog.Topic(r.Topic)
	switch {
	case !validWAID(r.WAID):
		s.fieldError(c, action, http.StatusBadRequest, "wa_id", "the WhatsApp number in international form, digits only")
	case !topicOK:
		s.fieldError(c, action, http.StatusBadRequest, "topic", "not an alert topic of the catalogue")
	case r.District != "" && !slices.Contains(application.Districts, r.District):
		s.fieldError(c, action, http.StatusBadRequest, "district", "not a district")
	case r.Lang != "" && !validLang(r.Lang):
		s.fieldError(c, action, http.StatusBadRequest, "language", "te, hi or en")
	default:
		return r, true
	}
	return r, false
}

func (s *Server) subscribeWeb(c *gin.Context) {
	r, ok := s.readSubscription(c, "alert_subscribe")
	if !ok {
		return
	}
	sub := store.Subscription{WAID: r.WAID, Topic: r.Topic, District: r.District, Lang: r.Lang, Channel: store.ChannelWeb}
	if err := s.cfg.Store.Subscribe(c.Request.Context(), sub); err != nil {
		s.failed(c, "alert_subscribe", err)
		return
	}
	s.audit(c.Request.Context(), c.GetString("department"), "alert_subscribe", r.Topic, http.StatusCreated, "web opt-in")
	c.JSON(http.StatusCreated, gin.H{"topic": r.Topic, "district": r.District, "channel": store.ChannelWeb})
}

func (s *Server) unsubscribeWeb(c *gin.Context) {
	r, ok := s.readSubscription(c, "alert_unsubscribe")
	if !ok {
		return
	}
	switch err := s.cfg.Store.Unsubscribe(c.Request.Context(), r.WAID, r.Topic, store.ChannelWeb); {
	case errors.Is(err, store.ErrNotFound):
		s.fieldError(c, "alert_unsubscribe", http.StatusNotFound, "topic", "no web opt-in to this topic")
	case err != nil:
		s.failed(c, "alert_unsubscribe", err)
	default:
		s.audit(c.Request.Context(), c.GetString("department"), "alert_unsubscribe", r.Topic, http.StatusOK, "web opt-in withdrawn")
		c.JSON(http.StatusOK, gin.H{"withdrawn": true})
	}
}

func (s *Server) createCampaign(c *gin.Context) {
	var r campaignRequest
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 64<<10)
	if err := json.NewDecoder(c.Request.Body).Decode(&r); err != nil {
		s.fieldError(c, "campaign_create", http.StatusBadRequest, "body", "a JSON object")
		return
	}
	dept := c.GetString("department")
	camp, field, reason := campaignFrom(s.cfg.Catalog, r, "api:"+dept, time.Now())
	if field != "" {
		s.fieldError(c, "campaign_create", http.StatusUnprocessableEntity, field, reason)
		return
	}
	camp, err := s.cfg.Store.CreateCampaign(c.Request.Context(), camp)
	if err != nil {
		s.failed(c, "campaign_create", err)
		return
	}
	s.audit(c.Request.Context(), dept, "campaign_create", strconv.FormatInt(camp.ID, 10), http.StatusCreated, camp.Template+" "+camp.Topic)
	c.JSON(http.StatusCreated, s.campaignJSON(c, camp))
}

// campaignOf reads the campaign a path names, or answers 404.
func (s *Server) campaignOf(c *gin.Context, action string) (store.Campaign, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.fieldError(c, action, http.StatusNotFound, "id", "no such campaign")
		return store.Campaign{}, false
	}
	camp, err := s.cfg.Store.Campaign(c.Request.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.fieldError(c, action, http.StatusNotFound, "id", "no such campaign")
	case err != nil:
		s.failed(c, action, err)
	default:
		return camp, true
	}
	return camp, false
}

func (s *Server) getCampaign(c *gin.Context) {
	camp, ok := s.campaignOf(c, "campaign_get")
	if !ok {
		return
	}
	s.audit(c.Request.Context(), c.GetString("department"), "campaign_get", c.Param("id"), http.StatusOK, "")
	c.JSON(http.StatusOK, s.campaignJSON(c, camp))
}

// campaignMoves are the console's and the API's actions on a campaign:
// the states it may be in, and the one it goes to.
var campaignMoves = map[string]struct {
	from []string
	to   string
}{
	"pause":  {[]string{store.CampaignScheduled, store.CampaignRunning}, store.CampaignPaused},
	"resume": {[]string{store.CampaignPaused}, store.CampaignRunning},
	"cancel": {[]string{store.CampaignScheduled, store.CampaignRunning, store.CampaignPaused}, store.CampaignCancelled},
}

func (s *Server) moveCampaignAPI(c *gin.Context) {
	action := "campaign_" + c.Param("action")
	move, known := campaignMoves[c.Param("action")]
	if !known {
		s.fieldError(c, "campaign_move", http.StatusNotFound, "action", "pause, resume or cancel")
		return
	}
	camp, ok := s.campaignOf(c, action)
	if !ok {
		return
	}
	moved, err := s.cfg.Store.MoveCampaign(c.Request.Context(), camp.ID, move.from, move.to)
	switch {
	case err != nil:
		s.failed(c, action, err)
	case !moved:
		s.fieldError(c, action, http.StatusConflict, "status", "the campaign is "+camp.Status)
	default:
		s.audit(c.Request.Context(), c.GetString("department"), action, c.Param("id"), http.StatusOK, "")
		camp.Status = move.to
		c.JSON(http.StatusOK, s.campaignJSON(c, camp))
	}
}

// campaignView is a campaign with its counts and cost.
type campaignView struct {
	store.Campaign
	Counts store.CampaignCounts
	// Cost is by pricing category, in rupees at the configured rates,
	// and Total their sum; Priced is false when no rate is set.
	Cost   map[string]float64
	Total  float64
	Priced bool
}

func (s *Server) viewCampaign(c *gin.Context, camp store.Campaign) (campaignView, error) {
	counts, err := s.cfg.Store.Counts(c.Request.Context(), camp.ID)
	v := campaignView{Campaign: camp, Counts: counts, Cost: map[string]float64{}}
	for category, n := range counts.Billable {
		rate, ok := s.cfg.Prices[category]
		v.Priced = v.Priced || ok
		v.Cost[category] = float64(n) * rate
		v.Total += v.Cost[category]
	}
	return v, err
}

func (s *Server) campaignJSON(c *gin.Context, camp store.Campaign) gin.H {
	v, err := s.viewCampaign(c, camp)
	out := gin.H{"id": camp.ID, "name": camp.Name, "template": camp.Template, "topic": camp.Topic, "districts": camp.Districts,
		"languages": camp.Langs, "service": camp.Service, "status": camp.Status, "scheduled_at": camp.ScheduledAt, "created_by": camp.CreatedBy}
	if err == nil {
		failed := map[string]int64{}
		for code, n := range v.Counts.FailedBy {
			failed[strconv.Itoa(code)] = n
		}
		out["counts"] = v.Counts.ByStatus
		out["failed_by_code"] = failed
		out["billable_by_category"] = v.Counts.Billable
		if v.Priced {
			out["cost_inr"] = v.Cost
		}
	}
	return out
}
