package dialog

import (
	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/catalog"
)

// The words of applying, complaining and tracking: kept apart from the
// menus' words for their length, and merged into texts at start.
func init() {
	for k, v := range formTexts {
		texts[k] = v
	}
}

var formTexts = map[msg]map[catalog.Lang]string{
	msgApplyNow: {
		catalog.Telugu:  "దరఖాస్తు చేయండి",
		catalog.Hindi:   "आवेदन करें",
		catalog.English: "Apply now",
	},
	msgComplainNow: {
		catalog.Telugu:  "ఫిర్యాదు చేయండి",
		catalog.Hindi:   "शिकायत दर्ज करें",
		catalog.English: "Make a complaint",
	},
	msgConsent: {
		catalog.Telugu: "*%s*\nదరఖాస్తు కోసం నేను ఈ వివరాలు అడుగుతాను: %s.\n\n" +
			"ఇవి ఈ దరఖాస్తు కోసం మాత్రమే %sకు వెళ్తాయి. దరఖాస్తు ముగిసిన తర్వాత 3 సంవత్సరాలు శాఖ రికార్డుగా ఉంచి, ఆ తర్వాత తొలగిస్తాం. " +
			"సమర్పించే ముందు ఎప్పుడైనా *రద్దు* అని పంపి ఆపవచ్చు; సమర్పించిన తర్వాత ఉపసంహరించుకోవాలంటే గ్రామ/వార్డు సచివాలయంలో అడగండి.\n\nమీరు అంగీకరిస్తారా?",
		catalog.Hindi: "*%s*\nआवेदन के लिए मैं ये जानकारी पूछूँगा: %s.\n\n" +
			"यह जानकारी सिर्फ़ इसी आवेदन के लिए %s को जाएगी। आवेदन बंद होने के बाद 3 साल तक विभाग के रिकॉर्ड में रहेगी, फिर हटा दी जाएगी। " +
			"जमा करने से पहले कभी भी *रद्द* भेजकर रोक सकते हैं; जमा करने के बाद वापस लेना हो तो ग्राम/वार्ड सचिवालय में कहें।\n\nक्या आप सहमत हैं?",
		catalog.English: "*%s*\nTo apply, I will ask for: %s.\n\n" +
			"These go only to %s, for this application. They are kept as the department's record for 3 years after the application is closed, then deleted. " +
			"You can stop at any time before submitting by sending *cancel*; to withdraw after submitting, ask at your village/ward secretariat.\n\nDo you agree?",
	},
	msgConsentComplaint: {
		catalog.Telugu: "*%s*\nఫిర్యాదు నమోదు చేయడానికి నేను ఈ వివరాలు అడుగుతాను: %s.\n\n" +
			"ఇవి ఈ ఫిర్యాదు పరిష్కారం కోసం మాత్రమే %sకు వెళ్తాయి. ఫిర్యాదు ముగిసిన తర్వాత 3 సంవత్సరాలు శాఖ రికార్డుగా ఉంచి, ఆ తర్వాత తొలగిస్తాం. " +
			"నమోదు చేసే ముందు ఎప్పుడైనా *రద్దు* అని పంపి ఆపవచ్చు.\n\nమీరు అంగీకరిస్తారా?",
		catalog.Hindi: "*%s*\nशिकायत दर्ज करने के लिए मैं ये जानकारी पूछूँगा: %s.\n\n" +
			"यह जानकारी सिर्फ़ इस शिकायत के समाधान के लिए %s को जाएगी। शिकायत बंद होने के बाद 3 साल तक विभाग के रिकॉर्ड में रहेगी, फिर हटा दी जाएगी। " +
			"दर्ज करने से पहले कभी भी *रद्द* भेजकर रोक सकते हैं।\n\nक्या आप सहमत हैं?",
		catalog.English: "*%s*\nTo register your complaint, I will ask for: %s.\n\n" +
			"These go only to %s, to resolve this complaint. They are kept as the department's record for 3 years after the complaint is closed, then deleted. " +
			"You can stop at any time before it is registered by sending *cancel*.\n\nDo you agree?",
	},
	msgAgree: {
		catalog.Telugu:  "అంగీకరిస్తున్నాను",
		catalog.Hindi:   "मैं सहमत हूँ",
		catalog.English: "I agree",
	},
	msgDisagree: {
		catalog.Telugu:  "వద్దు",
		catalog.Hindi:   "नहीं",
		catalog.English: "No",
	},
	msgConsentRefused: {
		catalog.Telugu:  "సరే, మీ వివరాలు ఏవీ తీసుకోలేదు. మీరు ఈ చోట్ల దరఖాస్తు చేయవచ్చు: %s.",
		catalog.Hindi:   "ठीक है, आपकी कोई जानकारी नहीं ली गई। आप इन जगहों पर आवेदन कर सकते हैं: %s.",
		catalog.English: "Okay, nothing of yours has been collected. You can also apply at: %s.",
	},
	msgFormHint: {
		catalog.Telugu:  "మునుపటి ప్రశ్నకు *వెనక్కి* · ఆపడానికి *రద్దు*",
		catalog.Hindi:   "पिछले सवाल के लिए *वापस* · रोकने के लिए *रद्द*",
		catalog.English: "*back* for the previous question · *cancel* to stop",
	},
	msgSkip: {
		catalog.Telugu:  "దాటవేయండి",
		catalog.Hindi:   "छोड़ें",
		catalog.English: "Skip",
	},
	msgYes: {
		catalog.Telugu:  "అవును",
		catalog.Hindi:   "हाँ",
		catalog.English: "Yes",
	},
	msgNo: {
		catalog.Telugu:  "లేదు",
		catalog.Hindi:   "नहीं",
		catalog.English: "No",
	},
	msgSendPhoto: {
		catalog.Telugu:  "ఫోటో పంపండి (📎 → కెమెరా లేదా గ్యాలరీ).",
		catalog.Hindi:   "फ़ोटो भेजें (📎 → कैमरा या गैलरी)।",
		catalog.English: "Send a photo (📎 → Camera or Gallery).",
	},
	msgSendDocument: {
		catalog.Telugu:  "డాక్యుమెంట్ పంపండి: PDF లేదా ఫోటో (📎 → డాక్యుమెంట్).",
		catalog.Hindi:   "दस्तावेज़ भेजें: PDF या फ़ोटो (📎 → डॉक्यूमेंट)।",
		catalog.English: "Send the document: a PDF or a photo (📎 → Document).",
	},
	msgSendLocation: {
		catalog.Telugu:  "మీ లొకేషన్ పంపండి (📎 → లొకేషన్), లేదా ఊరు, వీధి పేరు టైప్ చేయండి.",
		catalog.Hindi:   "अपनी लोकेशन भेजें (📎 → लोकेशन), या गाँव और गली का नाम लिखें।",
		catalog.English: "Share your location (📎 → Location), or type the village and street.",
	},
	msgTryAgain: {
		catalog.Telugu:  "దయచేసి మళ్లీ పంపండి.",
		catalog.Hindi:   "कृपया फिर से भेजें।",
		catalog.English: "Please send it again.",
	},
	msgSummary: {
		catalog.Telugu:  "దయచేసి మీ *%s* వివరాలు సరిచూసుకోండి:",
		catalog.Hindi:   "कृपया अपने *%s* की जानकारी जाँच लें:",
		catalog.English: "Please check your *%s* details:",
	},
	msgSubmit: {
		catalog.Telugu:  "సమర్పించండి",
		catalog.Hindi:   "जमा करें",
		catalog.English: "Submit",
	},
	msgEdit: {
		catalog.Telugu:  "మార్చండి",
		catalog.Hindi:   "बदलें",
		catalog.English: "Edit",
	},
	msgCancel: {
		catalog.Telugu:  "రద్దు చేయండి",
		catalog.Hindi:   "रद्द करें",
		catalog.English: "Cancel",
	},
	msgWhichEdit: {
		catalog.Telugu:  "ఏ సమాధానం మార్చాలి?",
		catalog.Hindi:   "कौन सा जवाब बदलना है?",
		catalog.English: "Which answer do you want to change?",
	},
	msgCancelled: {
		catalog.Telugu:  "దరఖాస్తు రద్దు అయింది; ఏ వివరాలూ పంపలేదు.",
		catalog.Hindi:   "आवेदन रद्द हो गया; कोई जानकारी नहीं भेजी गई।",
		catalog.English: "The application is cancelled; nothing was sent.",
	},
	msgSubmitted: {
		catalog.Telugu:  "✅ మీ *%s* దరఖాస్తు అందింది.\nదరఖాస్తు సంఖ్య: *%s*\n%s\nస్థితి తెలుసుకోవడానికి ఈ సంఖ్యను ఎప్పుడైనా పంపండి.",
		catalog.Hindi:   "✅ आपका *%s* आवेदन मिल गया है।\nआवेदन संख्या: *%s*\n%s\nस्थिति जानने के लिए यह संख्या कभी भी भेजें।",
		catalog.English: "✅ Your *%s* application has been received.\nReference number: *%s*\n%s\nSend this number at any time to see its status.",
	},
	msgComplaintSubmitted: {
		catalog.Telugu:  "✅ మీ ఫిర్యాదు (*%s*) నమోదైంది.\nఫిర్యాదు సంఖ్య: *%s*\n%s\nస్థితి తెలుసుకోవడానికి ఈ సంఖ్యను ఎప్పుడైనా పంపండి.",
		catalog.Hindi:   "✅ आपकी शिकायत (*%s*) दर्ज हो गई है।\nशिकायत संख्या: *%s*\n%s\nस्थिति जानने के लिए यह संख्या कभी भी भेजें।",
		catalog.English: "✅ Your complaint (*%s*) has been registered.\nReference number: *%s*\n%s\nSend this number at any time to see its status.",
	},
	msgDraftOther: {
		catalog.Telugu:  "మీ *%s* దరఖాస్తు ఇంకా పూర్తి కాలేదు. దాన్ని కొనసాగిస్తారా, లేక దాన్ని వదిలి ఇది కొత్తగా మొదలుపెడతారా?",
		catalog.Hindi:   "आपका *%s* आवेदन अभी अधूरा है। उसे जारी रखेंगे, या उसे छोड़कर यह नया शुरू करेंगे?",
		catalog.English: "Your *%s* application is not finished yet. Continue it, or drop it and start this one?",
	},
	msgContinue: {
		catalog.Telugu:  "కొనసాగించండి",
		catalog.Hindi:   "जारी रखें",
		catalog.English: "Continue",
	},
	msgStartNew: {
		catalog.Telugu:  "కొత్తది మొదలుపెట్టు",
		catalog.Hindi:   "नया शुरू करें",
		catalog.English: "Start the new one",
	},
	msgMyApplications: {
		catalog.Telugu:  "మీ దరఖాస్తులు, ఫిర్యాదులు:",
		catalog.Hindi:   "आपके आवेदन और शिकायतें:",
		catalog.English: "Your applications and complaints:",
	},
	msgNoApplications: {
		catalog.Telugu:  "ఈ నంబర్ నుండి ఇంకా ఏ దరఖాస్తూ, ఫిర్యాదూ చేయలేదు.",
		catalog.Hindi:   "इस नंबर से अभी तक कोई आवेदन या शिकायत नहीं की गई है।",
		catalog.English: "No application or complaint has been made from this number yet.",
	},
	msgStatusCard: {
		catalog.Telugu:  "*%s*\nసంఖ్య: %s\nస్థితి: *%s*\n%s",
		catalog.Hindi:   "*%s*\nसंख्या: %s\nस्थिति: *%s*\n%s",
		catalog.English: "*%s*\nReference: %s\nStatus: *%s*\n%s",
	},
	msgRefTypo: {
		catalog.Telugu:  "ఈ సంఖ్యలో పొరపాటు ఉన్నట్లుంది: ఒక అంకె తప్పు లేదా రెండు అంకెలు తారుమారు అయి ఉండవచ్చు. దయచేసి సంఖ్యను సరిచూసి మళ్లీ పంపండి.",
		catalog.Hindi:   "इस संख्या में कोई गलती लगती है: कोई एक अंक गलत है या दो अंक आगे-पीछे हो गए हैं। कृपया संख्या जाँचकर फिर भेजें।",
		catalog.English: "That number does not look right: one digit may be wrong, or two swapped. Please check the number and send it again.",
	},
	msgRefUnknown: {
		catalog.Telugu:  "ఈ WhatsApp నంబర్ నుండి %s సంఖ్యతో ఏ దరఖాస్తూ కనిపించలేదు. దయచేసి సంఖ్యను సరిచూడండి.",
		catalog.Hindi:   "इस WhatsApp नंबर से %s संख्या का कोई आवेदन नहीं मिला। कृपया संख्या जाँच लें।",
		catalog.English: "I found no application numbered %s made from this WhatsApp number. Please check the number.",
	},
	msgNoticeStatus: {
		catalog.Telugu:  "మీ *%s* (సంఖ్య %s): *%s*",
		catalog.Hindi:   "आपके *%s* आवेदन (संख्या %s) की स्थिति: *%s*",
		catalog.English: "Your *%s* (ref %s): *%s*",
	},
	msgNoticeQuestion: {
		catalog.Telugu:  "మీ *%s* (సంఖ్య %s) కోసం శాఖకు మరికొన్ని వివరాలు కావాలి:\n\n%s\n\nదయచేసి మీ సమాధానం పంపండి: టైప్ చేసి, వాయిస్ మెసేజ్‌గా లేదా ఫోటోగా.",
		catalog.Hindi:   "आपके *%s* (संख्या %s) के लिए विभाग को कुछ और जानकारी चाहिए:\n\n%s\n\nकृपया अपना जवाब भेजें: लिखकर, वॉइस मैसेज से या फ़ोटो से।",
		catalog.English: "The department needs more information for your *%s* (ref %s):\n\n%s\n\nPlease reply with your answer: typed, as a voice note or as a photo.",
	},
	msgInfoThanks: {
		catalog.Telugu:  "ధన్యవాదాలు. మీ సమాధానం శాఖకు పంపాం (సంఖ్య %s).",
		catalog.Hindi:   "धन्यवाद। आपका जवाब विभाग को भेज दिया गया है (संख्या %s)।",
		catalog.English: "Thank you. Your answer has been sent to the department (ref %s).",
	},
	msgRatePrompt: {
		catalog.Telugu:  "మీ ఫిర్యాదు %s పరిష్కారమైందని శాఖ తెలిపింది.\n%s\n\nమీకు ఎంత సంతృప్తిగా ఉంది? 1 నుండి 5 నక్షత్రాలు ఎంచుకోండి. సమస్య ఇంకా ఉంటే 7 రోజుల్లో మళ్లీ తెరవవచ్చు.",
		catalog.Hindi:   "विभाग के अनुसार आपकी शिकायत %s का समाधान हो गया है।\n%s\n\nआप कितने संतुष्ट हैं? 1 से 5 सितारे चुनें। अगर समस्या अब भी है तो 7 दिन के अंदर इसे फिर से खोल सकते हैं।",
		catalog.English: "The department says your complaint %s is resolved.\n%s\n\nHow satisfied are you? Choose 1 to 5 stars. If the problem remains, you can reopen it within 7 days.",
	},
	msgRated: {
		catalog.Telugu:  "మీ రేటింగ్‌కు ధన్యవాదాలు. ఫిర్యాదు %s ముగిసింది.",
		catalog.Hindi:   "आपकी रेटिंग के लिए धन्यवाद। शिकायत %s बंद कर दी गई है।",
		catalog.English: "Thank you for your rating. Complaint %s is now closed.",
	},
	msgReopen: {
		catalog.Telugu:  "మళ్లీ తెరవండి",
		catalog.Hindi:   "फिर से खोलें",
		catalog.English: "Reopen it",
	},
	msgReopened: {
		catalog.Telugu:  "మీ ఫిర్యాదు %s మళ్లీ తెరవబడింది; శాఖ మళ్లీ పరిశీలిస్తుంది.",
		catalog.Hindi:   "आपकी शिकायत %s फिर से खोल दी गई है; विभाग इसे फिर देखेगा।",
		catalog.English: "Your complaint %s has been reopened; the department will look at it again.",
	},
	msgDraftReminder: {
		catalog.Telugu:  "మీ *%s* దరఖాస్తు ఇంకా పూర్తి కాలేదు. ఆగిన చోటు నుండి కొనసాగించడానికి ఏదైనా సమాధానం పంపండి, లేదా *రద్దు* అని పంపండి.",
		catalog.Hindi:   "आपका *%s* आवेदन अभी अधूरा है। जहाँ रुके थे वहीं से आगे बढ़ने के लिए जवाब भेजें, या *रद्द* भेजें।",
		catalog.English: "Your *%s* application is not finished. Reply to carry on where you left off, or send *cancel*.",
	},
	msgDraftExpired: {
		catalog.Telugu:  "మీ *%s* దరఖాస్తు పూర్తి కాకపోవడంతో దాని వివరాలు తొలగించాం. ఎప్పుడైనా మళ్లీ మొదలుపెట్టవచ్చు.",
		catalog.Hindi:   "आपका *%s* आवेदन पूरा नहीं हुआ, इसलिए उसकी जानकारी हटा दी गई है। आप कभी भी फिर से शुरू कर सकते हैं।",
		catalog.English: "Your unfinished *%s* application has expired and its answers were deleted. You can start again at any time.",
	},
	msgFlowIntro: {
		catalog.Telugu:  "*%s* ఫారం నింపడానికి కింది బటన్ నొక్కండి.",
		catalog.Hindi:   "*%s* का फ़ॉर्म भरने के लिए नीचे का बटन दबाएँ।",
		catalog.English: "Tap the button below to fill in the *%s* form.",
	},
	msgFlowButton: {
		catalog.Telugu:  "ఫారం నింపండి",
		catalog.Hindi:   "फ़ॉर्म भरें",
		catalog.English: "Fill the form",
	},
	msgNotAnswered: {
		catalog.Telugu:  "(ఇవ్వలేదు)",
		catalog.Hindi:   "(नहीं दिया)",
		catalog.English: "(not given)",
	},
	msgStars: {
		catalog.Telugu:  "%d నక్షత్ర(లు)",
		catalog.Hindi:   "%d सितारा/सितारे",
		catalog.English: "%d star(s)",
	},
	msgRecordMoved: {
		catalog.Telugu:  "ఈ ఫిర్యాదు ఇప్పటికే ముందుకు సాగింది, కాబట్టి ఇప్పుడు దీన్ని రేట్ చేయడం లేదా మళ్లీ తెరవడం కుదరదు. దాని స్థితి చూడడానికి ఫిర్యాదు సంఖ్యను పంపండి; సమస్య ఇంకా ఉంటే కొత్త ఫిర్యాదు చేయండి.",
		catalog.Hindi:   "यह शिकायत आगे बढ़ चुकी है, इसलिए अब इसे रेट करना या फिर से खोलना संभव नहीं। इसकी स्थिति देखने के लिए शिकायत संख्या भेजें; समस्या अब भी हो तो नई शिकायत दर्ज करें।",
		catalog.English: "This complaint has moved on, so it can no longer be rated or reopened. Send its reference number to see where it stands; if the problem remains, please make a new complaint.",
	},
	msgDue: {
		catalog.Telugu:  "సుమారు %s తేదీకి పూర్తి కావాలి.",
		catalog.Hindi:   "लगभग %s तक पूरा होना चाहिए।",
		catalog.English: "It should be done by about %s.",
	},
	msgSubmittedOn: {
		catalog.Telugu:  "సమర్పించిన తేదీ: %s",
		catalog.Hindi:   "जमा करने की तारीख: %s",
		catalog.English: "Submitted on %s",
	},
	msgLocationShared: {
		catalog.Telugu:  "📍 లొకేషన్ అందింది",
		catalog.Hindi:   "📍 लोकेशन मिल गई",
		catalog.English: "📍 location received",
	},
	msgAttached: {
		catalog.Telugu:  "📎 %d ఫైల్(లు) అందాయి",
		catalog.Hindi:   "📎 %d फ़ाइल मिलीं",
		catalog.English: "📎 %d file(s) received",
	},
	msgFileAndMore: {
		catalog.Telugu:  "📎 %d ఫోటో(లు) అందాయి (%d వరకు పంపవచ్చు). మరో ఫోటో పంపండి, లేదా *పూర్తయింది* నొక్కండి.",
		catalog.Hindi:   "📎 %d फ़ोटो मिल गई (%d तक भेज सकते हैं)। एक और फ़ोटो भेजें, या *हो गया* दबाएँ।",
		catalog.English: "📎 %d photo(s) received (up to %d). Send another photo, or tap *Done*.",
	},
	msgDone: {
		catalog.Telugu:  "పూర్తయింది",
		catalog.Hindi:   "हो गया",
		catalog.English: "Done",
	},
	msgVoiceUnclearAnswer: {
		catalog.Telugu:  "క్షమించండి, మీ వాయిస్ మెసేజ్ సరిగ్గా వినపడలేదు. దయచేసి సమాధానం టైప్ చేయండి, లేదా మళ్లీ స్పష్టంగా చెప్పండి.",
		catalog.Hindi:   "माफ़ कीजिए, आपका वॉइस मैसेज ठीक से सुनाई नहीं दिया। कृपया जवाब टाइप करें, या फिर से साफ़ बोलकर भेजें।",
		catalog.English: "Sorry, I could not make out your voice note. Please type your answer, or say it again clearly.",
	},
	msgFlowInvalid: {
		catalog.Telugu:  "క్షమించండి, ఈ ఫారం గడువు ముగిసింది లేదా ఇది మీది కాదు. దయచేసి సేవను మళ్లీ ఎంచుకుని కొత్తగా నింపండి.",
		catalog.Hindi:   "माफ़ कीजिए, यह फ़ॉर्म अब मान्य नहीं है या आपका नहीं है। कृपया सेवा फिर से चुनकर नया फ़ॉर्म भरें।",
		catalog.English: "Sorry, this form is no longer valid, or is not yours. Please choose the service again and fill in a new form.",
	},
	msgAnswerInChat: {
		catalog.Telugu:  "చాట్‌లో జవాబిస్తా",
		catalog.Hindi:   "चैट में जवाब दूँगा",
		catalog.English: "Answer in the chat",
	},
	msgOrAnswerInChat: {
		catalog.Telugu:  "ఫారం బదులు ఒక్కొక్క ప్రశ్నకు ఇక్కడే జవాబు (టైప్ చేసి లేదా వాయిస్‌తో) ఇవ్వాలనుకుంటే, కింది బటన్ నొక్కండి.",
		catalog.Hindi:   "फ़ॉर्म की जगह यहीं एक-एक सवाल का जवाब (लिखकर या बोलकर) देना हो, तो नीचे का बटन दबाएँ।",
		catalog.English: "To answer one question at a time right here instead (typed or by voice), tap the button below.",
	},
}

