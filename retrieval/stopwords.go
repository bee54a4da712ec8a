package retrieval

import "github.com/mitra-gov/mitra/nlu"

// stopKeys are words that say how someone asks, not what for: "I need",
// "kavali", "chahiye", "ela", "how", "please", in every script, with the
// common romanized spellings. Negations and "still" (raledu, nahi aaya,
// inka) are here too: as content words they would match any alias that
// happens to contain them; their meaning (a status check or a complaint)
// is read separately, as a cue (see cues.go). Removing them keeps "naaku income certificate kavali" from
// matching services on "kavali".
var stopKeys = keySet(
	// English
	"i", "me", "my", "mine", "we", "our", "us", "you", "your", "a", "an", "the", "to", "for", "of", "in", "on",
	"at", "is", "are", "am", "was", "be", "been", "it", "this", "that", "and", "or", "with", "from", "by",
	"want", "wants", "need", "needs", "needed", "required", "require", "please", "pls", "plz", "kindly", "sir", "madam",
	"how", "what", "where", "when", "which", "who", "can", "could", "do", "does", "did", "get", "got", "give",
	"should", "would", "will", "shall", "may", "help", "hi", "hello", "know", "tell", "about", "regarding",
	"there", "any", "some", "have", "has", "had", "no", "yes", "ok", "okay", "so", "too", "also", "just",
	"now", "then", "than", "here", "its", "im", "ive", "dont", "cant", "u", "ur", "r", "hai", "ji",
	// the assistant's own name: "hello mitra" names no service
	"mitra", "మిత్ర", "मित्र",
	// Telugu, romanized and native
	"naaku", "naku", "nenu", "maa", "ma", "mana", "memu", "meeru", "mee", "kavali", "kaavali", "kavaali",
	"kaavaali", "kavalante", "ela", "elaa", "ekkada", "emiti", "enti", "endi", "eppudu", "enni", "cheyali",
	"cheyyali", "cheyyaali", "cheppandi", "cheppu", "ivvandi", "ivvu", "andi", "garu", "lo", "ki", "ku", "ni",
	"nu", "tho", "kosam", "ante", "oka", "kuda", "kooda", "chala", "unnaya", "undi", "ledhu",
	"ledu", "ledhu", "raledu", "raaledu", "inka", "inkaa", "ivvaledu", "avvaledu",
	"nenu", "na", "naa", "please", "plz", "sir", "anna", "amma", "ayya", "ga", "kada", "aa", "ee", "emi",
	"kavaale", "kaavale", "kavale", "kavalii", "chey", "cheyi", "cheyandi", "cheyyandi", "cheyyalante",
	"cheyalante", "ivvali", "ivvaali", "ekkada", "elaa", "yela", "ela?", "emti", "entandi", "enduku",
	"undhi", "unnadi", "unnai", "unnayi", "avvali", "kosamu", "gurinchi",
	"nenu", "naaku", "naku", "maaku", "maku", "meeku", "miku", "daggara", "nundi", "nunchi", "dwara",
	"teesukovali", "tisukovali", "theesukovali", "pondali", "kaavalante", "kavalante",
	"నాకు", "నేను", "మా", "మేము", "మీరు", "కావాలి", "ఎలా", "ఎక్కడ", "ఏమిటి", "ఎప్పుడు", "ఎన్ని",
	"చేయాలి", "చెప్పండి", "ఇవ్వండి", "అండి", "గారు", "లో", "కి", "కు", "ని", "తో", "కోసం", "ఒక", "ఇంకా",
	"కూడా", "చాలా", "ఉంది", "నా", "లేదు", "రాలేదు", "ఇంకా", "ఇవ్వలేదు", "దయచేసి", "సార్", "ఏమి",
	// Hindi, romanized and native
	"नाकु", "नाकू", // "naaku" (to me) in Devanagari: a Telugu speaker typing in Hindi letters
	"mujhe", "muje", "mujhko", "mera", "meri", "mere", "hum", "hame", "hamara", "hamari", "aap", "aapka",
	"chahiye", "chaiye", "chahie", "chahiye", "karna", "karni", "karne", "kaise", "kaha", "kahan", "kya",
	"kyu", "kab", "ka", "ke", "ki", "ko", "se", "me", "mein", "par", "pe", "liye", "lie",
	"nahi", "nahin", "nhi", "abhi", "tak", "aaya", "aayi", "aya", "mila", "mili", "not", "yet", "still",
	"hai", "hain", "h", "tha", "thi", "ho", "hota", "hoga", "ek", "bhi", "aur", "ya", "nhi",
	"krna", "kr", "kare", "karo", "kijiye", "dijiye", "de", "bataye", "batao", "bhai", "ji", "sahab",
	"chahie", "chaiye", "chahiyee", "chahte", "chahta", "chahti", "karna", "karwana", "karvana", "banwana",
	"banvana", "banana", "milega", "milta", "mile", "lena", "leni", "lene", "hoga", "hogi", "kaise", "kese",
	"kaisa", "kahan", "kaha", "kidhar", "kyun", "kyon", "apna", "apne", "apni", "hamare", "hamko", "humko",
	"मुझे", "मेरा", "मेरी", "मेरे", "हम", "हमारा", "आप", "चाहिए", "करना", "करनी", "करने", "कैसे", "कहाँ",
	"कहां", "क्या", "कब", "का", "के", "की", "को", "से", "में", "पर", "लिए", "है", "हैं", "था",
	"हो", "एक", "भी", "और", "या", "नहीं", "अभी", "तक", "आया", "आई", "मिला", "मिली", "कृपया", "बताइए", "बताओ", "दीजिए", "जी",
)

// stopSet holds Latin stop words as typed (lowercase) and Indic ones as
// transliteration keys, per script. Latin words are compared as typed
// because their keys collide with content words: "kho" (lost) and "ko"
// (to) share a key. Indic spellings vary less, and their keys absorb the
// variation; but a key is only compared within its script, since Telugu
// గారు (an honorific) and Hindi घर (house) share one too.
type stopSet struct {
	latin map[string]bool
	indic map[nlu.Script]map[string]bool
}

func keySet(words ...string) stopSet {
	s := stopSet{latin: map[string]bool{}, indic: map[nlu.Script]map[string]bool{
		nlu.ScriptTelugu: {}, nlu.ScriptDevanagari: {},
	}}
	for _, w := range words {
		w = nlu.Normalize(w)
		switch script := nlu.DetectScript(w); script {
		case nlu.ScriptLatin:
			s.latin[w] = true
		case nlu.ScriptTelugu, nlu.ScriptDevanagari:
			s.indic[script][nlu.Key(w)] = true
		}
	}
	return s
}

// stop reports whether a word (normalised) with the given key is a stop
// word.
func (s stopSet) stop(word, key string) bool {
	if s.latin[word] {
		return true
	}
	if len(word) == 0 || word[0] < 0x80 {
		return false
	}
	return s.indic[nlu.DetectScript(word)][key]
}

// contentKeys keys the words and drops the stop words.
func contentKeys(words []string) []string {
	keys := make([]string, len(words))
	for i, w := range words {
		keys[i] = nlu.Key(w)
	}
	return filterKeys(words, keys)
}

// filterKeys drops stop and noise words from the keyed words of a text
// and reads concept words as their concept (concepts.go).
func filterKeys(words, keys []string) []string {
	return concepts.read(words, keys)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
