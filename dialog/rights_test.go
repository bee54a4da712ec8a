package dialog_test

import (
	"strings"
	"testing"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/dialog"
	"github.com/mitra-gov/mitra/internal/testenv"
)

// The notice comes once the citizen's language is known, in it, before
// the answer; agreeing records a consent to processing and keeps their
// words, refusing still shows the menus and forgets what they type; in
// each language, both ways.
func TestNoticeOnFirstContact(t *testing.T) {
	t.Parallel()
	langs := []struct {
		tap, officer, menu, refused string
	}{
		{"lang:te", "ఫిర్యాదుల అధికారి: 1902", "శాఖను ఎంచుకోండి", "దాచుకోము"},
		{"lang:hi", "शिकायत अधिकारी: 1902", "विभाग चुनें", "रखा नहीं जाएगा"},
		{"lang:en", "Grievance officer: 1902", "Choose a department", "not kept"},
	}
	for _, l := range langs {
		for _, agree := range []bool{true, false} {
			c := newFormChat(t, "")
			c.state = dialog.State{}
			first := c.say("hi")
			if strings.Contains(first[0].Text, "1902") || !c.effects.Forget {
				t.Fatalf("notice before the language, or words kept: %+v", first)
			}
			replies := c.tap(l.tap)
			if len(replies) < 2 || !strings.Contains(replies[0].Text, l.officer) || replies[0].Options[0].ID != "privacy:yes" {
				t.Fatalf("%s notice: %+v", l.tap, replies)
			}
			answer := "privacy:yes"
			if !agree {
				answer = "privacy:no"
			}
			replies = c.tap(answer)
			con := c.effects.Consent
			if con == nil || con.Service != application.ProcessingConsent || con.Agreed != agree || con.NoticeVersion != c.bot.NoticeVersion() {
				t.Fatalf("%s: consent recorded: %+v", l.tap, con)
			}
			all := ""
			for _, r := range replies {
				all += r.Text + "\n"
			}
			if !strings.Contains(all, l.menu) || !agree && !strings.Contains(all, l.refused) {
				t.Errorf("%s agree=%v: after the answer: %s", l.tap, agree, all)
			}
			replies = c.say("income certificate")
			if strings.Contains(replies[0].Text, "1902") {
				t.Errorf("%s: asked again after an answer: %+v", l.tap, replies[0])
			}
			if c.effects.Forget == agree {
				t.Errorf("%s: agreed %v, forget %v", l.tap, agree, c.effects.Forget)
			}
		}
	}
}

// A new notice (another grievance contact) is a new version: a citizen
// who agreed to the old one is asked again, and their words are not kept
// until they answer.
func TestNewNoticeAsksAgain(t *testing.T) {
	t.Parallel()
	c := newFormChat(t, catalog.English)
	c.state = agreedState(c.bot)
	if r := c.say("income certificate"); strings.Contains(r[0].Text, "Grievance officer") || c.effects.Forget {
		t.Fatalf("agreed citizen asked again: %+v", r[0])
	}
	e := testenv.Engine(t)
	c.bot = dialog.New(dialog.Config{Catalog: e.Catalog(), Matcher: e, Privacy: dialog.PrivacyConfig{Contact: "grievance@rtgs.ap.gov.in"}})
	r := c.say("caste certificate")
	if !strings.Contains(r[0].Text, "grievance@rtgs.ap.gov.in") || !c.effects.Forget {
		t.Fatalf("new version not asked: %+v", r[0])
	}
}