// problemTexts say what is wrong with an answer, by catalog.Problem code.
var problemTexts = map[string]map[catalog.Lang]string{
	catalog.ProblemRequired: {catalog.Telugu: "ఈ ప్రశ్నకు సమాధానం తప్పనిసరి.", catalog.Hindi: "इस सवाल का जवाब ज़रूरी है।", catalog.English: "This question needs an answer."},
	catalog.ProblemTooShort: {catalog.Telugu: "సమాధానం చాలా చిన్నగా ఉంది; కొంచెం వివరంగా రాయండి.", catalog.Hindi: "जवाब बहुत छोटा है; थोड़ा विस्तार से लिखें।", catalog.English: "That is too short; please give a little more detail."},
	catalog.ProblemTooLong:  {catalog.Telugu: "సమాధానం చాలా పొడవుగా ఉంది; దయచేసి తగ్గించి రాయండి.", catalog.Hindi: "जवाब बहुत लंबा है; कृपया छोटा करके लिखें।", catalog.English: "That is too long; please shorten it."},
	catalog.ProblemNumber:   {catalog.Telugu: "దయచేసి అంకెల్లో మాత్రమే రాయండి.", catalog.Hindi: "कृपया सिर्फ़ अंकों में लिखें।", catalog.English: "Please write it in digits only."},
	catalog.ProblemRange:    {catalog.Telugu: "ఈ సంఖ్య అనుమతించిన పరిధిలో లేదు.", catalog.Hindi: "यह संख्या मान्य सीमा में नहीं है।", catalog.English: "That number is outside the allowed range."},
	catalog.ProblemDate:     {catalog.Telugu: "తేదీని రోజు-నెల-సంవత్సరం రూపంలో రాయండి, ఉదా: 15-08-1980.", catalog.Hindi: "तारीख दिन-महीना-साल में लिखें, जैसे 15-08-1980।", catalog.English: "Please write the date as day-month-year, e.g. 15-08-1980."},
	catalog.ProblemFuture:   {catalog.Telugu: "ఈ తేదీ భవిష్యత్తులో ఉంది; దయచేసి సరైన తేదీ రాయండి.", catalog.Hindi: "यह तारीख आगे की है; कृपया सही तारीख लिखें।", catalog.English: "That date is in the future; please check it."},
	catalog.ProblemPattern:  {catalog.Telugu: "ఈ సమాధానం సరైన రూపంలో లేదు.", catalog.Hindi: "यह जवाब सही रूप में नहीं है।", catalog.English: "That is not in the expected form."},
	catalog.ProblemChoice:   {catalog.Telugu: "దయచేసి జాబితాలో ఉన్న వాటిలో ఒకటి ఎంచుకోండి.", catalog.Hindi: "कृपया सूची में से एक चुनें।", catalog.English: "Please pick one of the options."},
	catalog.ProblemAadhaar:  {catalog.Telugu: "ఈ ఆధార్ నంబర్ సరిగా లేదు: 12 అంకెలు ఉండాలి, ఒక అంకె తప్పు కావచ్చు.", catalog.Hindi: "यह आधार नंबर सही नहीं है: 12 अंक होने चाहिए, कोई अंक गलत हो सकता है।", catalog.English: "That Aadhaar number is not valid: it has 12 digits, and one may be wrong."},
	catalog.ProblemPhone:    {catalog.Telugu: "10 అంకెల మొబైల్ నంబర్ రాయండి.", catalog.Hindi: "10 अंकों का मोबाइल नंबर लिखें।", catalog.English: "Please write a 10-digit mobile number."},
	catalog.ProblemPINCode:  {catalog.Telugu: "6 అంకెల పిన్ కోడ్ రాయండి.", catalog.Hindi: "6 अंकों का पिन कोड लिखें।", catalog.English: "Please write the 6-digit PIN code."},
	catalog.ProblemYesNo:    {catalog.Telugu: "దయచేసి అవును లేదా కాదు అని చెప్పండి.", catalog.Hindi: "कृपया हाँ या नहीं बताएँ।", catalog.English: "Please answer yes or no."},
	catalog.ProblemMediaOnly: {catalog.Telugu: "ఇక్కడ ఫోటో లేదా ఫైల్ పంపాలి; లేకపోతే దాటవేయండి.", catalog.Hindi: "यहाँ फ़ोटो या फ़ाइल भेजनी है; न हो तो छोड़ दें।",
		catalog.English: "Here I need a photo or a file; if you have none, skip it."},
	ProblemMediaTooBig: {catalog.Telugu: "ఈ ఫైల్ చాలా పెద్దది. దయచేసి చిన్న ఫోటో పంపండి.", catalog.Hindi: "यह फ़ाइल बहुत बड़ी है। कृपया छोटी फ़ोटो भेजें।", catalog.English: "That file is too large. Please send a smaller photo."},
	ProblemMediaType:   {catalog.Telugu: "ఇక్కడ ఫోటో (JPEG, PNG) లేదా PDF మాత్రమే తీసుకోగలను.", catalog.Hindi: "यहाँ सिर्फ़ फ़ोटो (JPEG, PNG) या PDF ले सकता हूँ।", catalog.English: "I can take only a photo (JPEG, PNG) or a PDF here."},
	ProblemMediaFailed: {catalog.Telugu: "ఈ ఫైల్‌ను తెరవలేకపోయాను. దయచేసి మళ్లీ పంపండి.", catalog.Hindi: "यह फ़ाइल खुल नहीं पाई। कृपया फिर से भेजें।", catalog.English: "I could not open that file. Please send it again."},
}

