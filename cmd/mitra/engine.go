package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"time"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/internal/openaiapi"
	"github.com/mitra-gov/mitra/nlu"
	"github.com/mitra-gov/mitra/retrieval"
)

// engineFlags are the flags every engine-using command shares; each falls
// back to an environment variable.
type engineFlags struct {
	catalogDir string
	embedder   string
	baseURL    string
	model      string
	dim        int
	// services, when above the catalogue's own count, synthesises a
	// catalogue of that many services from it (catalog.Synthesize): for
	// measuring a national catalogue, never for citizens.
	services int
}

func (f *engineFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.catalogDir, "catalog", os.Getenv("MITRA_CATALOG"), "catalogue folder (default: the built-in catalogue)")
	fs.StringVar(&f.embedder, "embedder", envOr("MITRA_EMBEDDER", "hash"), "embedder: hash (built-in, offline) or openai (any OpenAI-compatible server)")
	fs.StringVar(&f.baseURL, "openai-base-url", os.Getenv("OPENAI_BASE_URL"), "base URL of the OpenAI-compatible API")
	fs.StringVar(&f.model, "embed-model", envOr("MITRA_EMBED_MODEL", "text-embedding-3-small"), "embedding model for -embedder openai")
	fs.IntVar(&f.dim, "embed-dim", envInt("MITRA_EMBED_DIM", 0), "embedding dimensions (default 256 for hash, 1536 for openai)")
	fs.IntVar(&f.services, "services", 0, "synthesise a catalogue of this many services from the real one, to measure scale (0: the real one)")
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func envInt(key string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return v
	}
	return def
}

func (f *engineFlags) loadCatalog() (*catalog.Catalog, error) {
	var fsys fs.FS = catalog.Embedded()
	if f.catalogDir != "" {
		if st, err := os.Stat(f.catalogDir); err != nil || !st.IsDir() {
			return nil, usagef("catalogue folder %q not found", f.catalogDir)
		}
		fsys = os.DirFS(f.catalogDir)
	}
	cat, err := catalog.Load(fsys)
	if err != nil || f.services <= len(cat.Services) {
		return cat, err
	}
	return cat.Synthesize(f.services, 1), nil
}

func (f *engineFlags) newEmbedder() (retrieval.Embedder, error) {
	switch f.embedder {
	case "hash":
		return retrieval.NewHashEmbedder(orDefault(f.dim, 256)), nil
	case "openai":
		key := os.Getenv("OPENAI_API_KEY")
		if key == "" && f.baseURL == "" {
			return nil, usagef("-embedder openai needs OPENAI_API_KEY, or OPENAI_BASE_URL for a local server")
		}
		// One request embeds a query or a batch of at most 64 service
		// documents (retrieval.EmbedServices); 30 s bounds a server that hangs.
		return retrieval.NewOpenAIEmbedder(retrieval.OpenAIConfig{
			Client: openaiapi.New(f.baseURL, key, 30*time.Second), Model: f.model, Dimensions: orDefault(f.dim, 1536),
		})
	}
	return nil, usagef("unknown embedder %q (want hash or openai)", f.embedder)
}

func orDefault(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// build assembles the engine: catalogue, language models, embedder, and an
// in-memory index.
func (f *engineFlags) build(ctx context.Context) (*retrieval.Engine, error) {
	return f.buildWith(ctx, nil)
}

// indexFactory builds the vector index for a catalogue and embedder; nil
// means the in-memory index.
type indexFactory func(ctx context.Context, cat *catalog.Catalog, emb retrieval.Embedder) (retrieval.Index, error)

func (f *engineFlags) buildWith(ctx context.Context, newIndex indexFactory) (*retrieval.Engine, error) {
	cat, err := f.loadCatalog()
	if err != nil {
		return nil, err
	}
	latin, err := nlu.LoadLatinModel()
	if err != nil {
		return nil, err
	}
	emb, err := f.newEmbedder()
	if err != nil {
		return nil, err
	}
	var index retrieval.Index
	if newIndex != nil {
		if index, err = newIndex(ctx, cat, emb); err != nil {
			return nil, err
		}
	}
	eng, err := retrieval.NewEngine(ctx, retrieval.Config{Catalog: cat, Analyzer: nlu.NewAnalyzer(latin), Embedder: emb, Index: index})
	if err != nil {
		return nil, fmt.Errorf("build engine: %w", err)
	}
	return eng, nil
}

// newFlagSet returns a command's flag set, reporting to stderr.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fl := flag.NewFlagSet(name, flag.ContinueOnError)
	fl.SetOutput(stderr)
	return fl
}

// parseAndBuild adds the engine flags to a command's own, parses args and
// builds the engine.
func parseAndBuild(ctx context.Context, fl *flag.FlagSet, args []string) (*retrieval.Engine, *engineFlags, error) {
	var ef engineFlags
	ef.register(fl)
	if err := fl.Parse(args); err != nil {
		return nil, nil, usagef("%v", err)
	}
	eng, err := ef.build(ctx)
	return eng, &ef, err
}
