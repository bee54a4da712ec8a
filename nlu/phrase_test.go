package nlu

import "testing"

func TestPhraseKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"నా సర్టిఫికెట్లు", "na sartifiketl"},
		// Romanized Telugu, as citizens type it, meets the Telugu script.
		{"na sartifiketlu", "na sartifiketl"},
		{"मेरे प्रमाण पत्र", "mer praman patr"},
		{"mere praman patra", "mer praman patr"},
		{"mere pramaan patr", "mer praman patr"},
		// Case, spacing and punctuation do not matter, nor the script of a
		// fixed command.
		{"Main Menu", "men men"},
		{"  MAIN   menu!", "men men"},
		{"मेन मेनू", "men men"},
		{"", ""},
		{"   ", ""},
	}
	for _, tt := range tests {
		if got := PhraseKey(tt.in); got != tt.want {
			t.Errorf("PhraseKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
