package voice

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// FakeSpeechServer speaks the OpenAI transcription API
// (POST /v1/audio/transcriptions, multipart) and Bhashini's inference
// pipeline (POST /services/inference/pipeline, JSON), checking requests as
// the real services would. It "recognises" only audio it was told about
// (Known, by SHA-256 of the bytes): it tests plumbing, never recognition.
type FakeSpeechServer struct {
	mu    sync.Mutex
	known map[[32]byte]string
	// Bhashini answers every ASR request with this transcript.
	BhashiniText string
	// Requests records what each transcription request carried.
	Requests []FakeSpeechRequest
	// FailNext makes the next requests answer these HTTP statuses.
	FailNext []int
}

// FakeSpeechRequest is what the fake saw.
type FakeSpeechRequest struct {
	Model, Language, Prompt, Filename string
	Bytes                             int
}

// Know registers the transcript for some audio.
func (f *FakeSpeechServer) Know(audio []byte, text string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.known == nil {
		f.known = map[[32]byte]string{}
	}
	f.known[sha256.Sum256(audio)] = text
}

func (f *FakeSpeechServer) fail(w http.ResponseWriter) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.FailNext) == 0 {
		return false
	}
	status := f.FailNext[0]
	f.FailNext = f.FailNext[1:]
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"message":"fake failure %d","type":"server_error","param":null,"code":null}}`, status)
	return true
}

func (f *FakeSpeechServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/audio/transcriptions":
		f.openAI(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/services/inference/pipeline":
		f.bhashini(w, r)
	default:
		http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
	}
}

func (f *FakeSpeechServer) openAI(w http.ResponseWriter, r *http.Request) {
	if f.fail(w) {
		return
	}
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		http.Error(w, `{"error":{"message":"expected multipart/form-data"}}`, http.StatusBadRequest)
		return
	}
	file, header, err := r.FormFile("file")
	model := r.FormValue("model")
	if err != nil || model == "" {
		http.Error(w, `{"error":{"message":"file and model are required"}}`, http.StatusBadRequest)
		return
	}
	data, _ := io.ReadAll(file)
	f.mu.Lock()
	f.Requests = append(f.Requests, FakeSpeechRequest{Model: model, Language: r.FormValue("language"), Prompt: r.FormValue("prompt"), Filename: header.Filename, Bytes: len(data)})
	text := f.known[sha256.Sum256(data)]
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"text": text})
}

func (f *FakeSpeechServer) bhashini(w http.ResponseWriter, r *http.Request) {
	if f.fail(w) {
		return
	}
	var req bhashiniRequest
	if r.Header.Get("Authorization") == "" || json.NewDecoder(r.Body).Decode(&req) != nil || len(req.PipelineTasks) != 1 ||
		req.PipelineTasks[0].TaskType != "asr" || len(req.InputData.Audio) != 1 {
		http.Error(w, `{"detail":"bad request"}`, http.StatusBadRequest)
		return
	}
	wav, err := base64.StdEncoding.DecodeString(req.InputData.Audio[0].AudioContent)
	if err != nil || len(wav) < 44 || string(wav[:4]) != "RIFF" {
		http.Error(w, `{"detail":"audioContent must be base64 WAV"}`, http.StatusBadRequest)
		return
	}
	t := req.PipelineTasks[0].Config
	f.mu.Lock()
	f.Requests = append(f.Requests, FakeSpeechRequest{Model: t.ServiceID, Language: t.Language.SourceLanguage, Bytes: len(wav)})
	text := f.BhashiniText
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"pipelineResponse": []any{map[string]any{"taskType": "asr", "output": []any{map[string]string{"source": text}}}}})
}
