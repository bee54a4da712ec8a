package evals

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Regression is one figure that fell beyond the tolerance.
type Regression struct {
	Metric   string
	Baseline float64
	Current  float64
}

func (r Regression) String() string {
	return fmt.Sprintf("%s: %.4f, baseline %.4f", r.Metric, r.Current, r.Baseline)
}

// ReadBaseline loads metrics saved with --json.
func ReadBaseline(path string) (Metrics, error) {
	var m Metrics
	data, err := os.ReadFile(path)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("baseline %s: %w", path, err)
	}
	return m, nil
}

// guarded lists the figures the guard checks: accuracy overall and per
// language and per script, and the two failure rates. Latency is left out:
// it depends on the machine, and lives in benchmarks.
func guarded(m Metrics) map[string]struct {
	v            float64
	higherBetter bool
} {
	out := map[string]struct {
		v            float64
		higherBetter bool
	}{
		"top1":            {m.Top1, true},
		"top1_routed":     {m.Top1Routed, true},
		"none_offered":    {m.NoneOffered, false},
		"top3":            {m.Top3, true},
		"mrr":             {m.MRR, true},
		"lang_accuracy":   {m.LangAccuracy, true},
		"none_correct":    {m.NoneCorrect, true},
		"confident_wrong": {m.ConfidentWrong, false},
		"menu_fallback":   {m.MenuFallback, false},
	}
	for lang, g := range m.ByLang {
		out["by_lang."+lang+".top1"] = struct {
			v            float64
			higherBetter bool
		}{g.Top1, true}
	}
	if v := m.Voice; v != nil {
		// The backend is part of the name: fake-backend figures guard the
		// plumbing and are never compared with a real backend's.
		for lang, g := range v.ByLang {
			out["voice."+v.Backend+"."+lang+".top1"] = struct {
				v            float64
				higherBetter bool
			}{g.Top1, true}
		}
	}
	for _, tag := range []string{"native", "romanized", "mixed", "english", "code-mixed", "typo"} {
		if g, ok := m.ByTag[tag]; ok {
			out["by_tag."+tag+".top1"] = struct {
				v            float64
				higherBetter bool
			}{g.Top1, true}
		}
	}
	return out
}

// Compare returns the figures of cur that are worse than base by more
// than tol (absolute, on rates between 0 and 1).
func Compare(base, cur Metrics, tol float64) []Regression {
	b := guarded(base)
	c := guarded(cur)
	var out []Regression
	for name, bv := range b {
		cv, ok := c[name]
		if !ok && strings.HasPrefix(name, "voice.") {
			continue // the voice eval ran with another backend, or not at all
		}
		if !ok {
			out = append(out, Regression{Metric: name + " (missing)", Baseline: bv.v})
			continue
		}
		if (bv.higherBetter && cv.v < bv.v-tol) || (!bv.higherBetter && cv.v > bv.v+tol) {
			out = append(out, Regression{Metric: name, Baseline: bv.v, Current: cv.v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Metric < out[j].Metric })
	return out
}
