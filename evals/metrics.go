package evals

import (
	"sort"
	"time"

	"github.com/mitra-gov/mitra/retrieval"
)

// Group holds the figures for a slice of the suite (a language, a tag).
type Group struct {
	Cases   int     `json:"cases"`
	InScope int     `json:"in_scope"`
	Top1    float64 `json:"top1"`
	// Top1Routed is top-1 without counting a menu fallback that lists the
	// right service first: the service was shown or offered to choose.
	Top1Routed     float64 `json:"top1_routed"`
	Top3           float64 `json:"top3"`
	MRR            float64 `json:"mrr"`
	ConfidentWrong float64 `json:"confident_wrong"`
	MenuFallback   float64 `json:"menu_fallback"`
	LangAccuracy   float64 `json:"lang_accuracy"`
}

// Confusion counts how often one service was expected and another ranked
// first.
type Confusion struct {
	Expected string `json:"expected"`
	Got      string `json:"got"`
	Count    int    `json:"count"`
}

// Metrics are the suite's figures. Rates over in-scope cases: top-1,
// top-3, MRR, menu fallback. Over all cases: confident-wrong (a direct
// routing to anything but the expected service, including routing an
// out-of-scope message), language accuracy. NoneCorrect is the share of
// out-of-scope and small-talk cases that were not routed directly.
type Metrics struct {
	Group
	OutOfScope  int     `json:"out_of_scope"`
	NoneCorrect float64 `json:"none_correct"`
	// NoneOffered is the share of out-of-scope cases offered a list of
	// services to choose from: each such list is unrelated.
	NoneOffered float64               `json:"none_offered"`
	DirectRate  float64               `json:"direct_rate"`
	Errors      int                   `json:"errors"`
	P50US       float64               `json:"latency_p50_us"`
	P99US       float64               `json:"latency_p99_us"`
	ByLang      map[string]Group      `json:"by_lang"`
	ByTag       map[string]Group      `json:"by_tag"`
	Confused    []Confusion           `json:"confused"`
	Thresholds  *retrieval.Thresholds `json:"thresholds,omitempty"`
	// AliasOverlap is the share of case texts equal to a catalogue alias or
	// name after normalisation: such cases test recall of the catalogue,
	// not understanding.
	AliasOverlap float64 `json:"alias_overlap"`
	// Voice holds the voice eval's figures, when it ran.
	Voice *VoiceMetrics `json:"voice,omitempty"`
}

type acc struct {
	cases, inScope, top1, routed, top3, wrong, menu, lang int
	rr                                                    float64
}

func (a *acc) add(o Outcome) {
	a.cases++
	if o.ConfidentWrong() {
		a.wrong++
	}
	if o.Lang == o.Case.Lang {
		a.lang++
	}
	if !o.Case.InScope() {
		return
	}
	a.inScope++
	if o.Rank == 1 {
		a.top1++
		if o.Decision != retrieval.Menu {
			a.routed++
		}
	}
	if o.Rank >= 1 && o.Rank <= 3 {
		a.top3++
	}
	if o.Rank > 0 {
		a.rr += 1 / float64(o.Rank)
	}
	if o.Decision == retrieval.Menu {
		a.menu++
	}
}

func (a *acc) group() Group {
	g := Group{Cases: a.cases, InScope: a.inScope}
	if a.inScope > 0 {
		n := float64(a.inScope)
		g.Top1, g.Top3, g.MRR, g.MenuFallback = float64(a.top1)/n, float64(a.top3)/n, a.rr/n, float64(a.menu)/n
		g.Top1Routed = float64(a.routed) / n
	}
	if a.cases > 0 {
		n := float64(a.cases)
		g.ConfidentWrong, g.LangAccuracy = float64(a.wrong)/n, float64(a.lang)/n
	}
	return g
}

// Summarize computes the metrics of a run.
func Summarize(outcomes []Outcome) Metrics {
	var all acc
	byLang := map[string]*acc{}
	byTag := map[string]*acc{}
	confused := map[[2]string]int{}
	var lat []time.Duration
	m := Metrics{}
	none, noneOK, noneOffered, direct := 0, 0, 0, 0
	for _, o := range outcomes {
		all.add(o)
		get(byLang, string(o.Case.Lang)).add(o)
		tags := o.Case.Tags
		if !o.Case.InScope() {
			tags = append(append([]string{}, tags...), "no-service")
		}
		for _, t := range tags {
			get(byTag, t).add(o)
		}
		lat = append(lat, o.Latency)
		if o.Err != "" {
			m.Errors++
		}
		if o.Decision == retrieval.Direct {
			direct++
		}
		if !o.Case.InScope() {
			none++
			if o.Decision != retrieval.Direct {
				noneOK++
			}
			if o.Decision == retrieval.Choose {
				noneOffered++
			}
		} else if o.Rank != 1 && len(o.Got) > 0 {
			confused[[2]string{o.Case.Expect[0], o.Got[0]}]++
		}
	}
	m.Group = all.group()
	m.OutOfScope = none
	if none > 0 {
		m.NoneCorrect = float64(noneOK) / float64(none)
		m.NoneOffered = float64(noneOffered) / float64(none)
	}
	if len(outcomes) > 0 {
		m.DirectRate = float64(direct) / float64(len(outcomes))
	}
	m.ByLang = groups(byLang)
	m.ByTag = groups(byTag)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	m.P50US = percentileUS(lat, 0.50)
	m.P99US = percentileUS(lat, 0.99)
	for k, n := range confused {
		m.Confused = append(m.Confused, Confusion{Expected: k[0], Got: k[1], Count: n})
	}
	sort.Slice(m.Confused, func(i, j int) bool {
		a, b := m.Confused[i], m.Confused[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Expected+a.Got < b.Expected+b.Got
	})
	if len(m.Confused) > 15 {
		m.Confused = m.Confused[:15]
	}
	return m
}

func get(m map[string]*acc, k string) *acc {
	if m[k] == nil {
		m[k] = &acc{}
	}
	return m[k]
}

func groups(m map[string]*acc) map[string]Group {
	out := make(map[string]Group, len(m))
	for k, a := range m {
		out[k] = a.group()
	}
	return out
}

// percentile is the p-th percentile of sorted durations (the nearest rank
// below), 0 when there are none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(p*float64(len(sorted)-1))]
}

// percentileUS is the p-th percentile of sorted durations, in microseconds.
func percentileUS(sorted []time.Duration, p float64) float64 {
	return float64(percentile(sorted, p).Nanoseconds()) / 1e3
}
