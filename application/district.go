package application

// DistrictOfPIN names the district a PIN code belongs to, by its first
// three digits (India Post's sorting district), for Andhra Pradesh's PIN
// codes; "" for any other. Sorting districts follow the 13 districts
// before the 2022 reorganisation, so a new district reports as the one it
// was carved from (NTR as Krishna, Palnadu as Guntur).
func DistrictOfPIN(pin string) string {
	if len(pin) != 6 {
		return ""
	}
	for _, c := range pin {
		if c < '0' || c > '9' {
			return ""
		}
	}
	return pinDistricts[pin[:3]]
}

var pinDistricts = map[string]string{
	"515": "anantapur", "516": "kadapa", "517": "chittoor", "518": "kurnool",
	"520": "krishna", "521": "krishna", "522": "guntur", "523": "prakasam", "524": "nellore",
	"530": "visakhapatnam", "531": "visakhapatnam", "532": "srikakulam", "533": "east-godavari",
	"534": "west-godavari", "535": "vizianagaram",
}

// Districts lists the districts DistrictOfPIN names, in the order the
// console offers them (north to south).
var Districts = []string{"srikakulam", "vizianagaram", "visakhapatnam", "east-godavari", "west-godavari", "krishna",
	"guntur", "prakasam", "nellore", "kurnool", "kadapa", "anantapur", "chittoor"}
