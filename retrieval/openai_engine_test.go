package retrieval_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mitra-gov/mitra/evals"
	"github.com/mitra-gov/mitra/internal/openaiapi"
	"github.com/mitra-gov/mitra/internal/testenv"
	"github.com/mitra-gov/mitra/retrieval"
)

// An engine whose embedder is a remote OpenAI-compatible server ranks
// exactly like the built-in one when the server computes the same vectors:
// the wire adapter loses nothing. The fake answers /v1/embeddings in
// OpenAI's format with the hash embedder's vectors.
func TestEngineOverOpenAIWire(t *testing.T) {
	t.Parallel()
	local := testenv.Engine(t)
	hash := retrieval.NewHashEmbedder(256)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Input []string `json:"input"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		vecs, _ := hash.Embed(r.Context(), req.Input)
		data := make([]map[string]any, len(vecs))
		for i, v := range vecs {
			data[i] = map[string]any{"object": "embedding", "index": i, "embedding": v}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": "mitra-test",
			"usage": map[string]int{"prompt_tokens": 1, "total_tokens": 1}})
	}))
	defer srv.Close()
	remote, err := retrieval.NewOpenAIEmbedder(retrieval.OpenAIConfig{Client: openaiapi.New(srv.URL+"/v1", "k", 0), Model: "mitra-test", Dimensions: 256})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	eng, err := retrieval.NewEngine(ctx, retrieval.Config{Catalog: local.Catalog(), Analyzer: local.Analyzer(), Embedder: remote})
	if err != nil {
		t.Fatal(err)
	}
	cases, err := evals.LoadSuites(evals.EmbeddedSuites(), local.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases[:60] {
		a, err1 := local.Match(ctx, c.Text, "")
		b, err2 := eng.Match(ctx, c.Text, "")
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if a.Decision != b.Decision || len(a.Candidates) != len(b.Candidates) {
			t.Fatalf("%q: local %s/%d, remote %s/%d", c.Text, a.Decision, len(a.Candidates), b.Decision, len(b.Candidates))
		}
		for i := range a.Candidates {
			if a.Candidates[i].Service.ID != b.Candidates[i].Service.ID {
				t.Errorf("%q rank %d: local %s, remote %s", c.Text, i, a.Candidates[i].Service.ID, b.Candidates[i].Service.ID)
			}
		}
	}
}
