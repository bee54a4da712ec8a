package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mitra-gov/mitra/store"
)

// Alerts end to end: a citizen opts in in the chat (topic, then PIN
// code), another through the portal's API; an administrator creates a
// campaign in Chromium for two districts; both get the template in their
// language with the stop button, a citizen of another topic does not; the
// stop button stops proactive messages; statuses count on the campaign's
// page. An operator reads campaigns and cannot create one; the API refuses
// a campaign with the field at fault.
func TestCampaignInChromium(t *testing.T) {
	t.Parallel()
	s := newStackWith(t, stackOptions{chatty: true})
	ctx := context.Background()
	s.staff("admin", store.RoleAdmin, "")
	s.staff("operator", store.RoleOperator, "")
	portal, _ := s.store.CreateAPIKey(ctx, "rtgs", "portal")
	c := s.citizen("919000005001")
	c.say("hi")
	c.tap("lang:te")
	c.tap("privacy:yes")
	expect(t, c.say("హెచ్చరికలు"), "alert:weather")
	expect(t, c.tap("alert:weather"), "పిన్ కోడ్")
	expect(t, c.say("520 001"), "కృష్ణా")
	if code, body := s.api("POST", "/api/v1/alerts/subscriptions", portal, map[string]string{"wa_id": "919000005002", "topic": "weather", "district": "guntur", "language": "hi"}); code != http.StatusCreated {
		t.Fatalf("web opt-in: %d %v", code, body)
	}
	if code, body := s.api("POST", "/api/v1/alerts/subscriptions", portal, map[string]string{"wa_id": "12", "topic": "weather"}); code != http.StatusBadRequest || body["field"] != "wa_id" {
		t.Errorf("a bad number: %d %v", code, body)
	}
	s.api("POST", "/api/v1/alerts/subscriptions", portal, map[string]string{"wa_id": "919000005003", "topic": "power", "district": "krishna", "language": "en"})
	if code, body := s.api("POST", "/api/v1/campaigns", portal, map[string]any{"name": "x", "template": "officer_reply", "topic": "weather"}); code != http.StatusUnprocessableEntity || body["field"] != "template" {
		t.Errorf("a handover template as a campaign: %d %v", code, body)
	}

	bctx := browser(t)
	var page string
	// SetValue, not SendKeys: a synthetic keyboard drops some Telugu
	// vowel signs, which no person's keyboard does.
	fill := func(id, v string) chromedp.Action { return chromedp.SetValue("#"+id, v, chromedp.ByID) }
	runSteps(t, bctx, []browserStep{
		{"sign in as the administrator", chromedp.Tasks{chromedp.Navigate(s.url + "/console/campaigns"), chromedp.WaitVisible("#username", chromedp.ByID),
			chromedp.SendKeys("#username", "admin", chromedp.ByID), chromedp.SendKeys("#password", consolePassword, chromedp.ByID),
			chromedp.Click("#signin", chromedp.ByID), chromedp.WaitVisible("#messages-total", chromedp.ByID)}},
		{"open the campaigns", chromedp.Tasks{chromedp.Navigate(s.url + "/console/campaigns"), chromedp.WaitVisible("#new-campaign", chromedp.ByID)}},
		{"fill the campaign", chromedp.Tasks{fill("campaign-name", "Cyclone warning"), chromedp.SetValue("#campaign-template", "weather_warning", chromedp.ByID),
			chromedp.SetValue("#campaign-topic", "weather", chromedp.ByID),
			fill("p_te_1", "కృష్ణా"), fill("p_te_2", "ఈ రాత్రి భారీ వర్షం"), fill("p_hi_1", "कृष्णा"), fill("p_hi_2", "आज रात भारी बारिश"),
			fill("p_en_1", "Krishna"), fill("p_en_2", "heavy rain tonight"),
			chromedp.Click(`//input[@name="districts" and @value="krishna"]`, chromedp.BySearch),
			chromedp.Click(`//input[@name="districts" and @value="guntur"]`, chromedp.BySearch)}},
		{"create it", chromedp.Tasks{chromedp.Click("#create-campaign", chromedp.ByID), chromedp.WaitVisible("#campaign-status", chromedp.ByID),
			chromedp.Location(&page)}},
	})
	got := c.replies(1)
	expect(t, got, `"name":"weather_warning"`, "ఈ రాత్రి భారీ వర్షం", `"payload":"rights:stop"`)
	deadline := time.Now().Add(15 * time.Second)
	for len(s.waitSent("919000005002", 1)) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	expect(t, string(s.waitSent("919000005002", 1)[0].Payload), "आज रात भारी बारिश")
	time.Sleep(300 * time.Millisecond)
	if n := len(s.waitSent("919000005003", 0)); n != 0 {
		t.Errorf("a citizen of another topic got %d messages", n)
	}
	// Meta's statuses for the two, then the page's counts.
	for _, to := range []string{"919000005001", "919000005002"} {
		body, err := s.fake.StatusWebhook("106540352242922", "delivered", s.waitSent(to, 1)[len(s.waitSent(to, 1))-1])
		if err != nil {
			t.Fatal(err)
		}
		if code := s.postSigned(body); code != 200 {
			t.Fatal(code)
		}
	}
	runSteps(t, bctx, []browserStep{
		{"see the counts", chromedp.Tasks{chromedp.Navigate(page), chromedp.WaitVisible(`//td[@data-status="delivered" and normalize-space()="2"]`, chromedp.BySearch)}},
	})
	expect(t, c.tap("rights:stop"), "పంపము")
	op, csrf := s.consoleSession("operator")
	if code, page := s.consoleGet(op, "/console/campaigns"); code != 200 || !strings.Contains(page, "Cyclone warning") || strings.Contains(page, "new-campaign") {
		t.Errorf("the operator's campaigns: %d", code)
	}
	if code := s.consolePost(op, "/console/campaigns", url.Values{"csrf": {csrf}, "name": {"x"}}); code != http.StatusForbidden {
		t.Errorf("an operator created a campaign: %d", code)
	}
	if code, page := s.consoleGet(op, "/console/requests"); code != 200 || !strings.Contains(page, "9190 •••••• 01") || strings.Contains(page, "919000005001") {
		t.Errorf("the operator's data requests: %d", code)
	}
}