// STOP and START, in each language and in Latin letters, and from inside
// a form: every proactive message stops, or resumes.
func TestStopAndStart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang catalog.Lang
		text string
		stop bool
		want string
	}{
		{catalog.English, "STOP", true, "no more alerts"},
		{catalog.English, "Unsubscribe", true, "no more alerts"},
		{catalog.Telugu, "ఆపండి", true, "పంపము"},
		{catalog.Telugu, "aapandi", true, "పంపము"},
		{catalog.Hindi, "बंद करो", true, "नहीं भेजा जाएगा"},
		{catalog.Hindi, "band karo", true, "नहीं भेजा जाएगा"},
		{catalog.English, "start", false, "again"},
		{catalog.Telugu, "START", false, "మళ్ళీ పంపుతాం"},
		{catalog.Hindi, "शुरू करो", false, "फिर से"},
	} {
		c := newFormChat(t, tc.lang)
		c.state = agreedState(c.bot)
		c.state.Lang = tc.lang
		c.tap("apply:income-certificate") // a form's consent notice on screen
		r := c.say(tc.text)
		got := c.effects.Rights
		if got == nil || got.OptOut == nil || *got.OptOut != tc.stop || !strings.Contains(r[0].Text, tc.want) {
			t.Errorf("%q: %+v %+v", tc.text, got, r)
		}
	}
}

// "delete my data" in any language asks first; yes erases and starts the
// conversation afresh in the same language, no keeps everything.
func TestEraseAsksFirst(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang catalog.Lang
		text string
	}{
		{catalog.English, "delete my data"},
		{catalog.English, "please erase all my personal details"},
		{catalog.Telugu, "నా డేటా తొలగించండి"},
		{catalog.Telugu, "naa data teeseyandi"},
		{catalog.Hindi, "मेरा डेटा हटाओ"},
		{catalog.Hindi, "mera data delete karo"},
	} {
		c := newFormChat(t, tc.lang)
		c.state = agreedState(c.bot)
		c.state.Lang = tc.lang
		c.say("income certificate")
		r := c.say(tc.text)
		lang := c.state.Lang
		if c.effects.Rights != nil || len(r[0].Options) != 2 || r[0].Options[0].ID != "erase:yes" {
			t.Fatalf("%q erased without asking: %+v", tc.text, r)
		}
		c.tap("erase:yes")
		if c.effects.Rights == nil || !c.effects.Rights.Erase || c.state.Lang != lang || c.state.Service != "" || c.state.Privacy == nil {
			t.Errorf("%q: erase %+v, state %+v", tc.text, c.effects.Rights, c.state)
		}
	}
	c := newFormChat(t, catalog.English)
	c.state = agreedState(c.bot)
	c.say("delete my data")
	if r := c.tap("erase:no"); c.effects.Rights != nil || !strings.Contains(r[0].Text, "nothing was deleted") {
		t.Errorf("kept: %+v", r)
	}
}

// "my data" sends a summary; services that mention deleting or details
// are services, not rights.
func TestExportAndLookAlikes(t *testing.T) {
	t.Parallel()
	for _, text := range []string{"my data", "నా డేటా", "मेरा डेटा", "send me my data", "naa data kavali"} {
		if got := dialog.RightsRequest(text); got != "export" {
			t.Errorf("%q: %q, want export", text, got)
		}
	}
	for _, text := range []string{"delete name from voter list", "ration card lo member ni teeseyali", "remove my mother's name from rice card",
		"my pension details", "I need information about income certificate", "stop bus at my village", "start new business loan",
		"band baja", "my aadhaar data is wrong in the ration card please correct it"} {
		if got := dialog.RightsRequest(text); got != "" {
			t.Errorf("%q taken as %q", text, got)
		}
	}
}

// Any text, however odd, gives one of the rights or none, and never
// panics; a right is never read into a long message.
func FuzzRightsRequest(f *testing.F) {
	for _, s := range []string{"STOP", "నా డేటా తొలగించండి", "मेरा डेटा हटाओ", "my data in the ration card is wrong please correct it now", "", "\x00\xff", "delete"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		switch r := dialog.RightsRequest(s); r {
		case "", "stop", "start", "privacy", "erase", "export":
			if (r == "erase" || r == "export") && len(strings.Fields(s)) > 7 {
				t.Fatalf("%q read as %s", s, r)
			}
		default:
			t.Fatalf("%q: unknown right %q", s, r)
		}
	})
}
