// Package dialog is the conversation: greeting, language choice,
// department and service menus, free text through the engine, and the
// service card, in the citizen's language. It is one step: given the
// citizen's state and a message, it returns the new state and the Replies
// that a channel (the terminal, WhatsApp) renders. It keeps nothing and
// does no I/O of its own beyond the collaborators it is given (a Matcher,
// and optionally an Answerer and a CertificateLister).
package dialog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/nlu"
	"github.com/mitra-gov/mitra/retrieval"
)

// Matcher finds services for free text; *retrieval.Engine is one.
type Matcher interface {
	Match(ctx context.Context, text string, prev catalog.Lang) (retrieval.Result, error)
}

// Screen is where the conversation stands.
type Screen string

const (
	ScreenNew         Screen = ""
	ScreenLanguage    Screen = "language"
	ScreenDepartments Screen = "departments"
	ScreenServices    Screen = "services"
	ScreenChoose      Screen = "choose"
	ScreenCard        Screen = "card"
)

// State is one citizen's conversation.
type State struct {
	Lang    catalog.Lang `json:"lang"`
	Screen  Screen       `json:"screen"`
	Dept    string       `json:"dept,omitempty"`
	Page    int          `json:"page,omitempty"`
	Service string       `json:"service,omitempty"`
	// Options are the choices last shown, so that "2" means the second.
	Options []Option  `json:"options,omitempty"`
	Updated time.Time `json:"updated"`
	// LastSent is when the citizen sent the newest message answered so
	// far (WhatsApp's clock, not ours): a choice sent before it was made
	// on a menu that has since changed.
	LastSent time.Time `json:"last_sent,omitzero"`
	// Draft is a form being filled; it outlives an idle conversation
	// until it expires.
	Draft *Draft `json:"draft,omitempty"`
	// Awaiting is what one of the citizen's records waits for from them
	// (an answer to the department's question, a rating); it outlives an
	// idle conversation.
	Awaiting *Awaiting `json:"awaiting,omitempty"`
	// Asked is the word group of the message a "which of these?" on
	// screen answered, so that the citizen's pick (or "none of these")
	// is recorded against it for the review queue.
	Asked string `json:"asked,omitempty"`
	// Privacy is the citizen's answer to the notice on first contact; it
	// outlives an idle conversation.
	Privacy *Privacy `json:"privacy,omitempty"`
	// Effects are what this step asks its caller to do in the same
	// transaction as saving the state (record consent, submit a form,
	// keep a file); they are never saved.
	Effects Effects `json:"-"`
}

// IdleTimeout ends a conversation: after it, a message starts afresh.
const IdleTimeout = 24 * time.Hour

// Option is one selectable row or button.
type Option struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

// Reply is one message to send: text, and optionally choices. Button is
// the label of the button that opens a long list of options. Speech, when
// set, is what to say aloud after it (only for citizens who spoke): the
// service and the next step, never list rows.
type Reply struct {
	Text    string
	Options []Option
	Button  string
	Speech  string
	Lang    catalog.Lang
}

// Inbound is one message from a citizen: typed text, or the id of an
// option they tapped. Media names a kind of message mitra does not read
// yet (image, sticker, location, ...); the text is then ignored.
type Inbound struct {
	Text     string
	OptionID string
	Media    string
	// Voice marks Text as a transcript of a voice note: unsure answers
	// then say what was heard, and the reply is also spoken.
	Voice bool
	// VoiceProblem says why a voice note could not be understood
	// ("too_long", "unreadable", "silent", "unavailable"); the citizen is
	// asked to type or send a shorter note.
	VoiceProblem string
	// SentAt is when the citizen sent it (zero when unknown). A choice
	// sent before the conversation moved on refers to a menu that is no
	// longer on screen, and is not applied.
	SentAt time.Time
	// MessageID is the channel's id of the message: the key that makes
	// a submission it confirms happen once.
	MessageID string
	// File is a photo or document the caller fetched (Media is then
	// "image" or "document"); its Problem says why it cannot be used.
	File *File
	// Location is a shared location (Media "location").
	Location *Location
	// Flow is a completed WhatsApp Flow.
	Flow *FlowDone
}

// File is a photo or a document a citizen sent.
type File struct {
	MIME    string
	Size    int
	Problem string
}

// Location is a place a citizen shared.
type Location struct {
	Latitude, Longitude float64
	Name, Address       string
}

