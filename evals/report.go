package evals

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
)

// WriteJSON writes the metrics as one indented JSON object.
func WriteJSON(w io.Writer, m Metrics) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(m)
}

// WriteTable writes the metrics as a terminal table.
func WriteTable(w io.Writer, m Metrics) {
	fmt.Fprintf(w, "cases %d (in scope %d, no service %d)   errors %d\n", m.Cases, m.InScope, m.OutOfScope, m.Errors)
	fmt.Fprintf(w, "top-1 %.3f (%.3f not counting menu fallbacks)   top-3 %.3f   MRR %.3f   confident-wrong %.3f   menu-fallback %.3f\n",
		m.Top1, m.Top1Routed, m.Top3, m.MRR, m.ConfidentWrong, m.MenuFallback)
	fmt.Fprintf(w, "language %.3f   no-service kept off direct %.3f, offered a list %.3f   direct %.3f   latency p50 %.0fµs p99 %.0fµs\n",
		m.LangAccuracy, m.NoneCorrect, m.NoneOffered, m.DirectRate, m.P50US, m.P99US)
	if m.Thresholds != nil {
		fmt.Fprintf(w, "thresholds %s\n", thresholdsString(*m.Thresholds))
	}
	fmt.Fprintf(w, "alias overlap %.3f (cases equal to a catalogue name or alias)\n\n", m.AliasOverlap)
	writeGroups(w, "language", m.ByLang)
	fmt.Fprintln(w)
	writeGroups(w, "tag", m.ByTag)
	if v := m.Voice; v != nil {
		fmt.Fprintf(w, "\nvoice (speech backend %s): %d notes, top-1 %.3f, WER %.3f, errors %d\n", v.Backend, v.Cases, v.Top1, v.WER, v.Errors)
		if v.Note != "" {
			fmt.Fprintf(w, "  %s\n", v.Note)
		}
		for _, l := range []string{"en", "hi", "te"} {
			if g, ok := v.ByLang[l]; ok {
				fmt.Fprintf(w, "  %-4s %3d notes  top-1 %.3f  WER %.3f\n", l, g.Cases, g.Top1, g.WER)
			}
		}
	}
	if len(m.Confused) > 0 {
		fmt.Fprintf(w, "\nmost confused (expected -> ranked first)\n")
		for _, c := range m.Confused {
			fmt.Fprintf(w, "  %3d  %s -> %s\n", c.Count, c.Expected, c.Got)
		}
	}
}

func writeGroups(w io.Writer, title string, groups map[string]Group) {
	fmt.Fprintf(w, "%-14s %6s %6s %6s %6s %6s %6s %7s %6s\n", title, "cases", "top1", "routed", "top3", "mrr", "lang", "c-wrong", "menu")
	for _, k := range sortedKeys(groups) {
		g := groups[k]
		fmt.Fprintf(w, "%-14s %6d %6.3f %6.3f %6.3f %6.3f %6.3f %7.3f %6.3f\n", k, g.Cases, g.Top1, g.Top1Routed, g.Top3, g.MRR, g.LangAccuracy, g.ConfidentWrong, g.MenuFallback)
	}
}

func sortedKeys(m map[string]Group) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Progress draws a progress bar on w (a terminal's stderr) and returns the
// callback for Run.
func Progress(w io.Writer) func(done, total int) {
	return func(done, total int) {
		if done != total && done%25 != 0 {
			return
		}
		const width = 40
		filled := width * done / total
		fmt.Fprintf(w, "\r[%s%s] %d/%d", strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total)
		if done == total {
			fmt.Fprintln(w)
		}
	}
}

type bar struct {
	Label       string
	Value       float64
	Width, Y, X float64
	Text        string
}

// WriteHTML writes a self-contained report page: no scripts or styles
// from elsewhere, charts drawn as inline SVG, so it opens offline.
func WriteHTML(w io.Writer, m Metrics, failures []Outcome) error {
	type langBars struct {
		Lang string
		Bars []bar
	}
	var lb []langBars
	for _, lang := range sortedKeys(m.ByLang) {
		g := m.ByLang[lang]
		vals := []struct {
			l string
			v float64
		}{{"top-1", g.Top1}, {"top-3", g.Top3}, {"MRR", g.MRR}, {"language", g.LangAccuracy}, {"confident-wrong", g.ConfidentWrong}}
		var bars []bar
		for i, v := range vals {
			bars = append(bars, bar{Label: v.l, Value: v.v, Width: 300 * v.v, Y: float64(i * 22), Text: fmt.Sprintf("%.3f", v.v)})
		}
		lb = append(lb, langBars{Lang: lang, Bars: bars})
	}
	maxConf := 1
	for _, c := range m.Confused {
		maxConf = max(maxConf, c.Count)
	}
	var conf []bar
	for i, c := range m.Confused {
		conf = append(conf, bar{Label: c.Expected + " → " + c.Got, Value: float64(c.Count), Width: 200 * float64(c.Count) / float64(maxConf), Y: float64(i * 20), Text: fmt.Sprint(c.Count)})
	}
	if len(failures) > 200 {
		failures = failures[:200]
	}
	return reportPage.Execute(w, map[string]any{
		"M": m, "Langs": lb, "Confused": conf, "ConfusedHeight": 20*len(conf) + 10,
		"Tags": sortedKeys(m.ByTag), "Failures": failures,
	})
}

var reportPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct":  func(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) },
	"join": func(s []string) string { return strings.Join(s, ", ") },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mitra eval report</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b;max-width:1100px}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}
