package retrieval

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/nlu"
)

// Candidate is a service that may be what the message means.
type Candidate struct {
	Service *catalog.Service
	Score   float32 // fused score, 0 to 1
	Lexical float32
	Vector  float32
	// Sibling marks the member of the best match's family put first for
	// the message's intent (Engine.familyFirst), rather than ranked there
	// by its own words.
	Sibling bool
}

// Result is the engine's answer for one message.
type Result struct {
	Analysis   nlu.Analysis
	Decision   Decision
	Candidates []Candidate // best first, at most MaxCandidates
	Elapsed    time.Duration
	// Clarification is a question to ask the citizen instead of the usual
	// "which of these?", set by an LLM reranker (package prompts).
	Clarification string
	// Reranked names the prompt version that changed the decision, if any.
	Reranked string
	// Intent is what the message wants to do (apply, status, complain,
	// pay, book, correct, cancel, info), "" when it does not say.
	Intent catalog.Intent
	// OutOfScope is true when the message is about none of the
	// catalogue's services.
	OutOfScope bool
}

// MaxCandidates is how many candidates a Result carries.
const MaxCandidates = 5

// Engine matches messages to catalogue services. It is safe for concurrent
// use once built.
type Engine struct {
	cat      *catalog.Catalog
	analyzer *nlu.Analyzer
	embedder Embedder
	keyed    keyEmbedder // the embedder, when it can embed keys directly
	index    Index
	lex      *lexicon
	byID     map[string]int
	// VectorWeight is the share of the vector score in the fused score;
	// the rest is lexical.
	vectorWeight float32
	thresholds   Thresholds
	// prior is a small per-service bonus from the menu order, which content
	// teams set most-used first: among near-equal matches, the service
	// more citizens need wins.
	prior []float32
	// kinds is each service's kind, by position: a match reads it for
	// many services, and one array of them is faster than each service.
	kinds []kindSet
	// memory is the index when the engine built it itself, in catalogue
	// order: a service's vector is then found by its position.
	memory  *MemoryIndex
	scratch sync.Pool // *matchScratch
}

// keyEmbedder is implemented by embedders that can take transliteration
// keys, saving a second analysis of the message.
type keyEmbedder interface {
	EmbedKeysInto(v []float32, keys []string) []float32
}

// Config assembles an engine. Index may be nil: the engine then builds an
// in-memory index with the embedder.
type Config struct {
	Catalog      *catalog.Catalog
	Analyzer     *nlu.Analyzer
	Embedder     Embedder
	Index        Index
	Thresholds   *Thresholds
	VectorWeight float32
}

// DefaultVectorWeight is the share of the vector channel in the fused score.
const DefaultVectorWeight = 0.25

// NewEngine builds the lexical index and, unless one is given, embeds the
// catalogue into an in-memory vector index.
func NewEngine(ctx context.Context, cfg Config) (*Engine, error) {
	if cfg.Catalog == nil || cfg.Analyzer == nil || cfg.Embedder == nil {
		return nil, fmt.Errorf("retrieval: catalog, analyzer and embedder are required")
	}
	e := &Engine{
		cat:          cfg.Catalog,
		analyzer:     cfg.Analyzer,
		embedder:     cfg.Embedder,
		index:        cfg.Index,
		lex:          newLexicon(cfg.Catalog.Services),
		byID:         make(map[string]int, len(cfg.Catalog.Services)),
		vectorWeight: cfg.VectorWeight,
		thresholds:   DefaultThresholds,
	}
	if cfg.VectorWeight == 0 {
		e.vectorWeight = DefaultVectorWeight
	}
	if cfg.Thresholds != nil {
		e.thresholds = *cfg.Thresholds
	}
	e.keyed, _ = cfg.Embedder.(keyEmbedder)
	for i, s := range cfg.Catalog.Services {
		e.byID[s.ID] = i
		e.kinds = append(e.kinds, kindOf(s.Kind))
	}
	e.prior = menuPrior(cfg.Catalog)
	if e.index == nil {
		idx, err := BuildMemoryIndex(ctx, cfg.Embedder, cfg.Catalog.Services)
		if err != nil {
			return nil, err
		}
		e.index, e.memory = idx, idx
	}
	e.scratch.New = func() any { return &matchScratch{lexq: e.lex.newQuery()} }
	return e, nil
}

