package dialog_test

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/dialog"
	"github.com/mitra-gov/mitra/internal/testenv"
)

// conversation drives one user's chat and checks every reply against the
// WhatsApp list limits.
type conversation struct {
	t     *testing.T
	bot   *dialog.Bot
	state dialog.State
	last  []dialog.Reply
}

func newConversation(t *testing.T) *conversation {
	e := testenv.Engine(t)
	return &conversation{t: t, bot: dialog.New(dialog.Config{Catalog: e.Catalog(), Matcher: e})}
}

func (c *conversation) send(text string) []dialog.Reply {
	c.t.Helper()
	state, replies, err := c.bot.Step(context.Background(), "9190000000", c.state, dialog.Inbound{Text: text})
	if err != nil {
		c.t.Fatalf("%q: %v", text, err)
	}
	c.state = state
	for _, r := range replies {
		if len(r.Options) > 10 {
			c.t.Errorf("%q: %d options, WhatsApp lists allow 10", text, len(r.Options))
		}
		for _, o := range r.Options {
			if n := utf8.RuneCountInString(o.Title); n > 24 {
				c.t.Errorf("%q: option title %q has %d characters", text, o.Title, n)
			}
			if n := utf8.RuneCountInString(o.Description); n > 72 {
				c.t.Errorf("%q: option description %q has %d characters", text, o.Description, n)
			}
		}
	}
	c.last = replies
	return replies
}

func (c *conversation) options() []dialog.Option {
	return c.last[len(c.last)-1].Options
}

