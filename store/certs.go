package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/transparency-dev/merkle/compact"

	"github.com/mitra-gov/mitra/certs"
	"github.com/mitra-gov/mitra/dialog"
)

// CreateAPIKey makes a new key for a department and returns it; only its
// hash is kept.
func (s *Store) CreateAPIKey(ctx context.Context, department, label string) (string, error) {
	raw := make([]byte, 24)
	rand.Read(raw)
	key := "mk_" + hex.EncodeToString(raw)
	sum := sha256.Sum256([]byte(key))
	if _, err := s.pool.Exec(ctx, "INSERT INTO api_keys (key_hash, department, label) VALUES ($1, $2, $3)", sum[:], department, label); err != nil {
		return "", fmt.Errorf("create API key for %s: %w", department, err)
	}
	return key, nil
}

// KeyDepartment returns the department an API key belongs to.
func (s *Store) KeyDepartment(ctx context.Context, key string) (string, bool, error) {
	sum := sha256.Sum256([]byte(key))
	var dept string
	err := s.pool.QueryRow(ctx, "SELECT department FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL", sum[:]).Scan(&dept)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("look up API key: %w", err)
	}
	return dept, true, nil
}

// Audit records a department's API call. The row is written even when the
// request's context has ended: a call that happened is audited.
func (s *Store) Audit(ctx context.Context, department, action, certID string, status int, detail string) error {
	_, err := s.pool.Exec(context.WithoutCancel(ctx), "INSERT INTO api_audit (department, action, subject, status, detail) VALUES ($1, $2, NULLIF($3, ''), $4, $5)",
		department, action, certID, status, detail)
	if err != nil {
		return fmt.Errorf("audit %s %s: %w", department, action, err)
	}
	return nil
}

// SigningSeed returns the stored development signing key, creating one the
// first time.
func (s *Store) SigningSeed(ctx context.Context, newSeed func() ([]byte, string)) ([]byte, error) {
	var seed []byte
	err := s.pool.QueryRow(ctx, "SELECT seed FROM signing_keys ORDER BY created_at LIMIT 1").Scan(&seed)
	if err == nil {
		return seed, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("development signing key: %w", err)
	}
	seed, id := newSeed()
	if _, err := s.pool.Exec(ctx, "INSERT INTO signing_keys (key_id, seed) VALUES ($1, $2) ON CONFLICT DO NOTHING", id, seed); err != nil {
		return nil, fmt.Errorf("development signing key: %w", err)
	}
	return s.SigningSeed(ctx, newSeed)
}

// certColumns leave the PDF out (an empty one stands in): verification and
// revocation never need it, and an anonymous lookup must not read
// hundreds of kilobytes; CertificatePDF reads it for delivery.
const certColumns = `id, department, service_id, wa_id, holder_name, lang, fields, issued_on, office, validity, key_id, qr_text, ''::bytea,
	idempotency_key, revoked_at, COALESCE(revoke_reason, ''), delivered_at, request_hash`

func scanCert(row pgx.Row) (certs.Certificate, error) {
	var c certs.Certificate
	var fields []byte
	err := row.Scan(&c.ID, &c.Department, &c.ServiceID, &c.WAID, &c.Holder, &c.Lang, &fields, &c.IssuedOn, &c.Office, &c.Validity,
		&c.KeyID, &c.QRText, &c.PDF, &c.IdempotencyKey, &c.RevokedAt, &c.RevokeReason, &c.DeliveredAt, &c.RequestHash)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, certs.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("load certificate: %w", err)
	}
	if err := json.Unmarshal(fields, &c.Fields); err != nil {
		return c, fmt.Errorf("decode certificate %s: %w", c.ID, err)
	}
	return c, nil
}

// The certificates side of the store implements certs.Store: lookups of
// what does not exist answer certs.ErrNotFound.
var _ certs.Store = (*Store)(nil)

// CertificateByIdempotency finds a department's earlier issuance with the
// same idempotency key.
func (s *Store) CertificateByIdempotency(ctx context.Context, department, key string) (certs.Certificate, error) {
	return scanCert(s.pool.QueryRow(ctx, "SELECT "+certColumns+" FROM certificates WHERE department = $1 AND idempotency_key = $2", department, key))
}

// Certificate returns a certificate by id.
func (s *Store) Certificate(ctx context.Context, id string) (certs.Certificate, error) {
	return scanCert(s.pool.QueryRow(ctx, "SELECT "+certColumns+" FROM certificates WHERE id = $1", id))
}

// CertificatePDF returns a certificate's PDF.
func (s *Store) CertificatePDF(ctx context.Context, id string) ([]byte, error) {
	var pdf []byte
	err := s.pool.QueryRow(ctx, "SELECT pdf FROM certificates WHERE id = $1", id).Scan(&pdf)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("pdf of %s: %w", id, certs.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("pdf of %s: %w", id, err)
	}
	return pdf, nil
}

