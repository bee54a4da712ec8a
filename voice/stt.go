package voice

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/mitra-gov/mitra/catalog"
)

// Audio is a voice note's bytes and type.
type Audio struct {
	Data     []byte
	MIMEType string
}

// Transcriber turns speech into text. lang is the conversation's language,
// a hint; prompt is vocabulary that helps recognise service names.
type Transcriber interface {
	Transcribe(ctx context.Context, a Audio, lang catalog.Lang, prompt string) (string, error)
	Name() string
}

// ErrTransient marks a failure worth retrying: a timeout, a 429, a 5xx.
var ErrTransient = errors.New("voice: transient backend failure")

// transient wraps err as ErrTransient when status says so.
func transient(status int, err error) error {
	if status == http.StatusTooManyRequests || status >= 500 || status == 0 {
		return fmt.Errorf("%w: %w", ErrTransient, err)
	}
	return err
}

// OpenAITranscriber uses the OpenAI-compatible /v1/audio/transcriptions
// endpoint: OpenAI's Whisper and gpt-4o-transcribe, or self-hosted Whisper
// servers that speak the same API. They take Ogg/Opus as WhatsApp sends it.
type OpenAITranscriber struct {
	client *openai.Client
	model  string
}

// NewOpenAITranscriber returns a transcriber for a client of the server
// (internal/openaiapi) and a model (e.g. whisper-1).
func NewOpenAITranscriber(client *openai.Client, model string) *OpenAITranscriber {
	return &OpenAITranscriber{client: client, model: model}
}

func (o *OpenAITranscriber) Name() string { return "openai:" + o.model }

func (o *OpenAITranscriber) Transcribe(ctx context.Context, a Audio, lang catalog.Lang, prompt string) (string, error) {
	res, err := o.client.CreateTranscription(ctx, openai.AudioRequest{
		Model: o.model, FilePath: "voice-note.ogg", Reader: bytes.NewReader(a.Data),
		Language: string(lang), Prompt: prompt, Format: openai.AudioResponseFormatJSON,
	})
	if err != nil {
		status := 0
		var apiErr *openai.APIError
		var reqErr *openai.RequestError
		switch {
		case errors.As(err, &apiErr):
			status = apiErr.HTTPStatusCode
		case errors.As(err, &reqErr):
			status = reqErr.HTTPStatusCode
		}
		return "", transient(status, fmt.Errorf("transcribe with %s: %w", o.model, err))
	}
	return strings.TrimSpace(res.Text), nil
}

// BhashiniTranscriber uses Bhashini (India's national language platform)
// through its Dhruva inference pipeline API: one ASR task, audio as base64
// 16 kHz mono WAV, the language given by the caller.
type BhashiniTranscriber struct {
	URL       string // e.g. https://dhruva-api.bhashini.gov.in/services/inference/pipeline
	APIKey    string // the inference API key, sent as Authorization
	ServiceID string // the ASR model's service id for the language family
	Convert   func(ctx context.Context, a Audio) ([]byte, error)
	HTTP      *http.Client
}

func (b *BhashiniTranscriber) Name() string { return "bhashini:" + b.ServiceID }

type bhashiniRequest struct {
	PipelineTasks []bhashiniTask `json:"pipelineTasks"`
	InputData     struct {
		Audio []struct {
			AudioContent string `json:"audioContent"`
		} `json:"audio"`
	} `json:"inputData"`
}

type bhashiniTask struct {
	TaskType string `json:"taskType"`
	Config   struct {
		Language struct {
			SourceLanguage string `json:"sourceLanguage"`
		} `json:"language"`
		ServiceID    string `json:"serviceId"`
		AudioFormat  string `json:"audioFormat"`
		SamplingRate int    `json:"samplingRate"`
	} `json:"config"`
}

func (b *BhashiniTranscriber) Transcribe(ctx context.Context, a Audio, lang catalog.Lang, _ string) (string, error) {
	wav, err := b.Convert(ctx, a)
	if err != nil {
		return "", err
	}
	var req bhashiniRequest
	var task bhashiniTask
	task.TaskType = "asr"
	task.Config.Language.SourceLanguage = string(lang)
	task.Config.ServiceID = b.ServiceID
	task.Config.AudioFormat = "wav"
	task.Config.SamplingRate = 16000
	req.PipelineTasks = []bhashiniTask{task}
	req.InputData.Audio = append(req.InputData.Audio, struct {
		AudioContent string `json:"audioContent"`
	}{base64.StdEncoding.EncodeToString(wav)})
	body, _ := json.Marshal(req)
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, b.URL, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Authorization", b.APIKey)
	client := b.HTTP
	if client == nil {
		client = &http.Client{Timeout: 60 * time.Second}
	}
	res, err := client.Do(hr)
	if err != nil {
		return "", transient(0, fmt.Errorf("bhashini: %w", err))
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if res.StatusCode != http.StatusOK {
		return "", transient(res.StatusCode, fmt.Errorf("bhashini: http %d: %.200s", res.StatusCode, data))
	}
	var out struct {
		PipelineResponse []struct {
			TaskType string `json:"taskType"`
			Output   []struct {
				Source string `json:"source"`
			} `json:"output"`
		} `json:"pipelineResponse"`
	}
	if err := json.Unmarshal(data, &out); err != nil || len(out.PipelineResponse) == 0 || len(out.PipelineResponse[0].Output) == 0 {
		return "", fmt.Errorf("bhashini: unexpected response: %.200s", data)
	}
	return strings.TrimSpace(out.PipelineResponse[0].Output[0].Source), nil
}
