package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/dialog"
	"github.com/mitra-gov/mitra/internal/openaiapi"
	"github.com/mitra-gov/mitra/prompts"
	"github.com/mitra-gov/mitra/retrieval"
)

// llmFlags configure the optional LLM help.
type llmFlags struct {
	backend      string
	model        string
	timeout      time.Duration
	budget       int64
	directMargin float64
	prompt       multiFlag
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func (f *llmFlags) register(fl *flag.FlagSet) {
	fl.StringVar(&f.backend, "llm", envOr("MITRA_LLM", "none"), "LLM help: none, openai (any OpenAI-compatible chat endpoint: OPENAI_BASE_URL, OPENAI_API_KEY) or fake (a deterministic stand-in, for tests)")
	fl.StringVar(&f.model, "llm-model", os.Getenv("MITRA_LLM_MODEL"), "chat model (default: each prompt's)")
	fl.DurationVar(&f.timeout, "llm-timeout", 3*time.Second, "longest wait for the LLM before the deterministic answer stands")
	fl.Int64Var(&f.budget, "llm-daily-tokens", 2_000_000, "LLM tokens per day (0 = unlimited)")
	fl.Float64Var(&f.directMargin, "llm-direct-margin", 0, "also rerank direct routings whose lead is below this")
	fl.Var(&f.prompt, "prompt", "use this prompt version instead of the live one (NAME@VERSION; repeatable)")
}

// wrap puts the reranker around the engine and builds the answerer, or
// returns the engine alone when no LLM is configured.
func (f *llmFlags) wrap(eng *retrieval.Engine, log *slog.Logger) (dialog.Matcher, dialog.Answerer, error) {
	r, a, err := f.build(eng, log)
	if err != nil || r == nil {
		return eng, nil, err
	}
	return r, a, nil
}

func (f *llmFlags) build(eng *retrieval.Engine, log *slog.Logger) (*prompts.Reranker, *prompts.Answerer, error) {
	lib, err := prompts.Load()
	if err != nil {
		return nil, nil, err
	}
	for _, ref := range f.prompt {
		if err := lib.SetLive(ref); err != nil {
			return nil, nil, usagef("-prompt: %v", err)
		}
	}
	cfg := prompts.LLMConfig{Model: f.model, Timeout: f.timeout, DailyTokens: f.budget, Log: log}
	// The LLM's calls are bounded by their own timeout, not the client's.
	switch f.backend {
	case "none", "":
		return nil, nil, nil
	case "openai":
		baseURL, key := os.Getenv("OPENAI_BASE_URL"), os.Getenv("OPENAI_API_KEY")
		if key == "" && baseURL == "" {
			return nil, nil, usagef("-llm openai needs OPENAI_API_KEY, or OPENAI_BASE_URL for a local server")
		}
		cfg.Client = openaiapi.New(baseURL, key, 0)
	case "fake":
		srv := httptest.NewServer(&prompts.FakeChat{})
		cfg.Client = openaiapi.New(srv.URL+"/v1", "fake", 0)
	default:
		return nil, nil, usagef("-llm %q: want none, openai or fake", f.backend)
	}
	llm := prompts.NewLLM(cfg)
	r := &prompts.Reranker{Engine: eng, LLM: llm, Library: lib, DirectMargin: float32(f.directMargin)}
	a := &prompts.Answerer{LLM: llm, Library: lib, Describe: func(s *catalog.Service, lang catalog.Lang) prompts.ServiceRecord {
		var rec prompts.ServiceRecord
		rec.Name, rec.Description, rec.Documents, rec.Fee, rec.SLA, rec.Where = dialog.Record(eng.Catalog(), s, lang)
		return rec
	}}
	return r, a, nil
}

// runPrompts is `mitra prompts list|render|diff`.
func runPrompts(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("prompts: want list, render NAME@VERSION --input JSON, or diff A B")
	}
	lib, err := prompts.Load()
	if err != nil {
		return err
	}
	switch args[0] {
	case "list":
		for _, l := range lib.List() {
			p, _ := lib.Get(strings.TrimSuffix(l, " (live)"))
			fmt.Fprintf(stdout, "%-22s model %-14s %s\n", l, p.Model, p.Notes)
		}
		return nil
	case "render":
		fl := newFlagSet("prompts render", stderr)
		input := fl.String("input", "{}", "template data as JSON, e.g. {\"LangName\":\"Telugu\",\"Message\":\"...\",\"Candidates\":[{\"ID\":\"a\",\"Name\":\"A\"}]}")
		if len(args) < 2 {
			return usagef("prompts render NAME@VERSION [--input JSON]")
		}
		if err := fl.Parse(args[2:]); err != nil {
			return usagef("%v", err)
		}
		p, err := lib.Get(args[1])
		if err != nil {
			return usagef("%v", err)
		}
		var data map[string]any
		if err := json.Unmarshal([]byte(*input), &data); err != nil {
			return usagef("--input is not JSON: %v", err)
		}
		system, user, err := p.Render(data)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "== %s system\n%s\n== user\n%s", p.ID(), system, user)
		return nil
	case "diff":
		if len(args) != 3 {
			return usagef("prompts diff A B")
		}
		a, err := lib.Get(args[1])
		if err != nil {
			return usagef("%v", err)
		}
		b, err := lib.Get(args[2])
		if err != nil {
			return usagef("%v", err)
		}
		fmt.Fprint(stdout, prompts.Diff(a, b))
		return nil
	}
	return usagef("prompts: unknown subcommand %q", args[0])
}
