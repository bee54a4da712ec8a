package evals

import (
	"embed"
	"io/fs"
)

//go:embed suites/*.jsonl
var suites embed.FS

// EmbeddedSuites returns the eval suites shipped in the binary.
func EmbeddedSuites() fs.FS {
	sub, err := fs.Sub(suites, "suites")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	return sub
}
