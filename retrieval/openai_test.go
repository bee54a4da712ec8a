package retrieval

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mitra-gov/mitra/internal/openaiapi"
)

// fakeEmbeddings speaks the OpenAI /v1/embeddings wire format: it checks
// the request as OpenAI documents it and answers with vectors derived from
// the input text, returned in reverse order to prove the client orders by
// "index".
func fakeEmbeddings(t *testing.T, dim int, status int) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
			t.Errorf("request %s %s, want POST /v1/embeddings", r.Method, r.URL.Path)
		}
		if got := r.Header.Get("Authorization"); got != "Bearer test-key" {
			t.Errorf("Authorization = %q", got)
		}
		var req struct {
			Input          []string `json:"input"`
			Model          string   `json:"model"`
			EncodingFormat string   `json:"encoding_format"`
			Dimensions     int      `json:"dimensions"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Errorf("decode request: %v", err)
		}
		if req.Model != "text-embedding-3-small" || req.EncodingFormat != "float" || req.Dimensions != dim {
			t.Errorf("request model=%q format=%q dimensions=%d", req.Model, req.EncodingFormat, req.Dimensions)
		}
		w.Header().Set("Content-Type", "application/json")
		if status != http.StatusOK {
			w.WriteHeader(status)
			fmt.Fprint(w, `{"error":{"message":"Rate limit reached for text-embedding-3-small","type":"requests","param":null,"code":"rate_limit_exceeded"}}`)
			return
		}
		type item struct {
			Object    string    `json:"object"`
			Embedding []float32 `json:"embedding"`
			Index     int       `json:"index"`
		}
		var data []item
		for i := len(req.Input) - 1; i >= 0; i-- {
			v := make([]float32, dim)
			v[len(req.Input[i])%dim] = 3 // not normalised: the client must normalise
			data = append(data, item{Object: "embedding", Embedding: v, Index: i})
		}
		json.NewEncoder(w).Encode(map[string]any{
			"object": "list", "data": data, "model": req.Model,
			"usage": map[string]int{"prompt_tokens": 8, "total_tokens": 8},
		})
	}))
}

func TestOpenAIEmbedder(t *testing.T) {
	t.Parallel()
	srv := fakeEmbeddings(t, 8, http.StatusOK)
	defer srv.Close()
	emb, err := NewOpenAIEmbedder(OpenAIConfig{Client: openaiapi.New(srv.URL+"/v1", "test-key", 0), Model: "text-embedding-3-small", Dimensions: 8})
	if err != nil {
		t.Fatal(err)
	}
	vecs, err := emb.Embed(context.Background(), []string{"a", "bb", "ccc"})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vecs {
		if v[i+1] != 1 {
			t.Errorf("vector %d = %v, want unit vector at %d (order by index, normalised)", i, v, i+1)
		}
		var n float64
		for _, x := range v {
			n += float64(x * x)
		}
		if math.Abs(n-1) > 1e-6 {
			t.Errorf("vector %d norm² = %v", i, n)
		}
	}
	if emb.Name() != "openai:text-embedding-3-small" || emb.Dimensions() != 8 {
		t.Errorf("name/dim = %s/%d", emb.Name(), emb.Dimensions())
	}
}

func TestOpenAIEmbedderErrors(t *testing.T) {
	t.Parallel()
	srv := fakeEmbeddings(t, 8, http.StatusTooManyRequests)
	defer srv.Close()
	emb, _ := NewOpenAIEmbedder(OpenAIConfig{Client: openaiapi.New(srv.URL+"/v1", "test-key", 0), Model: "text-embedding-3-small", Dimensions: 8})
	_, err := emb.Embed(context.Background(), []string{"x"})
	if err == nil || !strings.Contains(err.Error(), "429") {
		t.Errorf("Embed error = %v, want the 429 surfaced", err)
	}
	// A server returning a different size than configured is refused,
	// not silently mixed into an index of another size.
	wrong := fakeEmbeddings(t, 8, http.StatusOK)
	defer wrong.Close()
	_, err = NewOpenAIEmbedder(OpenAIConfig{Model: "m"})
	if err == nil {
		t.Error("NewOpenAIEmbedder without dimensions succeeded")
	}
}