// FlowDone is a Flow the citizen completed: its token, the service the
// token was issued for (empty when the token is unknown, used or another
// citizen's) and the answers.
type FlowDone struct {
	Token, Service string
	Answers        map[string]string
}

// Silent kinds of message get no reply at all: a reaction or a system
// notice is not a request, and every reply costs the state a message.
var silentMedia = map[string]bool{"reaction": true, "system": true}

// Silent reports whether a message gets no reply whatever the
// conversation (a reaction, a system notice): it does not count against
// the citizen's rate either.
func Silent(in Inbound) bool { return silentMedia[in.Media] }

// Answerer answers a question about one service from its catalogue record
// (prompts.Answerer over an LLM); grounded is false when the record does
// not hold the answer.
type Answerer interface {
	Answer(ctx context.Context, question string, s *catalog.Service, lang catalog.Lang) (answer string, grounded bool, err error)
}

// Issued is a certificate issued to the citizen.
type Issued struct {
	ID, ServiceID string
	IssuedOn      time.Time
	Revoked       bool
}

// CertificateLister lists a citizen's certificates.
type CertificateLister interface {
	CertificatesOf(ctx context.Context, user string) ([]Issued, error)
}

// Config is what a Bot works with.
type Config struct {
	Catalog *catalog.Catalog
	Matcher Matcher
	// Answerer, if set, answers questions about a service ("what
	// documents?", "how much is the fee?") instead of showing the whole
	// card.
	Answerer Answerer
	// Certificates, if set, lets "my certificates" list what was issued.
	Certificates CertificateLister
	// Applications, if set, lets citizens track their records.
	Applications ApplicationLister
	// Flows, if set, offers a WhatsApp Flow for filling a form instead of
	// the conversational form.
	Flows bool
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Privacy is what the notice on first contact says that an operator
	// sets (defaults: DefaultGrievanceContact, DefaultBodyDays).
	Privacy PrivacyConfig
}

// The notice's defaults: the state's citizen helpline, and message texts
// kept 90 days (a quarter: long enough for a complaint about an answer to
// be looked into, short enough to hold little).
const (
	DefaultGrievanceContact = "1902 (toll-free)"
	DefaultBodyDays         = 90
)

// Bot runs conversations. It holds no conversation of its own, so one Bot
// serves every citizen, concurrently.
type Bot struct {
	cat      *catalog.Catalog
	matcher  Matcher
	answerer Answerer
	certs    CertificateLister
	apps     ApplicationLister
	flows    bool
	now      func() time.Time
	privacy  PrivacyConfig
	// noticeVersion names the privacy notice's words (NoticeVersion).
	noticeVersion string
	// pageSize is the rows of one list page, navigation rows included
	// (WhatsApp lists hold at most 10 rows).
	pageSize int
}

// New returns a bot.
func New(cfg Config) *Bot {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Privacy.Contact == "" {
		cfg.Privacy.Contact = DefaultGrievanceContact
	}
	if cfg.Privacy.BodyDays <= 0 {
		cfg.Privacy.BodyDays = DefaultBodyDays
	}
	b := &Bot{cat: cfg.Catalog, matcher: cfg.Matcher, answerer: cfg.Answerer, certs: cfg.Certificates, apps: cfg.Applications, flows: cfg.Flows, now: cfg.Now,
		pageSize: 10, privacy: cfg.Privacy}
	b.noticeVersion = b.noticeVersionOf()
	return b
}