// ServiceDocument is the text embedded for a service: its names and
// aliases in every language and script.
func ServiceDocument(s *catalog.Service) string {
	parts := []string{s.Name.EN, s.Name.TE, s.Name.HI, s.Short.EN, s.Short.TE, s.Short.HI}
	parts = append(parts, s.Aliases.All()...)
	parts = append(parts, s.Situations.All()...)
	out := ""
	for _, p := range parts {
		out += p + "\n"
	}
	return out
}

// embedBatch bounds a request to a remote embedder.
const embedBatch = 64

// EmbedServices embeds every service document, in batches.
func EmbedServices(ctx context.Context, emb Embedder, services []*catalog.Service) ([][]float32, error) {
	out := make([][]float32, 0, len(services))
	for start := 0; start < len(services); start += embedBatch {
		end := min(start+embedBatch, len(services))
		texts := make([]string, 0, end-start)
		for _, s := range services[start:end] {
			texts = append(texts, ServiceDocument(s))
		}
		vecs, err := emb.Embed(ctx, texts)
		if err != nil {
			return nil, fmt.Errorf("embed catalogue with %s: %w", emb.Name(), err)
		}
		if len(vecs) != len(texts) {
			return nil, fmt.Errorf("embed catalogue with %s: got %d vectors for %d texts", emb.Name(), len(vecs), len(texts))
		}
		out = append(out, vecs...)
	}
	return out, nil
}

// BuildMemoryIndex embeds the services into a new in-memory index, a batch
// at a time, so that a national catalogue's vectors are held once.
func BuildMemoryIndex(ctx context.Context, emb Embedder, services []*catalog.Service) (*MemoryIndex, error) {
	idx := NewMemoryIndex(emb.Dimensions())
	idx.Grow(len(services))
	for start := 0; start < len(services); start += embedBatch {
		batch := services[start:min(start+embedBatch, len(services))]
		vecs, err := EmbedServices(ctx, emb, batch)
		if err != nil {
			return nil, err
		}
		for i, s := range batch {
			if err := idx.Add(s.ID, vecs[i]); err != nil {
				return nil, err
			}
		}
	}
	return idx, nil
}

// Catalog returns the catalogue the engine matches against.
func (e *Engine) Catalog() *catalog.Catalog { return e.cat }

// Analyzer returns the engine's language analyzer.
func (e *Engine) Analyzer() *nlu.Analyzer { return e.analyzer }

// Thresholds returns the routing thresholds in use.
func (e *Engine) Thresholds() Thresholds { return e.thresholds }

// vectorCandidates is how many nearest vectors join the lexical candidates.
const vectorCandidates = 20

