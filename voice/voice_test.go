package voice

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/internal/testenv"
)

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseOggOpus(t *testing.T) {
	t.Parallel()
	info, err := ParseOggOpus(read(t, "te-income.ogg"))
	if err != nil {
		t.Fatal(err)
	}
	// ffprobe says 3.641 s for this file.
	if info.Channels != 1 || info.Duration < 3500*time.Millisecond || info.Duration > 3800*time.Millisecond {
		t.Errorf("info = %+v", info)
	}
	silence, err := ParseOggOpus(read(t, "silence.ogg"))
	if err != nil || silence.Duration < 1900*time.Millisecond || silence.Duration > 2100*time.Millisecond {
		t.Errorf("silence = %+v, %v", silence, err)
	}
	good := read(t, "hi-income.ogg")
	corrupt := append([]byte{}, good...)
	corrupt[len(corrupt)/2] ^= 0xff
	for name, b := range map[string][]byte{
		"corrupt":   corrupt,
		"truncated": good[:len(good)-10],
		"empty":     nil,
		"mp3":       []byte("ID3\x03\x00\x00\x00\x00\x00\x00 not ogg"),
		"text":      []byte("hello"),
	} {
		if _, err := ParseOggOpus(b); !errors.Is(err, ErrNotOggOpus) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func FuzzParseOggOpus(f *testing.F) {
	for _, name := range []string{"te-income.ogg", "silence.ogg"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:60])
	}
	f.Add([]byte("OggS"))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := ParseOggOpus(b)
		if err == nil && (info.Pages == 0 || info.Duration < 0) {
			t.Fatalf("accepted %+v", info)
		}
	})
}

// espeak-ng speaks each language and ffmpeg makes a note WhatsApp plays:
// Ogg/Opus that our parser (and ffprobe) accept.
func TestEspeakMakesOggOpus(t *testing.T) {
	t.Parallel()
	testenv.NeedTools(t, "espeak-ng")
	testenv.NeedTools(t, "ffmpeg")
	for lang, text := range map[catalog.Lang]string{
		catalog.Telugu:  "ఆదాయ ధ్రువీకరణ పత్రం. సచివాలయంలో దరఖాస్తు చేయండి.",
		catalog.Hindi:   "आय प्रमाण पत्र। सचिवालय में आवेदन करें।",
		catalog.English: "Income certificate. Apply at your village secretariat.",
	} {
		ogg, err := Espeak{}.Synthesize(context.Background(), text, lang)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		info, err := ParseOggOpus(ogg)
		if err != nil || info.Channels != 1 || info.Duration < time.Second {
			t.Errorf("%s: %+v, %v", lang, info, err)
		}
		cmd := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=codec_name,channels", "-of", "csv=p=0", "-")
		cmd.Stdin = bytes.NewReader(ogg)
		probe, err := cmd.Output()
		if err != nil || string(bytes.TrimSpace(probe)) != "opus,1" {
			t.Errorf("%s: ffprobe says %q, %v", lang, probe, err)
		}
	}
	if _, err := (Espeak{}).Synthesize(context.Background(), "", catalog.English); err == nil {
		t.Error("empty text synthesized")
	}
}

func TestToWAV16k(t *testing.T) {
	t.Parallel()
	testenv.NeedTools(t, "ffmpeg")
	wav, err := ToWAV16k(context.Background(), Audio{Data: read(t, "en-caste.ogg")})
	if err != nil || len(wav) < 44 || string(wav[:4]) != "RIFF" {
		t.Fatalf("wav: %d bytes, %v", len(wav), err)
	}
	if _, err := ToWAV16k(context.Background(), Audio{Data: []byte("not audio")}); err == nil {
		t.Error("garbage transcoded")
	}
}