// Step answers one inbound message. st is the citizen's state after their
// last message (the zero State for a first message); Step returns the new
// state, which the caller keeps for the next message, and the replies.
func (b *Bot) Step(ctx context.Context, user string, st State, in Inbound) (State, []Reply, error) {
	st.Effects = Effects{}
	if st.Updated.IsZero() || b.now().Sub(st.Updated) > IdleTimeout {
		st = State{Lang: st.Lang, Draft: st.Draft, Awaiting: st.Awaiting, Privacy: st.Privacy}
		if st.Draft == nil && st.Awaiting == nil {
			st.Lang = ""
		}
	}
	if st.Lang == "" {
		st.Lang = catalog.English
	}
	var replies []Reply
	var err error
	switch {
	case silentMedia[in.Media]:
		return st, nil, nil
	case b.staleChoice(st, in):
		replies = []Reply{{Text: t(st.Lang, msgStaleChoice), Options: st.Options}}
		if len(st.Options) == 0 {
			replies = append(replies[:0], Reply{Text: t(st.Lang, msgStaleChoice)})
			replies = append(replies, b.departments(&st, 0)...)
		}
	case in.VoiceProblem != "" && st.Draft != nil && st.Draft.Stage == stageQuestion:
		// The question stays on screen, asked again under the apology.
		replies = b.ask(&st, "")
		replies[0].Text = t(st.Lang, msgVoiceUnclearAnswer) + "\n\n" + replies[0].Text
	case in.VoiceProblem != "":
		msg := msgVoiceUnclear
		if in.VoiceProblem == "too_long" {
			msg = msgVoiceTooLong
		}
		replies = []Reply{{Text: t(st.Lang, msg), Options: st.Options}}
	case in.Media != "" && !b.takesMedia(st, in):
		replies = []Reply{{Text: t(st.Lang, msgUnsupported), Options: st.Options}}
	default:
		replies, err = b.step(ctx, &st, in, user)
		if err != nil {
			return State{}, nil, err
		}
		if in.Voice && len(replies) > 0 {
			replies = b.voiced(st, in.Text, replies)
		}
		if b.needsNotice(&st) {
			replies = append([]Reply{b.noticeReply(&st)}, replies...)
		}
	}
	// Until the citizen agrees to the notice, what they type is used to
	// answer them and then not kept; a request for a person keeps it for
	// the person who will read it.
	st.Effects.Forget = !b.Agreed(st) && st.Effects.Handover == nil
	for i := range replies {
		replies[i].Lang = st.Lang
		if len(replies[i].Options) > 0 {
			replies[i].Button = t(st.Lang, msgOptions)
		}
	}
	st.Updated = b.now()
	if in.SentAt.After(st.LastSent) {
		st.LastSent = in.SentAt
	}
	return st, replies, nil
}

// SlowDown is the one reply a citizen gets, per window, while they send
// faster than the channel answers: in their language, with nothing else
// changed.
func (b *Bot) SlowDown(st State) []Reply {
	lang := st.Lang
	if lang == "" {
		lang = catalog.English
	}
	return []Reply{{Text: t(lang, msgSlowDown), Lang: lang}}
}

// staleChoice reports whether in picks an option (a tap, or a number) but
// was sent before the conversation last moved on: after a delay (a
// crashed worker's job rescued, a queue backlog) it would pick from a menu
// the citizen no longer sees.
func (b *Bot) staleChoice(st State, in Inbound) bool {
	if in.SentAt.IsZero() || !in.SentAt.Before(st.LastSent) {
		return false
	}
	if in.OptionID != "" {
		return true
	}
	n, err := strconv.Atoi(strings.TrimSpace(in.Text))
	return err == nil && n > 0
}

// Option ids carry what they select.
const (
	optLang    = "lang:"
	optDept    = "dept:"
	optService = "svc:"
	optPage    = "page:"
	optBack    = "back"
	optMenu    = "menu"
	optNone    = "none"
)

// navigation words work on every screen, in every script.
var (
	// "start" is not among them: it resumes proactive messages (and
	// shows the menu), see rights.go.
	menuWords = keys("menu", "main menu", "మెనూ", "మెను", "मेनू", "मेन्यू", "restart")
	certWords = keys("my certificates", "my certificate", "certificates", "నా సర్టిఫికెట్లు", "నా సర్టిఫికెట్", "మా సర్టిఫికెట్లు",
		"मेरे प्रमाण पत्र", "मेरे सर्टिफिकेट", "मेरा सर्टिफिकेट", "na certificates", "naa certificates", "mere certificate")
	backWords = keys("0", "back", "వెనక్కి", "वापस", "piche", "venakki")
	langWords = keys("language", "lang", "భాష", "भाषा", "bhasha", "basha", "change language")
)

func keys(words ...string) map[string]bool {
	m := map[string]bool{}
	for _, w := range words {
		m[nlu.PhraseKey(w)] = true
	}
	return m
}

