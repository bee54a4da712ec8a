package dialog

import (
	"fmt"
	"strings"

	"github.com/mitra-gov/mitra/catalog"
)

// msg is a message key; every key has a text in all three languages (a test
// checks), written as a person in a government office would say it.
type msg int

const (
	msgWelcome msg = iota
	msgChooseLanguage
	msgChooseDepartment
	msgChooseService
	msgDidYouMean
	msgNoneOfThese
	msgNotFound
	msgHandoverWait
	msgHandoverJoined
	msgHandoverLeft
	msgHandoverTimeout
	msgHandoverBack
	msgDocuments
	msgFee
	msgFree
	msgFeeUnknown
	msgSLA
	msgSameDay
	msgDays
	msgSLAUnknown
	msgHowToApply
	msgBack
	msgMainMenu
	msgMore
	msgThanks
	msgBadNumber
	msgEmpty
	msgHint
	msgLanguageSet
	msgCardFooter
	msgUnsupported
	msgOptions
	msgIHeard
	msgVoiceUnclear
	msgVoiceTooLong
	msgFullDetails
	msgNoCertificates
	msgYourCertificates
	msgRevoked
	msgCertificateReady
	msgStaleChoice
	msgSlowDown
	msgApplyNow
	msgComplainNow
	msgConsent
	msgAgree
	msgDisagree
	msgConsentRefused
	msgFormHint
	msgSkip
	msgYes
	msgNo
	msgSendPhoto
	msgSendDocument
	msgSendLocation
	msgTryAgain
	msgSummary
	msgSubmit
	msgEdit
	msgCancel
	msgWhichEdit
	msgCancelled
	msgSubmitted
	msgComplaintSubmitted
	msgDraftOther
	msgContinue
	msgStartNew
	msgMyApplications
	msgNoApplications
	msgStatusCard
	msgRefTypo
	msgRefUnknown
	msgNoticeStatus
	msgNoticeQuestion
	msgInfoThanks
	msgRatePrompt
	msgRated
	msgReopen
	msgReopened
	msgDraftReminder
	msgDraftExpired
	msgFlowIntro
	msgFlowButton
	msgNotAnswered
	msgStars
	msgDue
	msgSubmittedOn
	msgLocationShared
	msgAttached
	msgVoiceUnclearAnswer
	msgFlowInvalid
	msgAnswerInChat
	msgFileAndMore
	msgDone
	msgRecordMoved
	msgConsentComplaint
	msgOrAnswerInChat
	msgPrivacyNotice
	msgPrivacyThanks
	msgPrivacyRefused
	msgStopped
	msgStarted
	msgEraseConfirm
	msgEraseYes
	msgEraseNo
	msgErased
	msgEraseKept
	msgExportComing
	msgExportCaption
	msgHeldTitle
	msgHeldNumber
	msgHeldName
	msgHeldNotKept
	msgHeldDistrict
	msgHeldMessages
	msgHeldAlertsOn
	msgHeldAlertsOff
	msgHeldConsents
	msgHeldAgreed
	msgHeldRefused
	msgHeldPurposeNotice
	msgHeldPurposeAlerts
	msgHeldRecords
	msgHeldNone
	msgHeldCertificates
	msgHeldRights
	msgHeldAlerts
	msgAlertTopics
	msgAlertButton
	msgAlertAskPIN
	msgAlertWholeState
	msgAlertPINOutside
	msgAlertSubscribed
	// msgCount is the number of messages; keep it last.
	msgCount
)

