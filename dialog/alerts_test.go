package dialog_test

import (
	"strings"
	"testing"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/dialog"
)

// Alerts are opted in to by topic and district: the word in each
// language lists the topics, a tap asks for the PIN code, the PIN code's
// district (or the whole state) is the subscription. A PIN outside the
// state is asked again; anything else leaves the alerts for a new
// question.
func TestAlertOptInByTopicAndDistrict(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang                 catalog.Lang
		word, pin, district  string
		wantList, wantPlaced string
	}{
		{catalog.Telugu, "హెచ్చరికలు", "522 002", "guntur", "వాతావరణ హెచ్చరికలు", "గుంటూరు"},
		{catalog.Hindi, "अलर्ट", "", "", "मौसम की चेतावनी", "पूरा राज्य"},
		{catalog.English, "alerts", "530017", "visakhapatnam", "Weather warnings", "Visakhapatnam"},
		{catalog.Telugu, "hecharikalu", "533101", "east-godavari", "వాతావరణ హెచ్చరికలు", "తూర్పు గోదావరి"},
	}
	for _, tt := range tests {
		c := newFormChat(t, tt.lang)
		c.state = agreedState(c.bot)
		c.state.Lang = tt.lang
		list := c.say(tt.word)
		if len(list) != 1 || len(list[0].Options) != 4 || list[0].Options[0].Title != tt.wantList {
			t.Fatalf("%s: topics %+v", tt.word, list)
		}
		ask := c.tap("alert:weather")
		if c.effects.Subscribe != nil || len(ask) != 1 || !strings.Contains(ask[0].Text, "6") {
			t.Fatalf("%s: subscribed before the district: %+v", tt.word, ask)
		}
		var done []dialog.Reply
		if tt.pin == "" {
			done = c.tap("alert-pin:skip")
		} else {
			done = c.say(tt.pin)
		}
		sub := c.effects.Subscribe
		if sub == nil || sub.Topic != "weather" || sub.District != tt.district || !strings.Contains(done[0].Text, tt.wantPlaced) {
			t.Errorf("%s: subscription %+v, reply %+v", tt.word, sub, done)
		}
	}
	c := newFormChat(t, catalog.English)
	c.state = agreedState(c.bot)
	c.say("alerts")
	c.tap("alert:power")
	if r := c.say("400001"); c.effects.Subscribe != nil || !strings.Contains(r[0].Text, "not in Andhra Pradesh") {
		t.Errorf("a Mumbai PIN: %+v %+v", c.effects.Subscribe, r)
	}
	if r := c.say("I need an income certificate"); c.effects.Subscribe != nil || !strings.Contains(r[0].Text, "Income Certificate") {
		t.Errorf("a new question while the PIN was asked: %+v", r)
	}
}

// The stop button on an alert stops proactive messages, as STOP does.
func TestAlertStopButton(t *testing.T) {
	t.Parallel()
	c := newFormChat(t, catalog.Telugu)
	c.state = agreedState(c.bot)
	c.state.Lang = catalog.Telugu
	r := c.tap(catalog.OptionStopAlerts)
	if ri := c.effects.Rights; ri == nil || ri.OptOut == nil || !*ri.OptOut || !strings.Contains(r[0].Text, "పంపము") {
		t.Errorf("stop button: %+v %+v", c.effects.Rights, r)
	}
	if !dialog.IsRightsCommand(dialog.Inbound{OptionID: catalog.OptionStopAlerts}) {
		t.Error("the stop button is not answered in a held conversation")
	}
}