// Problems with a file a citizen sent, found by the worker that fetched it.
const (
	ProblemMediaTooBig = "media_too_big"
	ProblemMediaType   = "media_type"
	ProblemMediaFailed = "media_failed"
)

// statusNames name each status as a citizen reads it.
var statusNames = map[application.Status]map[catalog.Lang]string{
	application.Submitted:        {catalog.Telugu: "అందింది", catalog.Hindi: "प्राप्त हुआ", catalog.English: "Received"},
	application.Accepted:         {catalog.Telugu: "పరిశీలనలో ఉంది", catalog.Hindi: "जाँच में है", catalog.English: "Being processed"},
	application.NeedsInformation: {catalog.Telugu: "మీ నుండి వివరాలు కావాలి", catalog.Hindi: "आपसे जानकारी चाहिए", catalog.English: "Waiting for information from you"},
	application.Approved:         {catalog.Telugu: "ఆమోదించబడింది", catalog.Hindi: "स्वीकृत", catalog.English: "Approved"},
	application.Rejected:         {catalog.Telugu: "తిరస్కరించబడింది", catalog.Hindi: "अस्वीकृत", catalog.English: "Rejected"},
	application.Issued:           {catalog.Telugu: "జారీ అయింది", catalog.Hindi: "जारी हो गया", catalog.English: "Issued"},
	application.Closed:           {catalog.Telugu: "ముగిసింది", catalog.Hindi: "बंद", catalog.English: "Closed"},
	application.Escalated:        {catalog.Telugu: "పై అధికారికి పంపబడింది", catalog.Hindi: "उच्च अधिकारी को भेजा गया", catalog.English: "Escalated to a senior officer"},
	application.Resolved:         {catalog.Telugu: "పరిష్కారమైంది", catalog.Hindi: "समाधान हो गया", catalog.English: "Resolved"},
	application.Reopened:         {catalog.Telugu: "మళ్లీ తెరవబడింది", catalog.Hindi: "फिर से खोली गई", catalog.English: "Reopened"},
}

// StatusName names a status in a language (the template's parameter).
func StatusName(lang catalog.Lang, s application.Status) string {
	if n := statusNames[s][lang]; n != "" {
		return n
	}
	return string(s)
}
