// Package openaiapi builds the one kind of go-openai client mitra uses for
// every OpenAI-compatible endpoint (embeddings, chat, transcription and
// speech), so that base URLs, keys and timeouts are handled one way.
package openaiapi

import (
	"net/http"
	"time"

	"github.com/sashabaranov/go-openai"
)

// New returns a client for an OpenAI-compatible server: OpenAI itself
// when baseURL is empty, or any server that speaks the same API (vLLM,
// Ollama, llama.cpp, a Whisper server, a test fake). timeout bounds each
// HTTP exchange; 0 leaves it to the caller's context.
func New(baseURL, apiKey string, timeout time.Duration) *openai.Client {
	cfg := openai.DefaultConfig(apiKey)
	if baseURL != "" {
		cfg.BaseURL = baseURL
	}
	cfg.HTTPClient = &http.Client{Timeout: timeout}
	return openai.NewClientWithConfig(cfg)
}
