package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/voice"
)

type voiceBenchReport struct {
	NoteSeconds      int     `json:"note_seconds"`
	OverheadMS       float64 `json:"pipeline_overhead_ms"`
	TranscodeWAVMS   float64 `json:"transcode_wav_ms"`
	SynthesisMS      float64 `json:"espeak_opus_200_chars_ms"`
	SpokenReplyChars int     `json:"spoken_reply_chars"`
}

// runVoiceBench times the voice pipeline's own work: the checks on a
// 30-second note and the routing of its transcript (the speech backend
// excluded), transcoding for WAV-only backends, and a 200-character spoken
// reply (espeak-ng and Opus). Medians of several runs.
func runVoiceBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := newFlagSet("bench voice", stderr)
	asJSON := fl.Bool("json", false, "print one JSON object")
	runs := fl.Int("runs", 10, "runs of each step")
	eng, _, err := parseAndBuild(ctx, fl, args)
	if err != nil {
		return err
	}
	note, err := voice.SampleNote(ctx, 30)
	if err != nil {
		return fmt.Errorf("make a 30 s note (needs ffmpeg): %w", err)
	}
	transcript := "naaku income certificate kavali"
	r := voiceBenchReport{NoteSeconds: 30}
	r.OverheadMS, err = medianMS(*runs, func() error {
		if _, err := voice.ParseOggOpus(note); err != nil {
			return err
		}
		_, err := eng.Match(ctx, transcript, catalog.Telugu)
		return err
	})
	if err != nil {
		return err
	}
	if r.TranscodeWAVMS, err = medianMS(*runs, func() error {
		_, err := voice.ToWAV16k(ctx, voice.Audio{Data: note})
		return err
	}); err != nil {
		return err
	}
	reply := []rune(strings.Repeat("ఆదాయ ధ్రువీకరణ పత్రం. గ్రామ సచివాలయంలో దరఖాస్తు చేయండి. ", 5))[:200]
	r.SpokenReplyChars = len(reply)
	if r.SynthesisMS, err = medianMS(*runs, func() error {
		_, err := voice.Espeak{}.Synthesize(ctx, string(reply), catalog.Telugu)
		return err
	}); err != nil {
		return fmt.Errorf("espeak-ng: %w", err)
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(r)
	}
	fmt.Fprintf(stdout, "30 s voice note: pipeline overhead (Ogg/Opus checks + routing the transcript) %.2f ms; transcoding to 16 kHz WAV %.1f ms\n", r.OverheadMS, r.TranscodeWAVMS)
	fmt.Fprintf(stdout, "spoken reply of %d characters: espeak-ng + Opus %.1f ms\n", r.SpokenReplyChars, r.SynthesisMS)
	return nil
}

func medianMS(runs int, f func() error) (float64, error) {
	var d []time.Duration
	for i := 0; i < max(1, runs); i++ {
		start := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		d = append(d, time.Since(start))
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return float64(d[len(d)/2].Microseconds()) / 1000, nil
}