td:first-child,th:first-child{text-align:left}.big{font-size:1.4rem;margin-right:2rem}
svg text{font-size:12px}.bad{color:#b00}
</style></head><body>
<h1>mitra eval report</h1>
<p><span class="big">top-1 {{pct .M.Top1}}</span><span class="big">top-3 {{pct .M.Top3}}</span>
<span class="big">MRR {{printf "%.3f" .M.MRR}}</span><span class="big">confident-wrong {{pct .M.ConfidentWrong}}</span>
<span class="big">language {{pct .M.LangAccuracy}}</span></p>
<p>{{.M.Cases}} cases ({{.M.InScope}} expecting a service, {{.M.OutOfScope}} expecting none) ·
menu fallback {{pct .M.MenuFallback}} · no-service kept off direct {{pct .M.NoneCorrect}} ·
latency p50 {{printf "%.0f" .M.P50US}} µs, p99 {{printf "%.0f" .M.P99US}} µs · alias overlap {{pct .M.AliasOverlap}}</p>
<h2>By language</h2>
{{range .Langs}}<h3>{{.Lang}}</h3>
<svg width="480" height="115" role="img" aria-label="metrics for {{.Lang}}">
{{range .Bars}}<text x="0" y="{{.Y}}" dy="14">{{.Label}}</text>
<rect x="120" y="{{.Y}}" width="{{.Width}}" height="16" fill="#2a7ab0"></rect>
<text x="{{printf "%.0f" .Width}}" dx="126" y="{{.Y}}" dy="13">{{.Text}}</text>{{end}}
</svg>{{end}}
<h2>By tag</h2>
<table><tr><th>tag</th><th>cases</th><th>top-1</th><th>top-3</th><th>MRR</th><th>language</th><th>confident-wrong</th><th>menu</th></tr>
{{range $t := .Tags}}{{with index $.M.ByTag $t}}<tr><td>{{$t}}</td><td>{{.Cases}}</td><td>{{pct .Top1}}</td><td>{{pct .Top3}}</td>
<td>{{printf "%.3f" .MRR}}</td><td>{{pct .LangAccuracy}}</td><td>{{pct .ConfidentWrong}}</td><td>{{pct .MenuFallback}}</td></tr>{{end}}{{end}}
</table>
<h2>Most confused service pairs</h2>
<svg width="700" height="{{.ConfusedHeight}}" role="img" aria-label="confused pairs">
{{range .Confused}}<text x="0" y="{{.Y}}" dy="13">{{.Label}}</text>
<rect x="430" y="{{.Y}}" width="{{.Width}}" height="15" fill="#c0504d"></rect>
<text x="{{printf "%.0f" .Width}}" dx="436" y="{{.Y}}" dy="12">{{.Text}}</text>{{end}}
</svg>
<h2>Cases not ranked first</h2>
<table><tr><th>where</th><th>text</th><th>lang</th><th>expected</th><th>got</th><th>decision</th></tr>
{{range .Failures}}<tr><td>{{.Case.Where}}</td><td style="text-align:left">{{.Case.Text}}</td><td>{{.Case.Lang}}→{{.Lang}}</td>
<td style="text-align:left">{{join .Case.Expect}}</td><td style="text-align:left" class="bad">{{join .Got}}</td><td>{{.Decision}}</td></tr>{{end}}
</table>
</body></html>
`))
