// Command trainlid trains the romanized language-ID model shipped in
// nlu/data. Run it through `go generate ./nlu` after changing the training
// text; the model is checked in so that mitra needs no training data at run
// time.
//
// Training text:
//   - Dakshina v1.0 romanized development sentences (Roark et al., LREC 2020,
//     CC BY-SA 4.0), Telugu and Hindi, all but the last HeldOut lines of each,
//     which the language-ID eval keeps for testing;
//   - nlu/data/latin/{en,te,hi}.txt, chat-style messages written for mitra;
//
// Debian's wamerican word list (SCOWL) marks the English words that are
// dropped from the Telugu and Hindi lines (see dropEnglish).
//   - the catalogue: English names, descriptions, documents and aliases, and
//     the romanized Telugu and Hindi aliases.
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/evals"
	"github.com/mitra-gov/mitra/nlu"
)

func main() {
	dakshina := flag.String("dakshina", "../shared/data/dakshina", "Dakshina folder with te/ and hi/")
	chat := flag.String("chat", "nlu/data/latin", "folder with en.txt, te.txt, hi.txt")
	out := flag.String("out", "nlu/data/latin-langid.tsv.gz", "model file to write")
	minCount := flag.Uint("min-count", 2, "drop n-grams seen fewer times")
	englishText := flag.String("english-text", "/usr/share/games/fortunes", "folder of English prose (Debian packages fortunes-min and fortunes), for everyday English words beyond the chat corpus")
	wordlist := flag.String("english-words", "/usr/share/dict/american-english", "English word list (Debian package wamerican), for English spelling beyond the chat corpus")
	flag.Parse()

	english, err := englishWords(*wordlist)
	if err != nil {
		log.Fatalf("%v (install Debian's wamerican, or pass -english-words)", err)
	}
	m := nlu.NewLatinTrainer()
	lines := map[catalog.Lang]int{}
	add := func(lang catalog.Lang, text string) {
		if lang != catalog.English {
			text = dropEnglish(text, english)
		}
		m.Add(lang, text)
		lines[lang]++
	}
	for _, lang := range []catalog.Lang{catalog.Telugu, catalog.Hindi} {
		path := filepath.Join(*dakshina, string(lang), string(lang)+".romanized.rejoined.dev.roman.txt")
		all, err := readLines(path)
		if err != nil {
			log.Fatal(err)
		}
		train := all[:len(all)-evals.DakshinaHeldOut]
		for _, l := range train {
			add(lang, l)
		}
	}
	for _, lang := range catalog.Langs {
		chatLines, err := readLines(filepath.Join(*chat, string(lang)+".txt"))
		if err != nil {
			log.Fatal(err)
		}
		for _, l := range chatLines {
			add(lang, l)
		}
	}
	prose, err := readProse(*englishText)
	if err != nil {
		log.Fatalf("%v (install Debian's fortunes-min and fortunes, or pass -english-text)", err)
	}
	for _, l := range prose {
		add(catalog.English, l)
	}
	cat, err := catalog.Load(catalog.Embedded())
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range cat.Departments {
		add(catalog.English, d.Name.EN+" "+d.Description.EN)
	}
	for _, s := range cat.Services {
		add(catalog.English, s.Name.EN+". "+s.Description.EN)
		for _, t := range append(append([]string{}, s.Aliases.EN...), s.Documents.EN...) {
			add(catalog.English, t)
		}
		for _, t := range s.Aliases.TELatn {
			add(catalog.Telugu, t)
		}
		for _, t := range s.Aliases.HILatn {
			add(catalog.Hindi, t)
		}
	}
	m.Prune(uint32(*minCount))
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	if _, err := m.WriteTo(zw); err != nil {
		log.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("trained on %d en, %d te, %d hi lines -> %s\n", lines[catalog.English], lines[catalog.Telugu], lines[catalog.Hindi], *out)
}

// englishWords reads a word list into a set of lowercase words of four
// letters or more. Shorter ones ("me", "par", "ante") are too often also
// Telugu or Hindi words.
func englishWords(path string) (map[string]bool, error) {
	words, err := readLines(path)
	if err != nil {
		return nil, err
	}
	set := make(map[string]bool, len(words))
	for _, w := range words {
		if len(w) >= 4 && !strings.Contains(w, "'") {
			set[strings.ToLower(w)] = true
		}
	}
	return set, nil
}

// dropEnglish removes English dictionary words from a line of romanized
// Telugu or Hindi. Code-mixed lines ("current bill ekkuva vachindi") are how
// people write, but the Indic models must learn Indic spelling: the English
// share of a Telugu message is the mixture's English component (see
// nlu.LatinModel), and leaving "current" in the Telugu model would make
// plain English look Telugu.
func dropEnglish(line string, english map[string]bool) string {
	fields := strings.Fields(line)
	kept := fields[:0]
	for _, f := range fields {
		w := strings.ToLower(strings.Trim(f, ".,!?;:'\"()"))
		if !english[w] {
			kept = append(kept, f)
		}
	}
	return strings.Join(kept, " ")
}

// readProse reads every plain text file of a fortune folder (skipping the
// .dat indexes and .u8 copies), one line at a time.
func readProse(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.Contains(name, ".") {
			continue
		}
		lines, err := readLines(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		for _, l := range lines {
			if l != "%" {
				out = append(out, l)
			}
		}
	}
	return out, nil
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if t := sc.Text(); t != "" {
			out = append(out, t)
		}
	}
	return out, sc.Err()
}
