package evals

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/nlu"
	"github.com/mitra-gov/mitra/voice"
)

// VoiceCase is an eval case that carries a recorded note: the audio file,
// what it says, its language and the expected service.
type VoiceCase struct {
	Audio  string       `json:"audio"`
	Text   string       `json:"text"`
	Lang   catalog.Lang `json:"lang"`
	Expect []string     `json:"expect"`
	Data   []byte       `json:"-"`
}

// LoadVoiceSuite reads voice.jsonl and the audio files it names.
func LoadVoiceSuite(fsys fs.FS, cat *catalog.Catalog) ([]VoiceCase, error) {
	raw, err := fs.ReadFile(fsys, "voice.jsonl")
	if err != nil {
		return nil, err
	}
	var out []VoiceCase
	for i, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var c VoiceCase
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			return nil, fmt.Errorf("voice.jsonl:%d: %w", i+1, err)
		}
		if c.Data, err = fs.ReadFile(fsys, c.Audio); err != nil {
			return nil, fmt.Errorf("voice.jsonl:%d: %w", i+1, err)
		}
		for _, id := range c.Expect {
			if _, ok := cat.Service(id); !ok {
				return nil, fmt.Errorf("voice.jsonl:%d: unknown service %q", i+1, id)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// VoiceGroup is the voice figures for one language.
type VoiceGroup struct {
	Cases int     `json:"cases"`
	Top1  float64 `json:"top1"`
	WER   float64 `json:"wer"`
}

// VoiceMetrics are the voice eval's figures. With a fake backend they test
// the plumbing (audio to transcript to service), never recognition.
type VoiceMetrics struct {
	Backend string                `json:"backend"`
	Fake    bool                  `json:"fake_backend"`
	Note    string                `json:"note,omitempty"`
	Errors  int                   `json:"errors"`
	ByLang  map[string]VoiceGroup `json:"by_lang"`
	VoiceGroup
}

// RunVoice transcribes each note with tr and routes the transcript like
// typed text, in a new conversation of the case's language.
func RunVoice(ctx context.Context, tr voice.Transcriber, m Matcher, cases []VoiceCase, fake bool) VoiceMetrics {
	vm := VoiceMetrics{Backend: tr.Name(), Fake: fake, ByLang: map[string]VoiceGroup{}}
	if fake {
		vm.Note = "fake speech backend: these figures test the plumbing, not speech recognition"
	}
	type acc struct {
		n, top1 int
		wer     float64
	}
	per := map[string]*acc{}
	all := &acc{}
	for _, c := range cases {
		a := per[string(c.Lang)]
		if a == nil {
			a = &acc{}
			per[string(c.Lang)] = a
		}
		text, err := tr.Transcribe(ctx, voice.Audio{Data: c.Data, MIMEType: "audio/ogg; codecs=opus"}, c.Lang, "")
		hit := false
		if err != nil {
			vm.Errors++
		} else if res, err := m.Match(ctx, text, c.Lang); err == nil && len(res.Candidates) > 0 && rankOf([]string{res.Candidates[0].Service.ID}, c.Expect) == 1 {
			hit = true
		}
		w := WER(c.Text, text)
		for _, x := range []*acc{a, all} {
			x.n++
			x.wer += w
			if hit {
				x.top1++
			}
		}
	}
	group := func(a *acc) VoiceGroup {
		if a.n == 0 {
			return VoiceGroup{}
		}
		return VoiceGroup{Cases: a.n, Top1: float64(a.top1) / float64(a.n), WER: a.wer / float64(a.n)}
	}
	for l, a := range per {
		vm.ByLang[l] = group(a)
	}
	vm.VoiceGroup = group(all)
	return vm
}

// WER is the word error rate of hyp against ref: word insertions,
// deletions and substitutions over the reference's word count, after
// normalisation (case, Unicode form, punctuation).
func WER(ref, hyp string) float64 {
	r := nlu.Words(nlu.Normalize(ref))
	h := nlu.Words(nlu.Normalize(hyp))
	if len(r) == 0 {
		if len(h) == 0 {
			return 0
		}
		return 1
	}
	prev := make([]int, len(h)+1)
	cur := make([]int, len(h)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(r); i++ {
		cur[0] = i
		for j := 1; j <= len(h); j++ {
			sub := prev[j-1]
			if r[i-1] != h[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return float64(prev[len(h)]) / float64(len(r))
}
