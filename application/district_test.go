package application

import "testing"

func TestDistrictOfPIN(t *testing.T) {
	t.Parallel()
	for pin, want := range map[string]string{"522002": "guntur", "520010": "krishna", "530017": "visakhapatnam", "517501": "chittoor",
		"500001": "", "52200": "", "52200x": "", "": ""} {
		if got := DistrictOfPIN(pin); got != want {
			t.Errorf("%q: %q, want %q", pin, got, want)
		}
	}
	named := map[string]bool{}
	for _, d := range pinDistricts {
		named[d] = true
	}
	if len(named) != len(Districts) {
		t.Errorf("%d districts named by PIN codes, %d listed", len(named), len(Districts))
	}
	for _, d := range Districts {
		if !named[d] {
			t.Errorf("%s listed but no PIN code names it", d)
		}
	}
}
