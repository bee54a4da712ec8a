package prompts

import (
	"context"
	"strings"
	"unicode"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/retrieval"
)

// Matcher is the engine being helped.
type Matcher interface {
	Match(ctx context.Context, text string, prev catalog.Lang) (retrieval.Result, error)
}

// Reranker wraps the engine: when it is unsure (a choice, or optionally a
// direct routing with a thin margin), the live rerank prompt picks among
// the candidates. Only a candidate id, "none", or a clarifying question in
// the citizen's script is accepted; anything else, and any failure, leaves
// the engine's answer as it was.
type Reranker struct {
	Engine  Matcher
	LLM     *LLM
	Library *Library
	// DirectMargin, when above zero, also reranks direct routings whose lead
	// over the runner-up is below it.
	DirectMargin float32
	// TopK candidates are shown to the model (default 3).
	TopK int
}

var langNames = map[catalog.Lang]string{catalog.Telugu: "Telugu", catalog.Hindi: "Hindi", catalog.English: "English"}

type rerankCandidate struct{ ID, Name, Description, Kind string }

type rerankData struct {
	LangName   string
	Message    string
	Candidates []rerankCandidate
}

// Match implements the engine's contract.
func (r *Reranker) Match(ctx context.Context, text string, prev catalog.Lang) (retrieval.Result, error) {
	res, err := r.Engine.Match(ctx, text, prev)
	if err != nil || !r.unsure(res) {
		return res, err
	}
	p, err := r.Library.Get("rerank")
	if err != nil {
		return res, nil
	}
	k := r.TopK
	if k <= 0 {
		k = 3
	}
	cands := res.Candidates[:min(k, len(res.Candidates))]
	lang := res.Analysis.Lang
	data := rerankData{LangName: langNames[lang], Message: Delimit(Redact(res.Analysis.Text))}
	ids := make([]string, len(cands))
	for i, c := range cands {
		ids[i] = c.Service.ID
		name := c.Service.Name.EN
		if lang != catalog.English {
			name += " / " + c.Service.Name.In(lang)
		}
		data.Candidates = append(data.Candidates, rerankCandidate{ID: c.Service.ID, Name: name, Description: c.Service.Description.EN, Kind: string(c.Service.Kind)})
	}
	system, user, err := p.Render(data)
	if err != nil {
		return res, nil
	}
	out, err := r.LLM.Call(ctx, p, system, user, string(lang)+"\x00"+res.Analysis.Text+"\x00"+strings.Join(ids, ","))
	if err != nil {
		return res, nil // the deterministic decision stands
	}
	choice, _ := out["choice"].(string)
	question, _ := out["question"].(string)
	switch {
	case choice == "none":
		res.Decision, res.Reranked = retrieval.Menu, p.ID()
	case choice == "ask":
		if q := strings.TrimSpace(question); q != "" && inScript(q, lang) && len([]rune(q)) <= 200 {
			res.Clarification, res.Reranked = q, p.ID()
		}
	default:
		for i, c := range res.Candidates {
			if c.Service.ID == choice && i < len(cands) {
				picked := res.Candidates[i]
				copy(res.Candidates[1:i+1], res.Candidates[:i])
				res.Candidates[0] = picked
				res.Decision, res.Reranked = retrieval.Direct, p.ID()
				break
			}
		}
		// An id outside the candidates (an invented service, or a prompt
		// injection that worked on the model) changes nothing.
	}
	return res, nil
}

func (r *Reranker) unsure(res retrieval.Result) bool {
	switch {
	case len(res.Candidates) < 2:
		return false
	case res.Decision == retrieval.Choose:
		return true
	case res.Decision == retrieval.Direct && r.DirectMargin > 0:
		return res.Candidates[0].Score-res.Candidates[1].Score < r.DirectMargin
	}
	return false
}

// inScript reports whether a question is written in the script of lang.
func inScript(s string, lang catalog.Lang) bool {
	table := map[catalog.Lang]*unicode.RangeTable{catalog.Telugu: unicode.Telugu, catalog.Hindi: unicode.Devanagari, catalog.English: unicode.Latin}[lang]
	letters, in := 0, 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
			if unicode.Is(table, r) {
				in++
			}
		}
	}
	return letters > 0 && in*2 > letters
}

// Redact removes personal data from text bound for an LLM.
func Redact(text string) string {
	var r Redactor
	return r.Redact(text)
}

// Delimit makes user text safe to put between the prompt's markers: the
// markers cannot be forged from inside.
func Delimit(text string) string {
	return strings.NewReplacer("<<<", "‹‹‹", ">>>", "›››").Replace(text)
}