var texts = map[msg]map[catalog.Lang]string{
	msgSlowDown: {
		catalog.Telugu:  "మీ సందేశాలు చాలా వేగంగా వస్తున్నాయి. దయచేసి ఒక నిమిషం ఆగి, మళ్లీ పంపండి.",
		catalog.Hindi:   "आपके संदेश बहुत जल्दी-जल्दी आ रहे हैं। कृपया एक मिनट रुककर फिर से भेजें।",
		catalog.English: "Your messages are coming in very fast. Please wait a minute, then send your message again.",
	},
	msgStaleChoice: {
		catalog.Telugu:  "క్షమించండి, మీ ఎంపిక ఆలస్యంగా అందింది, ఈలోగా మన సంభాషణ ముందుకు వెళ్లింది. ఇప్పుడు ఉన్న జాబితా ఇదిగో, మళ్లీ ఎంచుకోండి.",
		catalog.Hindi:   "माफ़ कीजिए, आपका चुनाव देर से पहुँचा और तब तक बातचीत आगे बढ़ गई। अभी की सूची यह है, कृपया फिर से चुनें।",
		catalog.English: "Sorry, your choice reached me late, and our conversation has moved on since. Here is the list as it is now; please choose again.",
	},
	msgCertificateReady: {
		catalog.Telugu:  "మీ %s సిద్ధంగా ఉంది. సర్టిఫికెట్ సంఖ్య: %s. QR కోడ్‌ను స్కాన్ చేసి ఎవరైనా ధృవీకరించవచ్చు.",
		catalog.Hindi:   "आपका %s तैयार है। प्रमाण पत्र संख्या: %s। QR कोड स्कैन करके कोई भी इसकी जाँच कर सकता है।",
		catalog.English: "Your %s is ready. Certificate no. %s. Anyone can verify it by scanning the QR code.",
	},
	msgUnsupported: {
		catalog.Telugu:  "క్షమించండి, ఇలాంటి సందేశాన్ని నేను ఇంకా చదవలేను. మీకు కావాల్సిన సేవను తెలుగు, ఇంగ్లీష్ లేదా హిందీలో రాయండి, లేదా menu అని పంపండి.",
		catalog.Hindi:   "माफ़ कीजिए, ऐसा संदेश मैं अभी पढ़ नहीं सकता। जो सेवा चाहिए वह हिंदी, अंग्रेज़ी या तेलुगु में लिखें, या menu भेजें।",
		catalog.English: "Sorry, I can't read this kind of message yet. Please type the service you need in English, Telugu or Hindi, or send menu.",
	},
	msgIHeard: {
		catalog.Telugu:  "నేను విన్నది: “%s”",
		catalog.Hindi:   "मैंने सुना: “%s”",
		catalog.English: "I heard: “%s”",
	},
	msgVoiceUnclear: {
		catalog.Telugu:  "క్షమించండి, మీ వాయిస్ మెసేజ్ నాకు సరిగ్గా వినపడలేదు. దయచేసి మీకు కావాల్సిన సేవను టైప్ చేయండి, లేదా మరోసారి స్పష్టంగా చెప్పండి.",
		catalog.Hindi:   "माफ़ कीजिए, आपका वॉइस मैसेज मैं ठीक से सुन नहीं पाया। कृपया जो सेवा चाहिए वह टाइप करें, या एक बार फिर साफ़ बोलकर भेजें।",
		catalog.English: "Sorry, I could not make out your voice note. Please type the service you need, or send the note again, speaking clearly.",
	},
	msgVoiceTooLong: {
		catalog.Telugu:  "మీ వాయిస్ మెసేజ్ చాలా పొడవుగా ఉంది. దయచేసి రెండు నిమిషాల లోపు చిన్న మెసేజ్ పంపండి, లేదా టైప్ చేయండి.",
		catalog.Hindi:   "आपका वॉइस मैसेज बहुत लंबा है। कृपया दो मिनट से छोटा मैसेज भेजें, या टाइप करें।",
		catalog.English: "Your voice note is too long. Please send a note under two minutes, or type your request.",
	},
	msgNoCertificates: {
		catalog.Telugu:  "ఈ నంబర్‌కు ఇంకా ఏ సర్టిఫికెట్ జారీ కాలేదు.",
		catalog.Hindi:   "इस नंबर पर अभी तक कोई प्रमाण पत्र जारी नहीं हुआ है।",
		catalog.English: "No certificate has been issued to this number yet.",
	},
	msgYourCertificates: {
		catalog.Telugu:  "మీకు జారీ అయిన సర్టిఫికెట్లు:",
		catalog.Hindi:   "आपको जारी प्रमाण पत्र:",
		catalog.English: "Certificates issued to you:",
	},
	msgRevoked: {
		catalog.Telugu:  "రద్దు చేయబడింది",
		catalog.Hindi:   "रद्द",
		catalog.English: "revoked",
	},
	msgFullDetails: {
		catalog.Telugu:  "పూర్తి వివరాలు",
		catalog.Hindi:   "पूरी जानकारी",
		catalog.English: "Full details",
	},
	msgOptions: {
		catalog.Telugu:  "ఎంపికలు చూడండి",
		catalog.Hindi:   "विकल्प देखें",
		catalog.English: "See options",
	},
	msgWelcome: {
		catalog.Telugu:  "నమస్కారం! నేను మిత్ర, ప్రభుత్వ సేవల సహాయకుడిని. మీకు ఏ సేవ కావాలో మీ మాటల్లో రాయండి, లేదా కింది జాబితా నుండి ఎంచుకోండి.",
		catalog.Hindi:   "नमस्ते! मैं मित्र हूँ, सरकारी सेवाओं का सहायक। आपको जो सेवा चाहिए, अपने शब्दों में लिखें, या नीचे दी गई सूची से चुनें।",
		catalog.English: "Hello! I am Mitra, your assistant for government services. Tell me in your own words what you need, or pick from the list below.",
	},
	msgChooseLanguage: {
		catalog.Telugu:  "మీ భాషను ఎంచుకోండి / अपनी भाषा चुनें / Choose your language",
		catalog.Hindi:   "మీ భాషను ఎంచుకోండి / अपनी भाषा चुनें / Choose your language",
		catalog.English: "మీ భాషను ఎంచుకోండి / अपनी भाषा चुनें / Choose your language",
	},
	msgChooseDepartment: {
		catalog.Telugu:  "శాఖను ఎంచుకోండి",
		catalog.Hindi:   "विभाग चुनें",
		catalog.English: "Choose a department",
	},
	msgChooseService: {
		catalog.Telugu:  "%s: సేవను ఎంచుకోండి",
		catalog.Hindi:   "%s: सेवा चुनें",
		catalog.English: "%s: choose a service",
	},
	msgDidYouMean: {
		catalog.Telugu:  "మీరు వీటిలో దేని గురించి అడుగుతున్నారు?",
		catalog.Hindi:   "आप इनमें से किसके बारे में पूछ रहे हैं?",
		catalog.English: "Which of these do you mean?",
	},
	msgNoneOfThese: {
		catalog.Telugu:  "ఇవేవీ కావు",
		catalog.Hindi:   "इनमें से कोई नहीं",
		catalog.English: "None of these",
	},
	msgNotFound: {
		catalog.Telugu:  "నేను ప్రభుత్వ సేవల విషయంలో సహాయం చేయగలను. మీకు ఏ సేవ కావాలో గుర్తించలేకపోయాను; దయచేసి శాఖను ఎంచుకోండి.",
		catalog.Hindi:   "मैं सरकारी सेवाओं में मदद कर सकता हूँ। आपको कौन-सी सेवा चाहिए, यह पहचान नहीं पाया; कृपया विभाग चुनें।",
		catalog.English: "I can help with government services. I could not tell which one you need; please choose a department.",
	},
	msgHandoverWait: {
		catalog.Telugu:  "మిమ్మల్ని ఒక అధికారికి కలుపుతున్నాను. దయచేసి వేచి ఉండండి; వారు ఇక్కడే జవాబిస్తారు. మళ్ళీ మిత్రతో మాట్లాడాలంటే \"మెనూ\" అని పంపండి.",
		catalog.Hindi:   "मैं आपको एक अधिकारी से जोड़ रहा हूँ। कृपया इंतज़ार करें; वे यहीं जवाब देंगे। मित्र पर वापस आने के लिए \"मेनू\" भेजें।",
		catalog.English: "I am connecting you to an officer. Please wait; they will reply here. Send \"menu\" to come back to mitra.",
	},
	msgHandoverJoined: {
		catalog.Telugu:  "అధికారి %s మీతో మాట్లాడుతున్నారు.",
		catalog.Hindi:   "अधिकारी %s अब आपसे बात कर रहे हैं।",
		catalog.English: "Officer %s has joined and will reply here.",
	},
	msgHandoverLeft: {
		catalog.Telugu:  "అధికారి సంభాషణ ముగించారు. ఇక మిత్ర మీకు సహాయం చేస్తుంది; సేవల కోసం \"మెనూ\" అని పంపండి.",
		catalog.Hindi:   "अधिकारी ने बातचीत समाप्त कर दी है। अब मित्र आपकी मदद करेगा; सेवाओं के लिए \"मेनू\" भेजें।",
		catalog.English: "The officer has ended the conversation. mitra is here again; send \"menu\" for services.",
	},
	msgHandoverTimeout: {
		catalog.Telugu:  "క్షమించండి, ఇప్పుడు ఏ అధికారీ అందుబాటులో లేరు. మిత్ర మీకు సహాయం చేస్తుంది; సేవల కోసం \"మెనూ\" అని పంపండి, లేదా తర్వాత మళ్ళీ అధికారిని అడగండి.",
		catalog.Hindi:   "माफ़ कीजिए, अभी कोई अधिकारी उपलब्ध नहीं है। मित्र आपकी मदद करेगा; सेवाओं के लिए \"मेनू\" भेजें, या बाद में फिर अधिकारी से बात करने को कहें।",
		catalog.English: "Sorry, no officer is free just now. mitra can help; send \"menu\" for services, or ask for an officer again later.",
	},
	msgHandoverBack: {
		catalog.Telugu:  "మీరు మళ్ళీ మిత్రతో ఉన్నారు.",
		catalog.Hindi:   "आप फिर से मित्र के साथ हैं।",
		catalog.English: "You are back with mitra.",
	},
	msgDocuments: {
		catalog.Telugu:  "కావాల్సిన పత్రాలు",
		catalog.Hindi:   "ज़रूरी दस्तावेज़",
		catalog.English: "Documents needed",
	},
	msgFee: {
		catalog.Telugu:  "రుసుము",
		catalog.Hindi:   "शुल्क",
		catalog.English: "Fee",
	},
	msgFree: {
		catalog.Telugu:  "ఉచితం",
		catalog.Hindi:   "निःशुल्क",
		catalog.English: "Free",
	},
	msgFeeUnknown: {
		catalog.Telugu:  "సచివాలయంలో అడిగి తెలుసుకోండి",
		catalog.Hindi:   "सचिवालय में पूछें",
		catalog.English: "Ask at your secretariat",
	},
	msgSLA: {
		catalog.Telugu:  "ఎన్ని రోజుల్లో",
		catalog.Hindi:   "कितने दिन में",
		catalog.English: "Time to deliver",
	},
	msgSameDay: {
		catalog.Telugu:  "అదే రోజు (కౌంటర్ వద్దే)",
		catalog.Hindi:   "उसी दिन (काउंटर पर)",
		catalog.English: "Same day (at the counter)",
	},
	msgDays: {
		catalog.Telugu:  "%d రోజులు",
		catalog.Hindi:   "%d दिन",
		catalog.English: "%d days",
	},
	msgSLAUnknown: {
		catalog.Telugu:  "దరఖాస్తును బట్టి మారుతుంది",
		catalog.Hindi:   "आवेदन के अनुसार अलग-अलग",
		catalog.English: "Varies with the application",
	},
	msgHowToApply: {
		catalog.Telugu:  "ఎక్కడ దరఖాస్తు చేయాలి",
		catalog.Hindi:   "कहाँ आवेदन करें",
		catalog.English: "Where to apply",
	},
	msgBack: {
		catalog.Telugu:  "వెనక్కి",
		catalog.Hindi:   "वापस",
		catalog.English: "Back",
	},
	msgMainMenu: {
		catalog.Telugu:  "ప్రధాన మెనూ",
		catalog.Hindi:   "मुख्य मेनू",
		catalog.English: "Main menu",
	},
	msgMore: {
		catalog.Telugu:  "మరిన్ని",
		catalog.Hindi:   "और देखें",
		catalog.English: "More",
	},
	msgThanks: {
		catalog.Telugu:  "సంతోషం! ఇంకేమైనా కావాలంటే రాయండి, లేదా menu అని పంపండి.",
		catalog.Hindi:   "आपका स्वागत है! और कुछ चाहिए तो लिखें, या menu भेजें।",
		catalog.English: "You're welcome! Write if you need anything else, or send menu.",
	},
	msgBadNumber: {
		catalog.Telugu:  "ఆ సంఖ్య జాబితాలో లేదు. దయచేసి జాబితాలోని ఒక సంఖ్యను పంపండి.",
		catalog.Hindi:   "यह संख्या सूची में नहीं है। कृपया सूची में से कोई संख्या भेजें।",
		catalog.English: "That number is not in the list. Please send one of the numbers shown.",
	},
	msgEmpty: {
		catalog.Telugu:  "దయచేసి మీకు ఏ సేవ కావాలో రాయండి.",
		catalog.Hindi:   "कृपया लिखें कि आपको कौन-सी सेवा चाहिए।",
		catalog.English: "Please write which service you need.",
	},
	msgHint: {
		catalog.Telugu:  "సంఖ్యను పంపండి · 0 = వెనక్కి · menu = ప్రధాన మెనూ",
		catalog.Hindi:   "संख्या भेजें · 0 = वापस · menu = मुख्य मेनू",
		catalog.English: "Send a number · 0 = back · menu = main menu",
	},
	msgLanguageSet: {
		catalog.Telugu:  "సరే, ఇకపై తెలుగులో మాట్లాడుకుందాం.",
		catalog.Hindi:   "ठीक है, अब हम हिंदी में बात करेंगे।",
		catalog.English: "Okay, we will continue in English.",
	},
	msgCardFooter: {
		catalog.Telugu:  "మరో సేవ కోసం మీ మాటల్లో రాయండి.",
		catalog.Hindi:   "किसी और सेवा के लिए अपने शब्दों में लिखें।",
		catalog.English: "For another service, just write what you need.",
	},
}

