package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// CreateAPIKey makes a new key for a department and returns it; only its
// hash is kept.
func (s *Store) CreateAPIKey(ctx context.Context, department, label string) (string, error) {
	raw := make([]byte, 24)
	rand.Read(raw)
	key := "mk_" + hex.EncodeToString(raw)
	sum := sha256.Sum256([]byte(key))
	_, err := s.Pool.Exec(ctx, "INSERT INTO api_keys (key_hash, department, label) VALUES ($1, $2, $3)", sum[:], department, label)
	return key, err
}

// KeyDepartment returns the department an API key belongs to.
func (s *Store) KeyDepartment(ctx context.Context, key string) (string, bool, error) {
	sum := sha256.Sum256([]byte(key))
	var dept string
	err := s.Pool.QueryRow(ctx, "SELECT department FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL", sum[:]).Scan(&dept)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	return dept, err == nil, err
}

// Audit records an issuance API call.
func (s *Store) Audit(ctx context.Context, department, action, certID string, status int, detail string) {
	s.Pool.Exec(context.WithoutCancel(ctx), "INSERT INTO api_audit (department, action, cert_id, status, detail) VALUES ($1, $2, NULLIF($3, ''), $4, $5)",
		department, action, certID, status, detail)
}

// SigningSeed returns the stored development signing key, creating one the
// first time.
func (s *Store) SigningSeed(ctx context.Context, newSeed func() ([]byte, string)) ([]byte, error) {
	var seed []byte
	err := s.Pool.QueryRow(ctx, "SELECT seed FROM signing_keys ORDER BY created_at LIMIT 1").Scan(&seed)
	if err == nil {
		return seed, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	seed, id := newSeed()
	if _, err := s.Pool.Exec(ctx, "INSERT INTO signing_keys (key_id, seed) VALUES ($1, $2) ON CONFLICT DO NOTHING", id, seed); err != nil {
		return nil, err
	}
	return s.SigningSeed(ctx, newSeed)
}

// Certificate is a stored certificate.
type Certificate struct {
	ID, Department, ServiceID, WAID, Holder, Lang string
	Fields                                        map[string]string
	IssuedOn                                      time.Time
	Office, Validity, KeyID, QRText               string
	PDF                                           []byte
	IdempotencyKey                                string
	RevokedAt                                     *time.Time
	RevokeReason                                  string
	DeliveredAt                                   *time.Time
}

const certColumns = `id, department, service_id, wa_id, holder_name, lang, fields, issued_on, office, validity, key_id, qr_text, pdf,
	idempotency_key, revoked_at, COALESCE(revoke_reason, ''), delivered_at`

func scanCert(row pgx.Row) (Certificate, error) {
	var c Certificate
	var fields []byte
	err := row.Scan(&c.ID, &c.Department, &c.ServiceID, &c.WAID, &c.Holder, &c.Lang, &fields, &c.IssuedOn, &c.Office, &c.Validity,
		&c.KeyID, &c.QRText, &c.PDF, &c.IdempotencyKey, &c.RevokedAt, &c.RevokeReason, &c.DeliveredAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	if err == nil {
		err = json.Unmarshal(fields, &c.Fields)
	}
	return c, err
}

// CertificateByIdempotency finds a department's earlier issuance with the
// same idempotency key.
func (t Tx) CertificateByIdempotency(ctx context.Context, department, key string) (Certificate, error) {
	return scanCert(t.tx.QueryRow(ctx, "SELECT "+certColumns+" FROM certificates WHERE department = $1 AND idempotency_key = $2", department, key))
}

// Certificate returns a certificate by id.
func (s *Store) Certificate(ctx context.Context, id string) (Certificate, error) {
	return scanCert(s.Pool.QueryRow(ctx, "SELECT "+certColumns+" FROM certificates WHERE id = $1", id))
}

// InsertCertificate stores a new certificate.
func (t Tx) InsertCertificate(ctx context.Context, c Certificate) error {
	fields, _ := json.Marshal(c.Fields)
	_, err := t.tx.Exec(ctx, `INSERT INTO certificates (id, department, service_id, wa_id, holder_name, lang, fields, issued_on, office,
		validity, key_id, qr_text, pdf, idempotency_key) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
		c.ID, c.Department, c.ServiceID, c.WAID, c.Holder, c.Lang, fields, c.IssuedOn, c.Office, c.Validity, c.KeyID, c.QRText, c.PDF, c.IdempotencyKey)
	return err
}

// Revoke marks a certificate revoked, once.
func (t Tx) Revoke(ctx context.Context, id, reason string) (bool, error) {
	tag, err := t.tx.Exec(ctx, "UPDATE certificates SET revoked_at = now(), revoke_reason = $2 WHERE id = $1 AND revoked_at IS NULL", id, reason)
	return tag.RowsAffected() == 1, err
}

// logLock serialises appends to the transparency log.
const logLock = 0x6c6f67 // "log"

// AppendLeaf adds a leaf at the end of the log and returns its index.
func (t Tx) AppendLeaf(ctx context.Context, kind, certID string, leafHash []byte) (int64, error) {
	if _, err := t.tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", logLock); err != nil {
		return 0, err
	}
	var idx int64
	err := t.tx.QueryRow(ctx, `INSERT INTO log_leaves (idx, kind, cert_id, leaf_hash)
		SELECT COALESCE(max(idx) + 1, 0), $1, $2, $3 FROM log_leaves RETURNING idx`, kind, certID, leafHash).Scan(&idx)
	return idx, err
}

// LeafHashes returns the log's leaf hashes in order.
func (s *Store) LeafHashes(ctx context.Context) ([][]byte, error) {
	rows, err := s.Pool.Query(ctx, "SELECT leaf_hash FROM log_leaves ORDER BY idx")
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[[]byte])
}

// LeafIndex returns the index of a certificate's leaf of a kind.
func (s *Store) LeafIndex(ctx context.Context, certID, kind string) (int64, error) {
	var idx int64
	err := s.Pool.QueryRow(ctx, "SELECT idx FROM log_leaves WHERE cert_id = $1 AND kind = $2", certID, kind).Scan(&idx)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrNotFound
	}
	return idx, err
}

// TreeHeadRow is a stored signed tree head.
type TreeHeadRow struct {
	Size      int64
	Root      []byte
	Timestamp int64
	KeyID     string
	Signature string
}

// SaveTreeHead stores a signed head (once per size).
func (s *Store) SaveTreeHead(ctx context.Context, h TreeHeadRow) error {
	_, err := s.Pool.Exec(ctx, "INSERT INTO tree_heads (size, root, ts, key_id, signature) VALUES ($1,$2,$3,$4,$5) ON CONFLICT (size) DO NOTHING",
		h.Size, h.Root, h.Timestamp, h.KeyID, h.Signature)
	return err
}

// TreeHead returns the head of a size, or the latest for size < 0.
func (s *Store) TreeHead(ctx context.Context, size int64) (TreeHeadRow, error) {
	q := "SELECT size, root, ts, key_id, signature FROM tree_heads WHERE size = $1"
	if size < 0 {
		q = "SELECT size, root, ts, key_id, signature FROM tree_heads WHERE $1 < 0 ORDER BY size DESC LIMIT 1"
	}
	var h TreeHeadRow
	err := s.Pool.QueryRow(ctx, q, size).Scan(&h.Size, &h.Root, &h.Timestamp, &h.KeyID, &h.Signature)
	if errors.Is(err, pgx.ErrNoRows) {
		return h, ErrNotFound
	}
	return h, err
}

// CertificatesOf lists a citizen's certificates, newest first.
func (t Tx) CertificatesOf(ctx context.Context, waID string) ([]Certificate, error) {
	rows, err := t.tx.Query(ctx, "SELECT "+certColumns+" FROM certificates WHERE wa_id = $1 ORDER BY created_at DESC LIMIT 10", waID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Certificate
	for rows.Next() {
		c, err := scanCert(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// MarkDelivered records that a certificate reached the citizen, or that it
// waits for them to write (outside the 24-hour window).
func (s *Store) MarkDelivered(ctx context.Context, id string, awaitingReply bool) error {
	if awaitingReply {
		_, err := s.Pool.Exec(ctx, "UPDATE certificates SET awaiting_reply = true WHERE id = $1", id)
		return err
	}
	_, err := s.Pool.Exec(ctx, "UPDATE certificates SET delivered_at = now(), awaiting_reply = false WHERE id = $1", id)
	return err
}

// AwaitingReply lists a citizen's certificates held back until they wrote.
func (t Tx) AwaitingReply(ctx context.Context, waID string) ([]string, error) {
	rows, err := t.tx.Query(ctx, "SELECT id FROM certificates WHERE wa_id = $1 AND awaiting_reply AND delivered_at IS NULL", waID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
