package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mitra-gov/mitra/whatsapp"
)

// Template is one language of a message template in the registry.
type Template struct {
	Name   string
	Lang   string // WhatsApp's code: te, hi, en_US
	Use    string
	Body   string
	Params int
	// Category is as submitted; MetaCategory as Meta files it (and
	// prices it), "" until Meta has said.
	Category, MetaCategory string
	// Status is DRAFT until submitted, then Meta's: only APPROVED sends.
	Status  string
	MetaID  string
	Reason  string
	Updated time.Time
}

// TemplateApprovedStatus is the one status a template is sent in.
const TemplateApprovedStatus = "APPROVED"

// TemplateDraft is a template not yet submitted to Meta.
const TemplateDraft = "DRAFT"

// Approved reports whether the template may be sent.
func (t Template) Approved() bool { return t.Status == TemplateApprovedStatus }

// SeedTemplates writes the catalogue's templates into the registry. A new
// one starts as a draft; one whose body changed goes back to draft (Meta
// approved other words); Meta's verdict on the rest is kept.
func (s *Store) SeedTemplates(ctx context.Context, ts []Template) error {
	b := &pgx.Batch{}
	for _, t := range ts {
		b.Queue(`INSERT INTO wa_templates (name, lang, use, category, body, params) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (name, lang) DO UPDATE SET use = EXCLUDED.use, category = EXCLUDED.category, params = EXCLUDED.params,
				body = EXCLUDED.body,
				status = CASE WHEN wa_templates.body = EXCLUDED.body THEN wa_templates.status ELSE 'DRAFT' END,
				updated_at = CASE WHEN wa_templates.body = EXCLUDED.body THEN wa_templates.updated_at ELSE now() END`,
			t.Name, t.Lang, t.Use, t.Category, t.Body, t.Params)
	}
	return s.pool.SendBatch(ctx, b).Close()
}

const templateColumns = "name, lang, use, body, params, category, meta_category, status, meta_id, reason, updated_at"

func scanTemplate(row pgx.Row) (Template, error) {
	var t Template
	err := row.Scan(&t.Name, &t.Lang, &t.Use, &t.Body, &t.Params, &t.Category, &t.MetaCategory, &t.Status, &t.MetaID, &t.Reason, &t.Updated)
	return t, err
}

// Templates lists the registry by name and language.
func (s *Store) Templates(ctx context.Context) ([]Template, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+templateColumns+" FROM wa_templates ORDER BY name, lang")
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Template, error) { return scanTemplate(r) })
}

// ApprovedTemplates lists the templates of a use that may be sent in a
// language now.
func (s *Store) ApprovedTemplates(ctx context.Context, use, lang string) ([]Template, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+templateColumns+" FROM wa_templates WHERE use = $1 AND lang = $2 AND status = $3 ORDER BY name",
		use, lang, TemplateApprovedStatus)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Template, error) { return scanTemplate(r) })
}

// TemplateByName returns one language of a template; ErrNotFound when the
// registry has none.
func (s *Store) TemplateByName(ctx context.Context, name, lang string) (Template, error) {
	t, err := scanTemplate(s.pool.QueryRow(ctx, "SELECT "+templateColumns+" FROM wa_templates WHERE name = $1 AND lang = $2", name, lang))
	if errors.Is(err, pgx.ErrNoRows) {
		return Template{}, ErrNotFound
	}
	return t, err
}

// ApplyTemplateState records what Meta says of a template: its id, status
// and category, from a listing or a submission. It reports whether the
// registry has the template (one Meta holds that the catalogue does not
// is left out: mitra could not fill it).
func (s *Store) ApplyTemplateState(ctx context.Context, r whatsapp.RemoteTemplate) (bool, error) {
	return applyTemplate(ctx, s.pool, whatsapp.TemplateEvent{MetaID: r.ID, Name: r.Name, Language: r.Language, Status: r.Status,
		Category: r.Category, Reason: r.RejectedReason})
}

// execer is a pool or a transaction.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// applyTemplate writes one change of Meta's: empty fields keep their value.
func applyTemplate(ctx context.Context, db execer, e whatsapp.TemplateEvent) (bool, error) {
	tag, err := db.Exec(ctx, applyTemplateSQL, templateArgs(e)...)
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

const applyTemplateSQL = `UPDATE wa_templates SET
		status = COALESCE(NULLIF($3, ''), status),
		meta_category = COALESCE(NULLIF($4, ''), meta_category),
		meta_id = COALESCE(NULLIF($5, ''), meta_id),
		reason = CASE WHEN $3 = '' THEN reason ELSE $6 END,
		updated_at = now()
	WHERE name = $1 AND lang = $2`

func templateArgs(e whatsapp.TemplateEvent) []any {
	return []any{e.Name, e.Language, strings.ToUpper(e.Status), strings.ToLower(e.Category), e.MetaID, e.Reason}
}