// deliveryNames names each delivery channel in each language.
var deliveryNames = map[string]map[catalog.Lang]string{
	"whatsapp":    {catalog.Telugu: "వాట్సాప్‌లోనే (మన మిత్ర)", catalog.Hindi: "व्हाट्सऐप पर (मन मित्र)", catalog.English: "Right here on WhatsApp (Mana Mitra)"},
	"secretariat": {catalog.Telugu: "గ్రామ/వార్డు సచివాలయం", catalog.Hindi: "ग्राम/वार्ड सचिवालय", catalog.English: "Village/ward secretariat"},
	"meeseva":     {catalog.Telugu: "మీసేవ కేంద్రం", catalog.Hindi: "मीसेवा केंद्र", catalog.English: "MeeSeva centre"},
	"online":      {catalog.Telugu: "ఆన్‌లైన్ పోర్టల్", catalog.Hindi: "ऑनलाइन पोर्टल", catalog.English: "Online portal"},
	"office":      {catalog.Telugu: "సంబంధిత శాఖ కార్యాలయం", catalog.Hindi: "संबंधित विभाग का कार्यालय", catalog.English: "The department's office"},
	"post":        {catalog.Telugu: "పోస్టు ద్వారా", catalog.Hindi: "डाक द्वारा", catalog.English: "By post"},
}

// languageNames are shown in each language's own script on the language
// buttons, so that anyone can find theirs.
var languageNames = map[catalog.Lang]string{catalog.Telugu: "తెలుగు", catalog.Hindi: "हिन्दी", catalog.English: "English"}

func t(lang catalog.Lang, m msg, args ...any) string {
	s := texts[m][lang]
	if s == "" {
		s = texts[m][catalog.English]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// bullets renders a list of items one per line.
func bullets(items []string) string {
	var b strings.Builder
	for _, it := range items {
		b.WriteString("• ")
		b.WriteString(it)
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n")
}

// CertificateCaption is the caption of a certificate's PDF when it reaches
// the citizen on WhatsApp: the service's name and the certificate number,
// in the citizen's language.
func CertificateCaption(lang catalog.Lang, serviceName, certID string) string {
	return t(lang, msgCertificateReady, serviceName, certID)
}
