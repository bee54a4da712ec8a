package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ReviewGroup is messages mitra did not place that say the same thing.
type ReviewGroup struct {
	Key        string
	Count      int64
	Decision   string // menu or choose
	Candidates string // the services offered, best first
	Lang       string
	Script     string
	Sample     string // one message's text, from inbound_messages (gone once retention deletes it)
	Last       time.Time
	// Chosen is the service citizens most often picked after a "which of
	// these?" for these words, and NoneOfThese how often they picked none.
	Chosen      string
	NoneOfThese int64
}

// ReviewGroups lists the groups of unplaced messages since a time, the
// largest first, leaving out groups already acted on and messages whose
// text retention has removed.
func (s *Store) ReviewGroups(ctx context.Context, since time.Time, limit int) ([]ReviewGroup, error) {
	return s.reviewGroups(ctx, since, limit, "")
}

// ReviewGroup returns one group still in the queue; ErrNotFound for one
// acted on, too old, or never seen.
func (s *Store) ReviewGroup(ctx context.Context, key string, since time.Time) (ReviewGroup, error) {
	list, err := s.reviewGroups(ctx, since, 1, key)
	if err != nil {
		return ReviewGroup{}, err
	}
	if len(list) == 0 || key == "" {
		return ReviewGroup{}, ErrNotFound
	}
	return list[0], nil
}

func (s *Store) reviewGroups(ctx context.Context, since time.Time, limit int, key string) ([]ReviewGroup, error) {
	rows, err := s.pool.Query(ctx, `SELECT a.group_key, count(*), max(a.decision), max(a.candidates), max(a.lang), max(a.script),
		       COALESCE((SELECT m.message->>'text' FROM inbound_messages m WHERE m.wa_message_id = max(a.wa_message_id)), ''), max(a.at),
		       COALESCE((SELECT mode() WITHIN GROUP (ORDER BY p.service) FROM message_analyses p
		                 WHERE p.group_key = a.group_key AND p.decision = 'chosen' AND p.at >= $1), ''),
		       (SELECT count(*) FROM message_analyses p WHERE p.group_key = a.group_key AND p.decision = 'none' AND p.at >= $1)
		FROM message_analyses a
		WHERE a.at >= $1 AND a.decision IN ('menu', 'choose') AND a.group_key <> '' AND ($3 = '' OR a.group_key = $3)
		  AND NOT EXISTS (SELECT 1 FROM review_actions r WHERE r.group_key = a.group_key)
		GROUP BY a.group_key ORDER BY count(*) DESC, max(a.at) DESC LIMIT $2`, since, limit, key)
	if err != nil {
		return nil, fmt.Errorf("review groups: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[ReviewGroup])
}

// ReviewAction is what an editor did with a group.
type ReviewAction struct {
	Action, Service, Text, Lang, Script string
	At                                  time.Time
}

// AddReviewAction records an editor's action on a group.
func (s *Store) AddReviewAction(ctx context.Context, group string, staffID int64, a ReviewAction) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO review_actions (group_key, action, service, text, lang, script, staff_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		group, a.Action, a.Service, a.Text, a.Lang, a.Script, staffID)
	if err != nil {
		return fmt.Errorf("review action: %w", err)
	}
	return nil
}

// ReviewActions returns the actions of a kind ("alias", "eval", "oos"),
// oldest first, for export.
func (s *Store) ReviewActions(ctx context.Context, actions ...string) ([]ReviewAction, error) {
	rows, err := s.pool.Query(ctx, "SELECT action, service, text, lang, script, at FROM review_actions WHERE action = ANY($1) ORDER BY id", actions)
	if err != nil {
		return nil, fmt.Errorf("review actions: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[ReviewAction])
}
