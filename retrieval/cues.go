package retrieval

import (
	"math/bits"
	"slices"
	"strings"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/nlu"
)

// Cue words say what kind of thing someone wants without naming the
// service: "pension raledu" (has not come) asks after something already
// applied for, or complains; "pension kavali" asks for it. The engine
// nudges candidates of the cued kinds up, so "pension abhi tak nahi aaya"
// reaches the pension status check rather than a new pension application.
var cueKinds = []struct {
	intent catalog.Intent
	words  stopSet
	// with, when set, must also be in the message for the cue to count.
	with  stopSet
	kinds []catalog.Kind
}{
	{
		// Not received, still, stopped: a status check or a complaint.
		intent: catalog.IntentStatus,
		words: keySet("raledu", "raaledu", "ledu", "ledhu", "inka", "inkaa", "ivvaledu", "avvaledu", "aagipoyindi",
			"agipoyindi", "apesaru", "aapesaru", "emaindi", "emayindi", "nahi", "nahin", "nhi", "abhi", "band",
			"mila", "mili", "vachinda", "vachhinda", "vachindha", "ayyinda", "ayindi", "ayyindi",
			"ruka", "ruki", "not", "yet", "still", "stopped", "pending", "delay", "delayed", "nothing", "heard",
			"రాలేదు", "లేదు", "ఇంకా", "ఇవ్వలేదు", "ఆగిపోయింది", "ఆపేశారు", "ఏమైంది", "నహీ",
			"नहीं", "अभी", "तक", "बंद", "रुकी", "रुका"),
		kinds: []catalog.Kind{"status", "grievance"},
	},
	{
		intent: catalog.IntentStatus,
		words: keySet("status", "staus", "stetus", "sthiti", "stithi", "track", "tracking", "progress", "where", "applied",
			"స్టేటస్", "స్థితి", "स्टेटस", "स्थिति"),
		kinds: []catalog.Kind{"status"},
	},
	{
		// Done already ("applied", "apply chesam", "arzi di thi"): a
		// follow-up, when the message also says what was given in.
		intent: catalog.IntentStatus,
		words: keySet("applied", "submitted", "sent", "gave", "given", "filed", "lodged", "update", "updates",
			"chesi", "petti", "ichi", "ichhi", "bheja", "bheji", "చేసి", "పెట్టి", "ఇచ్చి", "भेजा", "भेजी", "chesam", "chesanu", "chesaanu", "chesamu", "pettam", "pettanu", "ichanu",
			"ichhanu", "icchanu", "ichamu", "kiya", "kiye", "diya", "diye", "tha", "thi", "hua", "hui", "selected",
			"చేశాం", "చేశాను", "చేసాం", "చేసాను", "పెట్టాం", "పెట్టాను", "ఇచ్చాను", "ఇచ్చాం", "అయిందా",
			"किया", "किए", "दिया", "दी", "दिए", "था", "थी", "थे", "हुआ", "हुई"),
		with: keySet("apply", "applied", "application", "form", "arzi", "arji", "petition", "darakhastu", "registration",
			"complaint", "shikayat", "firyadu", "ఫిర్యాదు", "शिकायत",
			"దరఖాస్తు", "అర్జీ", "ఫారం", "అప్లై", "अर्ज़ी", "अर्जी", "आवेदन", "फॉर्म", "फ़ॉर्म", "अप्लाई"),
		kinds: []catalog.Kind{"status"},
	},
	{
		intent: catalog.IntentComplain,
		words: keySet("complaint", "complain", "complint", "problem", "issue", "firyadu", "shikayat", "shikayath",
			"samasya", "kharab", "broken", "working", "ఫిర్యాదు", "కంప్లైంట్", "సమస్య", "शिकायत", "समस्या", "खराब"),
		kinds: []catalog.Kind{"grievance"},
	},
	{
		intent: catalog.IntentPay,
		words: keySet("pay", "payment", "paid", "kattali", "kattalante", "chellinchali", "bharna", "bharni", "jama",
			"కట్టాలి", "చెల్లించాలి", "చెల్లింపు", "भरना", "भुगतान", "जमा"),
		kinds: []catalog.Kind{"payment"},
	},
	{
		intent: catalog.IntentBook,
		words: keySet("book", "booking", "reserve", "reservation", "slot", "appointment", "ticket", "tickets",
			"బుక్", "బుకింగ్", "టికెట్", "बुक", "बुकिंग", "टिकट"),
		kinds: []catalog.Kind{"booking"},
	},
	{
		intent: catalog.IntentCorrect,
		words: keySet("correction", "correct", "change", "mistake", "wrong", "modify", "edit", "spelling", "sarichey",
			"marchali", "marchadaniki", "marchandi", "tappu", "thappu", "tappuga", "galti", "galat", "sudhar", "sudharna",
			"badalna", "badalwana", "badalvana", "సవరణ", "మార్పు", "మార్చాలి", "మార్చడానికి", "మార్చండి", "తప్పు",
			"सुधार", "सुधारना", "गलती", "गलत", "ग़लत", "बदलना", "बदलवाना"),
	},
	{
		intent: catalog.IntentCancel,
		words: keySet("cancel", "surrender", "remove", "delete", "withdraw", "raddu", "radd", "tolaginchali",
			"teeseyali", "teeseyyali", "teeseyandi", "teeyinchali", "hatana", "hatwana", "hatvana", "hatao",
			"nikalna", "nikalwana", "రద్దు", "తొలగించాలి", "తొలగించండి", "తీసేయాలి", "తీసేయండి", "తీయించాలి",
			"रद्द", "हटाना", "हटवाना", "निकालना", "निकलवाना"),
	},
	{
		intent: catalog.IntentApply,
		words: keySet("apply", "new", "kavali", "kaavali", "kavaali", "chahiye", "chaiye", "want", "need", "kotha",
			"naya", "nayi", "కావాలి", "కొత్త", "चाहिए", "नया", "नई"),
		kinds: []catalog.Kind{"application", "certificate"},
	},
}

