package server

// consoleText holds the console's words in each staff language. A key
// missing in Telugu or Hindi falls back to English (a test checks that
// none is missing).
var consoleText = map[string]map[string]string{
	"en": {
		"title": "mitra console", "signin": "Sign in", "username": "Username", "password": "Password",
		"bad_login": "Wrong username or password.", "locked": "Too many wrong attempts. Try again in 15 minutes.",
		"signout": "Sign out", "dashboard": "Dashboard", "desk": "Department desk", "staff": "Staff", "keys": "API keys",
		"audit": "Audit log", "per_minute": "Messages per minute", "messages": "Messages", "lang": "Language",
		"script": "Script", "input": "Input", "decision": "Decision", "top_services": "Top services",
		"latency": "Reply latency", "send_failures": "Send failures", "queue": "Queue",
		"open": "Open applications and grievances", "on_time": "On time", "due": "Due within a day", "overdue": "Overdue",
		"department": "Department", "all_departments": "All departments", "range": "Time range", "hour": "Last hour",
		"day": "Last 24 hours", "week": "Last 7 days", "show": "Show", "nothing": "Nothing yet.", "ref": "Reference",
		"service": "Service", "status": "Status", "due_by": "Due by", "received": "Received", "answers": "Answers",
		"attachments": "Attachments", "move_to": "Move to", "note": "Note to the citizen (the question, or why it is rejected)",
		"issue": "Issue the certificate", "office": "Issuing office", "save": "Save", "done": "Done.",
		"kind": "Kind", "application": "Application", "grievance": "Grievance", "any": "Any",
		"name": "Name", "role": "Role", "create_account": "Create account", "disable": "Disable", "enable": "Enable",
		"disabled": "Disabled", "label": "Label", "create_key": "Create key", "rotate": "Rotate", "revoke": "Revoke",
		"revoked": "Revoked", "active": "Active", "key_once": "Copy this key now: it is shown only once.",
		"forbidden": "You do not have access to this page.", "not_found": "Not found.", "back": "Back",
		"when": "When", "who": "Who", "action": "Action", "subject": "Subject", "outcome": "Outcome",
		"role_admin": "Administrator", "role_operator": "Operator", "role_officer": "Department officer",
		"role_editor": "Content editor", "role_evaluator": "Evaluator", "created": "Created", "read_only": "Read only: your role does not act on records.",
		"session_expired": "Your session has ended. Please sign in again.", "try_again": "Something went wrong. Please try again.",
		"password_rule": "At least 12 characters.", "field_error": "Please check this field:", "history": "History", "handovers": "Conversations", "take": "Take over", "reply": "Reply", "send": "Send", "hand_back": "Send and hand back to mitra",
		"waiting": "Waiting", "active_h": "With an officer", "citizen": "Citizen", "mitra_or_officer": "mitra / officer",
		"outside_window": "More than 24 hours since the citizen last wrote: WhatsApp allows only approved templates now, so free text cannot be sent.",
		"taken_by_other": "Another officer has taken this conversation.", "general_queue": "General queue", "talk_to_citizen": "Talk to the citizen",
		"review": "Review queue", "count": "Messages", "sample": "What citizens wrote", "offered": "Offered", "as_alias": "Add as alias",
		"as_case": "Add as eval case", "out_of_scope": "Out of scope", "service_id": "Service", "export_aliases": "Proposed aliases (YAML)",
		"export_cases": "Proposed eval cases (JSONL)", "chosen": "Citizens picked", "none_of_these": "None of these", "district": "District", "all_districts": "All districts",
	},
	"te": {
		"title": "మిత్ర కన్సోల్", "signin": "లాగిన్ అవ్వండి", "username": "యూజర్ పేరు", "password": "పాస్‌వర్డ్",
		"bad_login": "యూజర్ పేరు లేదా పాస్‌వర్డ్ తప్పు.", "locked": "చాలాసార్లు తప్పుగా ప్రయత్నించారు. 15 నిమిషాల తర్వాత మళ్ళీ ప్రయత్నించండి.",
		"signout": "లాగౌట్", "dashboard": "డ్యాష్‌బోర్డ్", "desk": "శాఖ డెస్క్", "staff": "సిబ్బంది", "keys": "API కీలు",
		"audit": "ఆడిట్ లాగ్", "per_minute": "నిమిషానికి సందేశాలు", "messages": "సందేశాలు", "lang": "భాష",
		"script": "లిపి", "input": "ఇన్‌పుట్", "decision": "నిర్ణయం", "top_services": "ఎక్కువగా అడిగిన సేవలు",
		"latency": "జవాబుకు పట్టిన సమయం", "send_failures": "పంపడంలో వైఫల్యాలు", "queue": "క్యూ",
		"open": "పెండింగ్‌లో ఉన్న దరఖాస్తులు, ఫిర్యాదులు", "on_time": "సమయంలోనే ఉంది", "due": "ఒక రోజులో గడువు", "overdue": "గడువు దాటింది",
		"department": "శాఖ", "all_departments": "అన్ని శాఖలు", "range": "సమయం", "hour": "గత గంట",
		"day": "గత 24 గంటలు", "week": "గత 7 రోజులు", "show": "చూపించు", "nothing": "ఇంకా ఏమీ లేదు.", "ref": "రిఫరెన్స్ నంబర్",
		"service": "సేవ", "status": "స్థితి", "due_by": "గడువు", "received": "అందిన సమయం", "answers": "జవాబులు",
		"attachments": "జతచేసినవి", "move_to": "స్థితి మార్చండి", "note": "పౌరుడికి గమనిక (అడగాల్సిన ప్రశ్న, లేదా తిరస్కరణకు కారణం)",
		"issue": "సర్టిఫికెట్ జారీ చేయండి", "office": "జారీ చేసే కార్యాలయం", "save": "సేవ్ చేయండి", "done": "పూర్తయింది.",
		"kind": "రకం", "application": "దరఖాస్తు", "grievance": "ఫిర్యాదు", "any": "అన్నీ",
		"name": "పేరు", "role": "పాత్ర", "create_account": "ఖాతా సృష్టించండి", "disable": "నిలిపివేయండి", "enable": "మళ్ళీ ప్రారంభించండి",
		"disabled": "నిలిపివేయబడింది", "label": "లేబుల్", "create_key": "కీ సృష్టించండి", "rotate": "కొత్త కీతో మార్చండి", "revoke": "రద్దు చేయండి",
		"revoked": "రద్దయింది", "active": "వాడుకలో ఉంది", "key_once": "ఈ కీని ఇప్పుడే కాపీ చేసుకోండి: ఇది ఒక్కసారే కనిపిస్తుంది.",
		"forbidden": "ఈ పేజీ చూసే అనుమతి మీకు లేదు.", "not_found": "దొరకలేదు.", "back": "వెనక్కి",
		"when": "ఎప్పుడు", "who": "ఎవరు", "action": "చర్య", "subject": "దేని మీద", "outcome": "ఫలితం",
		"role_admin": "నిర్వాహకులు", "role_operator": "ఆపరేటర్", "role_officer": "శాఖ అధికారి",
		"role_editor": "కంటెంట్ ఎడిటర్", "role_evaluator": "మూల్యాంకనకర్త", "created": "సృష్టించిన తేదీ", "read_only": "చూడటానికి మాత్రమే: మీ పాత్రకు దరఖాస్తులపై చర్య తీసుకునే అనుమతి లేదు.",
		"session_expired": "మీ సెషన్ ముగిసింది. దయచేసి మళ్ళీ లాగిన్ అవ్వండి.", "try_again": "ఏదో పొరపాటు జరిగింది. దయచేసి మళ్ళీ ప్రయత్నించండి.",
		"password_rule": "కనీసం 12 అక్షరాలు.", "field_error": "ఈ వివరం సరిచూడండి:", "history": "చరిత్ర", "handovers": "సంభాషణలు", "take": "సంభాషణ తీసుకోండి", "reply": "జవాబు", "send": "పంపండి", "hand_back": "పంపి మిత్రకు తిరిగి ఇవ్వండి",
		"waiting": "వేచి ఉన్నారు", "active_h": "అధికారితో ఉంది", "citizen": "పౌరుడు", "mitra_or_officer": "మిత్ర / అధికారి",
		"outside_window": "పౌరుడు చివరిగా రాసి 24 గంటలు దాటింది: ఇప్పుడు WhatsApp ఆమోదించిన టెంప్లేట్లను మాత్రమే అనుమతిస్తుంది, కాబట్టి మామూలు సందేశం పంపలేరు.",
		"taken_by_other": "ఈ సంభాషణను మరో అధికారి తీసుకున్నారు.", "general_queue": "సాధారణ క్యూ", "talk_to_citizen": "పౌరుడితో మాట్లాడండి",
		"review": "సమీక్ష క్యూ", "count": "సందేశాలు", "sample": "పౌరులు రాసింది", "offered": "చూపిన సేవలు", "as_alias": "అలియాస్‌గా చేర్చండి",
		"as_case": "eval కేసుగా చేర్చండి", "out_of_scope": "పరిధిలో లేదు", "service_id": "సేవ", "export_aliases": "ప్రతిపాదిత అలియాస్‌లు (YAML)",
		"export_cases": "ప్రతిపాదిత eval కేసులు (JSONL)", "chosen": "పౌరులు ఎంచుకున్నది", "none_of_these": "ఇవేవీ కావు", "district": "జిల్లా", "all_districts": "అన్ని జిల్లాలు",
	},
	"hi": {
		"title": "मित्र कंसोल", "signin": "लॉग इन करें", "username": "यूज़रनेम", "password": "पासवर्ड",
		"bad_login": "यूज़रनेम या पासवर्ड गलत है।", "locked": "बहुत बार गलत कोशिश हुई। 15 मिनट बाद फिर कोशिश करें।",
		"signout": "लॉग आउट", "dashboard": "डैशबोर्ड", "desk": "विभाग डेस्क", "staff": "कर्मचारी", "keys": "API कुंजियाँ",
		"audit": "ऑडिट लॉग", "per_minute": "प्रति मिनट संदेश", "messages": "संदेश", "lang": "भाषा",
		"script": "लिपि", "input": "इनपुट", "decision": "निर्णय", "top_services": "सबसे ज़्यादा माँगी गई सेवाएँ",
		"latency": "जवाब में लगा समय", "send_failures": "भेजने में विफलताएँ", "queue": "कतार",
		"open": "लंबित आवेदन और शिकायतें", "on_time": "समय पर", "due": "एक दिन में समय सीमा", "overdue": "समय सीमा पार",
		"department": "विभाग", "all_departments": "सभी विभाग", "range": "समय", "hour": "पिछला एक घंटा",
		"day": "पिछले 24 घंटे", "week": "पिछले 7 दिन", "show": "दिखाएँ", "nothing": "अभी कुछ नहीं।", "ref": "संदर्भ संख्या",
		"service": "सेवा", "status": "स्थिति", "due_by": "समय सीमा", "received": "प्राप्त हुआ", "answers": "जवाब",
		"attachments": "संलग्न फ़ाइलें", "move_to": "स्थिति बदलें", "note": "नागरिक के लिए टिप्पणी (पूछा जाने वाला सवाल, या अस्वीकार करने का कारण)",
		"issue": "प्रमाण पत्र जारी करें", "office": "जारी करने वाला कार्यालय", "save": "सहेजें", "done": "हो गया।",
		"kind": "प्रकार", "application": "आवेदन", "grievance": "शिकायत", "any": "सभी",
		"name": "नाम", "role": "भूमिका", "create_account": "खाता बनाएँ", "disable": "बंद करें", "enable": "फिर चालू करें",
		"disabled": "बंद", "label": "लेबल", "create_key": "कुंजी बनाएँ", "rotate": "नई कुंजी से बदलें", "revoke": "रद्द करें",
		"revoked": "रद्द", "active": "चालू", "key_once": "यह कुंजी अभी कॉपी कर लें: यह सिर्फ़ एक बार दिखाई जाएगी।",
		"forbidden": "आपको यह पेज देखने की अनुमति नहीं है।", "not_found": "नहीं मिला।", "back": "वापस",
		"when": "कब", "who": "किसने", "action": "कार्य", "subject": "किस पर", "outcome": "नतीजा",
		"role_admin": "प्रशासक", "role_operator": "ऑपरेटर", "role_officer": "विभागीय अधिकारी",
		"role_editor": "कंटेंट संपादक", "role_evaluator": "मूल्यांकनकर्ता", "created": "बनाया गया", "read_only": "केवल देखने के लिए: आपकी भूमिका आवेदनों पर कार्रवाई नहीं करती।",
		"session_expired": "आपका सत्र समाप्त हो गया। कृपया फिर से लॉग इन करें।", "try_again": "कुछ गड़बड़ हुई। कृपया फिर कोशिश करें।",
		"password_rule": "कम से कम 12 अक्षर।", "field_error": "कृपया यह जानकारी जाँचें:", "history": "इतिहास", "handovers": "बातचीत", "take": "बातचीत संभालें", "reply": "जवाब", "send": "भेजें", "hand_back": "भेजें और मित्र को वापस दें",
		"waiting": "इंतज़ार में", "active_h": "अधिकारी के साथ", "citizen": "नागरिक", "mitra_or_officer": "मित्र / अधिकारी",
		"outside_window": "नागरिक के आख़िरी संदेश को 24 घंटे से ज़्यादा हो गए: अब WhatsApp सिर्फ़ स्वीकृत टेम्पलेट भेजने देता है, इसलिए सामान्य संदेश नहीं भेजा जा सकता।",
		"taken_by_other": "यह बातचीत किसी और अधिकारी ने संभाल ली है।", "general_queue": "सामान्य कतार", "talk_to_citizen": "नागरिक से बात करें",
		"review": "समीक्षा कतार", "count": "संदेश", "sample": "नागरिकों ने क्या लिखा", "offered": "दिखाई गई सेवाएँ", "as_alias": "उपनाम के रूप में जोड़ें",
		"as_case": "eval केस के रूप में जोड़ें", "out_of_scope": "दायरे से बाहर", "service_id": "सेवा", "export_aliases": "प्रस्तावित उपनाम (YAML)",
		"export_cases": "प्रस्तावित eval केस (JSONL)", "chosen": "नागरिकों ने चुना", "none_of_these": "इनमें से कोई नहीं", "district": "ज़िला", "all_districts": "सभी ज़िले",
	},
}

// ct returns a console word in a language, English when it has none.
func ct(lang, key string) string {
	if s, ok := consoleText[lang][key]; ok {
		return s
	}
	if s, ok := consoleText["en"][key]; ok {
		return s
	}
	return key
}
