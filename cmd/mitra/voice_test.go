package main

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mitra-gov/mitra/internal/testenv"
	"github.com/mitra-gov/mitra/voice"
)

func voiceNoteWebhook(t *testing.T, from, wamid, mediaID string) []byte {
	body := `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
	"metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Ravi"},"wa_id":"` + from + `"}],
	"messages":[{"from":"` + from + `","id":"` + wamid + `","timestamp":"1744344496","type":"audio",
	"audio":{"mime_type":"audio/ogg; codecs=opus","sha256":"x","id":"` + mediaID + `","voice":true}}]}}]}]}`
	return []byte(body)
}

// A signed voice-note webhook: the media is fetched from the (fake) Graph
// API, transcribed by a server speaking the real transcription API, routed
// like typed text, and answered with the service card and a spoken reply:
// an uploaded Ogg/Opus note that ffprobe accepts.
func TestVoiceNoteEndToEnd(t *testing.T) {
	t.Parallel()
	testenv.NeedTools(t, "ffmpeg", "ffprobe", "espeak-ng")
	speech := &voice.FakeSpeechServer{}
	speechSrv := httptest.NewServer(speech)
	t.Cleanup(speechSrv.Close)
	s := newStackWith(t, stackOptions{speechURL: speechSrv.URL, tts: "espeak"})
	notes := []struct {
		file, from, want string
	}{
		{"te-income.ogg", "919000000041", "ఆదాయ ధ్రువీకరణ పత్రం"},
		{"hi-income.ogg", "919000000042", "आय प्रमाण पत्र"},
		{"en-caste.ogg", "919000000043", "Integrated Certificate"},
	}
	for i, n := range notes {
		audio, err := os.ReadFile(filepath.Join("..", "..", "voice", "testdata", n.file))
		if err != nil {
			t.Fatal(err)
		}
		text, _ := os.ReadFile(filepath.Join("..", "..", "voice", "testdata", strings.TrimSuffix(n.file, ".ogg")+".txt"))
		speech.Know(audio, strings.TrimSpace(string(text)))
		mediaID := "190864726989858" + string(rune('0'+i))
		s.fake.AddMedia(mediaID, audio, "audio/ogg; codecs=opus")
		if code := s.postSigned(voiceNoteWebhook(t, n.from, "wamid.VOICE"+string(rune('A'+i)), mediaID)); code != 200 {
			t.Fatalf("%s: webhook %d", n.file, code)
		}
	}
	for _, n := range notes {
		sent := s.waitSent(n.from, 2)
		if len(sent) < 2 {
			t.Fatalf("%s: %d replies", n.file, len(sent))
		}
		if !strings.Contains(string(sent[0].Payload), n.want) {
			t.Errorf("%s: first reply %s", n.file, sent[0].Payload)
		}
		last := sent[len(sent)-1]
		var m struct {
			Type  string `json:"type"`
			Audio struct {
				ID    string `json:"id"`
				Voice bool   `json:"voice"`
			} `json:"audio"`
		}
		json.Unmarshal(last.Payload, &m)
		if m.Type != "audio" || !m.Audio.Voice {
			t.Fatalf("%s: last reply is not a voice note: %s", n.file, last.Payload)
		}
		ogg, mime, ok := s.fake.Media(m.Audio.ID)
		if !ok || mime != "audio/ogg" {
			t.Fatalf("%s: voice note %s not uploaded (%q)", n.file, m.Audio.ID, mime)
		}
		probe := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=codec_name,channels", "-of", "csv=p=0", "-")
		probe.Stdin = bytes.NewReader(ogg)
		if out, err := probe.Output(); err != nil || strings.TrimSpace(string(out)) != "opus,1" {
			t.Errorf("%s: ffprobe says %q, %v", n.file, out, err)
		}
	}
	// The transcription requests carried the file, model, language hint
	// and the catalogue vocabulary prompt.
	for _, r := range speech.Requests {
		if r.Model != "whisper-1" || r.Prompt == "" || r.Bytes == 0 {
			t.Errorf("transcription request %+v", r)
		}
	}
}

// Bad voice notes get a polite reply, never silence or a stuck job.
func TestBadVoiceNotes(t *testing.T) {
	t.Parallel()
	speech := &voice.FakeSpeechServer{}
	speechSrv := httptest.NewServer(speech)
	t.Cleanup(speechSrv.Close)
	s := newStackWith(t, stackOptions{speechURL: speechSrv.URL, voiceMax: 3 * time.Second})
	silence, _ := os.ReadFile(filepath.Join("..", "..", "voice", "testdata", "silence.ogg"))
	long, _ := os.ReadFile(filepath.Join("..", "..", "voice", "testdata", "te-income.ogg")) // 3.6 s, over the 3 s limit
	s.fake.AddMedia("m-corrupt", []byte("OggS but not really"), "audio/ogg; codecs=opus")
	s.fake.AddMedia("m-image", []byte("\x89PNG"), "image/png")
	s.fake.AddMedia("m-long", long, "audio/ogg; codecs=opus")
	s.fake.AddMedia("m-silence", silence[:200], "audio/ogg; codecs=opus") // truncated
	cases := map[string]string{"m-corrupt": "Sorry", "m-image": "Sorry", "m-long": "too long", "m-silence": "Sorry", "m-missing": "Sorry"}
	i := 0
	for media, want := range cases {
		from := "91900000005" + string(rune('0'+i))
		if code := s.postSigned(voiceNoteWebhook(t, from, "wamid.BAD"+media, media)); code != 200 {
			t.Fatal(code)
		}
		sent := s.waitSent(from, 1)
		if len(sent) != 1 || !strings.Contains(string(sent[0].Payload), want) {
			t.Errorf("%s: replies %s, want one containing %q", media, sent, want)
		}
		i++
	}
	// A transcription backend failing twice with 503 is retried.
	audio, _ := os.ReadFile(filepath.Join("..", "..", "voice", "testdata", "en-caste.ogg"))
	speech.Know(audio, "I need a caste certificate")
	speech.FailNext = []int{503, 503}
	s.fake.AddMedia("m-retry", audio, "audio/ogg; codecs=opus")
	s.postSigned(voiceNoteWebhook(t, "919000000059", "wamid.RETRY", "m-retry"))
	if sent := s.waitSent("919000000059", 1); len(sent) == 0 || !strings.Contains(string(sent[0].Payload), "Integrated Certificate") {
		t.Errorf("after two 503s from the speech backend: %s", sent)
	}
	if n := len(speech.Requests); n != 1 {
		t.Errorf("%d successful transcription requests, want 1 (after 2 failures)", n)
	}
}
