package retrieval

import (
	"strings"

	"github.com/mitra-gov/mitra/catalog"
)

// Cue words say what kind of thing someone wants without naming the
// service: "pension raledu" (has not come) asks after something already
// applied for, or complains; "pension kavali" asks for it. The engine
// nudges candidates of the cued kinds up, so "pension abhi tak nahi aaya"
// reaches the pension status check rather than a new pension application.
var cueKinds = []struct {
	words stopSet
	kinds []catalog.Kind
}{
	{
		// Not received, still, stopped: a status check or a complaint.
		words: keySet("raledu", "raaledu", "ledu", "ledhu", "inka", "inkaa", "ivvaledu", "avvaledu", "aagipoyindi",
			"agipoyindi", "apesaru", "aapesaru", "emaindi", "emayindi", "nahi", "nahin", "nhi", "abhi", "band",
			"mila", "mili", "vachinda", "vachhinda", "vachindha", "ayyinda", "ayindi", "ayyindi",
			"ruka", "ruki", "not", "yet", "still", "stopped", "pending", "delay", "delayed",
			"రాలేదు", "లేదు", "ఇంకా", "ఇవ్వలేదు", "ఆగిపోయింది", "ఆపేశారు", "ఏమైంది", "నహీ",
			"नहीं", "अभी", "तक", "बंद", "रुकी", "रुका"),
		kinds: []catalog.Kind{"status", "grievance"},
	},
	{
		words: keySet("status", "staus", "stetus", "sthiti", "stithi", "track", "tracking", "progress", "where",
			"స్టేటస్", "స్థితి", "स्टेटस", "स्थिति"),
		kinds: []catalog.Kind{"status"},
	},
	{
		words: keySet("complaint", "complain", "complint", "problem", "issue", "firyadu", "shikayat", "shikayath",
			"samasya", "kharab", "broken", "working", "ఫిర్యాదు", "కంప్లైంట్", "సమస్య", "शिकायत", "समस्या", "खराब"),
		kinds: []catalog.Kind{"grievance"},
	},
}

// cueBoost is added to the fused score of a candidate whose kind a cue in
// the message points to. It reorders near-ties; it cannot lift an
// unrelated service past the routing thresholds on its own.
const cueBoost = 0.06

// teluguNegative is the key ending of Telugu negative verbs (raaledu,
// ivvaledu, pettaledu, cheyyaledu: "has not come / given / installed /
// done"), in either script; like "nahi", it cues a status check or a
// complaint.
const teluguNegative = "aled"

// cuedKinds returns the kinds the message's words point to.
func cuedKinds(words, keys []string) map[catalog.Kind]bool {
	var out map[catalog.Kind]bool
	for i, w := range words {
		for j, c := range cueKinds {
			negative := j == 0 && len(keys[i]) > len(teluguNegative)+1 && strings.HasSuffix(keys[i], teluguNegative)
			if negative || c.words.stop(w, keys[i]) {
				if out == nil {
					out = map[catalog.Kind]bool{}
				}
				for _, k := range c.kinds {
					out[k] = true
				}
			}
		}
	}
	return out
}
