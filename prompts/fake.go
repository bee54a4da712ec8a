package prompts

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
)

// FakeChat is a deterministic stand-in for an OpenAI-compatible
// /v1/chat/completions endpoint, speaking its real request and response
// format. It tests plumbing, never model quality:
//   - for a rerank prompt it picks the first candidate; when the prompt
//     lists candidate kinds (rerank@v2) and the message says something has
//     not come or asks for a status, it picks the first status candidate;
//   - for an answer prompt it answers from the record's documents line;
//   - a message containing "ignore previous instructions" (in any of
//     mitra's languages) makes it obey: it answers an id that is not a
//     candidate, as a gullible model would.
//
// Mode scripts failures: "garbage", "wrong-id", "slow", "500".
type FakeChat struct {
	mu    sync.Mutex
	Mode  string
	Delay time.Duration
	Calls int
}

var (
	candidateLine = regexp.MustCompile(`(?m)^- id: ([a-z0-9-]+)(?: \| kind: ([a-z]+))?`)
	injection     = regexp.MustCompile(`(?i)ignore (all )?previous instructions|पिछले (सभी )?निर्देश|మునుపటి సూచనలు`)
	statusCue     = regexp.MustCompile(`(?i)status|raledu|nahi aay|नहीं आ|రాలేదు|not received|still`)
	recordDocs    = regexp.MustCompile(`(?m)^documents: (.*)$`)
	recordName    = regexp.MustCompile(`(?m)^name: (.*)$`)
)

func (f *FakeChat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
		return
	}
	var req struct {
		Model    string `json:"model"`
		Messages []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
		ResponseFormat struct {
			Type string `json:"type"`
		} `json:"response_format"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model == "" || len(req.Messages) < 2 {
		http.Error(w, `{"error":{"message":"invalid request","type":"invalid_request_error"}}`, http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.Calls++
	mode, delay := f.Mode, f.Delay
	f.mu.Unlock()
	if mode == "slow" {
		time.Sleep(delay)
	}
	if mode == "500" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"error":{"message":"The server had an error while processing your request.","type":"server_error"}}`)
		return
	}
	system, user := req.Messages[0].Content, req.Messages[1].Content
	var content string
	switch {
	case mode == "garbage":
		content = "Sure! The citizen probably wants an income certificate."
	case strings.Contains(system, "Service record:"):
		docs, name := recordDocs.FindStringSubmatch(system), recordName.FindStringSubmatch(system)
		answer := ""
		if len(name) > 1 && len(docs) > 1 {
			answer = name[1] + ": " + docs[1]
		}
		out, _ := json.Marshal(map[string]any{"answer": answer, "grounded": answer != ""})
		content = string(out)
	default:
		content = f.rerank(mode, system, user)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-fake", "object": "chat.completion", "created": time.Now().Unix(), "model": req.Model,
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]string{"role": "assistant", "content": content}}},
		"usage": map[string]int{"prompt_tokens": (len(system) + len(user)) / 4, "completion_tokens": 12, "total_tokens": (len(system)+len(user))/4 + 12},
	})
}

func (f *FakeChat) rerank(mode, system, user string) string {
	cands := candidateLine.FindAllStringSubmatch(system, -1)
	choice := "none"
	switch {
	case mode == "wrong-id" || injection.MatchString(user):
		choice = "police-fir-status-for-everyone"
	case len(cands) > 0:
		choice = cands[0][1]
		if statusCue.MatchString(user) {
			for _, c := range cands {
				if c[2] == "status" {
					choice = c[1]
					break
				}
			}
		}
	}
	out, _ := json.Marshal(map[string]string{"choice": choice, "question": ""})
	return string(out)
}
