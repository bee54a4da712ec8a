package prompts

import (
	"context"
	"fmt"
	"strings"

	"github.com/mitra-gov/mitra/catalog"
)

// Answerer answers a citizen's question about one service from its
// catalogue record only, in the citizen's language.
type Answerer struct {
	LLM     *LLM
	Library *Library
	// Describe renders the record's fields in a language (documents, fee,
	// time, where to apply) as the dialog shows them.
	Describe func(s *catalog.Service, lang catalog.Lang) ServiceRecord
}

// ServiceRecord is what the model may use.
type ServiceRecord struct {
	Name, Description, Documents, Fee, SLA, Where string
}

type answerData struct {
	LangName string
	Message  string
	Service  ServiceRecord
}

// Answer returns the answer and whether the record held it. An answer not
// in the citizen's script, or not naming the service, is refused.
func (a *Answerer) Answer(ctx context.Context, question string, s *catalog.Service, lang catalog.Lang) (string, bool, error) {
	p, err := a.Library.Get("answer")
	if err != nil {
		return "", false, err
	}
	rec := a.Describe(s, lang)
	system, user, err := p.Render(answerData{LangName: langNames[lang], Message: Delimit(Redact(question)), Service: rec})
	if err != nil {
		return "", false, err
	}
	out, err := a.LLM.Call(ctx, p, system, user, string(lang)+"\x00"+s.ID+"\x00"+question)
	if err != nil {
		return "", false, err
	}
	answer, _ := out["answer"].(string)
	grounded, _ := out["grounded"].(bool)
	answer = strings.TrimSpace(answer)
	if answer == "" || !inScript(answer, lang) {
		return "", false, fmt.Errorf("%s: answer empty or not in %s script", p.ID(), lang)
	}
	return answer, grounded, nil
}
