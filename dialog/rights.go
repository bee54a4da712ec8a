package dialog

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/nlu"
)

// A citizen's rights over their data (India's DPDP Act 2023): the notice
// on first contact, consent and its refusal, stopping and resuming
// proactive messages, erasure and a copy of what is held. The words that
// ask for them work in any state, a form or a held conversation
// included, in the three languages and scripts.

// Privacy is the citizen's answer to the notice on first contact.
type Privacy struct {
	// Version is the notice they were shown; a new version asks again.
	Version string `json:"version"`
	// Answered is false while the notice waits for an answer; Agreed is
	// the answer.
	Answered bool      `json:"answered,omitempty"`
	Agreed   bool      `json:"agreed,omitempty"`
	Asked    time.Time `json:"asked"`
}

// Rights is what a step asks the caller to do about a citizen's data.
type Rights struct {
	// OptOut stops (true) or resumes (false) every proactive message:
	// alerts, reminders, template notices.
	OptOut *bool
	// Erase deletes what mitra holds of the citizen beyond the records a
	// department must keep.
	Erase bool
	// Export sends the citizen a summary of what is held.
	Export bool
}

// PrivacyConfig is what the notice on first contact says that an operator
// sets.
type PrivacyConfig struct {
	// Contact is the grievance officer's contact (a phone number, an
	// e-mail address), the same in every language.
	Contact string
	// BodyDays is how long message texts are kept.
	BodyDays int
}

// noticeAskAgain is how long an unanswered notice waits before it is
// shown again.
const noticeAskAgain = 24 * time.Hour

const (
	optPrivacy = "privacy:"
	optErase   = "erase:"
)

var (
	stopWords = keys("stop", "unsubscribe", "stop all", "stop messages", "opt out", "optout", "ఆపండి", "ఆపు", "ఆపేయండి", "aapandi",
		"apandi", "apu", "aapu", "బంద్", "बंद करो", "बंद", "बंद कीजिए", "रोको", "रोकें", "band karo", "bandh karo", "band", "roko")
	startWords = keys("start", "subscribe", "opt in", "optin", "resume", "ప్రారంభించండి", "మొదలుపెట్టండి", "prarambhinchandi",
		"शुरू करो", "शुरू", "चालू करो", "shuru karo", "shuru", "chalu karo")
	privacyWords = keys("privacy", "privacy notice", "గోప్యత", "gopyata", "निजता", "गोपनीयता", "nijta")
	// dataWords name one's data, eraseWords deleting it, mineWords the
	// citizen: "delete my data", "నా డేటా తొలగించండి", "मेरा डेटा हटाओ".
	// "details" and "information" are left out of dataWords: "my pension
	// details" asks about a service. Erasing takes them (infoWords), as
	// nobody deletes a service.
	dataWords  = keys("data", "డేటా", "డాటా", "डेटा", "डाटा", "deta", "daata")
	infoWords  = keys("information", "details", "info", "personal details", "సమాచారం", "వివరాలు", "जानकारी", "vivaralu", "samacharam", "jankari")
	eraseWords = keys("delete", "erase", "remove", "forget", "deleted", "erased", "removed", "తొలగించండి", "తొలగించు", "తీసేయండి",
		"తీసివేయండి", "డిలీట్", "tholaginchandi", "tolaginchandi", "teeseyandi", "tisiveyandi", "हटाओ", "हटाएं", "हटाइए", "मिटाओ",
		"मिटाएं", "मिटा", "हटा", "डिलीट", "hatao", "hataiye", "mitao", "mita")
	mineWords = keys("my", "me", "mine", "నా", "నాది", "మా", "naa", "na", "मेरा", "मेरी", "मेरे", "mera", "meri", "mere", "hamara")
)

// rightsWords are at most this many words: a longer message is about
// something else ("my data in the ration card is wrong, please correct").
const maxRightsWords = 7

// RightsRequest names what a message asks of the citizen's data rights:
// "stop", "start", "privacy", "erase", "export", or "".
func RightsRequest(text string) string {
	k := nlu.PhraseKey(text)
	switch {
	case stopWords[k]:
		return "stop"
	case startWords[k]:
		return "start"
	case privacyWords[k]:
		return "privacy"
	}
	words := strings.Fields(nlu.Normalize(text))
	if len(words) == 0 || len(words) > maxRightsWords {
		return ""
	}
	var data, info, erase, mine bool
	for _, w := range words {
		w = nlu.PhraseKey(w)
		data, info, erase, mine = data || dataWords[w], info || infoWords[w], erase || eraseWords[w], mine || mineWords[w]
	}
	switch {
	case erase && (data || info && mine):
		return "erase"
	case data && mine:
		return "export"
	}
	return ""
}

// IsRightsCommand reports whether a message uses a data right: like
// "menu", it is answered even while a person holds the conversation.
func IsRightsCommand(in Inbound) bool {
	return strings.HasPrefix(in.OptionID, optPrivacy) || strings.HasPrefix(in.OptionID, optErase) || in.OptionID == catalog.OptionStopAlerts ||
		RightsRequest(in.Text) != ""
}

// NoticeVersion names the notice's wording: a hash of what it says in
// every language, so that changing a word, the grievance contact or the
// retention period is a new version, and every citizen is asked again.
func (b *Bot) NoticeVersion() string { return b.noticeVersion }

