package voice

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"time"
)

// Transcoding runs ffmpeg as a child process with a deadline; the audio
// goes through pipes and never touches the disk.

// ToWAV16k converts any audio ffmpeg reads to 16 kHz mono 16-bit WAV, the
// format most ASR services (Bhashini among them) want.
func ToWAV16k(ctx context.Context, a Audio) ([]byte, error) {
	return ffmpeg(ctx, a.Data, "-ac", "1", "-ar", "16000", "-sample_fmt", "s16", "-f", "wav")
}

// opusArgs encode as WhatsApp plays voice notes: Ogg/Opus, mono, 48 kHz,
// tuned for speech; a middling compression level halves encoding time
// for no audible loss in speech.
var opusArgs = []string{"-ac", "1", "-ar", "48000", "-c:a", "libopus", "-b:a", "24k", "-application", "voip", "-compression_level", "5", "-f", "ogg"}

// ToOggOpus encodes audio as a WhatsApp voice note.
func ToOggOpus(ctx context.Context, audio []byte) ([]byte, error) {
	return ffmpeg(ctx, audio, opusArgs...)
}

func ffmpeg(ctx context.Context, in []byte, outArgs ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	args := append([]string{"-hide_banner", "-loglevel", "error", "-i", "pipe:0"}, outArgs...)
	args = append(args, "pipe:1")
	cmd := exec.CommandContext(ctx, "ffmpeg", args...)
	cmd.Stdin = bytes.NewReader(in)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("ffmpeg: %w: %.300s", err, stderr.String())
	}
	return out.Bytes(), nil
}