func (b *Bot) step(ctx context.Context, st *State, in Inbound, user string) ([]Reply, error) {
	id := in.OptionID
	text := strings.TrimSpace(in.Text)
	if in.Flow != nil {
		return b.flowDone(st, in), nil
	}
	// A data right is used from anywhere, a form included: "stop" is
	// never a form's answer.
	if replies, ok := b.rights(st, id, text); ok {
		return replies, nil
	}
	if replies, ok := b.alerts(st, id, text); ok {
		return replies, nil
	}
	// An open form or a record waiting on the citizen reads the message
	// first: "2" or "yes" there is an answer, not a menu choice.
	if st.Draft != nil {
		if replies, ok := b.formStep(ctx, st, in, id, text); ok {
			return replies, nil
		}
	}
	if st.Awaiting != nil {
		if replies, ok := b.awaitingStep(ctx, st, in, id, text, user); ok {
			return replies, nil
		}
	}
	if replies, ok := b.recordOption(st, id); ok {
		return replies, nil
	}
	if id == "" {
		// A short number picks from the options last shown; a long one
		// is a reference number, an Aadhaar or a phone number.
		if n, err := strconv.Atoi(text); err == nil && n > 0 && len(text) <= 3 {
			if n > len(st.Options) {
				return []Reply{{Text: t(st.Lang, msgBadNumber), Options: st.Options}}, nil
			}
			id = st.Options[n-1].ID
		}
	}
	if id == "" {
		switch k := nlu.PhraseKey(text); {
		case menuWords[k]:
			id = optMenu
		case backWords[k]:
			id = optBack
		case langWords[k]:
			return b.languageMenu(st), nil
		case certWords[k] && b.certs != nil:
			return b.myCertificates(ctx, st, user)
		case appsWords[k] && b.apps != nil:
			return b.myApplications(ctx, st, user)
		}
		if b.apps != nil {
			switch ref, err := application.FindRef(text); {
			case err == nil:
				return b.statusOf(ctx, st, user, ref)
			case errors.Is(err, application.ErrCheckSum):
				return []Reply{{Text: t(st.Lang, msgRefTypo), Options: st.Options}}, nil
			}
			if asksAboutRecords(strings.Fields(text)) {
				if list, err := b.apps.ApplicationsOf(ctx, user); err == nil && len(list) > 0 {
					return b.myApplications(ctx, st, user)
				}
			}
		}
	}
	if id != "" {
		return b.selectOption(ctx, st, id, user)
	}
	if WantsPerson(text) {
		// To the department of the service or department on screen, or
		// the general queue.
		st.Effects.Handover = &Handover{Department: st.Dept}
		return []Reply{{Text: t(st.Lang, msgHandoverWait)}}, nil
	}
	if st.Screen == ScreenNew {
		// A first message is answered with the welcome; if it also asks
		// for something, the answer follows it.
		if text == "" {
			return b.welcome(st), nil
		}
	}
	return b.freeText(ctx, st, text)
}

// personWords name a person to talk to, and talkWords talking: both make
// a request for a person ("talk to an officer", "అధికారితో మాట్లాడాలి",
// "किसी अधिकारी से बात करनी है"); humanWords are enough alone.
var (
	personWords = keys("officer", "officers", "person", "someone", "staff", "adhikari", "adhikaari", "adhikarito", "adhikaritho",
		"అధికారి", "అధికారితో", "అధికారులతో", "మనిషితో", "अधिकारी", "अफसर", "अफ़सर", "afsar", "insaan", "इंसान", "vyakti", "व्यक्ति")
	talkWords = keys("talk", "speak", "call", "matladali", "matladataanu", "maatladali", "matladalanukuntunna", "మాట్లాడాలి",
		"మాట్లాడతాను", "మాట్లాడాలనుకుంటున్నాను", "baat", "bat", "बात", "baatkarni", "बोलना")
	humanWords = keys("human", "agent", "representative", "customer care", "helpdesk")
)

// IsMenuCommand reports whether a message asks for the main menu, typed
// in any language or tapped: the one thing that hands a conversation held
// by a person back to the bot.
func IsMenuCommand(in Inbound) bool {
	return in.OptionID == optMenu || menuWords[nlu.PhraseKey(in.Text)]
}

// WantsPerson reports whether a message asks to talk to a person rather
// than the bot, in any of the three languages and scripts.
func WantsPerson(text string) bool {
	words := strings.Fields(nlu.Normalize(text))
	if len(words) > 12 {
		return false // a story that mentions an officer is about a service
	}
	person, talk := false, false
	for _, w := range words {
		k := nlu.Key(strings.Trim(w, ".,!?"))
		person = person || personWords[k]
		talk = talk || talkWords[k]
		if humanWords[k] {
			return true
		}
	}
	return person && talk
}

