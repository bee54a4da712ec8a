package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"os"
	"slices"
	"strings"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/evals"
	"github.com/mitra-gov/mitra/internal/openaiapi"
	"github.com/mitra-gov/mitra/prompts"
	"github.com/mitra-gov/mitra/retrieval"
	"github.com/mitra-gov/mitra/voice"
)

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "langid" {
		return runLangIDEval(ctx, args[1:], stdout, stderr)
	}
	fl := newFlagSet("eval", stderr)
	suites := fl.String("suites", "", "folder of .jsonl suites (default: the built-in suites)")
	asJSON := fl.Bool("json", false, "print the metrics as JSON instead of a table")
	htmlPath := fl.String("html", "", "also write a self-contained HTML report to this file")
	baseline := fl.String("baseline", "", "fail when a figure is worse than this baseline (a --json output) beyond the tolerance")
	tolerance := fl.Float64("tolerance", 0.01, "allowed drop of a rate below the baseline")
	writeBaseline := fl.String("write-baseline", "", "write the metrics as a new baseline file")
	calibrate := fl.Bool("calibrate", false, "search routing thresholds that keep confident-wrong at or below --max-wrong")
	maxWrong := fl.Float64("max-wrong", 0.015, "confident-wrong rate allowed when calibrating")
	failures := fl.Int("failures", 0, "print up to N cases not ranked first")
	progress := fl.Bool("progress", true, "draw a progress bar on stderr (when it is a terminal)")
	withVoice := fl.Bool("voice", true, "also run the voice eval (recorded notes through a speech backend)")
	stt := fl.String("stt", envOr("MITRA_EVAL_STT", "fake"), "speech backend for the voice eval: fake (tests plumbing only), openai or bhashini")
	sttModel := fl.String("stt-model", envOr("MITRA_STT_MODEL", "whisper-1"), "transcription model for -stt openai")
	var lf llmFlags
	lf.register(fl)
	compare := fl.String("compare", "", "A/B: run the suite with this prompt version (NAME@VERSION, needs -llm) ...")
	against := fl.String("against", "", "... against this one")
	eng, _, err := parseAndBuild(ctx, fl, args)
	if err != nil {
		return err
	}
	cases, err := loadCases(*suites, eng.Catalog())
	if err != nil {
		return err
	}
	var prog func(int, int)
	if *progress && !*asJSON && isTerminal(stderr) {
		prog = evals.Progress(stderr)
	}
	outcomes, err := evals.Run(ctx, eng, cases, prog)
	if err != nil {
		return err
	}
	m := evals.Summarize(outcomes)
	m.AliasOverlap = evals.AliasOverlap(cases, eng.Catalog())
	if *withVoice {
		vm, err := runVoiceEval(ctx, eng, *stt, *sttModel)
		if err != nil {
			return err
		}
		m.Voice = &vm
	}
	t := eng.Thresholds()
	m.Thresholds = &t
	if *calibrate {
		best, cm := evals.Calibrate(outcomes, *maxWrong)
		fmt.Fprintf(stderr, "calibrated thresholds: %+v\n  top-1 %.3f, confident-wrong %.3f, menu-fallback %.3f, direct %.3f\n",
			best, cm.Top1, cm.ConfidentWrong, cm.MenuFallback, cm.DirectRate)
	}
	if *asJSON {
		if err := evals.WriteJSON(stdout, m); err != nil {
			return err
		}
	} else {
		evals.WriteTable(stdout, m)
	}
	if lf.backend != "none" && lf.backend != "" {
		if err := runLLMEval(ctx, eng, &lf, cases, outcomes, *compare, *against, *htmlPath, stdout); err != nil {
			return err
		}
	} else if *compare != "" {
		return usagef("--compare needs -llm fake or -llm openai")
	}
	if *failures > 0 {
		writeFailures(stdout, outcomes, *failures)
	}
	if *htmlPath != "" {
		if err := writeHTMLReport(*htmlPath, m, outcomes); err != nil {
			return err
		}
	}
	if *writeBaseline != "" {
		if err := writeMetricsFile(*writeBaseline, m); err != nil {
			return err
		}
	}
	if *baseline != "" {
		base, err := evals.ReadBaseline(*baseline)
		if err != nil {
			return err
		}
		if regs := evals.Compare(base, m, *tolerance); len(regs) > 0 {
			for _, r := range regs {
				fmt.Fprintln(stderr, "regression:", r)
			}
			return fmt.Errorf("%d eval figures fell beyond the tolerance of %.3f from %s", len(regs), *tolerance, *baseline)
		}
		fmt.Fprintf(stderr, "eval guard: no figure fell more than %.3f below %s\n", *tolerance, *baseline)
	}
	return nil
}

