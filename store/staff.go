package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Role is what a staff member may do in the console.
type Role string

// The roles: an administrator manages accounts and keys; an operator
// watches every department; an officer acts on one department's records
// and conversations; a content editor and an evaluator review what mitra
// did not understand, the evaluator without acting.
const (
	RoleAdmin     Role = "admin"
	RoleOperator  Role = "operator"
	RoleOfficer   Role = "officer"
	RoleEditor    Role = "editor"
	RoleEvaluator Role = "evaluator"
)

// Roles lists the roles in the order the console offers them.
var Roles = []Role{RoleAdmin, RoleOperator, RoleOfficer, RoleEditor, RoleEvaluator}

// Staff is a console account.
type Staff struct {
	ID         int64
	Username   string
	Name       string
	Role       Role
	Department string // officers only
	Lang       string
	Disabled   bool
	CreatedAt  time.Time
}

// Errors of staff sign-in.
var (
	ErrBadLogin = errors.New("store: wrong username or password")
	ErrLocked   = errors.New("store: account locked after repeated failures")
	ErrTaken    = errors.New("store: username taken")
)

// Lockout: after MaxFailedLogins wrong passwords in a row an account is
// locked for LockoutFor; the next right password after that resets it.
const (
	MaxFailedLogins = 5
	LockoutFor      = 15 * time.Minute
)

// ValidUsername allows what is easy to type and to read aloud: 3 to 32
// lowercase letters, digits, dots and dashes.
func ValidUsername(u string) bool {
	return len(u) >= 3 && len(u) <= 32 && strings.Trim(u, "abcdefghijklmnopqrstuvwxyz0123456789.-") == ""
}

const staffColumns = "id, username, display_name, role, COALESCE(department, ''), lang, disabled_at IS NOT NULL, created_at"

func scanStaff(row pgx.Row) (Staff, error) {
	var st Staff
	err := row.Scan(&st.ID, &st.Username, &st.Name, &st.Role, &st.Department, &st.Lang, &st.Disabled, &st.CreatedAt)
	return st, err
}

// CreateStaff adds an account with an already hashed password.
func (s *Store) CreateStaff(ctx context.Context, st Staff, passwordHash string) (int64, error) {
	var dept *string
	if st.Department != "" {
		dept = &st.Department
	}
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO staff (username, display_name, role, department, lang, password_hash)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, st.Username, st.Name, st.Role, dept, st.Lang, passwordHash).Scan(&id)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return 0, ErrTaken
	}
	if err != nil {
		return 0, fmt.Errorf("create staff %s: %w", st.Username, err)
	}
	return id, nil
}

// ListStaff returns every account, by username.
func (s *Store) ListStaff(ctx context.Context) ([]Staff, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+staffColumns+" FROM staff ORDER BY username")
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Staff, error) { return scanStaff(r) })
}

// SetStaffDisabled disables an account (ending its sessions) or enables
// it again.
func (s *Store) SetStaffDisabled(ctx context.Context, id int64, disabled bool) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE staff SET disabled_at = CASE WHEN $2 THEN now() END, failed_logins = 0, locked_until = NULL WHERE id = $1", id, disabled)
		if err != nil {
			return fmt.Errorf("disable staff %d: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		if disabled {
			_, err = tx.Exec(ctx, "DELETE FROM staff_sessions WHERE staff_id = $1", id)
		}
		return err
	})
}

// Login checks a username and password. check compares the stored hash
// with the password given (argon2id, outside the store); it is called for
// an unknown username too, against dummy, so that a wrong name takes as
// long as a wrong password. A failure is counted (and committed) towards
// the lockout; once locked, one more failure after the lock ends locks
// again, until a right password resets the count.
func (s *Store) Login(ctx context.Context, username, dummy string, check func(hash string) error) (Staff, error) {
	var st Staff
	failed := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var hash string
		var locked *time.Time
		row := tx.QueryRow(ctx, "SELECT "+staffColumns+", password_hash, locked_until FROM staff WHERE username = $1 FOR UPDATE", username)
		err := row.Scan(&st.ID, &st.Username, &st.Name, &st.Role, &st.Department, &st.Lang, &st.Disabled, &st.CreatedAt, &hash, &locked)
		if errors.Is(err, pgx.ErrNoRows) {
			check(dummy)
			return ErrBadLogin
		}
		if err != nil {
			return err
		}
		if locked != nil && locked.After(time.Now()) {
			return ErrLocked
		}
		if check(hash) != nil || st.Disabled {
			failed = true
			_, err := tx.Exec(ctx, `UPDATE staff SET failed_logins = failed_logins + 1,
				locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(secs => $3) END
				WHERE id = $1`, st.ID, MaxFailedLogins, LockoutFor.Seconds())
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE id = $1", st.ID)
		return err
	})
	switch {
	case errors.Is(err, ErrBadLogin) || errors.Is(err, ErrLocked):
		return Staff{}, err
	case err != nil:
		return Staff{}, fmt.Errorf("login: %w", err)
	case failed:
		return Staff{}, ErrBadLogin
	}
	return st, nil
}