// noticeVersionOf hashes the notice's words, once, when the Bot is made:
// every step compares against it.
func (b *Bot) noticeVersionOf() string {
	h := sha256.New()
	for _, l := range catalog.Langs {
		h.Write([]byte(b.privacyNotice(l)))
	}
	return "privacy-" + hex.EncodeToString(h.Sum(nil))[:12]
}

func (b *Bot) privacyNotice(lang catalog.Lang) string {
	return t(lang, msgPrivacyNotice, b.privacy.BodyDays, b.privacy.Contact)
}

// rights answers a message that uses a data right, or reports false.
func (b *Bot) rights(st *State, id, text string) ([]Reply, bool) {
	switch {
	case id == optPrivacy+"yes" || id == optPrivacy+"no":
		agreed := id == optPrivacy+"yes"
		v := b.NoticeVersion()
		st.Privacy = &Privacy{Version: v, Answered: true, Agreed: agreed, Asked: b.now()}
		st.Effects.Consent = &application.Consent{Service: application.ProcessingConsent, NoticeVersion: v, Channel: "chat", Agreed: agreed}
		m := msgPrivacyThanks
		if !agreed {
			m = msgPrivacyRefused
		}
		return append([]Reply{{Text: t(st.Lang, m)}}, b.departments(st, 0)...), true
	case id == optErase+"yes":
		lang, privacy := st.Lang, st.Privacy
		// The conversation starts afresh: nothing of it is kept but the
		// language the citizen reads and the notice they answered.
		*st = State{Lang: lang, Privacy: privacy}
		st.Effects.Rights = &Rights{Erase: true}
		return []Reply{{Text: t(lang, msgErased)}}, true
	case id == catalog.OptionStopAlerts:
		// The button on every alert: STOP in one tap.
		stop := true
		st.Effects.Rights = &Rights{OptOut: &stop}
		return []Reply{{Text: t(st.Lang, msgStopped)}}, true
	case id == optErase+"no":
		return append([]Reply{{Text: t(st.Lang, msgEraseKept)}}, b.departments(st, 0)...), true
	}
	if id != "" {
		return nil, false
	}
	req := RightsRequest(text)
	if req != "" {
		// "ఆపండి" or "मेरा डेटा हटाओ" is answered in its own language,
		// whatever the last screen was in.
		if l, ok := nativeScriptLang(text); ok {
			st.Lang = l
		}
	}
	switch req {
	case "stop":
		stop := true
		st.Effects.Rights = &Rights{OptOut: &stop}
		return []Reply{{Text: t(st.Lang, msgStopped)}}, true
	case "start":
		resume := false
		st.Effects.Rights = &Rights{OptOut: &resume}
		return append([]Reply{{Text: t(st.Lang, msgStarted)}}, b.departments(st, 0)...), true
	case "privacy":
		return []Reply{b.noticeReply(st)}, true
	case "erase":
		st.Options = []Option{{ID: optErase + "yes", Title: t(st.Lang, msgEraseYes)}, {ID: optErase + "no", Title: t(st.Lang, msgEraseNo)}}
		return []Reply{{Text: t(st.Lang, msgEraseConfirm), Options: st.Options}}, true
	case "export":
		st.Effects.Rights = &Rights{Export: true}
		return []Reply{{Text: t(st.Lang, msgExportComing)}}, true
	}
	return nil, false
}

// noticeReply is the notice with its two answers, noted as asked.
func (b *Bot) noticeReply(st *State) Reply {
	v := b.NoticeVersion()
	if st.Privacy == nil || st.Privacy.Version != v || !st.Privacy.Answered {
		st.Privacy = &Privacy{Version: v, Asked: b.now()}
	}
	return Reply{Text: b.privacyNotice(st.Lang), Options: []Option{
		{ID: optPrivacy + "yes", Title: t(st.Lang, msgAgree)}, {ID: optPrivacy + "no", Title: t(st.Lang, msgDisagree)}}}
}

// needsNotice reports whether the notice goes before this step's answer:
// once the citizen's language is known, when they have not answered this
// version, at most once a day while it waits, never inside a form (its
// own notice asked already).
func (b *Bot) needsNotice(st *State) bool {
	if st.Screen == ScreenLanguage || st.Draft != nil || st.Effects.Rights != nil {
		return false
	}
	p := st.Privacy
	switch {
	case p == nil || p.Version != b.NoticeVersion():
		return true
	case p.Answered:
		return false
	}
	return b.now().Sub(p.Asked) >= noticeAskAgain
}

// Agreed reports whether the citizen agreed to the current notice: until
// they do, the words they type are not kept once answered.
func (b *Bot) Agreed(st State) bool {
	return st.Privacy != nil && st.Privacy.Agreed && st.Privacy.Version == b.NoticeVersion()
}

// ExportCaption is the caption of the summary document.
func ExportCaption(lang catalog.Lang) string { return t(lang, msgExportCaption) }

// nativeScriptLang is the language a message's script alone says: all
// Telugu letters, or all Devanagari.
func nativeScriptLang(text string) (catalog.Lang, bool) {
	c := nlu.CountScripts(text)
	switch {
	case c.Telugu > 0 && c.Devanagari == 0 && c.Latin == 0:
		return catalog.Telugu, true
	case c.Devanagari > 0 && c.Telugu == 0 && c.Latin == 0:
		return catalog.Hindi, true
	}
	return "", false
}
