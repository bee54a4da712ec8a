package dialog

import (
	"context"
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

// Applying in the chat: a consent notice first, then one question at a
// time in the citizen's language, a polite re-ask with the reason when an
// answer does not fit, "back" and "cancel" anywhere, and a summary to
// confirm, edit or cancel. What must be stored (the consent, the
// submission, a file) is returned as Effects for the caller to do in the
// same transaction as saving the state.

// MaxFiles is how many photos or documents one question takes: a
// complaint may need a few views of the problem.
const MaxFiles = 3

// NoticeVersion names the consent notice's wording; a change of wording
// is a new version, so every consent record says what the citizen read.
const NoticeVersion = "2026-12-v1"

// Draft is a form being filled.
type Draft struct {
	Service string `json:"service"`
	// Stage is where the form stands: consent, question, summary, edit.
	Stage string `json:"stage"`
	// Field is the id of the question on screen.
	Field string `json:"field,omitempty"`
	// Asked are the questions answered so far, in order, for "back".
	Asked   []string          `json:"asked,omitempty"`
	Answers map[string]string `json:"answers,omitempty"`
	// Media are files' inbound message ids by field (a field takes up to
	// MaxFiles).
	Media map[string][]string `json:"media,omitempty"`
	// Editing returns to the summary after the question on screen.
	Editing  bool      `json:"editing,omitempty"`
	Touched  time.Time `json:"touched"`
	Reminded bool      `json:"reminded,omitempty"`
	// Other is a service the citizen asked to apply for while this draft
	// was open: they choose to continue this one or start that one.
	Other string `json:"other,omitempty"`
}

// Draft stages.
const (
	stageConsent  = "consent"
	stageQuestion = "question"
	stageSummary  = "summary"
	stageEdit     = "edit"
	stageOther    = "other"
)

// Awaiting is what a record waits for from its citizen.
type Awaiting struct {
	Kind    string `json:"kind"`
	Ref     string `json:"ref"`
	Service string `json:"service"`
	// Asked is true once the department's question reached the citizen
	// as a message; outside the 24-hour window only a template could
	// say there is one, and their reply first brings the question.
	Asked bool `json:"asked,omitempty"`
}

// Awaiting kinds.
const (
	AwaitInfo   = "info"
	AwaitRating = "rating"
)

// Await makes the citizen's next message answer a record (the store calls
// it when a department asks a question or resolves a grievance).
func (st *State) Await(a Awaiting) { st.Awaiting = &a }

// Effects are what a step asks its caller to store.
type Effects struct {
	// Consent is the citizen's answer to a consent notice.
	Consent *application.Consent
	// Submit is a confirmed form; the caller stores it and appends
	// Bot.Submitted's replies.
	Submit *application.Submission
	// KeepFile keeps the file of this message (it answered a question).
	KeepFile bool
	// Info is the citizen's answer to a department's question.
	Info *Info
	// Rate is a rating of a resolved grievance.
	Rate *Rating
	// Reopen reopens a resolved grievance.
	Reopen application.Ref
	// StartFlow asks for a WhatsApp Flow for this service to be sent.
	StartFlow string
	// Handover asks for a person: the caller opens a handover to this
	// department ("" for the general queue) and the bot goes quiet.
	Handover *Handover
	// Analysis is what the engine made of free text, for the console's
	// dashboard and review queue; nil when nothing was matched (a tap, a
	// form's answer).
	Analysis *Analysis
	// Rights is a use of the citizen's data rights.
	Rights *Rights
	// Subscribe is an opt-in to a topic's alerts.
	Subscribe *Subscription
	// Forget says the message's words are not to be kept once answered:
	// the citizen has not agreed to the notice.
	Forget bool
}

// Handover is a citizen's request to talk to a person.
type Handover struct {
	Department string
}

// Analysis is the engine's reading of one message, without its words.
type Analysis struct {
	// Script is native (Telugu or Devanagari letters), romanized (Telugu
	// or Hindi in Latin letters), mixed (two scripts) or latin (English).
	Script   string
	Decision retrieval.Decision
	// Service is the first candidate ("" when there was none), Department
	// its department and Score its fused score.
	Service    string
	Department string
	Score      float32
	// Group is a hash of the message's sorted words' keys, shared by
	// messages that say the same thing (the review queue groups by it);
	// Candidates are the services offered, best first.
	Group      string
	Candidates []string
}

// Info is an answer to a department's question.
type Info struct {
	Ref  application.Ref
	Text string
	// File is set when the answer is a photo or document (kept with
	// KeepFile).
	File bool
}

// Rating is a citizen's rating, 1 to 5.
type Rating struct {
	Ref   application.Ref
	Stars int
}

// ApplicationLister lets citizens track their records.
type ApplicationLister interface {
	ApplicationsOf(ctx context.Context, user string) ([]application.Record, error)
	// CitizenApplication finds a record by reference only among the
	// citizen's own; another's is not found.
	CitizenApplication(ctx context.Context, user string, ref application.Ref) (application.Record, error)
}

// Option ids of forms and records.
const (
	optApply     = "apply:"
	optApplyChat = "applychat:"
	optConsent   = "consent:"
	optAnswer    = "ans:"
	optSkip      = "skip"
	optSubmit    = "submit"
	optEdit      = "edit"
	optEditOne   = "edit:"
	optCancel    = "cancel"
	optContinue  = "draft:continue"
	optStartNew  = "draft:new"
	optRate      = "rate:"
	optReopen    = "reopen:"
	optRecord    = "ref:"
)

var (
	cancelWords = keys("cancel", "stop", "రద్దు", "రద్దు చేయండి", "ఆపు", "ఆపండి", "radhu", "raddu", "रद्द", "रद्द करें", "बंद करो", "radd", "ruko")
	agreeWords  = keys("i agree", "agree", "ok", "okay", "sare", "సరే", "అంగీకరిస్తున్నాను", "ఒప్పుకుంటున్నాను", "ठीक है", "सहमत", "मैं सहमत हूँ", "theek hai")
	appsWords   = keys("my applications", "my application", "my complaints", "my complaint", "applications", "నా దరఖాస్తులు", "నా దరఖాస్తు",
		"నా ఫిర్యాదులు", "నా ఫిర్యాదు", "naa darakhastulu", "na darakhastu", "मेरे आवेदन", "मेरा आवेदन", "मेरी शिकायतें", "मेरी शिकायत", "mere aavedan", "mera aavedan")
	// recordCues and trackCues together ask about the citizen's own
	// records ("where is my application", "నా దరఖాస్తు ఎక్కడ ఉంది",
	// "मेरी शिकायत का क्या हुआ").
	recordCues = keys("application", "applications", "complaint", "complaints", "request", "darakhastu", "దరఖాస్తు", "దరఖాస్తులు",
		"ఫిర్యాదు", "phiryadu", "firyadu", "आवेदन", "शिकायत", "shikayat", "aavedan", "avedan", "arzi", "अर्ज़ी")
	trackCues = keys("my", "status", "where", "track", "update", "naa", "na", "నా", "ఎక్కడ", "ekkada", "స్థితి", "sthiti", "ఏమైంది",
		"emaindi", "मेरा", "मेरी", "मेरे", "mera", "meri", "mere", "कहाँ", "kahan", "स्थिति", "क्या हुआ", "hua", "kya")
)

// formOf returns a service's form fields, if it can be requested here.
func (b *Bot) formOf(serviceID string) (*catalog.Service, []*catalog.Field, bool) {
	s, ok := b.cat.Service(serviceID)
	if !ok {
		return nil, nil, false
	}
	_, fields, ok := b.cat.FormFor(serviceID)
	return s, fields, ok
}

// visible are the fields asked given the answers so far: a field whose
// condition is not met is skipped.
func visible(fields []*catalog.Field, answers map[string]string) []*catalog.Field {
	var out []*catalog.Field
	for _, f := range fields {
		if f.ShowIf == nil || answers[f.ShowIf.Field] == f.ShowIf.Equals {
			out = append(out, f)
		}
	}
	return out
}

// apply starts (or resumes) a form for a service: a Flow when the number
// has Flows and the citizen did not ask for the chat (inChat).
func (b *Bot) apply(st *State, serviceID string, inChat bool) []Reply {
	s, fields, ok := b.formOf(serviceID)
	if !ok {
		return b.card(st, serviceID)
	}
	if d := st.Draft; d != nil {
		if d.Service == serviceID {
			return b.resume(st)
		}
		if len(d.Answers) > 0 {
			other, _ := b.cat.Service(d.Service)
			d.Stage, d.Other = stageOther, serviceID
			st.Options = []Option{{ID: optContinue, Title: t(st.Lang, msgContinue)}, {ID: optStartNew, Title: t(st.Lang, msgStartNew)}}
			return []Reply{{Text: t(st.Lang, msgDraftOther, nameOf(other, st.Lang)), Options: st.Options}}
		}
	}
	if b.flows && !inChat {
		// The Flow carries its own consent screen. Answering in the chat
		// stays open: a voice note answers a question there, not in a
		// Flow.
		st.Effects.StartFlow = serviceID
		st.Options = []Option{{ID: optApplyChat + serviceID, Title: t(st.Lang, msgAnswerInChat)}}
		return []Reply{{Text: t(st.Lang, msgOrAnswerInChat), Options: st.Options}}
	}
	st.Draft = &Draft{Service: serviceID, Stage: stageConsent, Touched: b.now()}
	st.Options = []Option{{ID: optConsent + "yes", Title: t(st.Lang, msgAgree)}, {ID: optConsent + "no", Title: t(st.Lang, msgDisagree)}}
	return []Reply{{Text: consentNotice(b.cat, s.Name.In(st.Lang), []*catalog.Service{s}, fields, st.Lang), Options: st.Options}}
}

// consentNotice is the purpose-specific notice shown before the first
// personal question: what is asked, for which department (or departments,
// for a Flow shared by services of several), how long it is kept and how
// to withdraw.
func consentNotice(cat *catalog.Catalog, title string, services []*catalog.Service, fields []*catalog.Field, lang catalog.Lang) string {
	var asked []string
	for _, f := range fields {
		asked = append(asked, strings.ToLower(f.Label.In(lang)))
	}
	var depts []string
	for _, s := range services {
		name := s.Department
		if d, ok := cat.Department(s.Department); ok {
			name = d.Name.In(lang)
		}
		if !slices.Contains(depts, name) {
			depts = append(depts, name)
		}
	}
	m := msgConsent
	if len(services) > 0 && services[0].Kind == "grievance" {
		m = msgConsentComplaint
	}
	return t(lang, m, title, strings.Join(asked, ", "), strings.Join(depts, " / "))
}

// FlowConsent is the consent notice and the "I agree" label of the Flow
// of a form, in a language: one Flow serves every service of its form.
func FlowConsent(cat *catalog.Catalog, form *catalog.Form, lang catalog.Lang) (notice, agree string) {
	var services []*catalog.Service
	for _, id := range form.Services {
		if s, ok := cat.Service(id); ok {
			services = append(services, s)
		}
	}
	if len(services) == 0 {
		return "", t(lang, msgAgree)
	}
	_, fields, _ := cat.FormFor(services[0].ID)
	return strings.ReplaceAll(consentNotice(cat, form.Title.In(lang), services, fields, lang), "*", ""), t(lang, msgAgree)
}

func nameOf(s *catalog.Service, lang catalog.Lang) string {
	if s == nil {
		return ""
	}
	return s.Name.In(lang)
}

// FlowIntro is the body of the message that opens a service's Flow, and
// the label of its button.
func FlowIntro(cat *catalog.Catalog, serviceID string, lang catalog.Lang) (body, button string) {
	s, _ := cat.Service(serviceID)
	return t(lang, msgFlowIntro, nameOf(s, lang)), t(lang, msgFlowButton)
}

// resume shows the draft's screen again.
func (b *Bot) resume(st *State) []Reply {
	d := st.Draft
	switch d.Stage {
	case stageConsent:
		st.Draft = nil
		return b.apply(st, d.Service, true)
	case stageSummary, stageEdit:
		return b.summary(st)
	}
	return b.ask(st, "")
}

// consent takes the citizen's answer to the notice.
func (b *Bot) consent(st *State, agreed bool) []Reply {
	d := st.Draft
	if d == nil || d.Stage != stageConsent {
		return b.departments(st, 0)
	}
	st.Effects.Consent = &application.Consent{Service: d.Service, NoticeVersion: NoticeVersion, Channel: "chat", Agreed: agreed}
	if !agreed {
		s, _ := b.cat.Service(d.Service)
		st.Draft = nil
		_, _, where := facts(s, st.Lang, false)
		if where == "" {
			where = deliveryNames["office"][st.Lang]
		}
		st.Options = []Option{{ID: optMenu, Title: t(st.Lang, msgMainMenu)}}
		return []Reply{{Text: t(st.Lang, msgConsentRefused, where), Options: st.Options}}
	}
	d.Stage, d.Answers, d.Media = stageQuestion, map[string]string{}, map[string][]string{}
	return b.ask(st, "")
}

// next is the first visible field not answered yet, or nil when the form
// is complete.
func next(fields []*catalog.Field, d *Draft) *catalog.Field {
	for _, f := range visible(fields, d.Answers) {
		if _, done := d.Answers[f.ID]; !done {
			return f
		}
	}
	return nil
}

// ask puts the next question (with problem, the reason the last answer
// was not taken) on screen, or the summary when every question is
// answered.
func (b *Bot) ask(st *State, problem string) []Reply {
	d := st.Draft
	_, fields, ok := b.formOf(d.Service)
	if !ok {
		st.Draft = nil
		return b.departments(st, 0)
	}
	f := fieldByID(fields, d.Field)
	if f == nil || (problem == "" && len(d.Media[f.ID]) == 0) || d.Answers[f.ID] != "" {
		if f = next(fields, d); f == nil {
			return b.summary(st)
		}
	}
	d.Stage, d.Field = stageQuestion, f.ID
	shown := visible(fields, d.Answers)
	n := 1
	for i, v := range shown {
		if v.ID == f.ID {
			n = i + 1
		}
	}
	var text strings.Builder
	if problem != "" {
		text.WriteString(problemText(st.Lang, problem) + " " + t(st.Lang, msgTryAgain) + "\n\n")
	}
	if n := len(d.Media[f.ID]); n > 0 && problem == "" {
		text.WriteString(t(st.Lang, msgFileAndMore, n, MaxFiles) + "\n\n")
	}
	fmt.Fprintf(&text, "(%d/%d) *%s*", n, len(shown), f.Label.In(st.Lang))
	if h := f.Help.In(st.Lang); h != "" {
		text.WriteString("\n" + h)
	}
	switch f.Type {
	case "photo":
		text.WriteString("\n" + t(st.Lang, msgSendPhoto))
	case "document":
		text.WriteString("\n" + t(st.Lang, msgSendDocument))
	case "location":
		text.WriteString("\n" + t(st.Lang, msgSendLocation))
	}
	text.WriteString("\n\n_" + t(st.Lang, msgFormHint) + "_")
	st.Options = nil
	switch f.Type {
	case "choice":
		for _, c := range f.Choices {
			st.Options = append(st.Options, Option{ID: optAnswer + c.ID, Title: c.Label.In(st.Lang)})
		}
	case "yes_no":
		st.Options = []Option{{ID: optAnswer + "yes", Title: t(st.Lang, msgYes)}, {ID: optAnswer + "no", Title: t(st.Lang, msgNo)}}
	}
	switch {
	case len(d.Media[f.ID]) > 0:
		st.Options = append(st.Options, Option{ID: optSkip, Title: t(st.Lang, msgDone)})
	case !f.Required:
		st.Options = append(st.Options, Option{ID: optSkip, Title: t(st.Lang, msgSkip)})
	}
	return []Reply{{Text: text.String(), Options: st.Options}}
}

func fieldByID(fields []*catalog.Field, id string) *catalog.Field {
	for _, f := range fields {
		if f.ID == id {
			return f
		}
	}
	return nil
}

func problemText(lang catalog.Lang, code string) string {
	if s := problemTexts[code][lang]; s != "" {
		return s
	}
	return problemTexts[catalog.ProblemPattern][lang]
}

// takesMedia reports whether the conversation can use a photo, document
// or location now: a form's question that asks for one, or a
// department's question.
func (b *Bot) takesMedia(st State, in Inbound) bool {
	if in.File == nil && in.Location == nil && in.Flow == nil {
		return false
	}
	if in.Flow != nil || (st.Awaiting != nil && st.Awaiting.Kind == AwaitInfo && in.File != nil) {
		return true
	}
	return st.Draft != nil && st.Draft.Stage == stageQuestion
}

// answer takes the citizen's answer to the question on screen.
func (b *Bot) takeAnswer(st *State, in Inbound, id, text string) []Reply {
	d := st.Draft
	_, fields, _ := b.formOf(d.Service)
	f := fieldByID(fields, d.Field)
	if f == nil {
		return b.ask(st, "")
	}
	if n, err := strconv.Atoi(text); err == nil && id == "" && (f.Type == "choice" || f.Type == "yes_no") && n > 0 && n <= len(st.Options) {
		// A typed number picks the button of that number, "Skip" too.
		id = st.Options[n-1].ID
	}
	value, problem := "", ""
	files := len(d.Media[f.ID])
	switch {
	case id == optSkip && files > 0:
		value = strconv.Itoa(files) // "Done" after the files sent: how many
	case id == optSkip && !f.Required:
	case id == optSkip:
		problem = catalog.ProblemRequired
	case in.File != nil:
		switch {
		case f.Type != "photo" && f.Type != "document":
			problem = catalog.ProblemPattern
		case in.File.Problem != "":
			problem = in.File.Problem
		default:
			d.Media[f.ID] = append(d.Media[f.ID], in.MessageID)
			st.Effects.KeepFile = true
			if files+1 < MaxFiles {
				// The question stays: another photo, or Done.
				return b.ask(st, "")
			}
			value = strconv.Itoa(files + 1)
		}
	case in.Location != nil:
		if f.Type != "location" {
			problem = catalog.ProblemPattern
		} else {
			l := in.Location
			value = strings.TrimSpace(fmt.Sprintf("%.6f,%.6f %s %s", l.Latitude, l.Longitude, l.Name, l.Address))
		}
	case f.Type == "location":
		// No location to share: the typed village and street will do.
		value, problem = f.CheckTypedPlace(text, b.now())
	default:
		if strings.HasPrefix(id, optAnswer) {
			text = strings.TrimPrefix(id, optAnswer)
		}
		value, problem = f.Check(text, b.now())
	}
	if problem != "" {
		return b.ask(st, problem)
	}
	d.Answers[f.ID] = value
	if value == "" {
		delete(d.Media, f.ID)
	}
	d.Asked = append(d.Asked, f.ID)
	// An answer can hide questions answered before (a changed choice):
	// their answers go, so the summary shows only what is asked.
	shown := map[string]bool{}
	for _, v := range visible(fields, d.Answers) {
		shown[v.ID] = true
	}
	for k := range d.Answers {
		if !shown[k] {
			delete(d.Answers, k)
			delete(d.Media, k)
		}
	}
	if d.Editing && next(fields, d) == nil {
		return b.summary(st)
	}
	d.Field = ""
	return b.ask(st, "")
}

// asksNumber reports whether the question on screen takes a number, to
// which "0" is an answer, not "back".
func (b *Bot) asksNumber(d *Draft) bool {
	_, fields, _ := b.formOf(d.Service)
	f := fieldByID(fields, d.Field)
	return f != nil && f.Type == "number"
}

// formBack goes to the previous question, forgetting its answer.
func (b *Bot) formBack(st *State) []Reply {
	d := st.Draft
	if len(d.Asked) == 0 {
		st.Draft = nil
		return b.card(st, d.Service)
	}
	prev := d.Asked[len(d.Asked)-1]
	d.Asked = d.Asked[:len(d.Asked)-1]
	delete(d.Answers, prev)
	delete(d.Media, prev)
	d.Field = prev
	return b.ask(st, "")
}

// summary shows every answer with Submit / Edit / Cancel.
func (b *Bot) summary(st *State) []Reply {
	d := st.Draft
	s, fields, _ := b.formOf(d.Service)
	d.Stage, d.Field, d.Editing = stageSummary, "", false
	var lines []string
	for _, f := range visible(fields, d.Answers) {
		lines = append(lines, f.Label.In(st.Lang)+": "+b.shownAnswer(f, d.Answers[f.ID], st.Lang))
	}
	st.Options = []Option{{ID: optSubmit, Title: t(st.Lang, msgSubmit)}, {ID: optEdit, Title: t(st.Lang, msgEdit)}, {ID: optCancel, Title: t(st.Lang, msgCancel)}}
	return []Reply{{Text: t(st.Lang, msgSummary, nameOf(s, st.Lang)) + "\n\n" + bullets(lines), Options: st.Options}}
}

// shownAnswer is an answer as the citizen reads it: a choice's label, a
// date day first, "(not given)" for a skipped question.
func (b *Bot) shownAnswer(f *catalog.Field, v string, lang catalog.Lang) string {
	switch {
	case v == "":
		return t(lang, msgNotAnswered)
	case f.Type == "choice":
		for _, c := range f.Choices {
			if c.ID == v {
				return c.Label.In(lang)
			}
		}
	case f.Type == "yes_no" && v == "yes":
		return t(lang, msgYes)
	case f.Type == "yes_no":
		return t(lang, msgNo)
	case f.Type == "date":
		if d, err := time.Parse("2006-01-02", v); err == nil {
			return d.Format("02-01-2006")
		}
	case f.Type == "photo" || f.Type == "document":
		if n, err := strconv.Atoi(v); err == nil {
			return t(lang, msgAttached, n)
		}
	}
	return v
}

// editMenu lists the answers to change.
func (b *Bot) editMenu(st *State) []Reply {
	d := st.Draft
	_, fields, _ := b.formOf(d.Service)
	d.Stage = stageEdit
	var items []Option
	for _, f := range visible(fields, d.Answers) {
		items = append(items, Option{ID: optEditOne + f.ID, Title: truncate(f.Label.In(st.Lang), 24), Description: truncate(b.shownAnswer(f, d.Answers[f.ID], st.Lang), 72)})
	}
	st.Options, _ = b.page(items, 0, st.Lang)
	return []Reply{{Text: t(st.Lang, msgWhichEdit), Options: st.Options}}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// editOne asks one question again, then returns to the summary.
func (b *Bot) editOne(st *State, fieldID string) []Reply {
	d := st.Draft
	_, fields, _ := b.formOf(d.Service)
	if fieldByID(fields, fieldID) == nil {
		return b.summary(st)
	}
	delete(d.Answers, fieldID)
	delete(d.Media, fieldID)
	d.Field, d.Editing, d.Stage = fieldID, true, stageQuestion
	return b.ask(st, "")
}

// submit hands the confirmed form to the caller.
func (b *Bot) submit(st *State, in Inbound) []Reply {
	d := st.Draft
	st.Effects.Submit = &application.Submission{Service: d.Service, Key: "chat:" + in.MessageID, Channel: "chat", Lang: string(st.Lang),
		Answers: d.Answers, Media: d.Media}
	st.Draft = nil
	st.Options = nil
	return nil
}

// Submitted is the confirmation of a stored record: its reference number
// and when to expect an answer. The caller appends it to the step's
// replies once the submission is stored.
func (b *Bot) Submitted(st *State, r application.Record) []Reply {
	s, _ := b.cat.Service(r.Service)
	m := msgSubmitted
	if r.Kind == application.KindGrievance {
		m = msgComplaintSubmitted
	}
	due := ""
	if r.DueAt != nil {
		due = t(st.Lang, msgDue, r.DueAt.Format("02-01-2006"))
	}
	st.Screen, st.Service = ScreenCard, r.Service
	st.Options = []Option{{ID: optMenu, Title: t(st.Lang, msgMainMenu)}}
	text := t(st.Lang, m, nameOf(s, st.Lang), r.Ref.String(), due)
	if due == "" {
		text = strings.Replace(text, "\n\n", "\n", 1)
	}
	return []Reply{{Text: text, Options: st.Options, Lang: st.Lang}}
}

// formStep handles a message while a form is open; ok is false when the
// message is not for the form (a menu word: the draft waits).
func (b *Bot) formStep(ctx context.Context, st *State, in Inbound, id, text string) ([]Reply, bool) {
	d := st.Draft
	d.Touched, d.Reminded = b.now(), false
	// Empty maps do not survive the state's JSON (omitempty).
	if d.Answers == nil {
		d.Answers = map[string]string{}
	}
	if d.Media == nil {
		d.Media = map[string][]string{}
	}
	k := nlu.PhraseKey(text)
	if id == "" && d.Stage != stageQuestion {
		// Off the questions, a typed number picks a button, and a typed
		// yes or no answers the consent notice.
		if n, err := strconv.Atoi(text); err == nil && n > 0 && n <= len(st.Options) {
			id = st.Options[n-1].ID
		} else if yn, problem := (&catalog.Field{Type: "yes_no"}).Check(text, b.now()); d.Stage == stageConsent && problem == "" {
			id = optConsent + yn
		} else if d.Stage == stageConsent && agreeWords[k] {
			id = optConsent + "yes"
		}
	}
	switch {
	case id == optCancel || (id == "" && cancelWords[k]):
		st.Draft = nil
		st.Options = []Option{{ID: optMenu, Title: t(st.Lang, msgMainMenu)}}
		return []Reply{{Text: t(st.Lang, msgCancelled), Options: st.Options}}, true
	case d.Stage == stageOther:
		switch id {
		case optContinue:
			d.Other = ""
			d.Stage = stageQuestion
			return b.resume(st), true
		case optStartNew:
			other := d.Other
			st.Draft = nil
			return b.apply(st, other, true), true
		}
		return nil, false
	case strings.HasPrefix(id, optConsent):
		return b.consent(st, id == optConsent+"yes"), true
	case d.Stage == stageConsent:
		// Anything else leaves the notice unanswered: nothing was
		// collected, and a later "ok" must not agree to it.
		st.Draft = nil
		return nil, false
	case id == "" && backWords[k] && d.Stage == stageQuestion && !(text == "0" && b.asksNumber(d)):
		return b.formBack(st), true
	case id == "" && menuWords[k]:
		return nil, false
	case d.Stage == stageQuestion && (id == "" || id == optSkip || strings.HasPrefix(id, optAnswer)):
		return b.takeAnswer(st, in, id, text), true
	case d.Stage == stageSummary && (id == optSubmit || (id == "" && k == nlu.PhraseKey(t(st.Lang, msgSubmit)))):
		return b.submit(st, in), true
	case d.Stage == stageSummary && id == optEdit:
		return b.editMenu(st), true
	case d.Stage == stageEdit && strings.HasPrefix(id, optEditOne):
		return b.editOne(st, strings.TrimPrefix(id, optEditOne)), true
	case d.Stage == stageSummary || d.Stage == stageEdit:
		if id == "" {
			return b.summary(st), true
		}
	}
	return nil, false
}

// awaitingStep takes the citizen's answer to a department's question, or
// their rating of a resolved grievance. What is plainly something else (a
// menu word, a greeting, a reference number) goes its own way.
func (b *Bot) awaitingStep(ctx context.Context, st *State, in Inbound, id, text, user string) ([]Reply, bool) {
	a := st.Awaiting
	k := nlu.PhraseKey(text)
	if id == "" && (menuWords[k] || cancelWords[k] || appsWords[k] || certWords[k]) {
		return nil, false
	}
	if _, err := application.FindRef(text); !errors.Is(err, application.ErrNotRef) {
		return nil, false
	}
	ref := application.Ref(a.Ref)
	switch a.Kind {
	case AwaitInfo:
		if id != "" || (text == "" && in.File == nil) {
			return nil, false
		}
		if !a.Asked && b.apps != nil {
			// The question came as a template: show it, then take the
			// answer.
			if r, err := b.apps.CitizenApplication(ctx, user, ref); err == nil {
				a.Asked = true
				return b.Notice(st, r, application.Event{Status: application.NeedsInformation, Note: r.Question}), true
			}
		}
		if text != "" && in.File == nil {
			if res, err := b.matcher.Match(ctx, text, st.Lang); err == nil && res.Analysis.SmallTalk != "" {
				return nil, false // "hi" or "thanks" is not the answer
			}
		}
		info := &Info{Ref: ref, Text: text}
		if in.File != nil {
			if in.File.Problem != "" {
				return []Reply{{Text: problemText(st.Lang, in.File.Problem) + " " + t(st.Lang, msgTryAgain)}}, true
			}
			info.File, st.Effects.KeepFile = true, true
		}
		st.Effects.Info = info
		st.Awaiting = nil
		return []Reply{{Text: t(st.Lang, msgInfoThanks, ref.String())}}, true
	case AwaitRating:
		if !a.Asked && b.apps != nil && id == "" {
			// The resolution came as a template: the stars now.
			if r, err := b.apps.CitizenApplication(ctx, user, ref); err == nil && r.Status == application.Resolved {
				a.Asked = true
				return b.Notice(st, r, application.Event{Status: application.Resolved}), true
			}
		}
		// A typed number is a rating only while the stars are the options
		// on screen: after "menu", "2" picks a department.
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil || id != "" || n < 1 || n > 5 || !slices.ContainsFunc(st.Options, func(o Option) bool { return strings.HasPrefix(o.ID, optRate) }) {
			return nil, false
		}
		return b.recordOption(st, fmt.Sprintf("%s%s:%d", optRate, a.Ref, n))
	}
	return nil, false
}

// recordOption handles a tap on a record's button (a rating, reopening).
func (b *Bot) recordOption(st *State, id string) ([]Reply, bool) {
	switch {
	case strings.HasPrefix(id, optRate):
		ref, stars, _ := strings.Cut(strings.TrimPrefix(id, optRate), ":")
		n, err := strconv.Atoi(stars)
		if err != nil || n < 1 || n > 5 {
			return nil, false
		}
		st.Effects.Rate = &Rating{Ref: application.Ref(ref), Stars: n}
		st.Awaiting = nil
		return []Reply{{Text: t(st.Lang, msgRated, application.Ref(ref).String())}}, true
	case strings.HasPrefix(id, optReopen):
		ref := application.Ref(strings.TrimPrefix(id, optReopen))
		st.Effects.Reopen = ref
		st.Awaiting = nil
		return []Reply{{Text: t(st.Lang, msgReopened, ref.String())}}, true
	}
	return nil, false
}

// RecordMoved replaces a rating's or reopening's reply when the record
// no longer allows it (the department moved it on, the 7 days passed).
func (b *Bot) RecordMoved(st *State) []Reply {
	return []Reply{{Text: t(st.Lang, msgRecordMoved), Lang: st.Lang}}
}

// myApplications lists the citizen's records.
func (b *Bot) myApplications(ctx context.Context, st *State, user string) ([]Reply, error) {
	list, err := b.apps.ApplicationsOf(ctx, user)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return []Reply{{Text: t(st.Lang, msgNoApplications)}}, nil
	}
	var items []Option
	for _, r := range list {
		s, _ := b.cat.Service(r.Service)
		items = append(items, Option{ID: optRecord + string(r.Ref), Title: truncate(nameOf(s, st.Lang), 24),
			Description: truncate(r.Ref.String()+" · "+StatusName(st.Lang, r.Status), 72)})
	}
	st.Options, _ = b.page(items, 0, st.Lang)
	return []Reply{{Text: t(st.Lang, msgMyApplications), Options: st.Options}}, nil
}

// statusOf answers a reference number: the record's status card, only to
// the citizen who made it.
func (b *Bot) statusOf(ctx context.Context, st *State, user string, ref application.Ref) ([]Reply, error) {
	r, err := b.apps.CitizenApplication(ctx, user, ref)
	if err != nil {
		return []Reply{{Text: t(st.Lang, msgRefUnknown, ref.String())}}, nil
	}
	return []Reply{{Text: StatusCard(b.cat, r, st.Lang)}}, nil
}

// StatusCard renders a record's status for its citizen.
func StatusCard(cat *catalog.Catalog, r application.Record, lang catalog.Lang) string {
	s, _ := cat.Service(r.Service)
	extra := t(lang, msgSubmittedOn, r.CreatedAt.Format("02-01-2006"))
	if r.DueAt != nil && r.Status.Open() {
		extra += "\n" + t(lang, msgDue, r.DueAt.Format("02-01-2006"))
	}
	if r.Status == application.NeedsInformation && r.Question != "" {
		extra += "\n\n" + r.Question
	}
	return t(lang, msgStatusCard, nameOf(s, lang), r.Ref.String(), StatusName(lang, r.Status), extra)
}

// asksAboutRecords reports whether a message asks about the citizen's own
// records ("where is my application").
func asksAboutRecords(words []string) bool {
	record, track := false, false
	for _, w := range words {
		k := nlu.PhraseKey(w)
		record = record || recordCues[k]
		track = track || trackCues[k]
	}
	return record && track
}

// Notice is what a citizen is told of a status change of their record,
// in their language: the text, and for a resolved grievance the rating
// buttons. The state is the citizen's conversation, whose options the
// notice replaces.
func (b *Bot) Notice(st *State, r application.Record, e application.Event) []Reply {
	if a := st.Awaiting; a != nil && a.Ref == string(r.Ref) &&
		((a.Kind == AwaitInfo && e.Status == application.NeedsInformation) || (a.Kind == AwaitRating && e.Status == application.Resolved)) {
		a.Asked = true
	}
	lang := st.Lang
	if lang == "" {
		lang, _ = catalog.ParseLang(r.Lang)
	}
	s, _ := b.cat.Service(r.Service)
	name := nameOf(s, lang)
	switch e.Status {
	case application.NeedsInformation:
		return []Reply{{Text: t(lang, msgNoticeQuestion, name, r.Ref.String(), e.Note), Lang: lang}}
	case application.Resolved:
		st.Options = nil
		for n := 5; n >= 1; n-- {
			st.Options = append(st.Options, Option{ID: fmt.Sprintf("%s%s:%d", optRate, string(r.Ref), n), Title: strings.Repeat("⭐", n), Description: t(lang, msgStars, n)})
		}
		st.Options = append(st.Options, Option{ID: optReopen + string(r.Ref), Title: t(lang, msgReopen)})
		return []Reply{{Text: t(lang, msgRatePrompt, r.Ref.String(), e.Note), Options: st.Options, Button: t(lang, msgOptions), Lang: lang}}
	}
	text := t(lang, msgNoticeStatus, name, r.Ref.String(), StatusName(lang, e.Status))
	if e.Note != "" {
		text += "\n" + e.Note
	}
	return []Reply{{Text: text, Lang: lang}}
}

// DraftReminder and DraftExpired are what the sweep tells a citizen whose
// draft sat idle.
func (b *Bot) DraftReminder(st State) Reply {
	s, _ := b.cat.Service(st.Draft.Service)
	return Reply{Text: t(st.Lang, msgDraftReminder, nameOf(s, st.Lang)), Lang: st.Lang}
}

// DraftExpired tells a citizen their idle draft was deleted.
func (b *Bot) DraftExpired(st State) Reply {
	s, _ := b.cat.Service(st.Draft.Service)
	return Reply{Text: t(st.Lang, msgDraftExpired, nameOf(s, st.Lang)), Lang: st.Lang}
}

// flowDone takes a completed WhatsApp Flow: its answers are checked again
// against the form (they came through the citizen's phone) and submitted
// under the Flow's token, so that the endpoint's submission and this one
// are the same record.
func (b *Bot) flowDone(st *State, in Inbound) []Reply {
	f := in.Flow
	_, fields, ok := b.formOf(f.Service)
	if !ok || f.Token == "" {
		return []Reply{{Text: t(st.Lang, msgFlowInvalid)}}
	}
	answers := map[string]string{}
	for _, fl := range visible(fields, f.Answers) {
		if fl.Type == "photo" || fl.Type == "document" {
			continue // Flow media arrive through the endpoint, not here
		}
		v, problem := fl.Check(f.Answers[fl.ID], b.now())
		if fl.Type == "location" {
			v, problem = fl.CheckTypedPlace(f.Answers[fl.ID], b.now())
		}
		if problem != "" {
			return []Reply{{Text: t(st.Lang, msgFlowInvalid)}}
		}
		answers[fl.ID] = v
	}
	st.Draft = nil
	st.Effects.Submit = &application.Submission{Service: f.Service, Key: "flow:" + f.Token, Channel: "flow", Lang: string(st.Lang), Answers: answers}
	return nil
}
