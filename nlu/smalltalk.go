package nlu

import (
	"strings"

	"github.com/mitra-gov/mitra/catalog"
)

// Words that say nothing about language or service: acknowledgements and
// navigation that read the same in all three languages as typed in Latin.
// A message of only these keeps the conversation's language.
var neutralWords = keySet(
	"ok", "okay", "k", "kk", "yes", "no", "yeah", "ya", "haa", "ha", "hmm", "hm",
	"hi", "hello", "hey", "hii", "helo", "menu", "back", "thanks", "thank", "you", "thanku", "tq", "thx",
	"bye", "mitra", "hai", "sir", "madam",
)

// Greeting and thanks words in every script and common spelling. Keys are
// compared, so "నమస్కారం", "namaskaram" and "namaskaaram" are one entry.
var greetingWords = keySet(
	"hi", "hii", "hiii", "hello", "helo", "hallo", "hey", "hai", "namaste", "namasthe", "namaskar", "namaskaram",
	"namaskaaram", "namskar", "pranam", "good", "morning", "afternoon", "evening", "gm", "salaam", "salam",
	"assalamu", "alaikum", "vanakkam", "mitra", "మిత్ర", "मित्र",
	"నమస్కారం", "నమస్తే", "హాయ్", "హలో", "శుభోదయం", "గుడ్", "మార్నింగ్",
	"नमस्ते", "नमस्कार", "हाय", "हेलो", "हैलो", "प्रणाम", "सुप्रभात", "सलाम",
)

// Thanks words, and the acknowledgements that close a conversation the
// same way ("ok", "theek hai", "సరే").
var thanksWords = keySet(
	"thanks", "thank", "thanku", "thnks", "thnx", "thanx", "tnx", "tq", "thx", "ty", "dhanyavad", "dhanyavaad",
	"dhanyavadalu", "shukriya", "ok", "okay", "bye", "done", "great", "nice", "super", "theek", "thik", "acha",
	"achha", "accha", "sare",
	"ధన్యవాదాలు", "థాంక్స్", "థ్యాంక్స్", "సరే", "ఓకే", "धन्यवाद", "शुक्रिया", "थैंक्स", "ठीक", "अच्छा", "ओके",
)

// politeWords go with a greeting or thanks without changing it: forms of
// address, "how are you", "very much", "it helped".
var politeWords = keySet(
	"sir", "madam", "anna", "akka", "andi", "garu", "ji", "bhai", "bhaiya", "there", "dear", "mana", "you", "so",
	"much", "very", "how", "are", "kaise", "ho", "hain", "aap", "kya", "haal", "hal", "ela", "unnaru", "unnav",
	"bagunnara", "bagunnava", "bagunnaru", "bahut", "madad", "hui", "help", "ayindi", "chala", "hai", "kiya",
	"మన", "అండి", "గారు", "సార్", "అన్నా", "అక్కా", "చాలా", "అయింది", "బాగున్నారా", "ఎలా", "ఉన్నారు",
	"जी", "सर", "भाई", "भैया", "बहुत", "मदद", "हुई", "है", "कैसे", "हो", "हैं", "आप",
)

func keySet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[Key(Normalize(w))] = true
	}
	return m
}

// smallTalk says whether the message is only a greeting or only thanks.
func smallTalk(keys []string) string {
	if len(keys) == 0 || len(keys) > 6 {
		return ""
	}
	if only(keys, greetingWords) {
		return "greeting"
	}
	if only(keys, thanksWords) {
		return "thanks"
	}
	return ""
}

// only reports whether the keys are words of set and polite words, with
// at least one of set: "good morning bhai kaise ho" is a greeting, "sir"
// alone is not.
func only(keys []string, set map[string]bool) bool {
	core := false
	for _, k := range keys {
		switch {
		case set[k]:
			core = true
		case !politeWords[k]:
			return false
		}
	}
	return core
}

func neutralOnly(keys []string) bool { return allIn(keys, neutralWords) }

func allIn(keys []string, set map[string]bool) bool {
	for _, k := range keys {
		if !set[k] {
			return false
		}
	}
	return true
}

