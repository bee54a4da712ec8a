package evals

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/retrieval"
)

func outcome(lang catalog.Lang, expect []string, got []string, d retrieval.Decision, gotLang catalog.Lang, tags ...string) Outcome {
	o := Outcome{Case: Case{Text: "x", Lang: lang, Expect: expect, Tags: tags}, Lang: gotLang, Decision: d, Got: got, Latency: time.Millisecond}
	o.Rank = rankOf(got, expect)
	return o
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	outs := []Outcome{
		outcome("te", []string{"a"}, []string{"a", "b"}, retrieval.Direct, "te", "romanized"),
		outcome("te", []string{"a"}, []string{"b", "a"}, retrieval.Direct, "en", "romanized"), // confident wrong
		outcome("hi", []string{"c", "d"}, []string{"x", "y", "d"}, retrieval.Choose, "hi", "native"),
		outcome("en", []string{"a"}, nil, retrieval.Menu, "en", "english"),
		outcome("en", nil, []string{"a"}, retrieval.Direct, "en", "out-of-scope"), // out of scope routed
		outcome("en", nil, nil, retrieval.Menu, "en", "greeting"),
	}
	m := Summarize(outs)
	near := func(name string, got, want float64) {
		t.Helper()
		if got < want-1e-9 || got > want+1e-9 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	near("top1", m.Top1, 1.0/4)
	near("top3", m.Top3, 3.0/4)
	near("mrr", m.MRR, (1+0.5+1.0/3)/4)
	near("confident_wrong", m.ConfidentWrong, 2.0/6)
	near("menu_fallback", m.MenuFallback, 1.0/4)
	near("none_correct", m.NoneCorrect, 1.0/2)
	near("lang_accuracy", m.LangAccuracy, 5.0/6)
	near("te top1", m.ByLang["te"].Top1, 0.5)
	near("romanized confident-wrong", m.ByTag["romanized"].ConfidentWrong, 0.5)
	if m.InScope != 4 || m.OutOfScope != 2 || m.Cases != 6 {
		t.Errorf("counts %d/%d/%d", m.Cases, m.InScope, m.OutOfScope)
	}
	if len(m.Confused) == 0 || m.Confused[0].Expected != "a" || m.Confused[0].Got != "b" {
		t.Errorf("confused = %+v", m.Confused)
	}
}

func TestCompareFlagsOnlyRealRegressions(t *testing.T) {
	t.Parallel()
	base := Metrics{Group: Group{Top1: 0.93, Top3: 0.98, MRR: 0.95, ConfidentWrong: 0.01, LangAccuracy: 0.97}, NoneCorrect: 1,
		ByLang: map[string]Group{"te": {Top1: 0.92}}}
	same := base
	same.Top1 = 0.925 // within tolerance
	if regs := Compare(base, same, 0.01); len(regs) != 0 {
		t.Errorf("within tolerance flagged: %v", regs)
	}
	worse := base
	worse.ConfidentWrong = 0.03
	worse.ByLang = map[string]Group{"te": {Top1: 0.80}}
	regs := Compare(base, worse, 0.01)
	if len(regs) != 2 || regs[0].Metric != "by_lang.te.top1" || regs[1].Metric != "confident_wrong" {
		t.Errorf("regressions = %v", regs)
	}
}

func TestLoadSuitesReportsLines(t *testing.T) {
	t.Parallel()
	cat, err := catalog.Load(catalog.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{"s.jsonl": {Data: []byte(strings.Join([]string{
		`{"text": "income certificate", "lang": "en", "expect": ["income-certificate"], "tags": ["english"]}`,
		`# a comment`,
		``,
		`{"text": "x", "lang": "fr", "expect": [], "tags": []}`,
		`{"text": "y", "lang": "en", "expect": ["no-such-service"]}`,
		`{"text": "z", "lang": "en", "expected": []}`,
		`not json`,
	}, "\n"))}}
	_, err = LoadSuites(fsys, cat)
	if err == nil {
		t.Fatal("bad suite loaded")
	}
	for _, want := range []string{"s.jsonl:4: lang \"fr\"", "s.jsonl:5: unknown service id \"no-such-service\"", "s.jsonl:6:", "s.jsonl:7:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "s.jsonl:1:") {
		t.Errorf("good line reported: %v", err)
	}
}

// The shipped suites load, are large enough, and spread over languages.
func TestShippedSuites(t *testing.T) {
	t.Parallel()
	cat, err := catalog.Load(catalog.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	cases, err := LoadSuites(EmbeddedSuites(), cat)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 1000 {
		t.Errorf("%d cases, want at least 1000", len(cases))
	}
	per := map[catalog.Lang]int{}
	for _, c := range cases {
		per[c.Lang]++
	}
	for _, l := range catalog.Langs {
		if per[l] < 200 {
			t.Errorf("%s has %d cases", l, per[l])
		}
	}
}

type fixedMatcher map[string]retrieval.Result

func (f fixedMatcher) Match(_ context.Context, text string, _ catalog.Lang) (retrieval.Result, error) {
	return f[text], nil
}

func TestRunAndReports(t *testing.T) {
	t.Parallel()
	cat, _ := catalog.Load(catalog.Embedded())
	s, _ := cat.Service("income-certificate")
	m := fixedMatcher{"income": {Decision: retrieval.Direct, Candidates: []retrieval.Candidate{{Service: s, Score: 0.9}}}}
	cases := []Case{{Text: "income", Lang: "en", Expect: []string{"income-certificate"}}, {Text: "other", Lang: "en", Expect: []string{"caste-certificate"}}}
	var calls int
	outs, err := Run(context.Background(), m, cases, func(done, total int) { calls++ })
	if err != nil || len(outs) != 2 || calls != 2 {
		t.Fatalf("Run: %v, %d outcomes, %d progress calls", err, len(outs), calls)
	}
	met := Summarize(outs)
	var html, table, js bytes.Buffer
	if err := WriteHTML(&html, met, outs[1:]); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<svg", "top-1 50.0%", "caste-certificate"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Contains(html.String(), "<script src") || strings.Contains(html.String(), "http") {
		t.Error("HTML report is not self-contained")
	}
	WriteTable(&table, met)
	if !strings.Contains(table.String(), "top-1 0.500") {
		t.Errorf("table:\n%s", table.String())
	}
	if err := WriteJSON(&js, met); err != nil || !strings.Contains(js.String(), `"top1": 0.5`) {
		t.Errorf("json: %v\n%s", err, js.String())
	}
}

func TestWER(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ref, hyp string
		want     float64
	}{
		{"I need a caste certificate", "i need a caste certificate.", 0},
		{"I need a caste certificate", "I need caste certificate", 0.2},
		{"I need a caste certificate", "I need a cast certificate please", 0.4},
		{"నాకు ఆదాయ పత్రం కావాలి", "నాకు ఆదాయ పత్రం కావాలి", 0},
		{"", "", 0},
		{"", "noise", 1},
		{"two words", "", 1},
	}
	for _, tt := range tests {
		if got := WER(tt.ref, tt.hyp); got < tt.want-1e-9 || got > tt.want+1e-9 {
			t.Errorf("WER(%q, %q) = %v, want %v", tt.ref, tt.hyp, got, tt.want)
		}
	}
}

func TestVoiceSuiteLoads(t *testing.T) {
	t.Parallel()
	cat, _ := catalog.Load(catalog.Embedded())
	cases, err := LoadVoiceSuite(EmbeddedVoiceSuite(), cat)
	if err != nil {
		t.Fatal(err)
	}
	per := map[catalog.Lang]int{}
	for _, c := range cases {
		per[c.Lang]++
		if len(c.Data) < 100 || string(c.Data[:4]) != "OggS" {
			t.Errorf("%s is not an Ogg file", c.Audio)
		}
	}
	if per["te"] == 0 || per["hi"] == 0 || per["en"] == 0 {
		t.Errorf("voice cases per language: %v", per)
	}
}
