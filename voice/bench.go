package voice

import (
	"context"
	"fmt"
	"os/exec"
)

// SampleNote makes a voice note of the given length (a tone, encoded like
// WhatsApp's notes) for benchmarks; it needs ffmpeg.
func SampleNote(ctx context.Context, seconds int) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi",
		"-i", fmt.Sprintf("sine=frequency=220:duration=%d:sample_rate=48000", seconds),
		"-ac", "1", "-c:a", "libopus", "-b:a", "16k", "-application", "voip", "-f", "ogg", "pipe:1")
	return cmd.Output()
}
