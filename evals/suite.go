// Package evals measures how well mitra understands citizens: suites of
// real-looking messages with the expected service, a runner, metrics per
// language and tag, reports for people (terminal, HTML) and machines
// (JSON), and the baseline guard that CI runs. Suites are data files
// (JSON Lines), never Go code.
package evals

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/nlu"
)

// Case is one message and what mitra should make of it.
type Case struct {
	Text string       `json:"text"`
	Lang catalog.Lang `json:"lang"`
	// Expect lists the service ids that count as right; empty means no
	// service (a greeting, thanks or out-of-scope request), where the only
	// wrong answer is a direct routing.
	Expect []string `json:"expect"`
	Tags   []string `json:"tags"`
	// Where is "file:line", set when loading.
	Where string `json:"-"`
}

// InScope reports whether the case expects a service.
func (c Case) InScope() bool { return len(c.Expect) > 0 }

// LoadSuites reads every *.jsonl file in fsys. Blank lines and lines
// starting with # are skipped. Every problem is reported with file and line.
func LoadSuites(fsys fs.FS, cat *catalog.Catalog) ([]Case, error) {
	names, err := fs.Glob(fsys, "*.jsonl")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("evals: no .jsonl suites found")
	}
	sort.Strings(names)
	var all []Case
	var problems []string
	for _, name := range names {
		f, err := fsys.Open(name)
		if err != nil {
			return nil, err
		}
		cases, probs := parseSuite(path.Base(name), f, cat)
		f.Close()
		all = append(all, cases...)
		problems = append(problems, probs...)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("evals: %d problems in suites:\n%s", len(problems), strings.Join(problems, "\n"))
	}
	return all, nil
}

func parseSuite(name string, r io.Reader, cat *catalog.Catalog) ([]Case, []string) {
	var cases []Case
	var problems []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		where := fmt.Sprintf("%s:%d", name, line)
		var c Case
		dec := json.NewDecoder(strings.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", where, err))
			continue
		}
		c.Where = where
		if strings.TrimSpace(c.Text) == "" {
			problems = append(problems, where+": empty text")
		}
		if _, ok := catalog.ParseLang(string(c.Lang)); !ok {
			problems = append(problems, fmt.Sprintf("%s: lang %q is not te, hi or en", where, c.Lang))
		}
		for _, id := range c.Expect {
			if _, ok := cat.Service(id); !ok {
				problems = append(problems, fmt.Sprintf("%s: unknown service id %q", where, id))
			}
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		problems = append(problems, fmt.Sprintf("%s: %v", name, err))
	}
	return cases, problems
}

// AliasOverlap is the share of cases whose text, after normalisation and
// transliteration, equals a name or alias of some catalogue service. A
// high share means the suite tests the catalogue's own wording.
func AliasOverlap(cases []Case, cat *catalog.Catalog) float64 {
	known := map[string]bool{}
	for _, s := range cat.Services {
		for _, t := range append([]string{s.Name.EN, s.Name.TE, s.Name.HI, s.Short.EN, s.Short.TE, s.Short.HI}, s.Aliases.All()...) {
			known[nlu.PhraseKey(t)] = true
		}
	}
	if len(cases) == 0 {
		return 0
	}
	n := 0
	for _, c := range cases {
		if known[nlu.PhraseKey(c.Text)] {
			n++
		}
	}
	return float64(n) / float64(len(cases))
}
