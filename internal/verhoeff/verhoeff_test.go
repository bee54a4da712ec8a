package verhoeff

import (
	"strconv"
	"testing"
)

func TestValidAndCheckDigit(t *testing.T) {
	// A valid Aadhaar-shaped number (UIDAI's published example scheme) and
	// the textbook example 236 → 2363.
	for _, ok := range []string{"234123412346", "2363"} {
		if !Valid(ok) {
			t.Errorf("%s should be valid", ok)
		}
	}
	for _, bad := range []string{"234123412345", "2362", "", "23a3"} {
		if Valid(bad) {
			t.Errorf("%q should not be valid", bad)
		}
	}
	if c, ok := CheckDigit("236"); !ok || c != '3' {
		t.Errorf("check digit of 236 = %c", c)
	}
}

// Every single wrong digit and every swap of two different neighbours is
// caught, over many numbers.
func TestCatchesSubstitutionsAndTranspositions(t *testing.T) {
	for n := 0; n < 3000; n++ {
		base := strconv.Itoa(26000000 + n*7919)
		c, _ := CheckDigit(base)
		num := []byte(base + string(c))
		for i := range num {
			for dgt := byte('0'); dgt <= '9'; dgt++ {
				if dgt == num[i] {
					continue
				}
				changed := append([]byte{}, num...)
				changed[i] = dgt
				if Valid(string(changed)) {
					t.Fatalf("%s with digit %d changed to %c passed", num, i, dgt)
				}
			}
			if i+1 < len(num) && num[i] != num[i+1] {
				swapped := append([]byte{}, num...)
				swapped[i], swapped[i+1] = swapped[i+1], swapped[i]
				if Valid(string(swapped)) {
					t.Fatalf("%s with digits %d and %d swapped passed", num, i, i+1)
				}
			}
		}
	}
}
