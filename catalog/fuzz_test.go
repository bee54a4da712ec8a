package catalog

import (
	"testing"
	"testing/fstest"
)

// Any bytes in a department file give a catalogue or an error, never a
// panic, and Lint never panics on what Load accepted.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("id: x\nname: {en: X, te: ఎక్స్, hi: एक्स}\nservices:\n  - id: a\n    kind: certificate\n"))
	f.Add([]byte("services: [null, {id: b}]\n"))
	f.Add([]byte("id: [\n"))
	f.Add([]byte("services:\n  - aliases: {en: [a, a]}\n    fee_inr: -1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Load(fstest.MapFS{"d.yaml": {Data: data}, "menu.yaml": {Data: []byte("departments: [x]\n")}})
		if err != nil {
			return
		}
		for _, p := range c.Lint() {
			if p.Where == "" || p.Msg == "" {
				t.Fatalf("problem without place or message: %+v", p)
			}
		}
	})
}