// SessionTTL is how long a console session lasts without signing in
// again: a working day.
const SessionTTL = 12 * time.Hour

// CreateSession opens a session for a staff member and returns its
// cookie token and CSRF token; only the token's hash is stored.
func (s *Store) CreateSession(ctx context.Context, staffID int64) (token, csrf string, err error) {
	token, csrf = randomToken(), randomToken()
	sum := sha256.Sum256([]byte(token))
	if _, err := s.pool.Exec(ctx, "INSERT INTO staff_sessions (token_hash, staff_id, csrf, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))",
		sum[:], staffID, csrf, SessionTTL.Seconds()); err != nil {
		return "", "", fmt.Errorf("create session: %w", err)
	}
	return token, csrf, nil
}

// Session returns the staff member and CSRF token of a live session;
// ErrNotFound for an unknown, expired or disabled one.
func (s *Store) Session(ctx context.Context, token string) (Staff, string, error) {
	sum := sha256.Sum256([]byte(token))
	var csrf string
	var st Staff
	err := s.pool.QueryRow(ctx, `SELECT s.id, s.username, s.display_name, s.role, COALESCE(s.department, ''), s.lang, false, s.created_at, x.csrf
		FROM staff_sessions x JOIN staff s ON s.id = x.staff_id
		WHERE x.token_hash = $1 AND x.expires_at > now() AND s.disabled_at IS NULL`, sum[:]).
		Scan(&st.ID, &st.Username, &st.Name, &st.Role, &st.Department, &st.Lang, &st.Disabled, &st.CreatedAt, &csrf)
	if errors.Is(err, pgx.ErrNoRows) {
		return Staff{}, "", ErrNotFound
	}
	if err != nil {
		return Staff{}, "", fmt.Errorf("session: %w", err)
	}
	return st, csrf, nil
}

// EndSession signs a session out (and sweeps expired ones).
func (s *Store) EndSession(ctx context.Context, token string) error {
	sum := sha256.Sum256([]byte(token))
	_, err := s.pool.Exec(ctx, "DELETE FROM staff_sessions WHERE token_hash = $1 OR expires_at < now()", sum[:])
	return err
}

// SetStaffLang keeps a staff member's console language.
func (s *Store) SetStaffLang(ctx context.Context, id int64, lang string) error {
	_, err := s.pool.Exec(ctx, "UPDATE staff SET lang = $2 WHERE id = $1", id, lang)
	return err
}

// StaffAudit records a staff action, whatever its outcome, even when the
// request that made it was cancelled.
func (s *Store) StaffAudit(ctx context.Context, staffID int64, username, action, subject, outcome string) error {
	var id *int64
	if staffID != 0 {
		id = &staffID
	}
	_, err := s.pool.Exec(context.WithoutCancel(ctx), "INSERT INTO staff_audit (staff_id, username, action, subject, outcome) VALUES ($1, $2, $3, $4, $5)",
		id, username, action, subject, outcome)
	if err != nil {
		return fmt.Errorf("staff audit %s: %w", action, err)
	}
	return nil
}

// AuditEntry is one line of the staff audit.
type AuditEntry struct {
	At                                 time.Time
	Username, Action, Subject, Outcome string
}

// StaffAuditLog returns the newest staff audit entries.
func (s *Store) StaffAuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	rows, err := s.pool.Query(ctx, "SELECT at, username, action, subject, outcome FROM staff_audit ORDER BY id DESC LIMIT $1", limit)
	if err != nil {
		return nil, fmt.Errorf("staff audit log: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[AuditEntry])
}

// APIKey is a department's back-office key, as the console lists it.
type APIKey struct {
	ID         int64
	Department string
	Label      string
	CreatedAt  time.Time
	Revoked    bool
}

// APIKeys lists the keys, newest first.
func (s *Store) APIKeys(ctx context.Context) ([]APIKey, error) {
	rows, err := s.pool.Query(ctx, "SELECT id, department, label, created_at, revoked_at IS NOT NULL FROM api_keys ORDER BY id DESC")
	if err != nil {
		return nil, fmt.Errorf("list API keys: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[APIKey])
}

// RevokeAPIKeyID revokes one key, as the console names it, and returns
// its department.
func (s *Store) RevokeAPIKeyID(ctx context.Context, id int64) (string, error) {
	var dept string
	err := s.pool.QueryRow(ctx, "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING department", id).Scan(&dept)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	return dept, err
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}
