package dialog

import (
	"context"
	"strings"
	"testing"
	"unicode"

	"github.com/mitra-gov/mitra/catalog"
)

// Every message is written in all three languages, in the right script.
func TestEveryMessageInEveryLanguage(t *testing.T) {
	t.Parallel()
	for m := msgWelcome; m < msgCount; m++ {
		for _, l := range catalog.Langs {
			s := texts[m][l]
			if strings.TrimSpace(s) == "" {
				t.Errorf("message %d has no %s text", m, l)
				continue
			}
			want := map[catalog.Lang]*unicode.RangeTable{catalog.Telugu: unicode.Telugu, catalog.Hindi: unicode.Devanagari, catalog.English: unicode.Latin}[l]
			if !strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(want, r) }) {
				t.Errorf("message %d in %s is not in its script: %q", m, l, s)
			}
		}
	}
	for d, names := range deliveryNames {
		for _, l := range catalog.Langs {
			if names[l] == "" {
				t.Errorf("delivery %s has no %s name", d, l)
			}
		}
	}
}

func TestUnsupportedMediaGetsPoliteReply(t *testing.T) {
	t.Parallel()
	bot := New(Config{Catalog: &catalog.Catalog{}})
	st := State{Lang: catalog.Telugu, Screen: ScreenDepartments, Updated: bot.now()}
	_, replies, err := bot.Step(context.Background(), "u", st, Inbound{Media: "sticker"})
	if err != nil {
		t.Fatal(err)
	}
	if len(replies) != 1 || !strings.Contains(replies[0].Text, "క్షమించండి") {
		t.Errorf("sticker reply = %+v", replies)
	}
}

// Words that label buttons fit WhatsApp's 20 characters in every
// language: a cut button reads as a mistake.
func TestButtonWordsFit(t *testing.T) {
	t.Parallel()
	for _, m := range []msg{msgAgree, msgDisagree, msgSkip, msgYes, msgNo, msgSubmit, msgEdit, msgCancel, msgContinue, msgStartNew,
		msgApplyNow, msgComplainNow, msgAnswerInChat, msgDone, msgReopen, msgMainMenu, msgBack, msgFlowButton} {
		for _, l := range catalog.Langs {
			if n := len([]rune(texts[m][l])); n > 20 {
				t.Errorf("button %d in %s has %d characters: %q", m, l, n, texts[m][l])
			}
		}
	}
}
