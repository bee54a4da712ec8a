package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/retrieval"
)

// maxLineBytes bounds one stdin line; the rest of a longer line is read
// and dropped so the next line still lines up with its answer.
const maxLineBytes = 64 << 10

type matchCandidate struct {
	ID           string  `json:"id"`
	NameEN       string  `json:"name_en"`
	DepartmentEN string  `json:"department_en"`
	Score        float32 `json:"score"`
	Lexical      float32 `json:"lexical"`
	Vector       float32 `json:"vector"`
	// Family and Sibling: the candidate's service families, and whether it
	// was put first as the member of the best match's family that fits the
	// intent.
	Family  []string `json:"family,omitempty"`
	Sibling bool     `json:"sibling,omitempty"`
}

type matchLine struct {
	Text         string           `json:"text"`
	Lang         catalog.Lang     `json:"lang"`
	LangFromText bool             `json:"lang_from_text"`
	Script       string           `json:"script"`
	Romanized    bool             `json:"romanized"`
	SmallTalk    string           `json:"small_talk,omitempty"`
	Intent       string           `json:"intent,omitempty"`
	OutOfScope   bool             `json:"out_of_scope,omitempty"`
	Decision     string           `json:"decision"`
	Candidates   []matchCandidate `json:"candidates"`
	Error        string           `json:"error,omitempty"`
}

func runMatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("match", stderr)
	asJSON := fs.Bool("json", false, "print one JSON object per input")
	prevLang := fs.String("lang", "", "conversation language so far (te, hi, en), kept for messages without one")
	eng, _, err := parseAndBuild(ctx, fs, args)
	if err != nil {
		return err
	}
	prev := catalog.Lang("")
	if *prevLang != "" {
		l, ok := catalog.ParseLang(*prevLang)
		if !ok {
			return usagef("-lang %q: want te, hi or en", *prevLang)
		}
		prev = l
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	answer := func(text string) error {
		line := matchOne(ctx, eng, text, prev)
		if *asJSON {
			b, _ := json.Marshal(line)
			out.Write(b)
			return out.WriteByte('\n')
		}
		writeMatchText(out, line)
		return nil
	}
	if fs.NArg() > 0 {
		return answer(strings.Join(fs.Args(), " "))
	}
	in := bufio.NewReaderSize(stdin, 64<<10)
	for {
		text, err := readLine(in)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read stdin: %w", err)
		}
		if err := answer(text); err != nil {
			return err
		}
	}
}

// readLine reads one line of any length, keeping at most maxLineBytes.
func readLine(r *bufio.Reader) (string, error) {
	var b []byte
	for {
		chunk, isPrefix, err := r.ReadLine()
		if err != nil {
			if len(b) > 0 && errors.Is(err, io.EOF) {
				return string(b), nil
			}
			return "", err
		}
		if room := maxLineBytes - len(b); room > 0 {
			b = append(b, chunk[:min(len(chunk), room)]...)
		}
		if !isPrefix {
			return string(b), nil
		}
	}
}

func matchOne(ctx context.Context, eng *retrieval.Engine, text string, prev catalog.Lang) matchLine {
	res, err := eng.Match(ctx, text, prev)
	an := res.Analysis
	line := matchLine{
		Text: an.Text, Lang: an.Lang, LangFromText: an.LangFromText, Script: string(an.Script),
		Romanized: an.Romanized, SmallTalk: an.SmallTalk, Intent: string(res.Intent), OutOfScope: res.OutOfScope, Decision: string(res.Decision),
		Candidates: []matchCandidate{},
	}
	switch {
	case err != nil:
		line.Error = err.Error()
		line.Decision = string(retrieval.Menu)
	case strings.TrimSpace(an.Text) == "":
		line.Error = "empty message"
	}
	for _, c := range res.Candidates {
		dept, _ := eng.Catalog().Department(c.Service.Department)
		name := ""
		if dept != nil {
			name = dept.Name.EN
		}
		var families []string
		for _, f := range eng.Catalog().FamiliesOf(c.Service.ID) {
			families = append(families, f.ID)
		}
		line.Candidates = append(line.Candidates, matchCandidate{ID: c.Service.ID, NameEN: c.Service.Name.EN, DepartmentEN: name, Score: round3(c.Score),
			Lexical: round3(c.Lexical), Vector: round3(c.Vector), Family: families, Sibling: c.Sibling})
	}
	return line
}

func round3(f float32) float32 { return float32(int(f*1000+0.5)) / 1000 }

func writeMatchText(w io.Writer, l matchLine) {
	romanized := ""
	if l.Romanized {
		romanized = ", romanized"
	}
	fmt.Fprintf(w, "%s  [%s, %s%s] -> %s", l.Text, l.Lang, l.Script, romanized, l.Decision)
	if l.Error != "" {
		fmt.Fprintf(w, " (%s)", l.Error)
	}
	if l.SmallTalk != "" {
		fmt.Fprintf(w, " (%s)", l.SmallTalk)
	}
	fmt.Fprintln(w)
	for i, c := range l.Candidates {
		fmt.Fprintf(w, "  %d. %.3f (lexical %.3f, vector %.3f)  %s  (%s; %s)\n", i+1, c.Score, c.Lexical, c.Vector, c.NameEN, c.ID, c.DepartmentEN)
	}
}
