package retrieval

import (
	"context"
	"fmt"

	openai "github.com/sashabaranov/go-openai"
)

// OpenAIEmbedder embeds through any server that speaks the OpenAI
// /v1/embeddings API (OpenAI, vLLM, Ollama, llama.cpp, TEI...), chosen by
// base URL and model name.
type OpenAIEmbedder struct {
	client *openai.Client
	model  string
	dim    int
}

// OpenAIConfig configures an OpenAI-compatible embedder.
type OpenAIConfig struct {
	// Client speaks to the server (internal/openaiapi builds one).
	Client *openai.Client
	Model  string // e.g. text-embedding-3-small
	// Dimensions is the vector size the model returns; for models that
	// support shortening (text-embedding-3-*), it is also requested.
	Dimensions int
}

// NewOpenAIEmbedder returns an embedder for cfg.
func NewOpenAIEmbedder(cfg OpenAIConfig) (*OpenAIEmbedder, error) {
	if cfg.Client == nil || cfg.Model == "" || cfg.Dimensions <= 0 {
		return nil, fmt.Errorf("openai embedder: client, model and dimensions are required")
	}
	return &OpenAIEmbedder{client: cfg.Client, model: cfg.Model, dim: cfg.Dimensions}, nil
}

func (o *OpenAIEmbedder) Dimensions() int { return o.dim }

func (o *OpenAIEmbedder) Name() string { return "openai:" + o.model }

// Embed sends one request for all texts and returns the vectors in input
// order, L2-normalised (not every compatible server normalises).
func (o *OpenAIEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	req := openai.EmbeddingRequestStrings{
		Input:          texts,
		Model:          openai.EmbeddingModel(o.model),
		EncodingFormat: openai.EmbeddingEncodingFormatFloat,
		Dimensions:     o.dim,
	}
	resp, err := o.client.CreateEmbeddings(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("embeddings from %s: %w", o.model, err)
	}
	if len(resp.Data) != len(texts) {
		return nil, fmt.Errorf("embeddings from %s: %d vectors for %d inputs", o.model, len(resp.Data), len(texts))
	}
	out := make([][]float32, len(texts))
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= len(texts) || out[d.Index] != nil {
			return nil, fmt.Errorf("embeddings from %s: bad or repeated index %d", o.model, d.Index)
		}
		if len(d.Embedding) != o.dim {
			return nil, fmt.Errorf("embeddings from %s: %d dimensions, configured %d", o.model, len(d.Embedding), o.dim)
		}
		v := append([]float32(nil), d.Embedding...)
		normalize(v)
		out[d.Index] = v
	}
	return out, nil
}
