package store

import (
	"strings"
	"testing"
)

// A status's callback data is Meta's echo of what was sent, but it comes
// through the webhook: anything that is not a campaign's is not one, and
// what is parses back to the campaign and recipient it was made from.
func FuzzCampaignCallback(f *testing.F) {
	for _, s := range []string{CampaignCallback(7, "919000000001"), "campaign:", "campaign:x:1", "campaign:1:", "campaign:-1:9:9", "", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, waID, ok := parseCampaignCallback(s)
		if !ok {
			return
		}
		if !strings.HasPrefix(s, "campaign:") || waID == "" {
			t.Fatalf("%q parsed as %d, %q", s, id, waID)
		}
		if back := CampaignCallback(id, waID); back != s {
			t.Fatalf("%q parsed as %d, %q, which makes %q", s, id, waID, back)
		}
	})
}
