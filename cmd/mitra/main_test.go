package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func runCLI(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

// One stdin line in, one JSON line out, in order, whatever the line holds.
func TestMatchJSONLinePerInput(t *testing.T) {
	t.Parallel()
	inputs := []string{
		"naaku income certificate kavali",
		"",
		"mujhe caste certificate chahiye",
		"\xff\xfe broken",
		strings.Repeat("ration card ", 1000),
		"🙏",
		"12",
		"I need a caste certificate",
	}
	out, _, err := runCLI(t, strings.Join(inputs, "\n")+"\n", "match", "--json")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != len(inputs) {
		t.Fatalf("%d output lines for %d inputs:\n%s", len(lines), len(inputs), out)
	}
	var got []matchLine
	for i, l := range lines {
		var m matchLine
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %d not JSON: %v", i, err)
		}
		got = append(got, m)
	}
	if got[0].Lang != "te" || !got[0].Romanized || got[0].Script != "latin" || got[0].Candidates[0].ID != "income-certificate" {
		t.Errorf("line 0 = %+v", got[0])
	}
	if got[1].Error != "empty message" || got[1].Decision != "menu" {
		t.Errorf("empty line = %+v", got[1])
	}
	if got[2].Lang != "hi" || got[2].Candidates[0].ID != "caste-certificate" {
		t.Errorf("line 2 = %+v", got[2])
	}
	if got[7].Lang != "en" || got[7].Candidates[0].DepartmentEN == "" || got[7].Candidates[0].NameEN == "" {
		t.Errorf("line 7 = %+v", got[7])
	}
	for i, m := range got {
		if len(m.Candidates) > 5 {
			t.Errorf("line %d has %d candidates", i, len(m.Candidates))
		}
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{}, {"frobnicate"}, {"match", "--nope"}, {"match", "--lang", "fr", "x"}, {"catalog"}, {"match", "--embedder", "magic", "x"}, {"match", "--embedder", "openai", "x"}} {
		_, _, err := runCLI(t, "", args...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("mitra %v: error %v, want a usage error", args, err)
		}
	}
}

func TestCatalogCommands(t *testing.T) {
	t.Parallel()
	out, _, err := runCLI(t, "", "catalog", "lint")
	if err != nil || !strings.Contains(out, "catalog ok: 36 departments") {
		t.Errorf("lint: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, "", "catalog", "list", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var list []listedService
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) < 400 {
		t.Fatalf("list: %v, %d services", err, len(list))
	}
	if list[0].ID == "" || list[0].NameTE == "" || list[0].DepartmentEN == "" || list[0].Kind == "" {
		t.Errorf("first entry incomplete: %+v", list[0])
	}
}

func TestChatSession(t *testing.T) {
	t.Parallel()
	out, _, err := runCLI(t, "hi\n1\n1\n1\n0\nmenu\nmujhe income certificate chahiye\nexit\n", "chat")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Choose your language", "శాఖను ఎంచుకోండి", "కావాల్సిన పత్రాలు", "आय प्रमाण पत्र", "ज़रूरी दस्तावेज़"} {
		if !strings.Contains(out, want) {
			t.Errorf("chat transcript lacks %q", want)
		}
	}
}

func TestPromptsCommands(t *testing.T) {
	t.Parallel()
	out, _, err := runCLI(t, "", "prompts", "list")
	if err != nil || !strings.Contains(out, "rerank@v1 (live)") {
		t.Errorf("list: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, "", "prompts", "render", "rerank@v2", "--input", `{"LangName":"Hindi","Message":"pension","Candidates":[{"ID":"old-age-pension","Name":"Old age pension","Description":"d","Kind":"application"}]}`)
	if err != nil || !strings.Contains(out, "id: old-age-pension | kind: application") || !strings.Contains(out, "in Hindi") {
		t.Errorf("render: %v\n%s", err, out)
	}
	if _, _, err := runCLI(t, "", "prompts", "render", "rerank@v7"); err == nil {
		t.Error("unknown version rendered")
	}
}

// The A/B eval runs end to end against the fake chat server and says the
// figures are plumbing only.
func TestEvalCompareWithFakeLLM(t *testing.T) {
	t.Parallel()
	out, _, err := runCLI(t, "", "eval", "--voice=false", "--llm", "fake", "--compare", "rerank@v2", "--against", "rerank@v1")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"A/B: rerank@v2 against rerank@v1", "McNemar", "fake LLM backend"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}
