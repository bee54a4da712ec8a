package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/store/storetest"
)

func countsOf(l []store.Count) map[string]int64 {
	m := map[string]int64{}
	for _, c := range l {
		m[c.Key] = c.N
	}
	return m
}

// A long range read from the hourly roll-ups and the hour under way gives the
// same counts as the analyses read one by one, for all departments and
// for one; its latency percentiles are the bucket bounds around the exact
// ones; a second roll-up adds nothing.
func TestDashboardRollups(t *testing.T) {
	t.Parallel()
	s, _ := storetest.New(t)
	ctx := context.Background()
	if err := s.BulkAnalyses(ctx, 20000, 10*time.Hour, []string{"income-certificate", "new-rice-card", "power-supply-complaint"}, []string{"revenue", "civil-supplies", "energy"}, []string{"guntur", "krishna"}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	filters := map[string]store.DashboardFilter{}
	raws := map[string]store.Dashboard{}
	scopes := []store.DashboardFilter{{}, {Department: "revenue"}, {District: "guntur"}}
	for _, scope := range scopes {
		dept := scope.Department + scope.District
		// From the top of an hour: a long range is read in whole hours.
		f := scope
		f.Since, f.Until = now.Add(-9*time.Hour).Truncate(time.Hour), now
		raw, err := s.Dashboard(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if raw.Bucket != "minute" || raw.Messages == 0 {
			t.Fatalf("before any roll-up: bucket %q, %d messages", raw.Bucket, raw.Messages)
		}
		filters[dept], raws[dept] = f, raw
	}
	hours, err := s.RollUpAnalyses(ctx)
	if err != nil || hours < 9 {
		t.Fatalf("rolled up %d hours: %v", hours, err)
	}
	if again, err := s.RollUpAnalyses(ctx); err != nil || again != 0 {
		t.Errorf("a second roll-up: %d hours, %v", again, err)
	}
	for _, scope := range scopes {
		dept := scope.Department + scope.District
		f, raw := filters[dept], raws[dept]
		rolled, err := s.Dashboard(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if rolled.Bucket != "hour" || rolled.Messages != raw.Messages {
			t.Errorf("%q: rolled %d messages per %s, raw %d", dept, rolled.Messages, rolled.Bucket, raw.Messages)
		}
		for name, pair := range map[string][2][]store.Count{"lang": {raw.ByLang, rolled.ByLang}, "decision": {raw.ByDecision, rolled.ByDecision},
			"input": {raw.ByInput, rolled.ByInput}, "script": {raw.ByScript, rolled.ByScript}, "services": {raw.TopServices, rolled.TopServices}} {
			a, b := countsOf(pair[0]), countsOf(pair[1])
			for k, n := range a {
				if b[k] != n {
					t.Errorf("%q %s %s: rolled %d, raw %d", dept, name, k, b[k], n)
				}
			}
		}
		var sum int64
		for _, c := range rolled.PerMinute {
			sum += c.N
		}
		if sum != raw.Messages {
			t.Errorf("%q: hourly series sums to %d, want %d", dept, sum, raw.Messages)
		}
		if rolled.LatencyP50 < raw.LatencyP50 || rolled.LatencyP99 < raw.LatencyP99 || rolled.LatencyP99 > 2*raw.LatencyP99+100 {
			t.Errorf("%q: percentiles rolled %.0f/%.0f, exact %.0f/%.0f", dept, rolled.LatencyP50, rolled.LatencyP99, raw.LatencyP50, raw.LatencyP99)
		}
	}
}

// An application's PIN code places its citizen in a district; a PIN
// outside the state places no one.
func TestDistrictFromApplication(t *testing.T) {
	t.Parallel()
	s, url := storetest.New(t)
	ctx := context.Background()
	sla := 7
	svc := &catalog.Service{ID: "income-certificate", Kind: "certificate", Department: "revenue", SLADays: &sla}
	for waID, pin := range map[string]string{"919000003001": "522002", "919000003002": "500001"} {
		err := s.InTx(ctx, func(tx store.Tx) error {
			_, _, err := tx.SubmitFor(ctx, svc, waID, application.Submission{Service: svc.ID, Key: "t:" + waID, Channel: "chat", Lang: "en",
				Answers: map[string]string{"applicant_name": "A", "pin_code": pin}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	db := storetest.Conn(t, url)
	var d1, d2 string
	db.QueryRow(ctx, "SELECT district FROM contacts WHERE wa_id = '919000003001'").Scan(&d1)
	db.QueryRow(ctx, "SELECT COALESCE((SELECT district FROM contacts WHERE wa_id = '919000003002'), '')").Scan(&d2)
	if d1 != "guntur" || d2 != "" {
		t.Errorf("districts %q and %q, want guntur and none", d1, d2)
	}
	// The record carries it too: the desk and the open-records table
	// narrow by it.
	list, _, err := s.Applications(ctx, store.Filter{Department: "revenue", District: "guntur", Limit: 10})
	if err != nil || len(list) != 1 || list[0].Citizen != "919000003001" || list[0].District != "guntur" {
		t.Fatalf("guntur's records: %+v %v", list, err)
	}
	now := time.Now()
	for district, want := range map[string]int64{"": 2, "guntur": 1, "krishna": 0} {
		d, err := s.Dashboard(ctx, store.DashboardFilter{Since: now.Add(-time.Hour), Until: now, District: district})
		if err != nil {
			t.Fatal(err)
		}
		var open int64
		for _, o := range d.Open {
			open += o.OnTime + o.Due + o.Overdue
		}
		if open != want {
			t.Errorf("open records in %q: %d, want %d", district, open, want)
		}
	}
}
