module github.com/mitra-gov/mitra

go 1.26.8

require (
	github.com/pemistahl/lingua-go v1.4.0
	github.com/sashabaranov/go-openai v1.43.0
	golang.org/x/text v0.44.0
	gopkg.in/yaml.v3 v3.0.1
)

require (
	github.com/shopspring/decimal v1.3.1 // indirect
	golang.org/x/exp v0.0.0-20221106115401-f9659909a136 // indirect
	google.golang.org/protobuf v1.31.0 // indirect
)