// Match analyses a message and ranks services for it. prev is the
// conversation's language so far ("" for none).
func (e *Engine) Match(ctx context.Context, text string, prev catalog.Lang) (Result, error) {
	start := time.Now()
	an := e.analyzer.Analyze(text, prev)
	res := Result{Analysis: an, Decision: Menu}
	keys := filterKeys(an.Words, an.Keys)
	if an.SmallTalk != "" || len(keys) == 0 {
		res.Elapsed = time.Since(start)
		return res, nil
	}
	sc := e.scratch.Get().(*matchScratch)
	defer e.scratch.Put(sc)
	var qvec []float32
	if e.keyed != nil {
		sc.qvec = e.keyed.EmbedKeysInto(sc.qvec, keys)
		qvec = sc.qvec
	} else {
		vecs, err := e.embedder.Embed(ctx, []string{an.Text})
		if err != nil {
			return res, fmt.Errorf("embed message: %w", err)
		}
		qvec = vecs[0]
	}
	sc.lexq.start(keys)
	intent, cued := intentOf(an.Words, an.Keys)
	res.Intent = intent
	cands, err := e.rank(ctx, sc, qvec, cued)
	if err != nil {
		return res, err
	}
	if len(cands) > 0 && familyIntent(intent, an.Words, an.Keys) {
		if cands, err = e.familyFirst(ctx, sc, cands, intent, qvec, cued); err != nil {
			return res, err
		}
	}
	cands = slices.Clone(cands[:min(len(cands), MaxCandidates)])
	res.Candidates = cands
	scores := make([]float32, len(cands))
	for i, c := range cands {
		scores[i] = c.Score
	}
	res.Decision = e.thresholds.Decide(scores)
	if res.Decision == Direct && len(cands) > 0 && cands[0].Sibling {
		res.Decision = Choose // the family's member for the intent, inferred: confirmed, not assumed
	}
	if res.Decision == Direct && len(keys) > longMessage {
		// A whole story matches many services a little; the best of them
		// is offered to confirm, not taken for granted.
		res.Decision = Choose
	}
	if slices.Contains(keys, elsewhereKey) && res.Decision == Direct {
		res.Decision = Choose // "lost my phone on the train": confirmed, not assumed
	}
	if elsewhere := slices.Contains(keys, elsewhereKey); res.Decision != Direct && len(cands) > 0 &&
		(elsewhere && cands[0].Lexical < strongLexical || cands[0].Lexical < weakLexical && len(keys) >= 2 && 2*e.lex.known(keys) <= len(keys)) {
		// The message is about a topic served elsewhere ("gold rate
		// today", "biryani recipe"), or most of its words are none the
		// catalogue uses ("capital of France"): a shared word is not a
		// reason to offer services. The menu, with a word on what mitra
		// helps with.
		res.Decision, res.OutOfScope = Menu, true
	}
	if res.Decision == Direct && len(keys) == 1 && e.lex.generic(keys[0]) {
		// One word shared by a family of services ("pension", "bill"):
		// however well it matches one alias, the citizen should pick.
		res.Decision = Choose
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// weakLexical is a best match too weak to stand against a message whose
// words the catalogue mostly does not know: below it such a message is out
// of scope; above it (a shorthand "dl renw krna h" that matches its
// service well) the matches stand.
const weakLexical = 0.5

// strongLexical is a best match strong enough to stand against a word of a
// topic served elsewhere: "lost my phone on the train, police complaint"
// is still offered its service, "gold rate entha" is not.
const strongLexical = 0.7

// familyIntent reports whether the message's intent is clear enough to
// move within a family. A status check needs a follow-up ("applied six
// weeks ago and heard nothing"), since a bare "not" also describes a
// problem. Correcting and cancelling are said with verbs ("marchali",
// "हटाना") that name no kind of service, so only the family can place
// them. Complaints, payments and bookings are nouns of their own kind
// ("ticket", "slot") and already lift those kinds (cueBoost); applying
// and asking are what most messages do. Those never move a match.
func familyIntent(intent catalog.Intent, words, keys []string) bool {
	switch intent {
	case catalog.IntentStatus:
		return followUp(words, keys)
	case catalog.IntentCorrect, catalog.IntentCancel:
		return true
	}
	return false
}

// priorWeight bounds the menu-order bonus: enough to break near-ties,
// never enough to outrank a clearly better match.
const priorWeight = 0.02

// menuPrior gives each service a bonus from its department's place in the
// menu and its own place in the department, both most-used first.
func menuPrior(cat *catalog.Catalog) []float32 {
	rank := make(map[string]int, len(cat.Departments))
	for i, d := range cat.Departments {
		rank[d.ID] = i
	}
	pos := map[string]int{}
	out := make([]float32, len(cat.Services))
	for i, s := range cat.Services {
		within := pos[s.Department]
		pos[s.Department]++
		dept := 1 - float32(rank[s.Department])/float32(len(cat.Departments))
		svc := 1 - float32(min(within, 10))/10
		out[i] = priorWeight * dept * svc
	}
	return out
}

// idScorer is implemented by indexes that can score given ids directly.
type idScorer interface {
	ScoreIDs(ctx context.Context, q []float32, ids []string) ([]float32, error)
}

func (e *Engine) candidate(i int, lex, vec float32, cued kindSet) Candidate {
	if vec < 0 {
		vec = 0
	}
	score := (1-e.vectorWeight)*lex + e.vectorWeight*vec
	if kind := e.kinds[i]; lex > 0 && cued&kind != 0 {
		score += cueBoost
		if kind == statusKind {
			score += statusBoost - cueBoost
		}
	}
	if lex > 0 {
		score = min(1, score+e.prior[i])
	}
	return Candidate{Service: e.cat.Services[i], Score: score, Lexical: lex, Vector: vec}
}
