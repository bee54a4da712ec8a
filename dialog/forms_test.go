package dialog_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/dialog"
	"github.com/mitra-gov/mitra/internal/testenv"
	"github.com/mitra-gov/mitra/internal/verhoeff"
)

// validAadhaar makes a 12-digit number that passes Verhoeff.
func validAadhaar(body string) string {
	c, _ := verhoeff.CheckDigit(body)
	return body + string(c)
}

// formChat is one citizen filling a form, one message at a time.
type formChat struct {
	*conversation
	effects dialog.Effects
	n       int
}

func newFormChat(t *testing.T, lang catalog.Lang) *formChat {
	c := newConversation(t)
	c.state = dialog.State{Lang: lang, Updated: time.Now()}
	return &formChat{conversation: c}
}

func (c *formChat) tap(id string) []dialog.Reply { return c.step(dialog.Inbound{OptionID: id}) }

func (c *formChat) say(text string) []dialog.Reply { return c.step(dialog.Inbound{Text: text}) }

func (c *formChat) step(in dialog.Inbound) []dialog.Reply {
	c.t.Helper()
	c.n++
	in.MessageID = "m" + string(rune('a'+c.n))
	st, replies, err := c.bot.Step(context.Background(), "9190000000", c.state, in)
	if err != nil {
		c.t.Fatal(err)
	}
	c.last, c.effects = replies, st.Effects
	// The state goes through JSON between messages, as in the database.
	raw, err := json.Marshal(st)
	if err != nil {
		c.t.Fatal(err)
	}
	c.state = dialog.State{}
	if err := json.Unmarshal(raw, &c.state); err != nil {
		c.t.Fatal(err)
	}
	return replies
}

func (c *formChat) expect(substr string) {
	c.t.Helper()
	if !strings.Contains(c.text(), substr) {
		c.t.Fatalf("want %q in:\n%s", substr, c.text())
	}
}

// A Telugu citizen applies for an income certificate: consent first, an
// invalid Aadhaar asked again with the reason, "back", the conditional
// question, an edit from the summary, and the submission.
func TestIncomeCertificateInTelugu(t *testing.T) {
	t.Parallel()
	c := newFormChat(t, catalog.Telugu)
	c.tap("svc:income-certificate")
	if c.options()[0].ID != "apply:income-certificate" {
		t.Fatalf("card offers %+v", c.options())
	}
	c.tap("apply:income-certificate")
	c.expect("మీరు అంగీకరిస్తారా?")
	if c.state.Draft == nil || len(c.state.Draft.Answers) != 0 {
		t.Fatal("nothing may be asked before consent")
	}
	c.tap("consent:yes")
	if c.effects.Consent == nil || !c.effects.Consent.Agreed || c.effects.Consent.NoticeVersion == "" {
		t.Fatalf("consent effect %+v", c.effects.Consent)
	}
	c.expect("దరఖాస్తుదారుని పూర్తి పేరు")
	c.say("రామ లక్ష్మి")
	c.say("వెంకట రావు")
	c.say("31-02-1980")
	c.expect("రోజు-నెల-సంవత్సరం")
	c.say("15-08-2090")
	c.expect("భవిష్యత్తులో")
	c.say("15-08-1980")
	c.expect("ఆధార్")
	c.say("2345 6789 0123")
	c.expect("ఈ ఆధార్ నంబర్ సరిగా లేదు")
	if c.state.Draft.Field != "aadhaar" {
		t.Fatalf("the Aadhaar question must stay on screen, not %q", c.state.Draft.Field)
	}
	aadhaar := validAadhaar("23456789012")
	c.say(aadhaar[:4] + " " + aadhaar[4:8] + " " + aadhaar[8:])
	c.say("వెనక్కి")
	c.expect("ఆధార్")
	c.say(aadhaar)
	c.say("గుంటూరు")
	c.tap("skip") // PIN code is optional
	c.say("1,20,000")
	c.tap("ans:other")
	c.expect("దేనికోసమో రాయండి")
	c.say("బ్యాంకు రుణం కోసం")
	c.expect("సరిచూసుకోండి")
	c.tap("edit")
	c.tap("edit:annual_income")
	c.say("ten thousand")
	c.expect("అంకెల్లో")
	c.say("96000")
	c.expect("96000")
	if c.state.Draft.Answers["annual_income"] != "96000" || c.state.Draft.Answers["purpose_other"] == "" {
		t.Fatalf("answers after edit: %+v", c.state.Draft.Answers)
	}
	c.tap("submit")
	sub := c.effects.Submit
	if sub == nil || sub.Service != "income-certificate" || sub.Answers["aadhaar"] != aadhaar || sub.Answers["date_of_birth"] != "1980-08-15" ||
		sub.Answers["purpose"] != "other" || sub.Key == "" || sub.Lang != "te" {
		t.Fatalf("submission %+v", sub)
	}
	if c.state.Draft != nil {
		t.Error("the draft must be gone once submitted")
	}
	now := time.Now()
	replies := c.bot.Submitted(&c.state, application.Record{Ref: "26123456785", Kind: application.KindApplication, Service: "income-certificate", DueAt: &now})
	if !strings.Contains(replies[0].Text, "2612 3456 785") || !strings.Contains(replies[0].Text, "దరఖాస్తు సంఖ్య") {
		t.Errorf("confirmation: %q", replies[0].Text)
	}
}

