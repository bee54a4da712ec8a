package prompts

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// LLM calls an OpenAI-compatible chat-completions endpoint for a prompt
// version, with a timeout, a response cache, a daily token budget and a
// circuit breaker: when the model is slow, down or over budget, callers
// get an error at once and keep their deterministic answer.
type LLM struct {
	client  *openai.Client
	model   string // overrides the prompt's model when set
	log     *slog.Logger
	timeout time.Duration
	cache   *lru
	budget  *budget
	breaker *breaker
	stats   Stats
}

// Stats count what the LLM did, for reports.
type Stats struct {
	Calls, CacheHits, Failures, Skipped, Tokens atomic.Int64
}

// LLMConfig configures the client.
type LLMConfig struct {
	// Client speaks to the server (internal/openaiapi builds one); its
	// calls are bounded by Timeout, not by the HTTP client.
	Client      *openai.Client
	Model       string        // "" uses each prompt's model
	Timeout     time.Duration // per call; default 3 s
	DailyTokens int64         // 0 = unlimited
	CacheSize   int           // default 10,000 responses
	Log         *slog.Logger
}

// NewLLM returns a client.
func NewLLM(cfg LLMConfig) *LLM {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Second
	}
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = 10000
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &LLM{client: cfg.Client, model: cfg.Model, log: cfg.Log, timeout: cfg.Timeout,
		cache: newLRU(cfg.CacheSize), budget: &budget{limit: cfg.DailyTokens}, breaker: &breaker{threshold: 5, cooldown: 30 * time.Second}}
}

// Stats returns the counters.
func (l *LLM) Stats() *Stats { return &l.stats }

// Errors that mean "the LLM path was skipped".
var (
	ErrBreakerOpen = errors.New("prompts: circuit breaker open")
	ErrOverBudget  = errors.New("prompts: daily token budget spent")
)

// Call renders nothing itself: it sends system and user text for prompt p
// and returns the schema-validated JSON output. key identifies the input
// for the cache (normalised text, candidate ids).
func (l *LLM) Call(ctx context.Context, p *Prompt, system, user, key string) (map[string]any, error) {
	model := l.model
	if model == "" {
		model = p.Model
	}
	sum := sha256.Sum256([]byte(p.ID() + "\x00" + model + "\x00" + key))
	cacheKey := hex.EncodeToString(sum[:])
	if out, ok := l.cache.get(cacheKey); ok {
		l.stats.CacheHits.Add(1)
		return out, nil
	}
	if !l.breaker.allow() {
		l.stats.Skipped.Add(1)
		return nil, ErrBreakerOpen
	}
	if !l.budget.allow() {
		l.stats.Skipped.Add(1)
		if l.budget.announce() {
			l.log.Warn("LLM daily token budget spent; deterministic answers only until tomorrow", "limit", l.budget.limit)
		}
		return nil, ErrOverBudget
	}
	ctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	start := time.Now()
	l.stats.Calls.Add(1)
	resp, err := l.client.CreateChatCompletion(ctx, openai.ChatCompletionRequest{
		Model:          model,
		Temperature:    p.Temperature,
		MaxTokens:      p.MaxTokens,
		ResponseFormat: &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject},
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: system},
			{Role: openai.ChatMessageRoleUser, Content: user},
		},
	})
	elapsed := time.Since(start)
	if err != nil {
		l.fail()
		l.log.Warn("LLM call failed", "prompt", p.ID(), "model", model, "duration", elapsed, "error", err)
		return nil, fmt.Errorf("%s: %w", p.ID(), err)
	}
	tokens := int64(resp.Usage.TotalTokens)
	l.stats.Tokens.Add(tokens)
	l.budget.spend(tokens)
	l.log.Info("LLM call", "prompt", p.ID(), "model", model, "tokens", tokens, "duration", elapsed)
	if len(resp.Choices) == 0 {
		l.fail()
		return nil, fmt.Errorf("%s: no choices in response", p.ID())
	}
	out, err := p.Schema.Validate([]byte(resp.Choices[0].Message.Content))
	if err != nil {
		l.fail()
		return nil, fmt.Errorf("%s: %w", p.ID(), err)
	}
	l.breaker.success()
	l.cache.put(cacheKey, out)
	return out, nil
}

func (l *LLM) fail() {
	l.stats.Failures.Add(1)
	l.breaker.failure()
}

// breaker opens after threshold consecutive failures and stays open for
// cooldown, so a down model costs nothing while it is down.
type breaker struct {
	mu        sync.Mutex
	threshold int
	cooldown  time.Duration
	fails     int
	openUntil time.Time
}

func (b *breaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return time.Now().After(b.openUntil)
}

func (b *breaker) failure() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fails++
	if b.fails >= b.threshold {
		b.openUntil = time.Now().Add(b.cooldown)
		b.fails = 0
	}
}

func (b *breaker) success() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fails = 0
}

// budget counts tokens per calendar day (UTC).
type budget struct {
	mu        sync.Mutex
	limit     int64
	day       string
	used      int64
	announced string
}

func (b *budget) roll() {
	if d := time.Now().UTC().Format("2006-01-02"); d != b.day {
		b.day, b.used = d, 0
	}
}

func (b *budget) allow() bool {
	if b.limit <= 0 {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll()
	return b.used < b.limit
}

func (b *budget) spend(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll()
	b.used += n
}

// announce reports true once a day, for the log line.
func (b *budget) announce() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.announced == b.day {
		return false
	}
	b.announced = b.day
	return true
}

// lru is a small least-recently-used cache of validated outputs.
type lru struct {
	mu    sync.Mutex
	cap   int
	order *list.List
	items map[string]*list.Element
}

type lruEntry struct {
	key string
	val map[string]any
}

func newLRU(n int) *lru { return &lru{cap: n, order: list.New(), items: map[string]*list.Element{}} }

func (c *lru) get(k string) (map[string]any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*lruEntry).val, true
}

func (c *lru) put(k string, v map[string]any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		e.Value.(*lruEntry).val = v
		c.order.MoveToFront(e)
		return
	}
	c.items[k] = c.order.PushFront(&lruEntry{k, v})
	if c.order.Len() > c.cap {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*lruEntry).key)
	}
}
