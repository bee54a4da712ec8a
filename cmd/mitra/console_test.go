package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/internal/password"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp"
)

const consolePassword = "console test password"

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// staff creates a console account with consolePassword.
func (s *stack) staff(username string, role store.Role, dept string) {
	s.t.Helper()
	hash, err := password.Hash(consolePassword)
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.store.CreateStaff(context.Background(), store.Staff{Username: username, Name: strings.ToUpper(username[:1]) + username[1:],
		Role: role, Department: dept, Lang: "en"}, hash); err != nil {
		s.t.Fatal(err)
	}
}

// submit stores an application or grievance for a citizen as the chat
// would, and returns it.
func (s *stack) submit(serviceID, from string, answers map[string]string) application.Record {
	s.t.Helper()
	cat, _ := catalog.Load(catalog.Embedded())
	svc, _ := cat.Service(serviceID)
	var rec application.Record
	err := s.store.InTx(context.Background(), func(tx store.Tx) error {
		var err error
		rec, _, err = tx.SubmitFor(context.Background(), svc, from, application.Submission{Service: serviceID, Key: "test:" + from + serviceID,
			Channel: "chat", Lang: "en", Answers: answers})
		return err
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return rec
}

// consoleSession signs in over HTTP and returns the session cookie and the
// CSRF token of the first form on the dashboard.
func (s *stack) consoleSession(username string) (cookie, csrf string) {
	s.t.Helper()
	code, cookies := s.loginAttempt(url.Values{"username": {username}, "password": {consolePassword}})
	if code != http.StatusSeeOther {
		s.t.Fatalf("sign in as %s: %d", username, code)
	}
	for _, c := range cookies {
		if c.Name == "mitra_console" && c.Value != "" {
			cookie = c.Value
		}
	}
	_, page := s.consoleGet(cookie, "/console")
	m := csrfField.FindStringSubmatch(page)
	if cookie == "" || m == nil {
		s.t.Fatalf("no session for %s", username)
	}
	return cookie, m[1]
}

func (s *stack) consoleGet(cookie, path string) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.url+path, nil)
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "mitra_console", Value: cookie})
	}
	res, err := noRedirect.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func (s *stack) consolePost(cookie, path string, form url.Values) int {
	s.t.Helper()
	req, _ := http.NewRequest("POST", s.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "mitra_console", Value: cookie})
	}
	res, err := noRedirect.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// What each role may do, tried by direct URL: no page without a session;