// AddCertificate stores a new certificate, appends its issuance leaf and
// queues its delivery, in one transaction; a certificate the department
// issued under the same idempotency key already is returned instead.
func (s *Store) AddCertificate(ctx context.Context, c certs.Certificate, leafHash []byte) (certs.Certificate, bool, error) {
	stored, replayed := c, false
	err := s.InTx(ctx, func(tx Tx) error {
		fields, err := json.Marshal(c.Fields)
		if err != nil {
			return fmt.Errorf("encode fields: %w", err)
		}
		tag, err := tx.tx.Exec(ctx, `INSERT INTO certificates (id, department, service_id, wa_id, holder_name, lang, fields, issued_on, office,
			validity, key_id, qr_text, pdf, idempotency_key, request_hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)
			ON CONFLICT (department, idempotency_key) DO NOTHING`,
			c.ID, c.Department, c.ServiceID, c.WAID, c.Holder, c.Lang, fields, c.IssuedOn, c.Office, c.Validity, c.KeyID, c.QRText, c.PDF,
			c.IdempotencyKey, c.RequestHash)
		if err != nil {
			return fmt.Errorf("insert certificate %s: %w", c.ID, err)
		}
		if tag.RowsAffected() == 0 {
			replayed = true
			stored, err = scanCert(tx.tx.QueryRow(ctx, "SELECT "+certColumns+" FROM certificates WHERE department = $1 AND idempotency_key = $2",
				c.Department, c.IdempotencyKey))
			return err
		}
		if err := tx.appendLeaf(ctx, "issue", c.ID, leafHash); err != nil {
			return err
		}
		return tx.EnqueueDelivery(ctx, c.ID)
	})
	return stored, replayed, err
}

// RevokeCertificate marks a certificate revoked and logs it, once.
func (s *Store) RevokeCertificate(ctx context.Context, id, reason string, leafHash []byte) (bool, error) {
	done := false
	err := s.InTx(ctx, func(tx Tx) error {
		tag, err := tx.tx.Exec(ctx, "UPDATE certificates SET revoked_at = now(), revoke_reason = $2 WHERE id = $1 AND revoked_at IS NULL", id, reason)
		if err != nil {
			return fmt.Errorf("revoke certificate %s: %w", id, err)
		}
		if done = tag.RowsAffected() == 1; !done {
			return nil
		}
		return tx.appendLeaf(ctx, "revoke", id, leafHash)
	})
	return done, err
}

// logLock serialises appends to the transparency log.
const logLock = 0x6c6f67 // "log"

// appendLeaf adds a leaf at the end of the log, with the nodes it
// completes.
func (t Tx) appendLeaf(ctx context.Context, kind, certID string, leafHash []byte) error {
	if _, err := t.tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", logLock); err != nil {
		return fmt.Errorf("log lock: %w", err)
	}
	size, err := logSize(ctx, t.tx)
	if err != nil {
		return err
	}
	border, err := logNodes(ctx, t.tx, certs.BorderIDs(size))
	if err != nil {
		return err
	}
	nodes, err := certs.AppendNodes(size, border, leafHash)
	if err != nil {
		return err
	}
	if _, err := t.tx.Exec(ctx, `INSERT INTO log_leaves (idx, kind, cert_id, leaf_hash) VALUES ($1, $2, $3, $4)`,
		int64(size), kind, certID, leafHash); err != nil {
		return fmt.Errorf("append %s leaf of %s: %w", kind, certID, err)
	}
	levels, idxs, hashes := make([]int16, len(nodes)), make([]int64, len(nodes)), make([][]byte, len(nodes))
	for i, n := range nodes {
		levels[i], idxs[i], hashes[i] = int16(n.Level), int64(n.Index), n.Hash
	}
	if _, err := t.tx.Exec(ctx, `INSERT INTO log_nodes (level, idx, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])`,
		levels, idxs, hashes); err != nil {
		return fmt.Errorf("log nodes of leaf %d: %w", size, err)
	}
	return nil
}

// LogSize is how many leaves the log has.
func (s *Store) LogSize(ctx context.Context) (uint64, error) { return logSize(ctx, s.pool) }

func logSize(ctx context.Context, q querier) (uint64, error) {
	var n int64
	if err := q.QueryRow(ctx, "SELECT COALESCE(max(idx) + 1, 0) FROM log_leaves").Scan(&n); err != nil {
		return 0, fmt.Errorf("log size: %w", err)
	}
	return uint64(n), nil
}

// LogNodes returns the hashes of log nodes, in the order asked.
func (s *Store) LogNodes(ctx context.Context, ids []compact.NodeID) ([][]byte, error) {
	return logNodes(ctx, s.pool, ids)
}

