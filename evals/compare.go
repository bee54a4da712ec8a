package evals

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
)

// Comparison is an A/B eval: two runs of the same suite (say rerank@v2
// against rerank@v1), case by case.
type Comparison struct {
	A, B         string             `json:"-"`
	Cases        int                `json:"cases"`
	Top1A, Top1B float64            `json:"-"`
	Delta        float64            `json:"top1_delta"`
	ByLang       map[string]float64 `json:"top1_delta_by_lang"`
	ByTag        map[string]float64 `json:"top1_delta_by_tag"`
	Fixed        []Flip             `json:"fixed"`  // wrong in A, right in B
	Broken       []Flip             `json:"broken"` // right in A, wrong in B
	// McNemar's test on the discordant cases: chi-square with continuity
	// correction and its p-value; below 0.05 the difference is unlikely to
	// be chance.
	ChiSquare   float64 `json:"mcnemar_chi2"`
	PValue      float64 `json:"mcnemar_p"`
	Significant bool    `json:"significant"`
	Note        string  `json:"note,omitempty"`
}

// Flip is a case whose correctness changed.
type Flip struct {
	Where, Text string
	Expect      []string
	GotA, GotB  string
}

func correct(o Outcome) bool {
	if o.Case.InScope() {
		return o.Rank == 1 && o.Decision != "menu"
	}
	return o.Decision != "direct"
}

// Compare2 compares two runs over the same cases, in the same order.
// A case counts as right when it is routed to (or offered first) the
// expected service without falling back to the menu, or, for no-service
// cases, when it is not routed directly.
func Compare2(nameA, nameB string, a, b []Outcome) (Comparison, error) {
	if len(a) != len(b) {
		return Comparison{}, fmt.Errorf("runs differ in length: %d and %d", len(a), len(b))
	}
	c := Comparison{A: nameA, B: nameB, Cases: len(a), ByLang: map[string]float64{}, ByTag: map[string]float64{}}
	type acc struct{ n, a, b int }
	lang, tag := map[string]*acc{}, map[string]*acc{}
	add := func(m map[string]*acc, k string, ra, rb bool) {
		if m[k] == nil {
			m[k] = &acc{}
		}
		m[k].n++
		if ra {
			m[k].a++
		}
		if rb {
			m[k].b++
		}
	}
	var ra, rb, disA, disB int
	first := func(o Outcome) string {
		if len(o.Got) == 0 {
			return string(o.Decision)
		}
		return o.Got[0] + " (" + string(o.Decision) + ")"
	}
	for i := range a {
		x, y := correct(a[i]), correct(b[i])
		if x {
			ra++
		}
		if y {
			rb++
		}
		add(lang, string(a[i].Case.Lang), x, y)
		for _, t := range a[i].Case.Tags {
			add(tag, t, x, y)
		}
		f := Flip{Where: a[i].Case.Where, Text: a[i].Case.Text, Expect: a[i].Case.Expect, GotA: first(a[i]), GotB: first(b[i])}
		switch {
		case x && !y:
			disA++
			c.Broken = append(c.Broken, f)
		case !x && y:
			disB++
			c.Fixed = append(c.Fixed, f)
		}
	}
	n := float64(len(a))
	if n > 0 {
		c.Top1A, c.Top1B = float64(ra)/n, float64(rb)/n
		c.Delta = c.Top1B - c.Top1A
	}
	for k, v := range lang {
		c.ByLang[k] = float64(v.b-v.a) / float64(v.n)
	}
	for k, v := range tag {
		c.ByTag[k] = float64(v.b-v.a) / float64(v.n)
	}
	c.PValue = 1
	if d := disA + disB; d > 0 {
		diff := math.Abs(float64(disA-disB)) - 1
		c.ChiSquare = math.Max(diff, 0) * math.Max(diff, 0) / float64(d)
		c.PValue = math.Erfc(math.Sqrt(c.ChiSquare / 2))
	}
	c.Significant = c.PValue < 0.05
	return c, nil
}

// WriteComparison writes the A/B result for a person.
func WriteComparison(w io.Writer, c Comparison) {
	fmt.Fprintf(w, "A/B: %s against %s on %d cases\n", c.B, c.A, c.Cases)
	if c.Note != "" {
		fmt.Fprintf(w, "  %s\n", c.Note)
	}
	fmt.Fprintf(w, "right: %.3f -> %.3f (%+.3f); fixed %d, broken %d; McNemar chi2 %.2f, p %.4f (%s)\n",
		c.Top1A, c.Top1B, c.Delta, len(c.Fixed), len(c.Broken), c.ChiSquare, c.PValue, map[bool]string{true: "significant", false: "not significant"}[c.Significant])
	for _, title := range []string{"language", "tag"} {
		m := c.ByLang
		if title == "tag" {
			m = c.ByTag
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(w, "  by %s:", title)
		for _, k := range keys {
			fmt.Fprintf(w, " %s %+.3f", k, m[k])
		}
		fmt.Fprintln(w)
	}
	for _, f := range c.Fixed[:min(len(c.Fixed), 10)] {
		fmt.Fprintf(w, "  fixed  %s %q: %s -> %s\n", f.Where, f.Text, f.GotA, f.GotB)
	}
	for _, f := range c.Broken[:min(len(c.Broken), 10)] {
		fmt.Fprintf(w, "  broken %s %q: %s -> %s\n", f.Where, f.Text, f.GotA, f.GotB)
	}
}

// WriteComparisonHTML writes the A/B result as a self-contained page.
func WriteComparisonHTML(w io.Writer, c Comparison) error { return comparePage.Execute(w, c) }

var comparePage = template.Must(template.New("compare").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mitra A/B eval</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:1100px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem}</style>
</head><body>
<h1>{{.B}} against {{.A}}</h1>
{{if .Note}}<p><strong>{{.Note}}</strong></p>{{end}}
<p>{{.Cases}} cases · right {{printf "%.3f" .Top1A}} → {{printf "%.3f" .Top1B}} ({{printf "%+.3f" .Delta}}) ·
McNemar χ² {{printf "%.2f" .ChiSquare}}, p = {{printf "%.4f" .PValue}} ({{if .Significant}}significant{{else}}not significant{{end}})</p>
<h2>By language</h2><table>{{range $k, $v := .ByLang}}<tr><td>{{$k}}</td><td>{{printf "%+.3f" $v}}</td></tr>{{end}}</table>
<h2>By tag</h2><table>{{range $k, $v := .ByTag}}<tr><td>{{$k}}</td><td>{{printf "%+.3f" $v}}</td></tr>{{end}}</table>
<h2>Fixed ({{len .Fixed}})</h2><table>{{range .Fixed}}<tr><td>{{.Where}}</td><td>{{.Text}}</td><td>{{.GotA}}</td><td>{{.GotB}}</td></tr>{{end}}</table>
<h2>Broken ({{len .Broken}})</h2><table>{{range .Broken}}<tr><td>{{.Where}}</td><td>{{.Text}}</td><td>{{.GotA}}</td><td>{{.GotB}}</td></tr>{{end}}</table>
</body></html>
`))
