package dialog

import "github.com/mitra-gov/mitra/catalog"

// The words of a citizen's data rights: the notice on first contact and
// the replies to STOP, START, "delete my data" and "my data". Kept short
// for WhatsApp and plain for people who read slowly; merged into texts at
// start.
func init() {
	for k, v := range rightsTexts {
		texts[k] = v
	}
}

var rightsTexts = map[msg]map[catalog.Lang]string{
	// %[1]d is how many days message texts are kept, %[2]s the grievance
	// officer's contact.
	msgPrivacyNotice: {
		catalog.Telugu: "*మీ సమాచారం గురించి*\nఈ సేవను ఆంధ్రప్రదేశ్ ప్రభుత్వం నడుపుతోంది. మీ సందేశాలను మీకు జవాబు ఇవ్వడానికి, మీరు పెట్టే దరఖాస్తులు, ఫిర్యాదుల కోసం మాత్రమే వాడుతాం. " +
			"సందేశాలు %[1]d రోజుల తర్వాత తొలగిస్తాం; దరఖాస్తులు శాఖ రికార్డుగా ఉంటాయి.\n" +
			"హెచ్చరికలు, గుర్తు చేసే సందేశాలు వద్దంటే *ఆపండి* అని పంపండి. మీ వివరాల కాపీ కోసం *నా డేటా*, తొలగించడానికి *నా డేటా తొలగించండి* అని పంపండి.\n" +
			"ఫిర్యాదుల అధికారి: %[2]s\nమీరు అంగీకరిస్తారా?",
		catalog.Hindi: "*आपकी जानकारी के बारे में*\nयह सेवा आंध्र प्रदेश सरकार चलाती है। आपके संदेश सिर्फ़ आपको जवाब देने और आपके आवेदनों व शिकायतों के लिए इस्तेमाल होते हैं। " +
			"संदेश %[1]d दिन बाद मिटा दिए जाते हैं; आवेदन विभाग के रिकॉर्ड में रहते हैं।\n" +
			"सूचनाएँ और रिमाइंडर नहीं चाहिए तो *बंद करो* भेजें। अपनी जानकारी की कॉपी के लिए *मेरा डेटा*, और मिटाने के लिए *मेरा डेटा हटाओ* भेजें।\n" +
			"शिकायत अधिकारी: %[2]s\nक्या आप सहमत हैं?",
		catalog.English: "*About your information*\nThe Government of Andhra Pradesh runs this service. We use your messages only to answer you and for the applications and complaints you make. " +
			"Messages are deleted after %[1]d days; applications stay as the department's record.\n" +
			"Send *STOP* if you want no alerts or reminders, *MY DATA* for a copy of what we hold, *DELETE MY DATA* to erase it.\n" +
			"Grievance officer: %[2]s\nDo you agree?",
	},
	msgPrivacyThanks: {
		catalog.Telugu:  "ధన్యవాదాలు. మీకు ఏ సేవ కావాలో చెప్పండి, లేదా శాఖను ఎంచుకోండి.",
		catalog.Hindi:   "धन्यवाद। बताइए आपको कौन-सी सेवा चाहिए, या विभाग चुनें।",
		catalog.English: "Thank you. Tell me the service you need, or choose a department.",
	},
	msgPrivacyRefused: {
		catalog.Telugu:  "సరే. మెనూలు, సేవల వివరాలు మీరు చూడవచ్చు. మీరు రాసేది జవాబు ఇవ్వడానికి మాత్రమే వాడుతాం, దాచుకోము. ఎప్పుడైనా *గోప్యత* అని పంపి మళ్ళీ చూడవచ్చు.",
		catalog.Hindi:   "ठीक है। आप मेनू और सेवाओं की जानकारी देख सकते हैं। आप जो लिखेंगे वह सिर्फ़ जवाब देने के लिए इस्तेमाल होगा, रखा नहीं जाएगा। कभी भी *निजता* भेजकर यह फिर देख सकते हैं।",
		catalog.English: "All right. You can still use the menus and read about services. What you type is used only to answer you and is not kept. Send *PRIVACY* any time to see this again.",
	},
	msgStopped: {
		catalog.Telugu:  "సరే, ఇక మీకు హెచ్చరికలు, గుర్తు చేసే సందేశాలు, నోటీసులు పంపము. మీరు ఎప్పుడైనా మాకు రాయవచ్చు. మళ్ళీ కావాలంటే *START* అని పంపండి.",
		catalog.Hindi:   "ठीक है, अब आपको कोई सूचना, रिमाइंडर या नोटिस नहीं भेजा जाएगा। आप कभी भी हमें लिख सकते हैं। फिर से चाहिए तो *START* भेजें।",
		catalog.English: "Done: you will get no more alerts, reminders or notices from us. You can still write to us any time. Send *START* to get them again.",
	},
	msgStarted: {
		catalog.Telugu:  "సరే, మీ దరఖాస్తుల సమాచారం, గుర్తు చేసే సందేశాలు మళ్ళీ పంపుతాం.",
		catalog.Hindi:   "ठीक है, आपके आवेदनों की सूचनाएँ और रिमाइंडर फिर से भेजे जाएँगे।",
		catalog.English: "Done: we will send you notices about your applications and reminders again.",
	},
	msgEraseConfirm: {
		catalog.Telugu:  "మీ సందేశాలు, వాట్సాప్ పేరు, ఈ సంభాషణ, పూర్తి కాని ఫారం తొలగిస్తాం. మీ దరఖాస్తులు, సర్టిఫికెట్లు చట్టం ప్రకారం శాఖ రికార్డుల్లో ఉంటాయి, వాటి నియమాల ప్రకారం ఉంచుతారు; సర్టిఫికెట్ల పబ్లిక్ లాగ్‌లో మీ వివరాలు ఉండవు, కోడ్‌లు మాత్రమే. ఇప్పుడు తొలగించాలా?",
		catalog.Hindi:   "आपके संदेश, व्हाट्सऐप नाम, यह बातचीत और अधूरा फ़ॉर्म मिटा दिए जाएँगे। आपके आवेदन और प्रमाण पत्र क़ानून के अनुसार विभाग के रिकॉर्ड में रहते हैं, उसके नियमों जितने समय तक; प्रमाण पत्रों के सार्वजनिक लॉग में आपकी जानकारी नहीं, सिर्फ़ कोड होते हैं। अभी मिटाएँ?",
		catalog.English: "This deletes your messages, your WhatsApp name, this conversation and any unfinished form. Your applications and certificates stay in the department's records for as long as its record rules require; the public certificate log holds only codes, not your details. Delete now?",
	},
	msgEraseYes: {
		catalog.Telugu:  "అవును, తొలగించండి",
		catalog.Hindi:   "हाँ, मिटाएँ",
		catalog.English: "Yes, delete",
	},
	msgEraseNo: {
		catalog.Telugu:  "వద్దు",
		catalog.Hindi:   "नहीं",
		catalog.English: "No, keep",
	},
	msgErased: {
		catalog.Telugu:  "మీ సందేశాలు, పేరు, సంభాషణ తొలగించాం. మీ దరఖాస్తులు, సర్టిఫికెట్లు శాఖ దగ్గర ఉన్నాయి. మళ్ళీ ఎప్పుడైనా రాయవచ్చు.",
		catalog.Hindi:   "आपके संदेश, नाम और बातचीत मिटा दिए गए। आपके आवेदन और प्रमाण पत्र विभाग के पास हैं। आप कभी भी फिर लिख सकते हैं।",
		catalog.English: "Your messages, name and conversation are deleted. Your applications and certificates stay with the department. You can write again any time.",
	},
	msgEraseKept: {
		catalog.Telugu:  "సరే, ఏదీ తొలగించలేదు.",
		catalog.Hindi:   "ठीक है, कुछ नहीं मिटाया गया।",
		catalog.English: "All right, nothing was deleted.",
	},
	msgExportComing: {
		catalog.Telugu:  "మా దగ్గర మీ గురించి ఉన్న వివరాల సారాంశం ఒక డాక్యుమెంట్‌గా కొద్దిసేపట్లో ఇక్కడే పంపుతాం.",
		catalog.Hindi:   "हमारे पास आपकी जो जानकारी है, उसका सार एक दस्तावेज़ के रूप में थोड़ी देर में यहीं भेजा जाएगा।",
		catalog.English: "A summary of what we hold about you is coming here as a document in a moment.",
	},
	msgExportCaption: {
		catalog.Telugu:  "మా దగ్గర ఉన్న మీ వివరాలు",
		catalog.Hindi:   "हमारे पास आपकी जानकारी",
		catalog.English: "What we hold about you",
	},
	// The summary of what is held ("my data"), a plain-text document.
	msgHeldTitle: {
		catalog.Telugu:  "మా దగ్గర ఉన్న మీ వివరాలు (%s నాటికి)",
		catalog.Hindi:   "हमारे पास आपकी जानकारी (%s तक)",
		catalog.English: "What we hold about you (as of %s)",
	},
	msgHeldNumber: {
		catalog.Telugu:  "వాట్సాప్ నంబర్: %s",
		catalog.Hindi:   "व्हाट्सऐप नंबर: %s",
		catalog.English: "WhatsApp number: %s",
	},
	msgHeldName: {
		catalog.Telugu:  "వాట్సాప్ పేరు: %s",
		catalog.Hindi:   "व्हाट्सऐप नाम: %s",
		catalog.English: "WhatsApp name: %s",
	},
	msgHeldNotKept: {
		catalog.Telugu:  "దాచలేదు",
		catalog.Hindi:   "नहीं रखा गया",
		catalog.English: "not kept",
	},
	msgHeldDistrict: {
		catalog.Telugu:  "జిల్లా: %s",
		catalog.Hindi:   "ज़िला: %s",
		catalog.English: "District: %s",
	},
	// %[1]d messages, the oldest from %[2]s, kept %[3]d days.
	msgHeldMessages: {
		catalog.Telugu:  "మీ సందేశాలు: %[1]d, మొదటిది %[2]s నాటిది. ప్రతి సందేశం %[3]d రోజుల తర్వాత తొలగిపోతుంది.",
		catalog.Hindi:   "आपके संदेश: %[1]d, सबसे पुराना %[2]s का। हर संदेश %[3]d दिन बाद मिट जाता है।",
		catalog.English: "Your messages: %[1]d, the oldest from %[2]s. Each is deleted after %[3]d days.",
	},
	msgHeldAlertsOn: {
		catalog.Telugu:  "హెచ్చరికలు, గుర్తు చేసే సందేశాలు: వస్తాయి (ఆపడానికి “ఆపండి” అని పంపండి)",
		catalog.Hindi:   "सूचनाएँ और रिमाइंडर: चालू (बंद करने के लिए “बंद करो” भेजें)",
		catalog.English: "Alerts and reminders: on (send “STOP” to stop them)",
	},
	msgHeldAlertsOff: {
		catalog.Telugu:  "హెచ్చరికలు, గుర్తు చేసే సందేశాలు: %s నుండి ఆపారు (మళ్ళీ కావాలంటే “START”)",
		catalog.Hindi:   "सूचनाएँ और रिमाइंडर: %s से बंद (फिर से चाहिए तो “START”)",
		catalog.English: "Alerts and reminders: stopped since %s (send “START” to get them again)",
	},
	msgHeldConsents: {
		catalog.Telugu:  "మీరు ఇచ్చిన అనుమతులు",
		catalog.Hindi:   "आपकी दी हुई सहमतियाँ",
		catalog.English: "Your answers on consent",
	},
	msgHeldAgreed: {
		catalog.Telugu:  "అంగీకరించారు",
		catalog.Hindi:   "सहमत",
		catalog.English: "agreed",
	},
	msgHeldRefused: {
		catalog.Telugu:  "వద్దన్నారు",
		catalog.Hindi:   "असहमत",
		catalog.English: "refused",
	},
	msgHeldPurposeNotice: {
		catalog.Telugu:  "మీ సందేశాల వాడకం (గోప్యతా నోటీసు)",
		catalog.Hindi:   "आपके संदेशों का इस्तेमाल (निजता सूचना)",
		catalog.English: "use of your messages (privacy notice)",
	},
	msgHeldPurposeAlerts: {
		catalog.Telugu:  "హెచ్చరికలు, గుర్తు చేసే సందేశాలు",
		catalog.Hindi:   "सूचनाएँ और रिमाइंडर",
		catalog.English: "alerts and reminders",
	},
	msgHeldRecords: {
		catalog.Telugu:  "మీ దరఖాస్తులు, ఫిర్యాదులు (శాఖ రికార్డు)",
		catalog.Hindi:   "आपके आवेदन और शिकायतें (विभाग का रिकॉर्ड)",
		catalog.English: "Your applications and complaints (the department's record)",
	},
	msgHeldNone: {
		catalog.Telugu:  "ఏవీ లేవు",
		catalog.Hindi:   "कोई नहीं",
		catalog.English: "none",
	},
	msgHeldCertificates: {
		catalog.Telugu:  "మీ సర్టిఫికెట్లు",
		catalog.Hindi:   "आपके प्रमाण पत्र",
		catalog.English: "Your certificates",
	},
	msgHeldAlerts: {
		catalog.Telugu:  "మీరు కోరిన హెచ్చరికలు",
		catalog.Hindi:   "आपकी चुनी हुई सूचनाएँ",
		catalog.English: "Alerts you asked for",
	},
	// %s is the grievance officer's contact.
	msgHeldRights: {
		catalog.Telugu:  "మీ సందేశాలు, పేరు తొలగించడానికి వాట్సాప్‌లో “నా డేటా తొలగించండి” అని పంపండి. ఫిర్యాదుల అధికారి: %s",
		catalog.Hindi:   "अपने संदेश और नाम मिटाने के लिए व्हाट्सऐप पर “मेरा डेटा हटाओ” भेजें। शिकायत अधिकारी: %s",
		catalog.English: "To delete your messages and name, send “DELETE MY DATA” on WhatsApp. Grievance officer: %s",
	},
	// Alerts: opting in to a topic for a district.
	msgAlertTopics: {
		catalog.Telugu:  "ఏ హెచ్చరికలు కావాలో ఎంచుకోండి. ఆపాలంటే ఎప్పుడైనా *ఆపండి* అని పంపండి.",
		catalog.Hindi:   "कौन-सी सूचनाएँ चाहिए, चुनें। बंद करनी हों तो कभी भी *बंद करो* भेजें।",
		catalog.English: "Choose the alerts you want. Send *STOP* any time to stop them.",
	},
	msgAlertButton: {
		catalog.Telugu:  "హెచ్చరికలు",
		catalog.Hindi:   "सूचनाएँ",
		catalog.English: "Alerts",
	},
	// %s is the topic's name.
	msgAlertAskPIN: {
		catalog.Telugu:  "%s: మీ జిల్లా హెచ్చరికలు పంపడానికి మీ ప్రాంతం 6 అంకెల పిన్ కోడ్ పంపండి.",
		catalog.Hindi:   "%s: आपके ज़िले की सूचनाएँ भेजने के लिए अपने इलाके का 6 अंकों का पिन कोड भेजें।",
		catalog.English: "%s: send your area's 6-digit PIN code, so that we send you your district's alerts.",
	},
	msgAlertWholeState: {
		catalog.Telugu:  "రాష్ట్రం మొత్తం",
		catalog.Hindi:   "पूरा राज्य",
		catalog.English: "Whole state",
	},
	msgAlertPINOutside: {
		catalog.Telugu:  "ఈ పిన్ కోడ్ ఆంధ్రప్రదేశ్‌లోది కాదు. మళ్ళీ పంపండి, లేదా రాష్ట్రం మొత్తం ఎంచుకోండి.",
		catalog.Hindi:   "यह पिन कोड आंध्र प्रदेश का नहीं है। फिर से भेजें, या पूरा राज्य चुनें।",
		catalog.English: "That PIN code is not in Andhra Pradesh. Send it again, or choose the whole state.",
	},
	// %[1]s is the topic, %[2]s the district (or the whole state).
	msgAlertSubscribed: {
		catalog.Telugu:  "సరే, %[1]s మీకు పంపుతాం (%[2]s). ఆపాలంటే *ఆపండి* అని పంపండి, లేదా ఏ హెచ్చరిక కిందైనా ఉన్న బటన్ నొక్కండి.",
		catalog.Hindi:   "ठीक है, आपको %[1]s भेजी जाएँगी (%[2]s)। बंद करने के लिए *बंद करो* भेजें, या किसी भी सूचना के नीचे का बटन दबाएँ।",
		catalog.English: "Done: you will get %[1]s (%[2]s). To stop, send *STOP* or tap the button under any alert.",
	},
}
