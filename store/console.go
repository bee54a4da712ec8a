package store

import (
	"strings"

	"github.com/mitra-gov/mitra/dialog"
)

// analysisCTE records what mitra made of a processed message, in the
// statement that answers it (answerSQL, whose $5 is the message and $6 to
// $13 the reading): the input (from the stored message's type), the reply
// language, and the engine's reading when free text was matched. The
// latency runs from the webhook's receipt to this statement, the part of
// the reply's way that mitra controls.
const analysisCTE = `INSERT INTO message_analyses (wa_message_id, input, lang, script, decision, service, department, score, group_key, candidates, latency_ms, district)
SELECT m.wa_message_id,
       CASE WHEN m.type = 'audio' THEN 'voice'
            WHEN m.type IN ('interactive', 'button') THEN 'tap'
            WHEN m.type = 'text' THEN 'text'
            ELSE 'media' END,
       $6, $7, $8, $9, $10, $11, $12, $13,
       GREATEST(0, extract(epoch FROM clock_timestamp() - m.received_at) * 1000),
       COALESCE((SELECT c.district FROM contacts c WHERE c.wa_id = m.wa_from), '')
FROM inbound_messages m WHERE m.wa_message_id = $5`

// analysisArgs are analysisCTE's $6 to $13.
func analysisArgs(st dialog.State) []any {
	a := st.Effects.Analysis
	if a == nil {
		a = &dialog.Analysis{}
	}
	return []any{string(st.Lang), a.Script, string(a.Decision), a.Service, a.Department, a.Score, a.Group, strings.Join(a.Candidates, " ")}
}
