package flows

import "github.com/mitra-gov/mitra/catalog"

// Texts the flow shows that are not catalogue content. Field errors are
// kept to maxErrorRunes because they appear under a field in a narrow
// phone screen (and Meta caps a component's error text); the polite
// imperative is used throughout ("ఇవ్వండి", "दें"). The chat says the same
// problems in whole sentences with what to do (dialog's problemTexts): a
// chat message has room a field's error line does not.
var problemTexts = map[string]map[catalog.Lang]string{
	catalog.ProblemRequired: {
		catalog.English: "Please fill this in.",
		catalog.Telugu:  "దయచేసి ఇది నింపండి.",
		catalog.Hindi:   "कृपया इसे भरें।",
	},
	catalog.ProblemTooShort: {
		catalog.English: "This is too short.",
		catalog.Telugu:  "ఇది చాలా చిన్నదిగా ఉంది.",
		catalog.Hindi:   "यह बहुत छोटा है।",
	},
	catalog.ProblemTooLong: {
		catalog.English: "This is too long.",
		catalog.Telugu:  "ఇది చాలా పొడవుగా ఉంది.",
		catalog.Hindi:   "यह बहुत लंबा है।",
	},
	catalog.ProblemNumber: {
		catalog.English: "Please enter a number.",
		catalog.Telugu:  "దయచేసి సంఖ్య రాయండి.",
		catalog.Hindi:   "कृपया संख्या लिखें।",
	},
	catalog.ProblemRange: {
		catalog.English: "This number is out of range.",
		catalog.Telugu:  "ఈ సంఖ్య పరిధిలో లేదు.",
		catalog.Hindi:   "यह संख्या सीमा से बाहर है।",
	},
	catalog.ProblemDate: {
		catalog.English: "Please enter a valid date.",
		catalog.Telugu:  "దయచేసి సరైన తేదీ ఇవ్వండి.",
		catalog.Hindi:   "कृपया सही तारीख दें।",
	},
	catalog.ProblemFuture: {
		catalog.English: "Date cannot be in the future.",
		catalog.Telugu:  "తేదీ భవిష్యత్తులో ఉండకూడదు.",
		catalog.Hindi:   "तारीख भविष्य की नहीं हो सकती।",
	},
	catalog.ProblemPattern: {
		catalog.English: "Please check the format.",
		catalog.Telugu:  "దయచేసి సరైన రూపంలో రాయండి.",
		catalog.Hindi:   "कृपया सही प्रारूप में लिखें।",
	},
	catalog.ProblemChoice: {
		catalog.English: "Please choose an option.",
		catalog.Telugu:  "దయచేసి ఒకదాన్ని ఎంచుకోండి.",
		catalog.Hindi:   "कृपया एक विकल्प चुनें।",
	},
	catalog.ProblemAadhaar: {
		catalog.English: "Please check your Aadhaar.",
		catalog.Telugu:  "దయచేసి ఆధార్ నంబర్ సరిచూడండి.",
		catalog.Hindi:   "कृपया आधार नंबर जाँचें।",
	},
	catalog.ProblemPhone: {
		catalog.English: "Mobile no. must be 10 digits.",
		catalog.Telugu:  "10 అంకెల మొబైల్ నంబర్ ఇవ్వండి.",
		catalog.Hindi:   "10 अंकों का मोबाइल नंबर दें।",
	},
	catalog.ProblemPINCode: {
		catalog.English: "Please enter the 6-digit PIN.",
		catalog.Telugu:  "6 అంకెల పిన్ కోడ్ ఇవ్వండి.",
		catalog.Hindi:   "6 अंकों का पिन कोड दें।",
	},
	catalog.ProblemYesNo: {
		catalog.English: "Please choose Yes or No.",
		catalog.Telugu:  "అవును లేదా కాదు ఎంచుకోండి.",
		catalog.Hindi:   "कृपया हाँ या नहीं चुनें।",
	},
	catalog.ProblemMediaOnly: {
		catalog.English: "Please attach the file again.",
		catalog.Telugu:  "దయచేసి ఫైల్ మళ్ళీ జత చేయండి.",
		catalog.Hindi:   "कृपया फ़ाइल फिर से जोड़ें।",
	},
}

