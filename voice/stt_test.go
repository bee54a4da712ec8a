package voice

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/internal/openaiapi"
	"github.com/mitra-gov/mitra/internal/testenv"
)

func TestOpenAITranscriberWireFormat(t *testing.T) {
	t.Parallel()
	fake := &FakeSpeechServer{}
	note := read(t, "te-income.ogg")
	fake.Know(note, "నాకు ఆదాయ ధృవీకరణ పత్రం కావాలి")
	srv := httptest.NewServer(fake)
	defer srv.Close()
	tr := NewOpenAITranscriber(openaiapi.New(srv.URL+"/v1", "key", 0), "whisper-1")
	text, err := tr.Transcribe(context.Background(), Audio{Data: note, MIMEType: "audio/ogg; codecs=opus"}, catalog.Telugu, "ఆదాయ ధ్రువీకరణ పత్రం, కుల ధ్రువీకరణ పత్రం")
	if err != nil || text != "నాకు ఆదాయ ధృవీకరణ పత్రం కావాలి" {
		t.Fatalf("transcript %q, %v", text, err)
	}
	got := fake.Requests[0]
	if got.Model != "whisper-1" || got.Language != "te" || !strings.Contains(got.Prompt, "కుల") || got.Bytes != len(note) || !strings.HasSuffix(got.Filename, ".ogg") {
		t.Errorf("request = %+v", got)
	}
	fake.FailNext = []int{503}
	if _, err := tr.Transcribe(context.Background(), Audio{Data: note}, catalog.Telugu, ""); !errors.Is(err, ErrTransient) {
		t.Errorf("503: %v, want transient", err)
	}
	fake.FailNext = []int{400}
	if _, err := tr.Transcribe(context.Background(), Audio{Data: note}, catalog.Telugu, ""); err == nil || errors.Is(err, ErrTransient) {
		t.Errorf("400: %v, want permanent", err)
	}
}

func TestBhashiniTranscriber(t *testing.T) {
	t.Parallel()
	testenv.NeedTools(t, "ffmpeg")
	fake := &FakeSpeechServer{BhashiniText: "मुझे आय प्रमाण पत्र चाहिए"}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	b := &BhashiniTranscriber{URL: srv.URL + "/services/inference/pipeline", APIKey: "k", ServiceID: "ai4bharat/conformer-hi-gpu--t4", Convert: ToWAV16k}
	text, err := b.Transcribe(context.Background(), Audio{Data: read(t, "hi-income.ogg")}, catalog.Hindi, "")
	if err != nil || text != fake.BhashiniText {
		t.Fatalf("%q, %v", text, err)
	}
	if r := fake.Requests[0]; r.Language != "hi" || r.Model != b.ServiceID {
		t.Errorf("request = %+v", r)
	}
	fake.FailNext = []int{500}
	if _, err := b.Transcribe(context.Background(), Audio{Data: read(t, "hi-income.ogg")}, catalog.Hindi, ""); !errors.Is(err, ErrTransient) {
		t.Errorf("500: %v", err)
	}
}