// grammarWords are romanized Telugu and Hindi words that only a sentence
// in that language has: verbs of wanting and doing, case endings,
// pronouns, question words, and greetings that belong to one language.
// Compared as typed. "ki" is in both languages and counts for neither.
var grammarWords = mergeLangs(map[catalog.Lang][]string{
	catalog.Telugu: {
		"kavali", "kaavali", "kavaali", "kaavaali", "kavale", "kaavale", "naaku", "naku", "maaku", "maku", "meeku",
		"ela", "elaa", "enti", "emiti", "endi", "ledu", "ledhu", "undi", "undhi", "unnadi", "cheyali", "cheyyali",
		"cheyyaali", "cheyandi", "cheyyandi", "lo", "ku", "nundi", "nunchi", "ekkada", "eppudu", "enni",
		"raledu", "vachindi", "vachhindi", "ivvandi", "ivvaledu", "cheppandi", "chesanu", "chesa", "kosam",
		"kattali", "kattaali", "teesukovali", "tisukovali", "pettali", "marchali", "chudali", "choodali",
		"cheyinchali", "avutundi", "ayyindi", "poyindi", "unnanu", "nenu", "maa", "mee", "naa", "nuvvu", "evaru",
		"emaindi", "inka", "kuda", "kooda", "gurinchi", "daggara", "entha", "andi", "garu", "ivvali",
		"unda", "leda", "cheyi", "cheyu", "namaskaram", "namaskaaram", "namaskaramandi",
		"dhanyavaadalu", "dhanyavadalu", "chyali", "cheyyi",
	},
	catalog.Hindi: {
		"hai", "hain", "ka", "ke", "ko", "se", "mein", "mujhe", "muje", "chahiye", "chaiye", "chahie", "karna",
		"karni", "karne", "kaise", "kese", "kya", "nahi", "nahin", "nhi", "hua", "hui", "gaya", "gayi", "tha",
		"thi", "mera", "meri", "mere", "aur", "kab", "kahan", "kaha", "kitna", "kitne", "liye", "apna", "apne",
		"hamara", "hamare", "hamari", "banwana", "banvana", "milega", "mila", "mili", "bharna", "dena", "lena",
		"karwana", "karvana", "raha", "rahi", "rahe", "hoga", "hogi", "batao", "bataye", "kijiye", "dijiye",
		"kare", "karen", "karein", "namaste", "namaskar", "dhanyavad", "dhanyavaad", "shukriya", "bhai", "bhaiya",
		"ji", "haan", "accha", "salaam", "alaikum", "assalamu", "walaikum",
	},
})

func mergeLangs(m map[catalog.Lang][]string) map[string]catalog.Lang {
	out := map[string]catalog.Lang{}
	for lang, words := range m {
		for _, w := range words {
			out[w] = lang
		}
	}
	return out
}

func wordSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// teluguEndings are verb endings no English word has: poyindi, cheyyali,
// raaledu, avutundi, chestunnaru.
var teluguEndings = []string{"indi", "inda", "aali", "yyali", "aledu", "utundi", "tunnaru", "tunnanu", "tunnadu", "chali", "vali"}

// grammarSkeletons maps the consonants of each grammar word of three or
// more consonants ("kvl" of kavali, "krn" of karna; two are too few: "mro"
// is an office, not mera) to its language, and to the
// shortest grammar word with them; a skeleton both languages share is
// left out.
var grammarSkeletons = func() map[string]shorthand {
	out := map[string]shorthand{}
	clash := map[string]bool{}
	for w, lang := range grammarWords {
		sk := vowelsDropped(w)
		if len(sk) < 3 || clash[sk] {
			continue
		}
		if prev, ok := out[sk]; ok {
			if prev.lang != lang {
				delete(out, sk)
				clash[sk] = true
				continue
			}
			prev.shortest = min(prev.shortest, len(w))
			out[sk] = prev
			continue
		}
		out[sk] = shorthand{lang, len(w)}
	}
	return out
}()

type shorthand struct {
	lang     catalog.Lang
	shortest int
}

// vowelsDropped returns a Latin word's letters without its vowels.
func vowelsDropped(w string) string {
	var b strings.Builder
	for i := 0; i < len(w); i++ {
		switch c := w[i]; c {
		case 'a', 'e', 'i', 'o', 'u':
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// shorthandLang reads SMS shorthand of a grammar word, its vowels dropped
// ("kvl" or "kvli" for kavali, "krna" for karna): a shorter word with the
// same consonants and no vowel but a last one. A vowel inside makes it a
// word of its own ("led" is not ledu).
func shorthandLang(w string) catalog.Lang {
	if len(w) < 2 || DetectScript(w) != ScriptLatin || len(vowelsDropped(w[:len(w)-1])) != len(w)-1 {
		return ""
	}
	if sh, ok := grammarSkeletons[vowelsDropped(w)]; ok && len(w) < sh.shortest {
		return sh.lang
	}
	return ""
}

// grammarLang counts the Telugu and Hindi grammar words of a message and
// returns the language with more ("" for none or a tie), and whether any
// was found.
func grammarLang(words []string) (catalog.Lang, bool) {
	te, hi := 0, 0
	for _, w := range words {
		switch grammarWords[w] {
		case catalog.Telugu:
			te++
			continue
		case catalog.Hindi:
			hi++
			continue
		}
		ending := false
		for _, e := range teluguEndings {
			if len(w) > len(e)+1 && strings.HasSuffix(w, e) {
				ending = true
				break
			}
		}
		if ending {
			te++
			continue
		}
		switch shorthandLang(w) {
		case catalog.Telugu:
			te++
		case catalog.Hindi:
			hi++
		}
	}
	switch {
	case te > hi:
		return catalog.Telugu, true
	case hi > te:
		return catalog.Hindi, true
	}
	return "", te > 0
}
