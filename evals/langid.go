package evals

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/nlu"
)

// DakshinaHeldOut is how many sentences at the end of each Dakshina
// development file are kept out of language-ID training, for this eval.
const DakshinaHeldOut = 1000

// LangIDResult is the accuracy of romanized language ID on one language.
type LangIDResult struct {
	Lang     catalog.Lang `json:"lang"`
	Source   string       `json:"source"`
	Samples  int          `json:"samples"`
	Accuracy float64      `json:"accuracy"`
	// Lingua is lingua-go's accuracy on the same samples (restricted to
	// te/hi/en), for comparison.
	Lingua float64 `json:"lingua"`
	// Abstained is the share of samples whose words did not decide the
	// language (a few nouns, "ok"): a new conversation answers those in
	// English, which is how Accuracy counts them.
	Abstained float64 `json:"abstained"`
}

// prefixLengths are the message lengths tested: chat messages are short.
var prefixLengths = []int{3, 4, 5, 6, 7, 8}

// LangIDEval measures romanized language ID on prefixes of 3 to 8 words of
// the held-out Dakshina sentences (Telugu, Hindi) and on English texts.
func LangIDEval(an *nlu.Analyzer, dakshinaDir string, english []string) ([]LangIDResult, error) {
	var out []LangIDResult
	for _, lang := range []catalog.Lang{catalog.Telugu, catalog.Hindi} {
		path := filepath.Join(dakshinaDir, string(lang), string(lang)+".romanized.rejoined.dev.roman.txt")
		lines, err := readLines(path)
		if err != nil {
			return nil, err
		}
		if len(lines) < DakshinaHeldOut {
			return nil, fmt.Errorf("%s: %d lines, want at least %d", path, len(lines), DakshinaHeldOut)
		}
		var samples []string
		for _, l := range lines[len(lines)-DakshinaHeldOut:] {
			words := strings.Fields(l)
			for _, n := range prefixLengths {
				if len(words) >= n {
					samples = append(samples, strings.Join(words[:n], " "))
				}
			}
		}
		out = append(out, scoreLangID(an, lang, "dakshina dev held-out prefixes 3-8 words", samples))
	}
	out = append(out, scoreLangID(an, catalog.English, "English eval-suite messages (no greetings)", english))
	return out, nil
}

func scoreLangID(an *nlu.Analyzer, lang catalog.Lang, source string, samples []string) LangIDResult {
	r := LangIDResult{Lang: lang, Source: source, Samples: len(samples)}
	right, linguaRight, abstained := 0, 0, 0
	for _, s := range samples {
		// Each sample is the first message of a conversation.
		a := an.Analyze(s, "")
		if a.Lang == lang {
			right++
		}
		if !a.LangFromText {
			abstained++
		}
		if l, ok := an.NativeLanguage(s); ok && l == lang {
			linguaRight++
		}
	}
	if len(samples) > 0 {
		r.Accuracy = float64(right) / float64(len(samples))
		r.Lingua = float64(linguaRight) / float64(len(samples))
		r.Abstained = float64(abstained) / float64(len(samples))
	}
	return r
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return scanLines(f)
}

func scanLines(r io.Reader) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if t := strings.TrimSpace(sc.Text()); t != "" {
			out = append(out, t)
		}
	}
	return out, sc.Err()
}