func loadCases(dir string, cat *catalog.Catalog) ([]evals.Case, error) {
	var fsys fs.FS = evals.EmbeddedSuites()
	if dir != "" {
		fsys = os.DirFS(dir)
	}
	return evals.LoadSuites(fsys, cat)
}

func writeFailures(w io.Writer, outcomes []evals.Outcome, n int) {
	fmt.Fprintln(w, "\ncases not ranked first:")
	for _, o := range outcomes {
		if n == 0 {
			return
		}
		if o.Case.InScope() && o.Rank == 1 || !o.Case.InScope() && o.Decision != retrieval.Direct {
			continue
		}
		n--
		fmt.Fprintf(w, "  %s %q [%s->%s] want %v got %v (%s)\n", o.Case.Where, o.Case.Text, o.Case.Lang, o.Lang, o.Case.Expect, first(o.Got, 3), o.Decision)
	}
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func writeHTMLReport(path string, m evals.Metrics, outcomes []evals.Outcome) error {
	var failed []evals.Outcome
	for _, o := range outcomes {
		if o.Case.InScope() && o.Rank != 1 || o.ConfidentWrong() {
			failed = append(failed, o)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := evals.WriteHTML(f, m, failed); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeMetricsFile(path string, m evals.Metrics) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := evals.WriteJSON(f, m); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func runLangIDEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := newFlagSet("eval langid", stderr)
	dakshina := fl.String("dakshina", "../shared/data/dakshina", "Dakshina folder with te/ and hi/")
	asJSON := fl.Bool("json", false, "print JSON")
	minIndic := fl.Float64("min-indic", 0, "fail when Telugu or Hindi accuracy is below this")
	minEnglish := fl.Float64("min-english", 0, "fail when English accuracy is below this")
	eng, _, err := parseAndBuild(ctx, fl, args)
	if err != nil {
		return err
	}
	cases, err := loadCases("", eng.Catalog())
	if err != nil {
		return err
	}
	var english []string
	for _, c := range cases {
		// Greetings ("hi", "ok") have no language of their own.
		if c.Lang == catalog.English && !slices.Contains(c.Tags, "greeting") {
			english = append(english, c.Text)
		}
	}
	results, err := evals.LangIDEval(eng.Analyzer(), *dakshina, english)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(stdout, "%-4s %8s %9s %9s %10s  %s\n", "lang", "samples", "mitra", "lingua", "abstained", "source")
		for _, r := range results {
			fmt.Fprintf(stdout, "%-4s %8d %9.3f %9.3f %10.3f  %s\n", r.Lang, r.Samples, r.Accuracy, r.Lingua, r.Abstained, r.Source)
		}
	}
	for _, r := range results {
		min := *minIndic
		if r.Lang == catalog.English {
			min = *minEnglish
		}
		if r.Accuracy < min {
			return fmt.Errorf("language ID for %s is %.3f, below the required %.3f", r.Lang, r.Accuracy, min)
		}
	}
	return nil
}

// isTerminal reports whether w is a character device (a person watching),
// where a progress bar helps; in CI logs it is noise.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// runVoiceEval runs the voice suite through a speech backend. The fake one
// is an in-process server speaking the OpenAI transcription API that knows
// each note's reference text: it proves audio reaches the engine intact,
// and says so in the report.
func runVoiceEval(ctx context.Context, eng *retrieval.Engine, stt, model string) (evals.VoiceMetrics, error) {
	cases, err := evals.LoadVoiceSuite(evals.EmbeddedVoiceSuite(), eng.Catalog())
	if err != nil {
		return evals.VoiceMetrics{}, err
	}
	var tr voice.Transcriber
	switch stt {
	case "fake":
		fake := &voice.FakeSpeechServer{}
		for _, c := range cases {
			fake.Know(c.Data, c.Text)
		}
		srv := httptest.NewServer(fake)
		defer srv.Close()
		tr = fakeNamed{voice.NewOpenAITranscriber(openaiapi.New(srv.URL+"/v1", "fake", speechTimeout), model)}
	case "openai":
		tr = voice.NewOpenAITranscriber(openaiapi.New(os.Getenv("OPENAI_BASE_URL"), os.Getenv("OPENAI_API_KEY"), speechTimeout), model)
	case "bhashini":
		tr = &voice.BhashiniTranscriber{URL: os.Getenv("BHASHINI_URL"), APIKey: os.Getenv("BHASHINI_API_KEY"),
			ServiceID: os.Getenv("BHASHINI_SERVICE_ID"), Convert: voice.ToWAV16k}
	default:
		return evals.VoiceMetrics{}, usagef("-stt %q: want fake, openai or bhashini", stt)
	}
	return evals.RunVoice(ctx, tr, eng, cases, stt == "fake"), nil
}

// fakeNamed names the fake backend in reports, so that its figures are
// never taken for a real recogniser's.
type fakeNamed struct{ voice.Transcriber }

func (fakeNamed) Name() string { return "fake" }

// runLLMEval runs the suite through the LLM path: how often it is taken,
// the latency it adds, the cache on a repeated run, and with --compare an
// A/B of two prompt versions with McNemar's test.
func runLLMEval(ctx context.Context, eng *retrieval.Engine, lf *llmFlags, cases []evals.Case, base []evals.Outcome, compare, against, htmlPath string, stdout io.Writer) error {
	note := ""
	if lf.backend == "fake" {
		note = "fake LLM backend: these figures test the plumbing, not model quality"
	}
	if compare != "" {
		if against == "" {
			return usagef("--compare needs --against")
		}
		runWith := func(ref string) ([]evals.Outcome, error) {
			f := *lf
			f.prompt = append(append(multiFlag{}, lf.prompt...), ref)
			r, _, err := f.build(eng, slog.New(slog.DiscardHandler))
			if err != nil {
				return nil, err
			}
			return evals.Run(ctx, r, cases, nil)
		}
		a, err := runWith(against)
		if err != nil {
			return err
		}
		b, err := runWith(compare)
		if err != nil {
			return err
		}
		c, err := evals.Compare2(against, compare, a, b)
		if err != nil {
			return err
		}
		c.Note = note
		fmt.Fprintln(stdout)
		evals.WriteComparison(stdout, c)
		if htmlPath != "" {
			f, err := os.Create(strings.TrimSuffix(htmlPath, ".html") + "-compare.html")
			if err != nil {
				return err
			}
			defer f.Close()
			return evals.WriteComparisonHTML(f, c)
		}
		return nil
	}
	r, _, err := lf.build(eng, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	stats := r.LLM.Stats()
	rep, err := evals.MeasureLLM(ctx, r, func() evals.LLMCounts {
		return evals.LLMCounts{Calls: stats.Calls.Load(), CacheHits: stats.CacheHits.Load(), Failures: stats.Failures.Load(),
			Skipped: stats.Skipped.Load(), Tokens: stats.Tokens.Load()}
	}, cases, base)
	if err != nil {
		return err
	}
	rep.Note = note
	m := rep.Metrics
	fmt.Fprintf(stdout, "\nLLM path (%s, prompt %s)\n", lf.backend, mustLive(r))
	if rep.Note != "" {
		fmt.Fprintf(stdout, "  %s\n", rep.Note)
	}
	fmt.Fprintf(stdout, "  taken on %d of %d cases (%.1f%%); added latency p50 %.2f ms, p99 %.2f ms\n",
		rep.Taken, rep.Cases, rep.TakenPercent(), rep.AddedP50MS, rep.AddedP99MS)
	fmt.Fprintf(stdout, "  cache hit rate on repeated runs %.1f%%; model calls %d, failures %d, tokens %d\n",
		rep.RepeatHitPercent(), rep.Calls, rep.Failures, rep.Tokens)
	fmt.Fprintf(stdout, "  with the LLM: top-1 %.3f, confident-wrong %.3f, menu-fallback %.3f, direct %.3f\n", m.Top1, m.ConfidentWrong, m.MenuFallback, m.DirectRate)
	return nil
}

func mustLive(r *prompts.Reranker) string {
	p, err := r.Library.Get("rerank")
	if err != nil {
		return "?"
	}
	return p.ID()
}