// Typed answers work where buttons are shown: a number picks a button,
// "avunu" agrees to the notice.
func TestTypedConsentAndSummary(t *testing.T) {
	t.Parallel()
	c := newFormChat(t, catalog.Telugu)
	c.tap("apply:income-certificate")
	c.say("avunu")
	if c.effects.Consent == nil || !c.effects.Consent.Agreed {
		t.Fatalf("typed agreement: %+v", c.effects.Consent)
	}
	c.fill(nil, "")
	c.say("1") // the summary's first button: submit
	if c.effects.Submit == nil {
		t.Fatalf("a typed 1 on the summary did not submit:\n%s", c.text())
	}
	c = newFormChat(t, catalog.English)
	c.tap("apply:income-certificate")
	c.say("2")
	if c.effects.Consent == nil || c.effects.Consent.Agreed {
		t.Fatalf("a typed 2 (No) must refuse: %+v", c.effects.Consent)
	}
}

// No consent: nothing is collected, and the citizen is told where else to
// apply.
func TestConsentRefused(t *testing.T) {
	t.Parallel()
	c := newFormChat(t, catalog.English)
	c.tap("apply:income-certificate")
	c.tap("consent:no")
	if c.effects.Consent == nil || c.effects.Consent.Agreed {
		t.Fatalf("the refusal must be recorded: %+v", c.effects.Consent)
	}
	if c.state.Draft != nil {
		t.Fatal("a refused consent leaves no draft")
	}
	c.expect("nothing of yours has been collected")
	c.expect("secretariat")
}

// "cancel" anywhere ends the form; a second service asks which to keep;
// a 10,000-character answer is refused politely.
func TestCancelTwoAtOnceAndLongAnswers(t *testing.T) {
	t.Parallel()
	c := newFormChat(t, catalog.Hindi)
	c.tap("apply:income-certificate")
	c.tap("consent:yes")
	c.say(strings.Repeat("क", 10_000))
	c.expect("जवाब बहुत लंबा है")
	c.say("सीता देवी")
	c.tap("apply:old-age-pension")
	c.expect("अभी अधूरा है")
	c.tap("draft:continue")
	c.expect("पिता या पति का नाम")
	c.say("रद्द")
	c.expect("आवेदन रद्द हो गया")
	if c.state.Draft != nil || c.effects.Submit != nil {
		t.Fatal("a cancelled form leaves nothing")
	}
}