func (b *Bot) selectOption(ctx context.Context, st *State, id, user string) ([]Reply, error) {
	if st.Screen == ScreenChoose && st.Asked != "" {
		// What the citizen picked after a "which of these?": the review
		// queue's answer to which service those words meant.
		a := &Analysis{Decision: DecisionNone, Group: st.Asked}
		if svc, ok := strings.CutPrefix(id, optService); ok {
			a.Decision, a.Service = DecisionChosen, svc
		}
		st.Effects.Analysis, st.Asked = a, ""
	}
	switch {
	case strings.HasPrefix(id, optLang):
		if l, ok := catalog.ParseLang(strings.TrimPrefix(id, optLang)); ok {
			st.Lang = l
		}
		return append([]Reply{{Text: t(st.Lang, msgLanguageSet)}}, b.departments(st, 0)...), nil
	case strings.HasPrefix(id, optDept):
		return b.services(st, strings.TrimPrefix(id, optDept), 0), nil
	case strings.HasPrefix(id, optService):
		return b.card(st, strings.TrimPrefix(id, optService)), nil
	case strings.HasPrefix(id, optApply):
		return b.apply(st, strings.TrimPrefix(id, optApply), false), nil
	case strings.HasPrefix(id, optApplyChat):
		return b.apply(st, strings.TrimPrefix(id, optApplyChat), true), nil
	case strings.HasPrefix(id, optRecord) && b.apps != nil:
		return b.statusOf(ctx, st, user, application.Ref(strings.TrimPrefix(id, optRecord)))
	case strings.HasPrefix(id, optPage):
		n, _ := strconv.Atoi(strings.TrimPrefix(id, optPage))
		if st.Screen == ScreenServices {
			return b.services(st, st.Dept, n), nil
		}
		return b.departments(st, n), nil
	case id == optBack:
		return b.back(st), nil
	case id == optMenu, id == optNone:
		return b.departments(st, 0), nil
	}
	return b.departments(st, 0), nil
}

func (b *Bot) back(st *State) []Reply {
	switch st.Screen {
	case ScreenServices:
		if st.Page > 0 {
			return b.services(st, st.Dept, st.Page-1)
		}
		return b.departments(st, 0)
	case ScreenDepartments:
		if st.Page > 0 {
			return b.departments(st, st.Page-1)
		}
		return b.languageMenu(st)
	case ScreenCard:
		if st.Dept != "" {
			return b.services(st, st.Dept, 0)
		}
	}
	return b.departments(st, 0)
}

func (b *Bot) welcome(st *State) []Reply {
	return append([]Reply{{Text: t(st.Lang, msgWelcome)}}, b.languageMenu(st)...)
}

func (b *Bot) languageMenu(st *State) []Reply {
	st.Screen = ScreenLanguage
	st.Options = nil
	for _, l := range catalog.Langs {
		st.Options = append(st.Options, Option{ID: optLang + string(l), Title: languageNames[l]})
	}
	return []Reply{{Text: t(st.Lang, msgChooseLanguage), Options: st.Options}}
}

// page cuts items into list pages of b.pageSize rows, keeping one row for
// "More" when a further page exists.
func (b *Bot) page(items []Option, n int, lang catalog.Lang) ([]Option, int) {
	per := b.pageSize - 1
	pages := (len(items) + per - 1) / per
	if len(items) <= b.pageSize {
		return items, 0
	}
	n = max(0, min(n, pages-1))
	start := n * per
	end := min(start+per, len(items))
	out := append([]Option{}, items[start:end]...)
	if end < len(items) {
		out = append(out, Option{ID: fmt.Sprintf("%s%d", optPage, n+1), Title: t(lang, msgMore) + " ▶", Description: fmt.Sprintf("%d/%d", n+2, pages)})
	}
	return out, n
}

func (b *Bot) departments(st *State, page int) []Reply {
	var items []Option
	for _, d := range b.cat.Departments {
		items = append(items, Option{ID: optDept + d.ID, Title: d.Short.In(st.Lang), Description: d.Description.In(st.Lang)})
	}
	st.Options, st.Page = b.page(items, page, st.Lang)
	st.Screen, st.Dept, st.Service = ScreenDepartments, "", ""
	return []Reply{{Text: t(st.Lang, msgChooseDepartment), Options: st.Options}}
}

