package voice

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/mitra-gov/mitra/catalog"
)

// Synthesizer speaks text, returning an Ogg/Opus voice note.
type Synthesizer interface {
	Synthesize(ctx context.Context, text string, lang catalog.Lang) ([]byte, error)
	Name() string
}

// Espeak is the offline default: espeak-ng (it has Telugu, Hindi and
// English voices) to WAV, then ffmpeg to Ogg/Opus.
type Espeak struct{}

func (Espeak) Name() string { return "espeak-ng" }

var espeakVoices = map[catalog.Lang]string{catalog.Telugu: "te", catalog.Hindi: "hi", catalog.English: "en-us"}

func (Espeak) Synthesize(ctx context.Context, text string, lang catalog.Lang) ([]byte, error) {
	if text == "" {
		return nil, errors.New("voice: nothing to say")
	}
	voice := espeakVoices[lang]
	if voice == "" {
		voice = "en-us"
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	// espeak-ng streams into ffmpeg: encoding starts with the first
	// sentence instead of waiting for the last.
	speak := exec.CommandContext(ctx, "espeak-ng", "-v", voice, "-s", "150", "--stdout")
	speak.Stdin = bytes.NewBufferString(text)
	var speakErr bytes.Buffer
	speak.Stderr = &speakErr
	wav, err := speak.StdoutPipe()
	if err != nil {
		return nil, err
	}
	encode := exec.CommandContext(ctx, "ffmpeg", append([]string{"-hide_banner", "-loglevel", "error", "-i", "pipe:0"}, append(opusArgs, "pipe:1")...)...)
	encode.Stdin = wav
	var ogg, encodeErr bytes.Buffer
	encode.Stdout, encode.Stderr = &ogg, &encodeErr
	if err := speak.Start(); err != nil {
		return nil, fmt.Errorf("espeak-ng: %w", err)
	}
	if err := encode.Run(); err != nil {
		speak.Wait()
		return nil, fmt.Errorf("ffmpeg: %w: %.200s", err, encodeErr.String())
	}
	if err := speak.Wait(); err != nil {
		return nil, fmt.Errorf("espeak-ng: %w: %.200s", err, speakErr.String())
	}
	return ogg.Bytes(), nil
}

// OpenAISpeech uses an OpenAI-compatible /v1/audio/speech endpoint, asking
// for Opus in Ogg directly.
type OpenAISpeech struct {
	client *openai.Client
	model  string
	voice  string
}

// NewOpenAISpeech returns a synthesizer for a client of the server
// (internal/openaiapi), a model (e.g. gpt-4o-mini-tts) and a voice (e.g.
// alloy).
func NewOpenAISpeech(client *openai.Client, model, voice string) *OpenAISpeech {
	return &OpenAISpeech{client: client, model: model, voice: voice}
}

func (o *OpenAISpeech) Name() string { return "openai:" + o.model }

func (o *OpenAISpeech) Synthesize(ctx context.Context, text string, _ catalog.Lang) ([]byte, error) {
	res, err := o.client.CreateSpeech(ctx, openai.CreateSpeechRequest{
		Model: openai.SpeechModel(o.model), Input: text, Voice: openai.SpeechVoice(o.voice), ResponseFormat: openai.SpeechResponseFormatOpus,
	})
	if err != nil {
		status := 0
		var apiErr *openai.APIError
		if errors.As(err, &apiErr) {
			status = apiErr.HTTPStatusCode
		}
		return nil, transient(status, fmt.Errorf("speech with %s: %w", o.model, err))
	}
	defer res.Close()
	return io.ReadAll(io.LimitReader(res, 16<<20))
}