// A grievance takes a photo and a location; a file of the wrong kind is
// refused with the reason.
func TestGrievanceWithPhotoAndLocation(t *testing.T) {
	t.Parallel()
	c := newFormChat(t, catalog.Hindi)
	c.tap("apply:power-supply-complaint")
	c.tap("consent:yes")
	c.say("तूफ़ान के बाद से पूरी गली में बिजली नहीं है")
	c.fill(nil, "photo")
	if c.state.Draft == nil || c.state.Draft.Field != "photo" {
		t.Fatal("the grievance form asks no photo")
	}
	c.step(dialog.Inbound{Media: "image", File: &dialog.File{MIME: "image/gif", Problem: dialog.ProblemMediaType}})
	c.expect("JPEG")
	c.step(dialog.Inbound{Media: "image", File: &dialog.File{MIME: "image/jpeg", Size: 1000}})
	if !c.effects.KeepFile {
		t.Fatal("the photo must be kept")
	}
	c.expect("एक और फ़ोटो")
	c.step(dialog.Inbound{Media: "image", File: &dialog.File{MIME: "image/png", Size: 2000}})
	c.tap("skip") // Done
	if c.state.Draft.Field != "location" {
		t.Fatalf("after the photo comes %q", c.state.Draft.Field)
	}
	c.step(dialog.Inbound{Media: "location", Location: &dialog.Location{Latitude: 16.5, Longitude: 80.6, Name: "Ward 12"}})
	c.fill(nil, "")
	c.tap("submit")
	sub := c.effects.Submit
	if sub == nil || len(sub.Media["photo"]) != 2 || !strings.HasPrefix(sub.Answers["location"], "16.5") {
		t.Fatalf("submission %+v", sub)
	}
}

// A reference number: its card for its citizen, "please check" for a
// typo, and nothing of another citizen's.
func TestTrackByReference(t *testing.T) {
	t.Parallel()
	e := testenv.Engine(t)
	ref, _ := application.NewRef(time.Now())
	apps := fakeApps{"9190000000": {{Ref: ref, Service: "income-certificate", Status: application.Accepted, CreatedAt: time.Now()}}}
	bot := dialog.New(dialog.Config{Catalog: e.Catalog(), Matcher: e, Applications: apps})
	st := agreedState(bot)
	s := string(ref)
	_, replies, _ := bot.Step(context.Background(), "9190000000", st, dialog.Inbound{Text: "status of " + s[:4] + "-" + s[4:]})
	if !strings.Contains(replies[0].Text, "Being processed") {
		t.Errorf("status card: %+v", replies)
	}
	typo := []byte(s)
	typo[3] = '0' + (typo[3]-'0'+1)%10
	_, replies, _ = bot.Step(context.Background(), "9190000000", st, dialog.Inbound{Text: string(typo)})
	if !strings.Contains(replies[0].Text, "Please check the number") {
		t.Errorf("typo: %+v", replies)
	}
	_, replies, _ = bot.Step(context.Background(), "9190000001", st, dialog.Inbound{Text: s})
	if strings.Contains(replies[0].Text, "Being processed") || !strings.Contains(replies[0].Text, "found no application") {
		t.Errorf("another citizen's record: %+v", replies)
	}
	_, replies, _ = bot.Step(context.Background(), "9190000000", st, dialog.Inbound{Text: "where is my application?"})
	if len(replies) == 0 || !strings.Contains(replies[0].Text, "Your applications") {
		t.Errorf("where is my application: %+v", replies)
	}
}

type fakeApps map[string][]application.Record

func (f fakeApps) ApplicationsOf(_ context.Context, user string) ([]application.Record, error) {
	return f[user], nil
}

func (f fakeApps) CitizenApplication(_ context.Context, user string, ref application.Ref) (application.Record, error) {
	for _, r := range f[user] {
		if r.Ref == ref {
			return r, nil
		}
	}
	return application.Record{}, context.Canceled
}