func (b *Bot) services(st *State, deptID string, page int) []Reply {
	d, ok := b.cat.Department(deptID)
	if !ok {
		return b.departments(st, 0)
	}
	var items []Option
	for _, s := range d.Services {
		items = append(items, serviceOption(s, st.Lang))
	}
	st.Options, st.Page = b.page(items, page, st.Lang)
	st.Screen, st.Dept, st.Service = ScreenServices, d.ID, ""
	return []Reply{{Text: t(st.Lang, msgChooseService, d.Name.In(st.Lang)), Options: st.Options}}
}

func serviceOption(s *catalog.Service, lang catalog.Lang) Option {
	return Option{ID: optService + s.ID, Title: s.Short.In(lang), Description: s.Description.In(lang)}
}

func (b *Bot) card(st *State, serviceID string) []Reply {
	s, ok := b.cat.Service(serviceID)
	if !ok {
		return b.departments(st, 0)
	}
	st.Screen, st.Service, st.Dept = ScreenCard, s.ID, s.Department
	st.Options = []Option{{ID: optBack, Title: t(st.Lang, msgBack)}, {ID: optMenu, Title: t(st.Lang, msgMainMenu)}}
	if _, _, ok := b.cat.FormFor(s.ID); ok {
		apply := msgApplyNow
		if s.Kind == "grievance" {
			apply = msgComplainNow
		}
		st.Options = append([]Option{{ID: optApply + s.ID, Title: t(st.Lang, apply)}}, st.Options...)
	}
	return []Reply{{Text: ServiceCard(b.cat, s, st.Lang) + "\n\n" + t(st.Lang, msgCardFooter), Options: st.Options}}
}

// ServiceCard renders what a citizen needs to know about a service.
func ServiceCard(cat *catalog.Catalog, s *catalog.Service, lang catalog.Lang) string {
	fee, sla, where := facts(s, lang, requestableHere(cat, s))
	var b strings.Builder
	fmt.Fprintf(&b, "*%s*\n%s\n\n", s.Name.In(lang), s.Description.In(lang))
	fmt.Fprintf(&b, "*%s*\n%s\n\n", t(lang, msgDocuments), bullets(s.Documents.In(lang)))
	if feeApplies(s) {
		fmt.Fprintf(&b, "*%s:* %s\n", t(lang, msgFee), fee)
	}
	fmt.Fprintf(&b, "*%s:* %s\n", t(lang, msgSLA), sla)
	fmt.Fprintf(&b, "*%s:* %s", t(lang, msgHowToApply), where)
	return b.String()
}

func (b *Bot) freeText(ctx context.Context, st *State, text string) ([]Reply, error) {
	if text == "" {
		return []Reply{{Text: t(st.Lang, msgEmpty), Options: st.Options}}, nil
	}
	res, err := b.matcher.Match(ctx, text, st.Lang)
	if err != nil {
		return nil, fmt.Errorf("match: %w", err)
	}
	if res.Analysis.LangFromText {
		st.Lang = res.Analysis.Lang
	}
	st.Effects.Analysis = analysisOf(res)
	switch res.Analysis.SmallTalk {
	case "greeting":
		return b.welcome(st), nil
	case "thanks":
		return []Reply{{Text: t(st.Lang, msgThanks)}}, nil
	}
	if b.answerer != nil && isQuestion(res.Analysis.Words, res.Analysis.Keys) {
		if replies, ok := b.answer(ctx, st, text, res); ok {
			return replies, nil
		}
	}
	switch res.Decision {
	case retrieval.Direct:
		return b.card(st, res.Candidates[0].Service.ID), nil
	case retrieval.Choose:
		st.Screen = ScreenChoose
		st.Asked = st.Effects.Analysis.Group
		st.Options = nil
		for _, c := range res.Candidates[:min(3, len(res.Candidates))] {
			st.Options = append(st.Options, serviceOption(c.Service, st.Lang))
		}
		st.Options = append(st.Options, Option{ID: optNone, Title: t(st.Lang, msgNoneOfThese)})
		prompt := t(st.Lang, msgDidYouMean)
		if res.Clarification != "" {
			prompt = res.Clarification
		}
		return []Reply{{Text: prompt, Options: st.Options}}, nil
	}
	return append([]Reply{{Text: t(st.Lang, msgNotFound)}}, b.departments(st, 0)...), nil
}

// The decisions recorded for a tap that answers a "which of these?":
// a service picked, or none of them.
const (
	DecisionChosen retrieval.Decision = "chosen"
	DecisionNone   retrieval.Decision = "none"
)