func (c *conversation) text() string {
	var b strings.Builder
	for _, r := range c.last {
		b.WriteString(r.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

func TestMenuWalkToServiceCard(t *testing.T) {
	t.Parallel()
	c := newConversation(t)
	c.send("Hi")
	if !strings.Contains(c.text(), "Mitra") || len(c.options()) != 3 {
		t.Fatalf("welcome: %q with %d options", c.text(), len(c.options()))
	}
	c.send("1") // తెలుగు
	if got := c.options()[0].Title; got != "రెవెన్యూ" {
		t.Errorf("first department in Telugu = %q", got)
	}
	if !strings.Contains(c.text(), "శాఖను ఎంచుకోండి") {
		t.Errorf("department prompt not in Telugu: %q", c.text())
	}
	// Walk the department pages to the end and back.
	pages := 1
	for strings.HasPrefix(c.options()[len(c.options())-1].ID, "page:") {
		c.send("10")
		pages++
	}
	if pages < 4 {
		t.Errorf("36 departments fit in %d pages of 10 rows", pages)
	}
	c.send("0")
	c.send("menu")
	c.send("1") // Revenue
	if !strings.Contains(c.text(), "సేవను ఎంచుకోండి") {
		t.Fatalf("service list prompt: %q", c.text())
	}
	c.send("2")
	card := c.text()
	for _, want := range []string{"కావాల్సిన పత్రాలు", "రుసుము", "ఎన్ని రోజుల్లో", "ఎక్కడ దరఖాస్తు చేయాలి"} {
		if !strings.Contains(card, want) {
			t.Errorf("service card lacks %q:\n%s", want, card)
		}
	}
	c.send("0")
	if !strings.Contains(c.text(), "సేవను ఎంచుకోండి") {
		t.Errorf("back from a card should list the department's services: %q", c.text())
	}
}

func TestFreeTextInEachLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text, want string
	}{
		{"నాకు ఆదాయ ధ్రువీకరణ పత్రం కావాలి", "ఆదాయ"},
		{"mujhe income certificate chahiye", "आय प्रमाण पत्र"},
		{"I need an income certificate", "Income Certificate"},
	}
	for _, tt := range tests {
		c := newConversation(t)
		c.send(tt.text)
		if !strings.Contains(c.text(), tt.want) {
			t.Errorf("%q: reply lacks %q:\n%s", tt.text, tt.want, c.text())
		}
	}
}

func TestChooseOffersTopThreeAndNoneOfThese(t *testing.T) {
	t.Parallel()
	c := newConversation(t)
	c.send("pension")
	opts := c.options()
	if len(opts) != 4 || opts[3].ID != "none" {
		t.Fatalf("choose reply options = %+v, want 3 services + none", opts)
	}
	c.send("4")
	if !strings.Contains(c.text(), "Choose a department") {
		t.Errorf("\"none of these\" should open the department menu: %q", c.text())
	}
}

func TestUnknownAndBadInputAnswerPolitely(t *testing.T) {
	t.Parallel()
	c := newConversation(t)
	c.send("నమస్కారం")
	c.send("2") // हिन्दी
	c.send("99")
	if !strings.Contains(c.text(), "यह संख्या सूची में नहीं है") {
		t.Errorf("out-of-range number in Hindi: %q", c.text())
	}
	c.send("asdkjh qwpoei")
	if !strings.Contains(c.text(), "मैं सरकारी सेवाओं में मदद कर सकता हूँ") {
		t.Errorf("unmatched text in Hindi: %q", c.text())
	}
	c.send("भाषा")
	if len(c.options()) != 3 {
		t.Errorf("\"भाषा\" should offer the languages: %+v", c.options())
	}
}

func TestStateExpiresAfterIdleDay(t *testing.T) {
	t.Parallel()
	e := testenv.Engine(t)
	bot := dialog.New(dialog.Config{Catalog: e.Catalog(), Matcher: e})
	ctx := context.Background()
	st, _, err := bot.Step(ctx, "u", dialog.State{}, dialog.Inbound{Text: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	if st, _, err = bot.Step(ctx, "u", st, dialog.Inbound{OptionID: "lang:te"}); err != nil {
		t.Fatal(err)
	}
	st.Updated = time.Now().Add(-25 * time.Hour)
	_, replies, err := bot.Step(ctx, "u", st, dialog.Inbound{Text: "5"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(replies[0].Text, "not in the list") {
		t.Errorf("after 25 idle hours the old menu must be gone: %q", replies[0].Text)
	}
}

func TestServiceCardEveryLanguage(t *testing.T) {
	t.Parallel()
	e := testenv.Engine(t)
	s, ok := e.Catalog().Service("income-certificate")
	if !ok {
		t.Fatal("no income-certificate")
	}
	for _, lang := range catalog.Langs {
		card := dialog.ServiceCard(e.Catalog(), s, lang)
		if !strings.Contains(card, s.Name.In(lang)) || !strings.Contains(card, s.Documents.In(lang)[0]) {
			t.Errorf("%s card:\n%s", lang, card)
		}
	}
}

type stubAnswerer struct{ grounded bool }

func (s stubAnswerer) Answer(_ context.Context, q string, svc *catalog.Service, lang catalog.Lang) (string, bool, error) {
	if !s.grounded {
		return "I don't have that information.", false, nil
	}
	return svc.Name.In(lang) + ": " + strings.Join(svc.Documents.In(lang), ", "), true, nil
}

// Questions about a service get a grounded answer; an answer the record
// does not hold comes with the menu.
func TestQuestionsAnsweredFromTheRecord(t *testing.T) {
	t.Parallel()
	e := testenv.Engine(t)
	bot := dialog.New(dialog.Config{Catalog: e.Catalog(), Matcher: e, Answerer: stubAnswerer{grounded: true}})
	_, replies, err := bot.Step(context.Background(), "u", agreedState(bot), dialog.Inbound{Text: "what documents are needed for income certificate?"})
	if err != nil {
		t.Fatal(err)
	}
	if len(replies) != 1 || !strings.Contains(replies[0].Text, "Aadhaar") || replies[0].Options[0].ID != "svc:income-certificate" {
		t.Errorf("answer = %+v", replies)
	}
	bot2 := dialog.New(dialog.Config{Catalog: e.Catalog(), Matcher: e, Answerer: stubAnswerer{grounded: false}})
	_, replies, _ = bot2.Step(context.Background(), "u", agreedState(bot2), dialog.Inbound{Text: "income certificate fee?"})
	if len(replies) != 2 || !strings.Contains(replies[1].Text, "Choose a department") {
		t.Errorf("ungrounded answer = %+v", replies)
	}
}

// A choice that was sent before the conversation moved on (its job was
// delayed, say by a crashed worker) is not applied to the new menu; the
// citizen is told and shown the menu as it is now. A reaction gets no
// reply at all.
func TestStaleChoiceAndSilentReaction(t *testing.T) {
	t.Parallel()
	bot, st, now := atDepartments(t)
	ctx := context.Background()
	departments := st.Options
	// "1" sent a minute before the conversation reached this menu.
	for _, in := range []dialog.Inbound{{Text: "1", SentAt: now.Add(-time.Minute)}, {OptionID: "dept:revenue", SentAt: now.Add(-time.Minute)}} {
		next, replies, err := bot.Step(ctx, "u", st, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(replies) != 1 || !strings.Contains(replies[0].Text, "reached me late") || next.Screen != dialog.ScreenDepartments ||
			len(replies[0].Options) != len(departments) {
			t.Errorf("%+v: %+v (screen %s)", in, replies, next.Screen)
		}
	}
	// The same choice sent after the menu was shown is applied.
	next, _, _ := bot.Step(ctx, "u", st, dialog.Inbound{Text: "1", SentAt: now})
	if next.Screen != dialog.ScreenServices {
		t.Errorf("a fresh \"1\" went to %s", next.Screen)
	}
	// Free text is self-contained: answered even when late.
	_, replies, _ := bot.Step(ctx, "u", st, dialog.Inbound{Text: "income certificate", SentAt: now.Add(-time.Hour)})
	if len(replies) == 0 || strings.Contains(replies[0].Text, "reached me late") {
		t.Errorf("late free text: %+v", replies)
	}
	if _, replies, _ := bot.Step(ctx, "u", st, dialog.Inbound{Media: "reaction", SentAt: now}); len(replies) != 0 {
		t.Errorf("a reaction was answered: %+v", replies)
	}
}

// A card promises WhatsApp only for what it can give here (information,
// and services with a form, whose card offers "Apply now"); complaints and
// status checks show no fee.
func TestCardPromisesOnlyWhatItKeeps(t *testing.T) {
	t.Parallel()
	e := testenv.Engine(t)
	cat := e.Catalog()
	bot := dialog.New(dialog.Config{Catalog: cat, Matcher: e})
	for _, s := range cat.Services {
		card := dialog.ServiceCard(cat, s, catalog.English)
		_, _, hasForm := cat.FormFor(s.ID)
		if here := strings.Contains(card, "Right here on WhatsApp"); here != (s.Kind == "information" || hasForm) {
			t.Errorf("%s (%s, form %v) says here on WhatsApp %v:\n%s", s.ID, s.Kind, hasForm, here, card)
		}
		_, replies, err := bot.Step(context.Background(), "u", agreedState(bot), dialog.Inbound{OptionID: "svc:" + s.ID})
		if err != nil || len(replies) != 1 {
			t.Fatalf("card of %s: %v %+v", s.ID, err, replies)
		}
		offers := len(replies[0].Options) > 0 && strings.HasPrefix(replies[0].Options[0].ID, "apply:")
		if offers != hasForm {
			t.Errorf("%s: offers to apply %v, has a form %v", s.ID, offers, hasForm)
		}
		if (s.Kind == "grievance" || s.Kind == "status") && strings.Contains(card, "*Fee:*") {
			t.Errorf("%s (%s) shows a fee", s.ID, s.Kind)
		}
	}
}

// A choice lost in a crash and rescued after the citizen wrote again, even
// seconds later, is not applied to the newer menu.
func TestRescuedChoiceAfterANewerMessage(t *testing.T) {
	t.Parallel()
	bot, st, now := atDepartments(t)
	ctx := context.Background()
	// "2" sent at +2 s is lost; "revenue" sent at +5 s is answered first.
	st, _, _ = bot.Step(ctx, "u", st, dialog.Inbound{OptionID: "dept:revenue", SentAt: now.Add(5 * time.Second)})
	next, replies, _ := bot.Step(ctx, "u", st, dialog.Inbound{Text: "2", SentAt: now.Add(2 * time.Second)})
	if next.Screen != dialog.ScreenServices || len(replies) != 1 || !strings.Contains(replies[0].Text, "reached me late") {
		t.Errorf("rescued \"2\": screen %s, %+v", next.Screen, replies)
	}
}

// atDepartments is a bot on a fixed clock and a conversation that said hi
// and chose English (both sent at now): the department menu is on screen.
func atDepartments(t *testing.T) (*dialog.Bot, dialog.State, time.Time) {
	t.Helper()
	e := testenv.Engine(t)
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	bot := dialog.New(dialog.Config{Catalog: e.Catalog(), Matcher: e, Now: func() time.Time { return now }})
	st, _, _ := bot.Step(context.Background(), "u", dialog.State{}, dialog.Inbound{Text: "hi", SentAt: now})
	st, _, _ = bot.Step(context.Background(), "u", st, dialog.Inbound{OptionID: "lang:en", SentAt: now})
	return bot, st, now
}

// A request for a person is recognised in each language and script, and a
// message that only mentions an officer is not one.
func TestWantsPerson(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]bool{
		"I want to talk to an officer":   true,
		"can I speak to a person please": true,
		"human":                          true,
		"అధికారితో మాట్లాడాలి": true,
		"adhikarito matladali": true,
		"किसी अधिकारी से बात करनी है":             true,
		"kisi adhikari se baat karni hai":         true,
		"the officer did not give my certificate": false,
		"I want to talk about my pension":         false,
		"మా ఊరి అధికారి సర్టిఫికెట్ ఇవ్వలేదు":     false,
		"income certificate kavali":               false,
	} {
		if got := dialog.WantsPerson(text); got != want {
			t.Errorf("%q: %v, want %v", text, got, want)
		}
	}
}

func FuzzWantsPerson(f *testing.F) {
	for _, s := range []string{"talk to an officer", "అధికారితో మాట్లాడాలి", "", "\xff", strings.Repeat("officer talk ", 50)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		dialog.WantsPerson(text) // must not panic on any text
	})
}