// genericProblem is shown for a problem code this table does not know
// yet, so a new check in catalog never shows a blank error.
var genericProblem = map[catalog.Lang]string{
	catalog.English: "Please check this answer.",
	catalog.Telugu:  "దయచేసి ఈ జవాబు సరిచూడండి.",
	catalog.Hindi:   "कृपया यह उत्तर जाँचें।",
}

// maxErrorRunes bounds a field error message.
const maxErrorRunes = 30

// ProblemText words a catalog problem code (catalog.ProblemRequired, ...)
// for a citizen in lang: short, polite, fit to show under a field.
func ProblemText(lang catalog.Lang, code string) string {
	if t, ok := problemTexts[code]; ok {
		return pick(t, lang)
	}
	return pick(genericProblem, lang)
}

// uiTexts are the flow's own labels and notices.
var uiTexts = map[string]map[catalog.Lang]string{
	"continue": {
		catalog.English: "Continue",
		catalog.Telugu:  "కొనసాగించండి",
		catalog.Hindi:   "आगे बढ़ें",
	},
	"submit": {
		catalog.English: "Submit",
		catalog.Telugu:  "సమర్పించండి",
		catalog.Hindi:   "जमा करें",
	},
	"summary_title": {
		catalog.English: "Check your answers",
		catalog.Telugu:  "వివరాలు సరిచూడండి",
		catalog.Hindi:   "अपने उत्तर जाँचें",
	},
	"summary_heading": {
		catalog.English: "Please check before you submit",
		catalog.Telugu:  "సమర్పించే ముందు ఒకసారి సరిచూడండి",
		catalog.Hindi:   "जमा करने से पहले एक बार जाँच लें",
	},
	"summary_incomplete": {
		catalog.English: "Some answers are missing or need a fix. Please go back and check them.",
		catalog.Telugu:  "కొన్ని వివరాలు లేవు లేదా సరిచేయాలి. దయచేసి వెనక్కి వెళ్లి సరిచూడండి.",
		catalog.Hindi:   "कुछ जानकारी अधूरी है या ठीक करनी है। कृपया वापस जाकर जाँचें।",
	},
	"yes": {
		catalog.English: "Yes",
		catalog.Telugu:  "అవును",
		catalog.Hindi:   "हाँ",
	},
	"no": {
		catalog.English: "No",
		catalog.Telugu:  "కాదు",
		catalog.Hindi:   "नहीं",
	},
	"attached": {
		catalog.English: "Attached",
		catalog.Telugu:  "జత చేశారు",
		catalog.Hindi:   "जोड़ा गया",
	},
	"location_help": {
		catalog.English: "Write the address or a nearby landmark",
		catalog.Telugu:  "చిరునామా లేదా దగ్గరలోని గుర్తు రాయండి",
		catalog.Hindi:   "पता या पास की कोई पहचान लिखें",
	},
	// Short labels for an input whose question is too long for Meta's
	// label limit: the question is shown above it as text instead.
	"label_answer": {
		catalog.English: "Your answer",
		catalog.Telugu:  "మీ జవాబు",
		catalog.Hindi:   "आपका उत्तर",
	},
	"label_choose": {
		catalog.English: "Choose one",
		catalog.Telugu:  "ఒకటి ఎంచుకోండి",
		catalog.Hindi:   "एक चुनें",
	},
	"label_date": {
		catalog.English: "Date",
		catalog.Telugu:  "తేదీ",
		catalog.Hindi:   "तारीख",
	},
	"label_photo": {
		catalog.English: "Photo",
		catalog.Telugu:  "ఫోటో",
		catalog.Hindi:   "फ़ोटो",
	},
	"label_document": {
		catalog.English: "Document",
		catalog.Telugu:  "పత్రం",
		catalog.Hindi:   "दस्तावेज़",
	},
}

// say returns a flow text in lang, English when a translation is missing.
func say(lang catalog.Lang, key string) string {
	return pick(uiTexts[key], lang)
}

func pick(t map[catalog.Lang]string, lang catalog.Lang) string {
	if s, ok := t[lang]; ok && s != "" {
		return s
	}
	return t[catalog.English]
}
