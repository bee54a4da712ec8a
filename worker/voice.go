package worker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/dialog"
	"github.com/mitra-gov/mitra/voice"
	"github.com/mitra-gov/mitra/whatsapp"
)

// MediaClient fetches and uploads media; *whatsapp.Client is one.
type MediaClient interface {
	Media(ctx context.Context, id string) (whatsapp.MediaInfo, error)
	Download(ctx context.Context, url string, max int64) ([]byte, error)
	UploadMedia(ctx context.Context, data []byte, mimeType, filename string) (string, error)
}

// Voice is what voice notes need. A nil Transcriber means voice notes are
// answered with a request to type; a nil Synthesizer means no spoken
// replies.
type Voice struct {
	Media       MediaClient
	Transcriber voice.Transcriber
	Synthesizer voice.Synthesizer
	// MaxDuration bounds a note's length (default two minutes).
	MaxDuration time.Duration
	prompts     map[catalog.Lang]string
}

// minSpeech is the shortest note that can hold a request.
const minSpeech = 300 * time.Millisecond

// vocabularyPrompt lists the catalogue's most-used service names in a
// language ("" for a new conversation: a few in each): a recognition
// prompt that helps speech-to-text spell them.
func vocabularyPrompt(cat *catalog.Catalog, lang catalog.Lang) string {
	langs, perDept, budget := []catalog.Lang{lang}, 3, 700
	if lang == "" {
		langs, perDept, budget = catalog.Langs, 1, 240
	}
	var names []string
	for _, l := range langs {
		size := 0
	services:
		for _, d := range cat.Departments {
			for i, s := range d.Services {
				if i >= perDept {
					break
				}
				n := s.Short.In(l)
				if size+len(n) > budget {
					break services
				}
				names = append(names, n)
				size += len(n) + 2
			}
		}
	}
	return strings.Join(names, ", ")
}

// hear turns a voice note into what the dialog understands: its
// transcript, or the reason it could not be heard. A transient failure
// (network, a 5xx, a timeout) is returned as an error so the job retries,
// until its last attempt, which answers the citizen instead: a job is
// never stuck and the citizen never left without a reply.
func (w *ProcessWorker) hear(ctx context.Context, lastTry bool, msg whatsapp.Message) (dialog.Inbound, error) {
	v := w.deps.Voice
	if v == nil || v.Transcriber == nil || v.Media == nil {
		return dialog.Inbound{VoiceProblem: "unavailable"}, nil
	}
	if msg.Media == nil || msg.Media.ID == "" {
		return dialog.Inbound{VoiceProblem: "unreadable"}, nil
	}
	retryOr := func(err error, problem string) (dialog.Inbound, error) {
		if !lastTry {
			return dialog.Inbound{}, err
		}
		w.deps.Log.Warn("voice note not heard after retries", "wa_message_id", msg.ID, "error", err)
		return dialog.Inbound{VoiceProblem: problem}, nil
	}
	info, err := v.Media.Media(ctx, msg.Media.ID)
	if err != nil {
		if retryable(err) {
			return retryOr(err, "unavailable")
		}
		return dialog.Inbound{VoiceProblem: "unreadable"}, nil
	}
	mime := strings.ToLower(info.MIMEType)
	if !strings.HasPrefix(mime, "audio/") {
		return dialog.Inbound{VoiceProblem: "unreadable"}, nil
	}
	if info.Size > whatsapp.MaxAudioBytes {
		return dialog.Inbound{VoiceProblem: "too_long"}, nil
	}
	data, err := v.Media.Download(ctx, info.URL, whatsapp.MaxAudioBytes)
	switch {
	case errors.Is(err, whatsapp.ErrMediaTooLarge):
		return dialog.Inbound{VoiceProblem: "too_long"}, nil
	case err != nil && retryable(err):
		return retryOr(err, "unavailable")
	case err != nil:
		return dialog.Inbound{VoiceProblem: "unreadable"}, nil
	}
	if strings.Contains(mime, "ogg") {
		// Opus in Ogg, as WhatsApp records voice notes: the headers give
		// the length without decoding a sample.
		opus, err := voice.ParseOggOpus(data)
		switch {
		case err != nil:
			return dialog.Inbound{VoiceProblem: "unreadable"}, nil
		case opus.Duration > v.maxDuration():
			return dialog.Inbound{VoiceProblem: "too_long"}, nil
		case opus.Duration < minSpeech:
			return dialog.Inbound{VoiceProblem: "silent"}, nil
		}
	}
	// The conversation's language so far is the recognition hint; a
	// failed read only loses the hint.
	conv, _ := w.deps.Store.Conversation(ctx, msg.From)
	lang := conv.Lang
	text, err := v.Transcriber.Transcribe(ctx, voice.Audio{Data: data, MIMEType: info.MIMEType}, lang, v.prompts[lang])
	switch {
	case errors.Is(err, voice.ErrTransient):
		return retryOr(err, "unavailable")
	case err != nil:
		w.deps.Log.Warn("transcription refused", "wa_message_id", msg.ID, "error", err)
		return dialog.Inbound{VoiceProblem: "unreadable"}, nil
	case strings.TrimSpace(text) == "":
		return dialog.Inbound{VoiceProblem: "silent"}, nil
	}
	return dialog.Inbound{Text: text, Voice: true}, nil
}

func (v *Voice) maxDuration() time.Duration {
	if v.MaxDuration > 0 {
		return v.MaxDuration
	}
	return 2 * time.Minute
}

func retryable(err error) bool {
	var se *whatsapp.SendError
	return errors.As(err, &se) && se.Retryable()
}

// speak turns a spoken reply into a voice note: synthesised, uploaded,
// and ready to send to the citizen.
func (w *SendWorker) speak(ctx context.Context, to string, sp whatsapp.Speech) (whatsapp.Outbound, error) {
	v := w.deps.Voice
	if v == nil || v.Synthesizer == nil || v.Media == nil {
		return whatsapp.Outbound{}, errNoSpeech
	}
	lang, _ := catalog.ParseLang(sp.Lang)
	ogg, err := v.Synthesizer.Synthesize(ctx, sp.Text, lang)
	if err != nil {
		return whatsapp.Outbound{}, fmt.Errorf("synthesise reply: %w", err)
	}
	id, err := v.Media.UploadMedia(ctx, ogg, "audio/ogg", "mitra-reply.ogg")
	if err != nil {
		return whatsapp.Outbound{}, fmt.Errorf("upload reply: %w", err)
	}
	return whatsapp.VoiceNote(to, id)
}

var errNoSpeech = errors.New("worker: no speech synthesizer configured")
