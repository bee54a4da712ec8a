package testenv

import (
	"strconv"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/internal/verhoeff"
)

// aadhaar is a 12-digit number that passes Verhoeff.
var aadhaar = func() string {
	c, _ := verhoeff.CheckDigit("23456789012")
	return "23456789012" + string(c)
}()

// SampleAnswer is a valid answer to any field, so that a test walks a
// form whatever its content team adds: the option to tap, or the text to
// type ("" with skip true for an optional file or location).
func SampleAnswer(f *catalog.Field) (option, text string) {
	switch f.Type {
	case "choice":
		return "ans:" + f.Choices[0].ID, ""
	case "yes_no":
		return "ans:no", ""
	case "number":
		n := 1000.0
		if f.Min != nil && n < *f.Min {
			n = *f.Min
		}
		if f.Max != nil && n > *f.Max {
			n = *f.Max
		}
		return "", strconv.FormatFloat(n, 'f', -1, 64)
	case "date":
		return "", "15-08-1980"
	case "aadhaar":
		return "", aadhaar
	case "phone":
		return "", "9876543210"
	case "pin_code":
		return "", "522001"
	case "photo", "document", "location":
		return "skip", ""
	case "long_text":
		return "", "The problem has gone on for a week and nobody has come to see it."
	}
	if f.Pattern != "" {
		return "skip", ""
	}
	return "", "Lakshmi Devi"
}
