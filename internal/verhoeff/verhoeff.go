// Package verhoeff is the Verhoeff check digit (dihedral group D5): it
// catches every single wrong digit and every swap of two neighbours, the
// two mistakes people make reading or typing numbers. UIDAI uses it for
// Aadhaar's last digit; mitra also uses it for its reference numbers.
package verhoeff

var (
	d = [10][10]int{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
		{3, 4, 0, 1, 2, 8, 9, 5, 6, 7}, {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
		{6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3}, {8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
		{9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
	}
	p = [8][10]int{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4}, {5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
		{8, 9, 1, 6, 0, 4, 3, 5, 2, 7}, {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
		{2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8},
	}
	inv = [10]int{0, 4, 3, 2, 1, 5, 6, 7, 8, 9}
)

// Valid reports whether a digit string ends in its Verhoeff check digit.
func Valid(num string) bool {
	if num == "" {
		return false
	}
	c, ok := checksum(num, 0)
	return ok && c == 0
}

// CheckDigit returns the digit to append to num (digits only) so that the
// result is Valid; ok is false if num holds anything but digits.
func CheckDigit(num string) (byte, bool) {
	c, ok := checksum(num, 1)
	return byte('0' + inv[c]), ok
}

// checksum runs the Verhoeff sum from the right; offset 1 leaves room for
// the check digit still to come.
func checksum(num string, offset int) (int, bool) {
	c := 0
	for i := 0; i < len(num); i++ {
		digit := num[len(num)-1-i]
		if digit < '0' || digit > '9' {
			return 0, false
		}
		c = d[c][p[(i+offset)%8][int(digit-'0')]]
	}
	return c, true
}
