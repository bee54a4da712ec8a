package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/store/storetest"
)

func grievance(t *testing.T, s *store.Store, from string) application.Record {
	t.Helper()
	ctx := context.Background()
	sla := 3
	svc := &catalog.Service{ID: "power-supply-complaint", Kind: "grievance", Department: "energy", SLADays: &sla}
	var rec application.Record
	err := s.InTx(ctx, func(tx store.Tx) error {
		var err error
		rec, _, err = tx.SubmitFor(ctx, svc, from, application.Submission{Service: svc.ID, Key: "chat:" + from, Channel: "chat", Lang: "en",
			Answers: map[string]string{"description": "no power since the storm"}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// An overdue grievance is escalated once, not again on every sweep after
// its department picks it up; reopened, it has a new due date and can be
// escalated again when that passes. Another department cannot move it,
// and a move its status does not allow is refused.
func TestGrievanceEscalatedOncePerDelay(t *testing.T) {
	t.Parallel()
	s, url := storetest.New(t)
	ctx := context.Background()
	db := storetest.Conn(t, url)
	rec := grievance(t, s, "919000003001")
	overdue := func() {
		if _, err := db.Exec(ctx, "UPDATE applications SET due_at = now() - interval '1 hour' WHERE id = $1", rec.ID); err != nil {
			t.Fatal(err)
		}
	}
	sweep := func() int {
		n, _, err := s.Sweep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	move := func(to application.Status, dept string, by application.Actor) error {
		_, err := s.Move(ctx, store.Change{Ref: rec.Ref, To: to, Department: dept, By: by, Citizen: rec.Citizen, Note: "n"})
		return err
	}
	overdue()
	if n := sweep(); n != 1 {
		t.Fatalf("first sweep escalated %d", n)
	}
	if err := move(application.Accepted, "revenue", application.ByDepartment); !errors.Is(err, store.ErrForbidden) {
		t.Errorf("another department moved it: %v", err)
	}
	if err := move(application.Approved, "energy", application.ByDepartment); !errors.Is(err, application.ErrTransition) {
		t.Errorf("a grievance approved: %v", err)
	}
	if err := move(application.Accepted, "energy", application.ByDepartment); err != nil {
		t.Fatal(err)
	}
	if n := sweep(); n != 0 {
		t.Errorf("escalated again for the same delay: %d", n)
	}
	if err := move(application.Resolved, "energy", application.ByDepartment); err != nil {
		t.Fatal(err)
	}
	if err := move(application.Reopened, "", application.ByCitizen); err != nil {
		t.Fatalf("reopen within 7 days: %v", err)
	}
	// The department's system hears of what others did to its record.
	var hooks int
	db.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'department_hook'
		AND args->>'event' IN ('record.escalated', 'record.reopened')`).Scan(&hooks)
	if hooks != 2 {
		t.Errorf("%d pushes for the escalation and the reopening, want 2", hooks)
	}
	var due time.Time
	db.QueryRow(ctx, "SELECT due_at FROM applications WHERE id = $1", rec.ID).Scan(&due)
	if time.Until(due) < 2*24*time.Hour {
		t.Errorf("a reopened grievance is due %v, want its 3 days again", due)
	}
	if n := sweep(); n != 0 {
		t.Errorf("a reopened grievance escalated at once: %d", n)
	}
	overdue()
	if n := sweep(); n != 1 {
		t.Errorf("an overdue reopened grievance escalated %d times, want 1", n)
	}
	// Too late to reopen: 8 days after resolution.
	if err := move(application.Resolved, "energy", application.ByDepartment); err != nil {
		t.Fatal(err)
	}
	db.Exec(ctx, "UPDATE applications SET resolved_at = now() - interval '8 days' WHERE id = $1", rec.ID)
	if err := move(application.Reopened, "", application.ByCitizen); !errors.Is(err, application.ErrTransition) {
		t.Errorf("reopened after 8 days: %v", err)
	}
	if _, closed, _ := s.Sweep(ctx); closed != 1 {
		t.Errorf("the sweep closed %d, want the resolved one", closed)
	}
}

// What was never submitted is not kept: the sweep deletes the files of
// abandoned forms after a day, and keeps those of records.
func TestSweepDeletesAbandonedFiles(t *testing.T) {
	t.Parallel()
	s, url := storetest.New(t)
	ctx := context.Background()
	db := storetest.Conn(t, url)
	err := s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.AddAttachment(ctx, "919000003002", "wamid.ABANDONED", "image/png", "a.png", []byte("png")); err != nil {
			return err
		}
		return tx.AddAttachment(ctx, "919000003002", "wamid.FRESH", "image/png", "b.png", []byte("png"))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Exec(ctx, "UPDATE attachments SET created_at = now() - interval '2 days' WHERE inbound_id = 'wamid.ABANDONED'")
	if _, _, err := s.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	var left []string
	rows, _ := db.Query(ctx, "SELECT inbound_id FROM attachments ORDER BY id")
	for rows.Next() {
		var id string
		rows.Scan(&id)
		left = append(left, id)
	}
	if len(left) != 1 || left[0] != "wamid.FRESH" {
		t.Errorf("attachments left %v, want the fresh one only", left)
	}
}