// fill answers the questions left with sample answers (or those given by
// field id), up to the summary or the question stopAt.
func (c *formChat) fill(given map[string]string, stopAt string) {
	c.t.Helper()
	for i := 0; c.state.Draft != nil && c.state.Draft.Stage == "question" && c.state.Draft.Field != stopAt; i++ {
		if i > 60 {
			c.t.Fatal("the form never reached its summary")
		}
		_, fields, _ := c.bot.Catalog().FormFor(c.state.Draft.Service)
		var f *catalog.Field
		for _, fl := range fields {
			if fl.ID == c.state.Draft.Field {
				f = fl
			}
		}
		if f == nil {
			c.t.Fatalf("no field %q on screen", c.state.Draft.Field)
		}
		if v, ok := given[f.ID]; ok {
			c.say(v)
			continue
		}
		v, ok := f.Example()
		switch {
		case !ok && f.Required:
			c.t.Fatalf("field %s is required and has no example", f.ID)
		case !ok:
			c.tap("skip")
		case f.Type == "choice" || f.Type == "yes_no":
			c.tap("ans:" + v)
		default:
			c.say(v)
		}
	}
}

// A voice answer that could not be heard is apologised for, and the
// question stays on screen, asked again.
func TestUnheardVoiceAnswerAsksAgain(t *testing.T) {
	t.Parallel()
	c := newFormChat(t, catalog.Telugu)
	c.tap("apply:income-certificate")
	c.tap("consent:yes")
	c.step(dialog.Inbound{Media: "audio", VoiceProblem: "unreadable"})
	c.expect("వాయిస్ మెసేజ్ సరిగ్గా వినపడలేదు")
	c.expect("దరఖాస్తుదారుని పూర్తి పేరు")
	if c.state.Draft == nil || c.state.Draft.Field != "applicant_name" || len(c.state.Draft.Answers) != 0 {
		t.Fatalf("draft after an unheard note: %+v", c.state.Draft)
	}
}

// A record waiting on its citizen does not swallow what is plainly
// something else: "hi" is not the answer to a department's question, a
// typed number after "menu" picks a department rather than rating, and a
// notice left unanswered is not agreed to by a later "ok".
func TestAwaitingTakesOnlyAnswers(t *testing.T) {
	t.Parallel()
	ref, _ := application.NewRef(time.Now())
	c := newFormChat(t, catalog.English)
	c.state.Await(dialog.Awaiting{Kind: dialog.AwaitInfo, Ref: string(ref), Service: "income-certificate", Asked: true})
	c.say("hi")
	if c.effects.Info != nil || c.state.Awaiting == nil {
		t.Fatalf("a greeting was taken as the answer: %+v", c.effects.Info)
	}
	c.say("My ration card number is 2810 4455 12")
	if c.effects.Info == nil || c.state.Awaiting != nil {
		t.Fatalf("the answer was not taken: %+v", c.effects)
	}

	c = newFormChat(t, catalog.English)
	c.state.Await(dialog.Awaiting{Kind: dialog.AwaitRating, Ref: string(ref), Service: "power-supply-complaint", Asked: true})
	c.say("menu")
	c.say("2")
	if c.effects.Rate != nil {
		t.Fatal("a department's number on the menu rated the complaint")
	}

	c = newFormChat(t, catalog.English)
	c.tap("apply:income-certificate")
	c.say("menu")
	c.say("ok")
	if c.effects.Consent != nil || c.state.Draft != nil {
		t.Fatalf("an unanswered notice was agreed to later: %+v %+v", c.effects.Consent, c.state.Draft)
	}
}

// "0" answers a question that takes a number; elsewhere it goes back.
func TestZeroAnswersANumber(t *testing.T) {
	t.Parallel()
	c := newFormChat(t, catalog.English)
	c.tap("apply:income-certificate")
	c.tap("consent:yes")
	c.fill(nil, "annual_income")
	c.say("0")
	if c.state.Draft == nil || c.state.Draft.Answers["annual_income"] != "0" {
		t.Fatalf("0 as an income: %+v", c.state.Draft)
	}
}

// agreedState is a conversation in English whose citizen agreed to the
// notice on first contact, for tests about what comes after it.
func agreedState(bot *dialog.Bot) dialog.State {
	return dialog.State{Lang: catalog.English, Updated: time.Now(),
		Privacy: &dialog.Privacy{Version: bot.NoticeVersion(), Answered: true, Agreed: true, Asked: time.Now()}}
}
