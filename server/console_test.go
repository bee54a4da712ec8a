package server

import (
	"io"
	"testing"
	"time"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/store"
)

// A citizen's number is masked to what tells two apart.
func TestMaskNumber(t *testing.T) {
	t.Parallel()
	if got := maskNumber("919000002101"); got != "9190 •••••• 01" {
		t.Errorf("masked %q", got)
	}
	if got := maskNumber("123"); got != "••••" {
		t.Errorf("short %q", got)
	}
}

// Every console word has its Telugu and Hindi, in their scripts.
func TestConsoleTextComplete(t *testing.T) {
	t.Parallel()
	for key := range consoleText["en"] {
		for _, lang := range []string{"te", "hi"} {
			if consoleText[lang][key] == "" {
				t.Errorf("%s has no %q", lang, key)
			}
		}
	}
	for lang, words := range consoleText {
		if len(words) != len(consoleText["en"]) {
			t.Errorf("%s has %d words, English %d", lang, len(words), len(consoleText["en"]))
		}
	}
}

// Every page renders in every language with the data it is given, for
// each role's view of it.
func TestConsolePagesRender(t *testing.T) {
	t.Parallel()
	cat, err := catalog.Load(catalog.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	pages := parseConsolePages()
	due := time.Now().Add(time.Hour)
	rec := application.Record{Ref: "12345678901", Kind: application.KindGrievance, Department: "energy", Service: "power-supply-complaint",
		Status: application.Submitted, DueAt: &due, Answers: map[string]string{"description": "no power"}, CreatedAt: time.Now(),
		Attachments: []application.Attachment{{ID: 1, Field: "photo", MIME: "image/jpeg"}, {ID: 2, Field: "doc", MIME: "application/pdf"}},
		History:     []application.Event{{Status: application.Submitted, Actor: "citizen", At: time.Now()}}}
	row := deskRow{Record: rec, ServiceName: "Power", SLA: "due"}
	board := store.Dashboard{Messages: 3, PerMinute: []store.Count{{Key: "2026-12-04T10:00:00Z", N: 2}, {Key: "2026-12-04T10:01:00Z", N: 1}},
		ByLang: []store.Count{{Key: "te", N: 2}, {Key: "en", N: 1}}, ByDecision: []store.Count{{Key: "direct", N: 3}}, LatencyP50: 120, LatencyP99: 1500,
		Open: []store.DepartmentSLA{{Department: "energy", Kind: "grievance", OnTime: 1, Due: 2, Overdue: 3}}}
	data := map[string]any{
		"login":     nil,
		"message":   nil,
		"dashboard": dashboardView{Range: "hour", District: "guntur", Departments: cat.Departments, Districts: application.Districts, Board: board},
		"desk":      deskView{Department: "energy", Departments: cat.Departments, Statuses: application.Statuses, Rows: []deskRow{row}, Next: 9, CanAct: true},
		"record":    recordView{deskRow: row, Answers: [][2]string{{"Description", "no power"}}, Images: rec.Attachments[:1], Files: rec.Attachments[1:], Moves: []application.Status{application.Accepted}, CanAct: true, CanIssue: true},
		"staff":     staffView{List: []store.Staff{{ID: 1, Username: "a", Role: store.RoleOfficer, Department: "energy"}, {ID: 2, Username: "b", Role: store.RoleAdmin, Disabled: true}}, Roles: store.Roles, Depts: cat.Departments},
		"keys":      staffView{Keys: []store.APIKey{{ID: 1, Department: "energy", CreatedAt: time.Now()}, {ID: 2, Revoked: true}}, Depts: cat.Departments, NewKey: "mk_x"},
		"audit":     staffView{Audit: []store.AuditEntry{{At: time.Now(), Username: "a", Action: "login", Outcome: "ok"}}},
		"review":    reviewView{CanEdit: true, Rows: []reviewRow{{ReviewGroup: store.ReviewGroup{Key: "ab", Count: 3, Decision: "menu", Lang: "te", Script: "romanized", Chosen: "income-certificate", NoneOfThese: 1}, Text: "x", Offered: cat.Services[:2]}}},
		"handovers": handoverView{List: []store.Handover{{ID: 1, Citizen: "919000000001", Status: "waiting"}, {ID: 2, Citizen: "919000000002", Department: "energy", Status: "active", TakenBy: "Lakshmi"}}},
		"handover": handoverView{H: store.Handover{ID: 2, Citizen: "919000000002", Status: "active", TakenByID: 1}, CanAct: true,
			Log: []store.Exchange{{At: time.Now(), Citizen: true, Text: "hello"}, {At: time.Now(), Text: "namaste"}}},
		"campaigns": campaignsView{List: []store.Campaign{{ID: 1, Name: "Cyclone", Template: "weather_warning", Topic: "weather", Status: "running"}},
			Templates: cat.Templates, Topics: cat.Topics, Districts: application.Districts, Langs: catalog.Langs, Slots: []int{1, 2, 3}},
		"campaign": campaignView{Campaign: store.Campaign{ID: 1, Name: "Cyclone", Status: "paused", Districts: []string{"krishna"}},
			Counts: store.CampaignCounts{ByStatus: map[string]int64{"sent": 3, "failed": 1}, FailedBy: map[int]int64{131026: 1}, Billable: map[string]int64{"utility": 3}},
			Cost:   map[string]float64{"utility": 0.35}, Priced: true},
		"requests": []store.DataRequest{{ID: 1, WAID: "919000000001", Kind: "erase", At: time.Now()}},
	}
	if len(data) != len(pages) {
		t.Errorf("%d pages, %d tried", len(pages), len(data))
	}
	for name, d := range data {
		for _, lang := range []string{"en", "te", "hi"} {
			for _, role := range store.Roles {
				v := view{Lang: lang, Staff: store.Staff{ID: 1, Name: "N", Role: role, Department: "energy"}, CSRF: "c", Flash: "done", Error: "field_error", Reason: "why", Data: d}
				if err := pages[name].ExecuteTemplate(io.Discard, "layout.html", v); err != nil {
					t.Errorf("%s in %s as %s: %v", name, lang, role, err)
				}
			}
		}
	}
	if err := pages["dashboard"].ExecuteTemplate(io.Discard, "figures", view{Lang: "te", Data: data["dashboard"]}); err != nil {
		t.Errorf("live figures: %v", err)
	}
}
