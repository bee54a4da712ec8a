package dialog

import (
	"strings"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/nlu"
)

// Alerts: a citizen opts in, in the chat, to a topic of the state's alerts
// (weather warnings, power cuts...) for their district. The opt-in is
// explicit (a tap on the topic), recorded apart from any consent to an
// application, and as a WhatsApp fact (the state's portal records web
// opt-ins through the API). STOP, or the button on every alert, stops
// them with every other proactive message.

// Subscription is an opt-in to a topic's alerts, for a district ("" for
// the whole state).
type Subscription struct {
	Topic    string
	District string
}

// ScreenAlertPIN waits for the PIN code that names the district of a
// topic just chosen.
const ScreenAlertPIN Screen = "alert-pin"

const (
	optAlert     = "alert:"
	optAlertSkip = "alert-pin:skip"
)

var alertWords = keys("alerts", "alert", "subscribe alerts", "weather alerts", "హెచ్చరికలు", "అలర్ట్", "అలర్ట్స్", "హెచ్చరిక",
	"hecharikalu", "alertlu", "अलर्ट", "चेतावनी", "सूचनाएँ", "सूचनाएं", "alerts chahiye", "suchna")

// alerts answers a request for alerts, a topic's tap and the PIN code
// that follows, or reports false.
func (b *Bot) alerts(st *State, id, text string) ([]Reply, bool) {
	switch {
	case strings.HasPrefix(id, optAlert):
		topic, ok := b.cat.Topic(strings.TrimPrefix(id, optAlert))
		if !ok {
			return b.topicList(st), true
		}
		st.Screen, st.Service = ScreenAlertPIN, topic.ID
		st.Options = []Option{{ID: optAlertSkip, Title: t(st.Lang, msgAlertWholeState)}}
		return []Reply{{Text: t(st.Lang, msgAlertAskPIN, topic.Name.In(st.Lang)), Options: st.Options}}, true
	case st.Screen == ScreenAlertPIN && (id == optAlertSkip || id == ""):
		district := ""
		if id == "" {
			pin := strings.Join(strings.Fields(text), "")
			if district = application.DistrictOfPIN(pin); district == "" {
				if len(pin) == 6 && strings.Trim(pin, "0123456789") == "" {
					return []Reply{{Text: t(st.Lang, msgAlertPINOutside), Options: st.Options}}, true
				}
				// Anything else is a new question: the topic is left.
				return nil, false
			}
		}
		topic, _ := b.cat.Topic(st.Service)
		st.Effects.Subscribe = &Subscription{Topic: st.Service, District: district}
		st.Screen, st.Service, st.Options = ScreenNew, "", nil
		name := ""
		if topic != nil {
			name = topic.Name.In(st.Lang)
		}
		where := t(st.Lang, msgAlertWholeState)
		if district != "" {
			where = DistrictName(st.Lang, district)
		}
		return []Reply{{Text: t(st.Lang, msgAlertSubscribed, name, where)}}, true
	case id == "" && alertWords[nlu.PhraseKey(text)]:
		return b.topicList(st), true
	}
	return nil, false
}

func (b *Bot) topicList(st *State) []Reply {
	var items []Option
	for _, tp := range b.cat.Topics {
		items = append(items, Option{ID: optAlert + tp.ID, Title: tp.Name.In(st.Lang)})
	}
	st.Options = items
	return []Reply{{Text: t(st.Lang, msgAlertTopics), Options: items, Button: t(st.Lang, msgAlertButton)}}
}

// DistrictName is a district's name in a language.
func DistrictName(lang catalog.Lang, district string) string {
	if n, ok := districtNames[district][lang]; ok {
		return n
	}
	return district
}

var districtNames = map[string]map[catalog.Lang]string{
	"srikakulam":    {catalog.English: "Srikakulam", catalog.Telugu: "శ్రీకాకుళం", catalog.Hindi: "श्रीकाकुलम"},
	"vizianagaram":  {catalog.English: "Vizianagaram", catalog.Telugu: "విజయనగరం", catalog.Hindi: "विजयनगरम"},
	"visakhapatnam": {catalog.English: "Visakhapatnam", catalog.Telugu: "విశాఖపట్నం", catalog.Hindi: "विशाखापत्तनम"},
	"east-godavari": {catalog.English: "East Godavari", catalog.Telugu: "తూర్పు గోదావరి", catalog.Hindi: "पूर्वी गोदावरी"},
	"west-godavari": {catalog.English: "West Godavari", catalog.Telugu: "పశ్చిమ గోదావరి", catalog.Hindi: "पश्चिमी गोदावरी"},
	"krishna":       {catalog.English: "Krishna", catalog.Telugu: "కృష్ణా", catalog.Hindi: "कृष्णा"},
	"guntur":        {catalog.English: "Guntur", catalog.Telugu: "గుంటూరు", catalog.Hindi: "गुंटूर"},
	"prakasam":      {catalog.English: "Prakasam", catalog.Telugu: "ప్రకాశం", catalog.Hindi: "प्रकाशम"},
	"nellore":       {catalog.English: "Nellore", catalog.Telugu: "నెల్లూరు", catalog.Hindi: "नेल्लोर"},
	"kurnool":       {catalog.English: "Kurnool", catalog.Telugu: "కర్నూలు", catalog.Hindi: "कर्नूल"},
	"kadapa":        {catalog.English: "Kadapa", catalog.Telugu: "కడప", catalog.Hindi: "कडपा"},
	"anantapur":     {catalog.English: "Anantapur", catalog.Telugu: "అనంతపురం", catalog.Hindi: "अनंतपुर"},
	"chittoor":      {catalog.English: "Chittoor", catalog.Telugu: "చిత్తూరు", catalog.Hindi: "चित्तूर"},
}