// cueBoost is added to the fused score of a candidate whose kind a cue in
// the message points to. It reorders near-ties; it cannot lift an
// unrelated service past the routing thresholds on its own.
const cueBoost = 0.06

// statusBoost is cueBoost for a follow-up ("applied six weeks ago and
// heard nothing"): the application's own words match the new-application
// service as well as its status check, so only the intent can tell them
// apart, and it needs the larger say.
const statusBoost = 0.12

// teluguNegative is the key ending of Telugu negative verbs (raaledu,
// ivvaledu, pettaledu, cheyyaledu: "has not come / given / installed /
// done"), in either script; like "nahi", it cues a status check or a
// complaint.
const teluguNegative = "aled"

// cuedKinds returns the kinds the message's words point to: those of its
// first intent in the order above (see intentOf).
func cuedKinds(words, keys []string) kindSet {
	_, kinds := intentOf(words, keys)
	return kinds
}

// intentOf reads what the message wants to do from its cue words, and the
// kinds of service that intent points to. A message with no cue has no
// intent ("" ); a question with none is IntentInfo.
func intentOf(words, keys []string) (catalog.Intent, kindSet) {
	words, keys = concepts.unphrased(words, keys)
	first := len(cueKinds)
	for i, w := range words {
		groups := cueIndex.of(w, keys[i])
		if len(keys[i]) > len(teluguNegative)+1 && strings.HasSuffix(keys[i], teluguNegative) {
			groups |= 1 // the first group's: not received, still
		}
		// The word's first group that counts, if before the best so far.
		for ; groups != 0; groups &= groups - 1 {
			j := bits.TrailingZeros16(groups)
			if j >= first {
				break
			}
			if c := cueKinds[j]; c.with.latin == nil || anyIn(c.with, words, keys) {
				first = j
				break
			}
		}
	}
	if first == len(cueKinds) {
		for _, w := range words {
			if strings.HasSuffix(w, "?") {
				return catalog.IntentInfo, 0
			}
		}
		return "", 0
	}
	intent := cueKinds[first].intent
	return intent, intentKinds[intent]
}

// cueIndex maps each cue word to the groups of cueKinds it is in, one bit
// a group: a message's word is looked up once, not once a group.
var cueIndex = func() cueWords {
	if len(cueKinds) > 16 {
		panic("cueIndex: more than 16 cue groups")
	}
	ix := cueWords{latin: map[string]uint16{}, indic: map[scriptKey]uint16{}}
	for j, c := range cueKinds {
		for w := range c.words.latin {
			ix.latin[w] |= 1 << j
		}
		for script, keys := range c.words.indic {
			for k := range keys {
				ix.indic[scriptKey{script, k}] |= 1 << j
			}
		}
	}
	return ix
}()