// analysisOf keeps what the console shows of a match: never the words.
func analysisOf(res retrieval.Result) *Analysis {
	a := &Analysis{Decision: res.Decision}
	switch {
	case res.Analysis.Script == nlu.ScriptMixed:
		a.Script = "mixed"
	case res.Analysis.Romanized:
		a.Script = "romanized"
	case res.Analysis.Script == nlu.ScriptTelugu || res.Analysis.Script == nlu.ScriptDevanagari:
		a.Script = "native"
	case res.Analysis.Script == nlu.ScriptLatin:
		a.Script = "latin"
	}
	if len(res.Candidates) > 0 {
		top := res.Candidates[0]
		a.Service, a.Department, a.Score = top.Service.ID, top.Service.Department, top.Score
	}
	for _, c := range res.Candidates[:min(3, len(res.Candidates))] {
		a.Candidates = append(a.Candidates, c.Service.ID)
	}
	keys := slices.Clone(res.Analysis.Keys)
	slices.Sort(keys)
	sum := sha256.Sum256([]byte(strings.Join(slices.Compact(keys), " ")))
	a.Group = hex.EncodeToString(sum[:8])
	return a
}

// myCertificates lists what was issued to this number.
func (b *Bot) myCertificates(ctx context.Context, st *State, user string) ([]Reply, error) {
	list, err := b.certs.CertificatesOf(ctx, user)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return []Reply{{Text: t(st.Lang, msgNoCertificates)}}, nil
	}
	var lines []string
	for _, c := range list {
		name := c.ServiceID
		if s, ok := b.cat.Service(c.ServiceID); ok {
			name = s.Name.In(st.Lang)
		}
		line := fmt.Sprintf("%s — %s (%s)", name, c.ID, c.IssuedOn.Format("02-01-2006"))
		if c.Revoked {
			line += " ✗ " + t(st.Lang, msgRevoked)
		}
		lines = append(lines, line)
	}
	return []Reply{{Text: t(st.Lang, msgYourCertificates) + "\n" + bullets(lines)}}, nil
}

// questionCues are words that ask about a service rather than for it,
// compared as transliteration keys (any script): documents, fee, how
// long, where, eligibility.
var questionCues = keys("documents", "document", "documets", "papers", "patralu", "పత్రాలు", "డాక్యుమెంట్లు", "दस्तावेज़",
	"दस्तावेज", "कागज", "kagaj", "kagaz", "fee", "fees", "charges", "rusumu", "రుసుము", "ఫీజు", "शुल्क", "फीस",
	"days", "rojulu", "రోజులు", "रोज", "दिन", "din", "eligibility", "eligible", "arhata", "అర్హత", "पात्रता", "where", "ekkada",
	"ఎక్కడ", "कहाँ", "kahan", "how", "ela", "ఎలా", "कैसे", "kaise")

func isQuestion(words, keys []string) bool {
	for i, k := range keys {
		if questionCues[k] || strings.HasSuffix(words[i], "?") {
			return true
		}
	}
	return false
}

// answer replies to a question about the service the message names, or
// the one on screen, from its catalogue record. ok is false when there is
// no such service or the answerer failed: the usual reply follows.
func (b *Bot) answer(ctx context.Context, st *State, question string, res retrieval.Result) ([]Reply, bool) {
	var s *catalog.Service
	switch {
	case res.Decision == retrieval.Direct:
		s = res.Candidates[0].Service
	case st.Screen == ScreenCard && st.Service != "":
		s, _ = b.cat.Service(st.Service)
	}
	if s == nil {
		return nil, false
	}
	text, grounded, err := b.answerer.Answer(ctx, question, s, st.Lang)
	if err != nil {
		return nil, false
	}
	if !grounded {
		return append([]Reply{{Text: text}}, b.departments(st, 0)...), true
	}
	st.Screen, st.Service, st.Dept = ScreenCard, s.ID, s.Department
	st.Options = []Option{{ID: optService + s.ID, Title: t(st.Lang, msgFullDetails)}, {ID: optMenu, Title: t(st.Lang, msgMainMenu)}}
	return []Reply{{Text: text, Options: st.Options}}, true
}

// Record is a service's catalogue record in a language, as the dialog
// shows it: what a grounded answer may use.
func Record(cat *catalog.Catalog, s *catalog.Service, lang catalog.Lang) (name, description, documents, fee, sla, where string) {
	fee, sla, where = facts(s, lang, requestableHere(cat, s))
	return s.Name.In(lang), s.Description.In(lang), strings.Join(s.Documents.In(lang), "; "), fee, sla, where
}

