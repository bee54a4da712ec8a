package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mitra-gov/mitra/whatsapp"
)

// textColumns lists every column of the database that can hold words: a
// scan of them all is how "nothing is left" is checked, whatever table a
// later change adds.
func textColumns(t *testing.T, db *pgx.Conn) [][2]string {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type IN ('text', 'jsonb', 'json', 'bytea', 'character varying', 'ARRAY')
		ORDER BY table_name, column_name`)
	if err != nil {
		t.Fatal(err)
	}
	var cols [][2]string
	for rows.Next() {
		var c [2]string
		rows.Scan(&c[0], &c[1])
		cols = append(cols, c)
	}
	return cols
}

// holding names the columns where any of words still is.
func holding(t *testing.T, db *pgx.Conn, words ...string) []string {
	t.Helper()
	var found []string
	for _, c := range textColumns(t, db) {
		for _, w := range words {
			var n int
			q := fmt.Sprintf(`SELECT count(*) FROM %s WHERE position($1 in convert_from(convert_to(%s::text, 'UTF8'), 'UTF8')) > 0`,
				pgx.Identifier{c[0]}.Sanitize(), pgx.Identifier{c[1]}.Sanitize())
			if c[1] == "data" || strings.HasSuffix(c[1], "pdf") {
				q = fmt.Sprintf(`SELECT count(*) FROM %s WHERE position(convert_to($1, 'UTF8') in %s) > 0`,
					pgx.Identifier{c[0]}.Sanitize(), pgx.Identifier{c[1]}.Sanitize())
			}
			if err := db.QueryRow(context.Background(), q, w).Scan(&n); err != nil {
				// A bytea column compared as text, or the other way: try
				// the other form before giving up.
				continue
			}
			if n > 0 {
				found = append(found, fmt.Sprintf("%s.%s has %q", c[0], c[1], w))
			}
		}
	}
	return found
}

// A citizen who agreed, wrote, sent a photo for a form they never
// finished, applied and got a certificate asks in Telugu to delete their
// data: after the confirmation no table holds their words, their profile
// name or the photo, while the application, the certificate and its log
// entry stay, and the certificate still verifies. The request is audited
// and a STOP afterwards stops the certificate template.
func TestErasureLeavesNoWordsNameOrMedia(t *testing.T) {
	t.Parallel()
	s := newStackWith(t, stackOptions{chatty: true})
	ctx := context.Background()
	revenue, _ := s.store.CreateAPIKey(ctx, "revenue", "test")
	c := s.citizen("919000004001")
	const profile, words = "Zorawar Pallavaram", "xylophone buffalo canal"
	say := func(text string) string {
		return c.send(whatsapp.SimulatedMessage{Text: text, Name: profile})
	}
	say("hi")
	c.tap("lang:te")
	expect(t, c.tap("privacy:yes"), "ధన్యవాదాలు")
	say("my " + words + " problem")
	// A photo sent into a form left unfinished.
	expect(t, c.tap("apply:power-supply-complaint"), "consent:yes")
	c.tap("consent:yes")
	say("కరెంటు లేదు " + words)
	s.fake.AddMedia("media-draft-photo", jpegPhoto(t), "image/jpeg")
	c.send(whatsapp.SimulatedMessage{ImageID: "media-draft-photo", ImageMIME: "image/jpeg"})
	c.say("menu")
	rec := s.submit("income-certificate", c.from, map[string]string{"applicant_name": "Lakshmi Devi", "annual_income": "96000"})
	code, body := s.api("POST", "/api/v1/applications/"+rec.Ref.String()+"/status", revenue,
		map[string]any{"status": "approved", "issue_certificate": true, "certificate": map[string]string{"issuing_office": "Tahsildar, Guntur"}})
	if code != 200 || body["certificate"] == "" {
		t.Fatalf("approve with issuance: %d %v", code, body)
	}
	certID := fmt.Sprint(body["certificate"])
	var draftPhotos int
	s.db.QueryRow(ctx, "SELECT count(*) FROM attachments WHERE wa_id = $1 AND application_id IS NULL", c.from).Scan(&draftPhotos)
	if found := holding(t, s.db, profile, words); len(found) == 0 || draftPhotos != 1 {
		t.Fatalf("before erasure the words, name and photo should be held: %v, %d photos", found, draftPhotos)
	}
	expect(t, c.say("నా డేటా తొలగించండి"), "erase:yes", "శాఖ రికార్డుల్లో")
	expect(t, c.tap("erase:yes"), "తొలగించాం")
	// The replies that echo the citizen's words go out before they are
	// cleared; the sweep that clears them runs with the erasure's commit.
	time.Sleep(200 * time.Millisecond)
	if found := holding(t, s.db, profile, words); len(found) > 0 {
		t.Errorf("after erasure: %v", found)
	}
	s.db.QueryRow(ctx, "SELECT count(*) FROM attachments WHERE wa_id = $1 AND application_id IS NULL", c.from).Scan(&draftPhotos)
	var apps, logged, requests int
	s.db.QueryRow(ctx, "SELECT count(*) FROM applications WHERE wa_id = $1", c.from).Scan(&apps)
	s.db.QueryRow(ctx, "SELECT count(*) FROM log_leaves WHERE cert_id = $1", certID).Scan(&logged)
	s.db.QueryRow(ctx, "SELECT count(*) FROM data_requests WHERE wa_id = $1 AND kind = 'erase' AND done_at IS NOT NULL", c.from).Scan(&requests)
	if draftPhotos != 0 || apps != 1 || logged != 1 || requests != 1 {
		t.Errorf("draft photos %d, applications %d, log entries %d, erase requests %d; want 0, 1, 1, 1", draftPhotos, apps, logged, requests)
	}
	if st := s.verifyJSON(certID); st.State != "valid" && st.State != "pending" || !st.RecordMatch && st.State == "valid" {
		t.Errorf("the certificate after erasure: %+v", st)
	}
	// STOP: a later certificate notice outside the window is not sent.
	expect(t, c.say("ఆపండి"), "పంపము")
	var optedOut bool
	s.db.QueryRow(ctx, "SELECT opted_out_at IS NOT NULL FROM contacts WHERE wa_id = $1", c.from).Scan(&optedOut)
	if !optedOut {
		t.Error("STOP did not opt the citizen out")
	}
}
