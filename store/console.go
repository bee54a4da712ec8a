package store

import (
	"strings"

	"github.com/mitra-gov/mitra/dialog"
)

// insertAnalysis records what mitra made of a processed message, in the
// transaction that answers it: the input (from the stored message's
// type), the reply language, and the engine's reading when free text was
// matched. The latency runs from the webhook's receipt to this commit's
// statement, the part of the reply's way that mitra controls.
const insertAnalysis = `INSERT INTO message_analyses (wa_message_id, input, lang, script, decision, service, department, score, group_key, candidates, latency_ms, district)
SELECT m.wa_message_id,
       CASE WHEN m.type = 'audio' THEN 'voice'
            WHEN m.type IN ('interactive', 'button') THEN 'tap'
            WHEN m.type = 'text' THEN 'text'
            ELSE 'media' END,
       $2, $3, $4, $5, $6, $7, $8, $9,
       GREATEST(0, extract(epoch FROM clock_timestamp() - m.received_at) * 1000),
       COALESCE((SELECT c.district FROM contacts c WHERE c.wa_id = m.wa_from), '')
FROM inbound_messages m WHERE m.wa_message_id = $1`

func analysisArgs(inboundID string, st dialog.State) []any {
	a := st.Effects.Analysis
	if a == nil {
		a = &dialog.Analysis{}
	}
	return []any{inboundID, string(st.Lang), a.Script, string(a.Decision), a.Service, a.Department, a.Score, a.Group, strings.Join(a.Candidates, " ")}
}