// feeApplies is false for complaints and status checks, which cost
// nothing to make and have no fee to show.
func feeApplies(s *catalog.Service) bool { return s.Kind != "grievance" && s.Kind != "status" }

// requestableHere reports whether the chat itself is a place to request
// the service: it has a form, or it is information given right here.
func requestableHere(cat *catalog.Catalog, s *catalog.Service) bool {
	if s.Kind == "information" {
		return true
	}
	_, _, ok := cat.FormFor(s.ID)
	return ok
}

// facts renders a service's fee, time to deliver and places to apply;
// here puts "right here on WhatsApp" first.
func facts(s *catalog.Service, lang catalog.Lang, here bool) (fee, sla, where string) {
	fee = t(lang, msgFeeUnknown)
	switch {
	case s.FeeINR == nil:
	case *s.FeeINR == 0:
		fee = t(lang, msgFree)
	default:
		fee = fmt.Sprintf("₹%d", *s.FeeINR)
	}
	sla = t(lang, msgSLAUnknown)
	switch {
	case s.SLADays == nil:
	case *s.SLADays == 0:
		sla = t(lang, msgSameDay)
	default:
		sla = t(lang, msgDays, *s.SLADays)
	}
	var places []string
	if here {
		places = append(places, deliveryNames["whatsapp"][lang])
	}
	for _, d := range s.Delivery {
		// "Right here on WhatsApp" is a promise only a form (or the
		// information itself) keeps: it is said above or not at all.
		if d == "whatsapp" {
			continue
		}
		if n := deliveryNames[d][lang]; n != "" {
			places = append(places, n)
		}
	}
	return fee, sla, strings.Join(places, ", ")
}

// voiced adapts replies to a citizen who spoke: when mitra is unsure (a
// choice or the menu), the first reply says what it heard so the citizen
// can correct it; and the last reply carries what to say aloud.
func (b *Bot) voiced(st State, heard string, replies []Reply) []Reply {
	var speech string
	switch st.Screen {
	case ScreenCard:
		if s, ok := b.cat.Service(st.Service); ok {
			speech = spokenCard(b.cat, s, st.Lang)
		}
	case ScreenChoose:
		replies[0].Text = t(st.Lang, msgIHeard, heard) + "\n\n" + replies[0].Text
		var names []string
		for _, o := range st.Options {
			if o.ID != optNone {
				names = append(names, o.Title)
			}
		}
		speech = t(st.Lang, msgDidYouMean) + " " + strings.Join(names, ", ")
	default:
		replies[0].Text = t(st.Lang, msgIHeard, heard) + "\n\n" + replies[0].Text
		speech = replies[0].Text
	}
	replies[len(replies)-1].Speech = speech
	return replies
}

// spokenCard is a service card cut to what a listener needs: the service,
// where to apply, how long it takes.
func spokenCard(cat *catalog.Catalog, s *catalog.Service, lang catalog.Lang) string {
	_, _, where := facts(s, lang, requestableHere(cat, s))
	out := s.Name.In(lang) + ". " + t(lang, msgHowToApply) + ": " + where + "."
	if s.SLADays != nil && *s.SLADays > 0 {
		out += " " + t(lang, msgSLA) + ": " + t(lang, msgDays, *s.SLADays) + "."
	}
	return out
}

// Catalog is the catalogue the bot serves.
func (b *Bot) Catalog() *catalog.Catalog { return b.cat }

// HandoverEvent is what happened to a handover, for the citizen's notice.
type HandoverEvent string

// The handover events a citizen is told of.
const (
	HandoverJoined  HandoverEvent = "joined"
	HandoverLeft    HandoverEvent = "left"
	HandoverTimeout HandoverEvent = "timeout"
	HandoverBack    HandoverEvent = "back"
)

// HandoverNotice is what a citizen is told, in their language, when a
// person joins (officer is their name), leaves, never came, or when the
// citizen's "menu" hands the conversation back.
func HandoverNotice(lang catalog.Lang, e HandoverEvent, officer string) string {
	switch e {
	case HandoverJoined:
		return fmt.Sprintf(t(lang, msgHandoverJoined), officer)
	case HandoverLeft:
		return t(lang, msgHandoverLeft)
	case HandoverTimeout:
		return t(lang, msgHandoverTimeout)
	}
	return t(lang, msgHandoverBack)
}