// cueWords holds words as stopSet does: Latin ones as typed, Indic ones
// by their key within their script.
type cueWords struct {
	latin map[string]uint16
	indic map[scriptKey]uint16
}

type scriptKey struct {
	script nlu.Script
	key    string
}

// of returns the groups a word (normalised) with the given key is in.
func (c cueWords) of(word, key string) uint16 {
	if g := c.latin[word]; g != 0 || len(word) == 0 || word[0] < 0x80 {
		return g
	}
	return c.indic[scriptKey{nlu.DetectScript(word), key}]
}

// intentKinds are the kinds each intent points to: those of every cue
// group of that intent.
var intentKinds = func() map[catalog.Intent]kindSet {
	out := map[catalog.Intent]kindSet{}
	for _, c := range cueKinds {
		for _, k := range c.kinds {
			out[c.intent] |= kindOf(k)
		}
	}
	return out
}()

// kindSet is a set of service kinds, a bit each in catalog.Kinds' order:
// a match tests the kind of every service it scores against the cued
// ones, and a bit test costs what a map lookup would not.
type kindSet uint16

// statusKind is the status check's kind, which a cue lifts the most.
var statusKind = kindOf("status")

// kindOf is the set of kind k alone (empty for a kind mitra does not
// know).
func kindOf(k catalog.Kind) kindSet {
	if i := slices.Index(catalog.Kinds, k); i >= 0 {
		return 1 << i
	}
	return 0
}

// anyIn reports whether any of the words is in set.
func anyIn(set stopSet, words, keys []string) bool {
	for i, w := range words {
		if set.stop(w, keys[i]) {
			return true
		}
	}
	return false
}

// elapsed are the words of time gone by since something was done ("six
// weeks ago", "మూడు నెలల క్రితం"); with a "not yet" they make a
// follow-up. afterUnit are the words that mean it only after a span of
// time: "do hafte pehle" is "two weeks ago", but "pehle wahan se" is
// "first, from there".
var (
	elapsed   = keySet("ago", "kritam", "kritham", "krindata", "క్రితం", "క్రిందట")
	afterUnit = keySet("back", "before", "pehle", "pahle", "पहले")
	timeUnit  = keySet("day", "days", "week", "weeks", "month", "months", "year", "years", "din", "dino", "hafte",
		"hafta", "mahine", "mahina", "saal", "rojulu", "rojula", "vaaralu", "vaaram", "nelalu", "nelala", "samvatsaram",
		"दिन", "हफ्ते", "हफ़्ते", "महीने", "महीना", "साल", "వారం", "వారాలు", "నెల", "నెలలు", "నెలల", "రోజులు", "రోజుల")
)

// timeAgo reports whether the message says something was done a while
// ago. A span it has gone on for ("teen mahine se", "for two weeks") is
// not enough: "bedridden for two years" and "not at home for two weeks"
// describe a condition, not a request given in.
func timeAgo(words, keys []string) bool {
	for i, w := range words {
		if elapsed.stop(w, keys[i]) || (i > 0 && afterUnit.stop(w, keys[i]) && timeUnit.stop(words[i-1], keys[i-1])) {
			return true
		}
	}
	return false
}

// followUp reports whether a message asks after something given in: it
// names the status ("status", "track"), says it was applied for ("apply
// chesam", "arzi di thi"), or that something has not come since a while
// ago. A bare "not" or "ledu" also describes a
// problem ("no power since morning"), and is not enough.
func followUp(words, keys []string) bool {
	words, keys = concepts.unphrased(words, keys)
	if timeAgo(words, keys) && anyIn(cueKinds[0].words, words, keys) {
		return true // "six weeks ago ... heard nothing"
	}
	for _, c := range cueKinds[1:3] {
		for i, w := range words {
			if c.words.stop(w, keys[i]) && (c.with.latin == nil || anyIn(c.with, words, keys)) {
				return true
			}
		}
	}
	return false
}