// an officer of one department cannot see, fetch the photos of, or act on
// another's records (404, as if they did not exist), nor open the
// administrator's pages (403); an evaluator cannot act at all; a post
// without the session's CSRF token is refused; five wrong passwords lock
// the account; every refusal is audited.
func TestConsoleRoles(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.staff("admin", store.RoleAdmin, "")
	s.staff("revenue.officer", store.RoleOfficer, "revenue")
	s.staff("energy.officer", store.RoleOfficer, "energy")
	s.staff("evaluator", store.RoleEvaluator, "")
	rec := s.submit("power-supply-complaint", "919000002001", map[string]string{"description": "no power since the storm"})

	if code, _ := s.consoleGet("", "/console"); code != http.StatusSeeOther {
		t.Errorf("the dashboard without a session: %d", code)
	}
	if code, _ := s.consoleGet("", "/console/static/"); code == http.StatusOK {
		t.Error("the static folder is listed")
	}
	if code, js := s.consoleGet("", "/console/static/console.js"); code != http.StatusOK || !strings.Contains(js, "refresh") {
		t.Errorf("the console's script: %d", code)
	}
	if code, _ := s.consoleGet("", "/console/desk/"+string(rec.Ref)); code != http.StatusSeeOther {
		t.Errorf("a record without a session: %d", code)
	}
	if code := s.consolePost("", "/console/desk/"+string(rec.Ref)+"/move", url.Values{"status": {"accepted"}}); code != http.StatusUnauthorized {
		t.Errorf("a move without a session: %d", code)
	}
	revenue, revenueCSRF := s.consoleSession("revenue.officer")
	for _, path := range []string{"/console/desk/" + string(rec.Ref), "/console/desk/" + string(rec.Ref) + "/attachments/1"} {
		if code, _ := s.consoleGet(revenue, path); code != http.StatusNotFound {
			t.Errorf("revenue's officer, %s: %d, want 404", path, code)
		}
	}
	if code := s.consolePost(revenue, "/console/desk/"+string(rec.Ref)+"/move", url.Values{"csrf": {revenueCSRF}, "status": {"accepted"}}); code != http.StatusNotFound {
		t.Errorf("revenue's officer moved energy's record: %d", code)
	}
	for _, path := range []string{"/console/staff", "/console/keys", "/console/audit"} {
		if code, _ := s.consoleGet(revenue, path); code != http.StatusForbidden {
			t.Errorf("an officer opened %s: %d", path, code)
		}
	}
	if code, page := s.consoleGet(revenue, "/console/desk?department=energy"); code != 200 || strings.Contains(page, string(rec.Ref)) {
		t.Errorf("revenue's desk listed energy's record: %d", code)
	}
	energy, energyCSRF := s.consoleSession("energy.officer")
	if code := s.consolePost(energy, "/console/desk/"+string(rec.Ref)+"/move", url.Values{"status": {"accepted"}}); code != http.StatusForbidden {
		t.Errorf("a move without the CSRF token: %d", code)
	}
	if code := s.consolePost(energy, "/console/desk/"+string(rec.Ref)+"/move", url.Values{"csrf": {revenueCSRF}, "status": {"accepted"}}); code != http.StatusForbidden {
		t.Errorf("a move with another session's CSRF token: %d", code)
	}
	if code := s.consolePost(energy, "/console/desk/"+string(rec.Ref)+"/move", url.Values{"csrf": {energyCSRF}, "status": {"accepted"}}); code != http.StatusOK {
		t.Errorf("energy's officer accepting energy's record: %d", code)
	}
	// Taking the citizen's conversation from the desk: not another
	// department's officer; the department's own, into an active handover.
	if code := s.consolePost(revenue, "/console/desk/"+string(rec.Ref)+"/talk", url.Values{"csrf": {revenueCSRF}}); code != http.StatusNotFound {
		t.Errorf("revenue's officer talked to energy's citizen: %d", code)
	}
	if code := s.consolePost(energy, "/console/desk/"+string(rec.Ref)+"/talk", url.Values{"csrf": {energyCSRF}}); code != http.StatusSeeOther {
		t.Errorf("energy's officer taking the conversation: %d", code)
	}
	if list, _ := s.store.Handovers(context.Background(), "energy", false); len(list) != 1 || list[0].Status != "active" || list[0].TakenBy != "Energy.officer" {
		t.Errorf("handovers after talking from the desk: %+v", list)
	}
	evaluator, evaluatorCSRF := s.consoleSession("evaluator")
	if code := s.consolePost(evaluator, "/console/desk/"+string(rec.Ref)+"/move", url.Values{"csrf": {evaluatorCSRF}, "status": {"resolved"}}); code != http.StatusForbidden {
		t.Errorf("an evaluator acted: %d", code)
	}
	if code, _ := s.consoleGet(evaluator, "/console/desk"); code != http.StatusForbidden {
		t.Errorf("an evaluator opened the desk: %d", code)
	}
	if code, _ := s.consoleGet(evaluator, "/console"); code != 200 {
		t.Errorf("an evaluator's dashboard: %d", code)
	}
	got, _ := s.store.Application(context.Background(), rec.Ref)
	if got.Status != application.Accepted {
		t.Errorf("status %s, want accepted (and nothing else)", got.Status)
	}

	// Five wrong passwords lock the account.
	for i := 0; i < store.MaxFailedLogins; i++ {
		form := url.Values{"username": {"admin"}, "password": {"not the password"}}
		s.loginAttempt(form)
	}
	if code, _ := s.loginAttempt(url.Values{"username": {"admin"}, "password": {consolePassword}}); code != http.StatusUnauthorized {
		t.Errorf("a locked account signed in: %d", code)
	}
	var refusals int
	s.db.QueryRow(context.Background(), "SELECT count(*) FROM staff_audit WHERE outcome <> 'ok'").Scan(&refusals)
	if refusals < 10 {
		t.Errorf("%d refusals audited", refusals)
	}
}