func logNodes(ctx context.Context, q querier, ids []compact.NodeID) ([][]byte, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	levels, idxs := make([]int16, len(ids)), make([]int64, len(ids))
	for i, id := range ids {
		levels[i], idxs[i] = int16(id.Level), int64(id.Index)
	}
	var hashes [][]byte
	var found int
	// One round trip: the ids in order, with their hashes where they
	// exist; a missing node makes found fall short.
	err := q.QueryRow(ctx, `SELECT array_agg(n.hash ORDER BY w.ord), count(n.hash)
		FROM unnest($1::smallint[], $2::bigint[]) WITH ORDINALITY AS w(level, idx, ord)
		LEFT JOIN log_nodes n ON n.level = w.level AND n.idx = w.idx`, levels, idxs).Scan(&hashes, &found)
	if err != nil {
		return nil, fmt.Errorf("log nodes: %w", err)
	}
	if found != len(ids) {
		return nil, fmt.Errorf("log nodes: %d of %d: %w", found, len(ids), certs.ErrNotFound)
	}
	return hashes, nil
}

// LeafIndex returns the index of a certificate's leaf of a kind.
func (s *Store) LeafIndex(ctx context.Context, certID, kind string) (int64, error) {
	var idx int64
	err := s.pool.QueryRow(ctx, "SELECT idx FROM log_leaves WHERE cert_id = $1 AND kind = $2", certID, kind).Scan(&idx)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("%s leaf of %s: %w", kind, certID, certs.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("%s leaf of %s: %w", kind, certID, err)
	}
	return idx, nil
}

// SaveTreeHead stores a signed head (once per size).
func (s *Store) SaveTreeHead(ctx context.Context, h certs.TreeHead) error {
	root, err := h.RootBytes()
	if err != nil {
		return fmt.Errorf("tree head %d: root: %w", h.Size, err)
	}
	_, err = s.pool.Exec(ctx, "INSERT INTO tree_heads (size, root, ts, key_id, signature) VALUES ($1,$2,$3,$4,$5) ON CONFLICT (size) DO NOTHING",
		int64(h.Size), root, h.Timestamp, h.KeyID, h.Signature)
	if err != nil {
		return fmt.Errorf("save tree head %d: %w", h.Size, err)
	}
	return nil
}

// TreeHead returns the head of a size, or the latest for size < 0.
func (s *Store) TreeHead(ctx context.Context, size int64) (certs.TreeHead, error) {
	q := "SELECT size, root, ts, key_id, signature FROM tree_heads WHERE size = $1"
	if size < 0 {
		q = "SELECT size, root, ts, key_id, signature FROM tree_heads WHERE $1 < 0 ORDER BY size DESC LIMIT 1"
	}
	var h certs.TreeHead
	var n int64
	var root []byte
	err := s.pool.QueryRow(ctx, q, size).Scan(&n, &root, &h.Timestamp, &h.KeyID, &h.Signature)
	if errors.Is(err, pgx.ErrNoRows) {
		return h, fmt.Errorf("tree head %d: %w", size, certs.ErrNotFound)
	}
	if err != nil {
		return h, fmt.Errorf("tree head %d: %w", size, err)
	}
	h.Size, h.Root = uint64(n), hex.EncodeToString(root)
	return h, nil
}

// CertificatesOf lists a citizen's certificates, newest first, for "my
// certificates" in the chat (dialog.CertificateLister).
func (s *Store) CertificatesOf(ctx context.Context, waID string) ([]dialog.Issued, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, service_id, issued_on, revoked_at IS NOT NULL FROM certificates
		WHERE wa_id = $1 ORDER BY created_at DESC LIMIT 10`, waID)
	if err != nil {
		return nil, fmt.Errorf("certificates of a citizen: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (dialog.Issued, error) {
		var c dialog.Issued
		err := r.Scan(&c.ID, &c.ServiceID, &c.IssuedOn, &c.Revoked)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("certificates of a citizen: %w", err)
	}
	return out, nil
}

// MarkDelivered records that a certificate reached the citizen, or that it
// waits for them to write (outside the 24-hour window).
func (s *Store) MarkDelivered(ctx context.Context, id string, awaitingReply bool) error {
	sql := "UPDATE certificates SET delivered_at = now(), awaiting_reply = false WHERE id = $1"
	if awaitingReply {
		sql = "UPDATE certificates SET awaiting_reply = true WHERE id = $1"
	}
	if _, err := s.pool.Exec(ctx, sql, id); err != nil {
		return fmt.Errorf("mark certificate %s delivered: %w", id, err)
	}
	return nil
}

// certificatesAwaiting are a citizen's certificates held until they
// write (outside the 24-hour window): their message reopened it.
const certificatesAwaiting = "SELECT id FROM certificates WHERE wa_id = $1 AND awaiting_reply AND delivered_at IS NULL"
