package voice

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/mitra-gov/mitra/catalog"
)

// BenchmarkNoteChecks is the pipeline's own work on a 30-second note when
// the speech backend takes Ogg/Opus as it comes (OpenAI-compatible): the
// header walk that bounds size and length.
func BenchmarkNoteChecks(b *testing.B) {
	note := sampleNote(b, 30)
	b.SetBytes(int64(len(note)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ParseOggOpus(note); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNoteToWAV adds the transcoding a WAV-only backend (Bhashini)
// needs.
func BenchmarkNoteToWAV(b *testing.B) {
	note := sampleNote(b, 30)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ToWAV16k(context.Background(), Audio{Data: note}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEspeakReply is a 200-character spoken reply: espeak-ng and
// Opus encoding.
func BenchmarkEspeakReply(b *testing.B) {
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		b.Skip("espeak-ng not installed")
	}
	text := string([]rune(strings.Repeat("ఆదాయ ధ్రువీకరణ పత్రం. గ్రామ సచివాలయంలో దరఖాస్తు చేయండి. ", 5))[:200])
	for i := 0; i < b.N; i++ {
		if _, err := (Espeak{}).Synthesize(context.Background(), text, catalog.Telugu); err != nil {
			b.Fatal(err)
		}
	}
}

func sampleNote(b *testing.B, seconds int) []byte {
	b.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		b.Skip("ffmpeg not installed")
	}
	note, err := SampleNote(context.Background(), seconds)
	if err != nil {
		b.Fatal(err)
	}
	return note
}