// loginAttempt posts the sign-in form with a fresh login CSRF pair (its
// cookie checked Secure, HTTP-only and SameSite=Strict) and returns the
// status and the cookies set.
func (s *stack) loginAttempt(form url.Values) (int, []*http.Cookie) {
	s.t.Helper()
	res, err := noRedirect.Get(s.url + "/console/login")
	if err != nil {
		s.t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfField.FindStringSubmatch(string(body))
	var loginCookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "mitra_console_login" {
			loginCookie = c
		}
	}
	if m == nil || loginCookie == nil || !loginCookie.HttpOnly || !loginCookie.Secure || loginCookie.SameSite != http.SameSiteStrictMode {
		s.t.Fatalf("login page: csrf %v cookie %+v", m, loginCookie)
	}
	form.Set("csrf", m[1])
	req, _ := http.NewRequest("POST", s.url+"/console/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(loginCookie)
	out, err := noRedirect.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	out.Body.Close()
	return out.StatusCode, out.Cookies()
}

// In Chromium: an operator signs in and watches the dashboard count
// messages as citizens send them, without reloading; revenue's officer
// opens an income-certificate application from the desk, approves it
// with the certificate, and the certificate reaches the citizen's chat.
func TestConsoleInChromium(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.staff("operator", store.RoleOperator, "")
	s.staff("lakshmi", store.RoleOfficer, "revenue")
	ctx := browser(t)
	signIn := func(user string) chromedp.Tasks {
		return chromedp.Tasks{
			chromedp.Navigate(s.url + "/console"),
			chromedp.WaitVisible("#username", chromedp.ByID),
			chromedp.SendKeys("#username", user, chromedp.ByID),
			chromedp.SendKeys("#password", consolePassword, chromedp.ByID),
			chromedp.Click("#signin", chromedp.ByID),
			chromedp.WaitVisible("#messages-total", chromedp.ByID),
		}
	}
	var before string
	runSteps(t, ctx, []browserStep{
		{"sign in as the operator", signIn("operator")},
		{"read the count", chromedp.Text("#messages-total", &before, chromedp.ByID)},
	})
	c := s.citizen("919000002101")
	c.say("hi")
	c.say("naaku income certificate kavali")
	runSteps(t, ctx, []browserStep{
		{"see the count move without a reload", chromedp.Poll(`document.getElementById("messages-total").textContent.trim().startsWith("2")`, nil,
			chromedp.WithPollingTimeout(15*time.Second))},
		{"see the decision chart", chromedp.WaitReady(`//*[local-name()="svg"]//*[local-name()="text" and text()="direct"]`, chromedp.BySearch)},
		{"sign out", chromedp.Tasks{chromedp.Click("#signout", chromedp.ByID), chromedp.WaitVisible("#username", chromedp.ByID)}},
	})
	if !strings.HasPrefix(strings.TrimSpace(before), "0") {
		t.Errorf("count before any message: %q", before)
	}

	citizen := s.citizen("919000002102")
	citizen.say("hi")
	rec := s.submit("income-certificate", "919000002102", map[string]string{"applicant_name": "Sita Devi", "father_name": "Rama Rao", "purpose": "scholarship"})
	ref := string(rec.Ref)
	var status string
	runSteps(t, ctx, []browserStep{
		{"sign in as revenue's officer", signIn("lakshmi")},
		{"open the desk", chromedp.Tasks{chromedp.Navigate(s.url + "/console/desk"), chromedp.WaitVisible(`//table[@id="records"]//a[@href="/console/desk/`+ref+`"]`, chromedp.BySearch)}},
		{"open the record", chromedp.Tasks{chromedp.Click(`//a[@href="/console/desk/`+ref+`"]`, chromedp.BySearch), chromedp.WaitVisible("#move", chromedp.ByID)}},
		{"see the answers", chromedp.WaitVisible(`//dd[text()="Sita Devi"]`, chromedp.BySearch)},
		{"approve with the certificate", chromedp.Tasks{
			chromedp.SetValue("#move-status", "approved", chromedp.ByID),
			chromedp.Click("#issue", chromedp.ByID),
			chromedp.SendKeys("#office", "Tahsildar, Guntur", chromedp.ByID),
			chromedp.Click("#move-save", chromedp.ByID),
			chromedp.WaitVisible(`//span[@id="status" and text()="issued"]`, chromedp.BySearch),
			chromedp.Text("#status", &status, chromedp.ByID),
		}},
	})
	deadline := time.Now().Add(15 * time.Second)
	var all string
	for time.Now().Before(deadline) && !strings.Contains(all, `"document"`) {
		all += citizen.replies(1)
	}
	if !strings.Contains(all, `"document"`) {
		t.Errorf("the certificate did not reach the chat: %s", all)
	}
	var audited int
	s.db.QueryRow(context.Background(), "SELECT count(*) FROM staff_audit WHERE username = 'lakshmi' AND subject LIKE $1", "%"+ref+"%").Scan(&audited)
	if audited < 3 {
		t.Errorf("%d audit rows for the officer's work on %s", audited, ref)
	}
}

// A citizen asks for an officer in Telugu; the bot says it is connecting
// them and then stays quiet; revenue's officer takes the conversation in
// Chromium (the citizen is told who joined), reads the citizen's message,
// replies, and hands back (the citizen is told); "menu" then reaches the
// bot again.
func TestHandoverInChromium(t *testing.T) {
	t.Parallel()
	s := newStackWith(t, stackOptions{chatty: true})
	s.staff("lakshmi", store.RoleOfficer, "revenue")
	ctx := browser(t)
	c := s.citizen("919000002201")
	c.say("hi")
	c.tap("lang:te")
	expect(t, c.say("నేను అధికారితో మాట్లాడాలి"), "అధికారికి కలుపుతున్నాను")
	list, _ := s.store.Handovers(context.Background(), "", true)
	if len(list) != 1 || list[0].Status != "waiting" {
		t.Fatalf("handovers: %+v", list)
	}
	id := fmt.Sprint(list[0].ID)
	// Held: the message waits for the officer, and the bot is quiet.
	c.post(whatsapp.SimulatedMessage{Text: "నా పెన్షన్ ఆగిపోయింది"})
	time.Sleep(time.Second)
	if got := s.waitSent(c.from, 0); len(got) != c.seen {
		t.Fatalf("the bot answered a held conversation: %d messages, %d before", len(got), c.seen)
	}
	runSteps(t, ctx, []browserStep{
		{"sign in", chromedp.Tasks{chromedp.Navigate(s.url + "/console/handovers"), chromedp.WaitVisible("#username", chromedp.ByID),
			chromedp.SendKeys("#username", "lakshmi", chromedp.ByID), chromedp.SendKeys("#password", consolePassword, chromedp.ByID),
			chromedp.Click("#signin", chromedp.ByID), chromedp.WaitVisible("#messages-total", chromedp.ByID)}},
		{"open the queue", chromedp.Tasks{chromedp.Navigate(s.url + "/console/handovers"), chromedp.WaitVisible(`//a[@href="/console/handovers/`+id+`"]`, chromedp.BySearch)}},
		{"open the conversation", chromedp.Tasks{chromedp.Click(`//a[@href="/console/handovers/`+id+`"]`, chromedp.BySearch), chromedp.WaitVisible("#take", chromedp.ByID)}},
		{"read the citizen's message", chromedp.WaitVisible(`//ol[@id="log"]/li[contains(., "పెన్షన్ ఆగిపోయింది")]`, chromedp.BySearch)},
		{"take it", chromedp.Tasks{chromedp.Click("#take", chromedp.ByID), chromedp.WaitVisible("#reply", chromedp.ByID)}},
	})
	expect(t, c.replies(1), "Lakshmi")
	runSteps(t, ctx, []browserStep{
		{"reply", chromedp.Tasks{chromedp.SendKeys("#reply", "మీ పెన్షన్ వివరాలు చూస్తున్నాను", chromedp.ByID), chromedp.Click("#send", chromedp.ByID),
			chromedp.WaitVisible("#reply", chromedp.ByID)}},
	})
	expect(t, c.replies(1), "మీ పెన్షన్ వివరాలు చూస్తున్నాను")
	// A day later the citizen's window has closed: free text is refused,
	// and only the handover templates approved in Telugu are offered.
	if _, err := s.db.Exec(context.Background(), "UPDATE handovers SET citizen_at = now() - interval '25 hours' WHERE id = $1", list[0].ID); err != nil {
		t.Fatal(err)
	}
	runSteps(t, ctx, []browserStep{
		{"see the templates offered", chromedp.Tasks{chromedp.Navigate(s.url + "/console/handovers/" + id),
			chromedp.WaitVisible(`//form[@id="templates"]//label[contains(., "పౌర సహాయ కేంద్రం నుండి ఒక అధికారి")]`, chromedp.BySearch)}},
		{"send one", chromedp.Tasks{chromedp.Click("#send-template", chromedp.ByID), chromedp.WaitVisible(`//p[@class="flash"]`, chromedp.BySearch)}},
	})
	got := c.replies(1)
	expect(t, got, `"name":"officer_reply"`)
	expect(t, got, "పౌర సహాయ కేంద్రం")
	officer, csrf := s.consoleSession("lakshmi")
	if code := s.consolePost(officer, "/console/handovers/"+id+"/template", url.Values{"csrf": {csrf}, "template": {"application_update"}}); code != http.StatusUnprocessableEntity {
		t.Errorf("a notice template sent from a handover: %d, want 422", code)
	}
	if code := s.consolePost(officer, "/console/handovers/"+id+"/say", url.Values{"csrf": {csrf}, "text": {"free text"}}); code != http.StatusUnprocessableEntity {
		t.Errorf("free text outside the window: %d, want 422", code)
	}
	runSteps(t, ctx, []browserStep{
		{"hand back", chromedp.Tasks{chromedp.Click("#close", chromedp.ByID), chromedp.Click("#send", chromedp.ByID),
			chromedp.WaitVisible(`//small[@id="handover-status" and text()="closed"]`, chromedp.BySearch)}},
	})
	expect(t, c.replies(1), "మిత్ర మీకు సహాయం")
	expect(t, c.say("మెనూ"), "శాఖను ఎంచుకోండి")
}

// Messages mitra did not place reach the review queue, grouped (two
// citizens who wrote the same thing count as one group of two); a content
// editor adds the group as an alias of the service in Chromium; the group
// leaves the queue and the alias is exported in the catalogue's format.
// An evaluator reads the queue but has no actions.
func TestReviewQueueInChromium(t *testing.T) {
	t.Parallel()
	s := newStackWith(t, stackOptions{chatty: true})
	s.staff("editor", store.RoleEditor, "")
	s.staff("evaluator", store.RoleEvaluator, "")
	for i, from := range []string{"919000002301", "919000002302"} {
		c := s.citizen(from)
		c.say("hi")
		c.tap("lang:te")
		// Only the words of a citizen who agreed to the notice are kept
		// for the review queue.
		c.tap("privacy:yes")
		expect(t, c.say("naaku kula dhruvapatram kaavaali"), "svc:caste-certificate")
		if i == 0 {
			c.tap("svc:caste-certificate") // the first citizen picks it from "which of these?"
		}
	}
	ev, _ := s.consoleSession("evaluator")
	if code, page := s.consoleGet(ev, "/console/review"); code != 200 || !strings.Contains(page, "dhruvapatram") || strings.Contains(page, `value="alias"`) {
		t.Errorf("the evaluator's review queue: %d", code)
	}
	ctx := browser(t)
	runSteps(t, ctx, []browserStep{
		{"sign in as the editor", chromedp.Tasks{chromedp.Navigate(s.url + "/console/review"), chromedp.WaitVisible("#username", chromedp.ByID),
			chromedp.SendKeys("#username", "editor", chromedp.ByID), chromedp.SendKeys("#password", consolePassword, chromedp.ByID),
			chromedp.Click("#signin", chromedp.ByID), chromedp.WaitVisible("#messages-total", chromedp.ByID)}},
		{"open the queue", chromedp.Tasks{chromedp.Navigate(s.url + "/console/review"),
			chromedp.WaitVisible(`//tr[td[@class="sample" and contains(., "dhruvapatram")] and td[1][text()="2"]]`, chromedp.BySearch)}},
		{"see what citizens picked", chromedp.WaitVisible(`//tr[td[contains(., "dhruvapatram")]]//small[@class="chosen" and contains(., "caste-certificate")]`, chromedp.BySearch)},
		{"add it as an alias of what they picked", chromedp.Tasks{
			chromedp.Click(`//tr[td[contains(., "dhruvapatram")]]//button[@value="alias"]`, chromedp.BySearch),
			chromedp.WaitVisible(`//p[@class="flash"]`, chromedp.BySearch)}},
	})
	_, page := s.consoleGet(ev, "/console/review")
	if strings.Contains(page, "dhruvapatram") {
		t.Error("the group is still in the queue")
	}
	code, yamlOut := s.consoleGet(ev, "/console/review/aliases.yaml")
	if code != 200 || !strings.Contains(yamlOut, "id: caste-certificate") || !strings.Contains(yamlOut, "te_latn:") || !strings.Contains(yamlOut, "naaku kula dhruvapatram kaavaali") {
		t.Errorf("exported aliases: %d\n%s", code, yamlOut)
	}
}
