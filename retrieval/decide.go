package retrieval

// Decision is what the dialog does with a message.
type Decision string

const (
	// Direct: one service is clearly meant; show its card.
	Direct Decision = "direct"
	// Choose: a few services fit; offer the top three.
	Choose Decision = "choose"
	// Menu: nothing fits well enough (or it was a greeting, or out of
	// scope); fall back to the department menu, which is always right.
	Menu Decision = "menu"
)

// Thresholds calibrate the routing decision. They are set from the eval
// suite (mitra eval --calibrate) to keep confidently wrong routings rare;
// the values here are the calibrated defaults.
type Thresholds struct {
	// Direct needs the top score at least DirectScore and ahead of the
	// runner-up by DirectMargin.
	DirectScore  float32 `json:"direct_score"`
	DirectMargin float32 `json:"direct_margin"`
	// Choose needs the top score at least ChooseScore.
	ChooseScore float32 `json:"choose_score"`
}

// DefaultThresholds were calibrated on evals/suites (`mitra eval
// --calibrate`), last with the citizens' suites: a wider margin before a
// direct routing keeps confident-wrong under 1% on every suite, while "I
// need a caste certificate" still goes straight to its card.
var DefaultThresholds = Thresholds{DirectScore: 0.58, DirectMargin: 0.10, ChooseScore: 0.40}

// Decide routes on the ranked scores (best first).
func (t Thresholds) Decide(scores []float32) Decision {
	if len(scores) == 0 || scores[0] < t.ChooseScore {
		return Menu
	}
	second := float32(0)
	if len(scores) > 1 {
		second = scores[1]
	}
	if scores[0] >= t.DirectScore && scores[0]-second >= t.DirectMargin {
		return Direct
	}
	return Choose
}
