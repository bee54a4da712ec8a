package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mitra-gov/mitra/internal/password"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/store/storetest"
)

// A staff member signs in with the right password only; five wrong ones
// lock the account (even against the right one) until the lock ends; an
// unknown name is refused the same way; a session is found by its token
// alone, not after sign-out, and not once the account is disabled.
func TestStaffLoginLockoutAndSessions(t *testing.T) {
	t.Parallel()
	s, url := storetest.New(t)
	ctx := context.Background()
	hash, err := password.Hash("a long enough secret")
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.CreateStaff(ctx, store.Staff{Username: "lakshmi", Name: "Lakshmi", Role: store.RoleOfficer, Department: "revenue", Lang: "te"}, hash)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateStaff(ctx, store.Staff{Username: "lakshmi", Name: "L2", Role: store.RoleOperator, Lang: "en"}, hash); !errors.Is(err, store.ErrTaken) {
		t.Errorf("second lakshmi: %v, want ErrTaken", err)
	}
	if _, err := s.CreateStaff(ctx, store.Staff{Username: "ravi", Name: "Ravi", Role: store.RoleOfficer, Lang: "en"}, hash); err == nil {
		t.Error("an officer without a department was created")
	}
	check := func(pw string) func(string) error { return func(h string) error { return password.Verify(h, pw) } }
	st, err := s.Login(ctx, "lakshmi", hash, check("a long enough secret"))
	if err != nil || st.ID != id || st.Department != "revenue" || st.Role != store.RoleOfficer {
		t.Fatalf("login: %+v %v", st, err)
	}
	if _, err := s.Login(ctx, "nobody", hash, check("a long enough secret")); !errors.Is(err, store.ErrBadLogin) {
		t.Errorf("unknown name: %v", err)
	}
	for i := 0; i < store.MaxFailedLogins; i++ {
		if _, err := s.Login(ctx, "lakshmi", hash, check("wrong")); !errors.Is(err, store.ErrBadLogin) {
			t.Fatalf("wrong password %d: %v", i, err)
		}
	}
	if _, err := s.Login(ctx, "lakshmi", hash, check("a long enough secret")); !errors.Is(err, store.ErrLocked) {
		t.Errorf("right password while locked: %v, want ErrLocked", err)
	}
	db := storetest.Conn(t, url)
	if _, err := db.Exec(ctx, "UPDATE staff SET locked_until = now() - interval '1 second' WHERE id = $1", id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Login(ctx, "lakshmi", hash, check("a long enough secret")); err != nil {
		t.Errorf("after the lock: %v", err)
	}
	if n := storetest.Int(t, db, "SELECT failed_logins FROM staff WHERE id = $1", id); n != 0 {
		t.Errorf("failures after a good login: %d", n)
	}

	token, csrf, err := s.CreateSession(ctx, id)
	if err != nil || len(token) != 64 || len(csrf) != 64 || token == csrf {
		t.Fatalf("session: %q %q %v", token, csrf, err)
	}
	if n := storetest.Int(t, db, "SELECT count(*) FROM staff_sessions WHERE token_hash = convert_to($1, 'UTF8')", token); n != 0 {
		t.Error("the session token is stored in clear")
	}
	got, gotCSRF, err := s.Session(ctx, token)
	if err != nil || got.ID != id || gotCSRF != csrf {
		t.Errorf("session lookup: %+v %q %v", got, gotCSRF, err)
	}
	if _, _, err := s.Session(ctx, token+"0"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a wrong token: %v", err)
	}
	if err := s.EndSession(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Session(ctx, token); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after sign-out: %v", err)
	}
	token, _, _ = s.CreateSession(ctx, id)
	if err := s.SetStaffDisabled(ctx, id, true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Session(ctx, token); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a disabled account's session: %v", err)
	}
	if _, err := s.Login(ctx, "lakshmi", hash, check("a long enough secret")); !errors.Is(err, store.ErrBadLogin) {
		t.Errorf("a disabled account signed in: %v", err)
	}
	if err := s.StaffAudit(ctx, id, "lakshmi", "login", "", "ok"); err != nil {
		t.Fatal(err)
	}
	log, err := s.StaffAuditLog(ctx, 10)
	if err != nil || len(log) != 1 || log[0].Action != "login" || time.Since(log[0].At) > time.Minute {
		t.Errorf("audit log: %+v %v", log, err)
	}
}
