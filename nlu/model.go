package nlu

import (
	"bytes"
	_ "embed"
)

//go:generate ../scripts/train-langid

//go:embed data/latin-langid.tsv.gz
var latinModelFile []byte

// LoadLatinModel reads the romanized language-ID model shipped with mitra
// (trained by internal/trainlid).
func LoadLatinModel() (*LatinModel, error) {
	return ReadLatinModel(bytes.NewReader(latinModelFile))
}
