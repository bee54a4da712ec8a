package evals

import (
	"embed"
	"io/fs"
)

//go:embed suites/*.jsonl
var suites embed.FS

//go:embed voice/voice.jsonl voice/*.ogg
var voiceSuite embed.FS

// EmbeddedSuites returns the eval suites shipped in the binary.
func EmbeddedSuites() fs.FS {
	sub, err := fs.Sub(suites, "suites")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	return sub
}

// EmbeddedVoiceSuite returns the voice eval (voice.jsonl and its notes).
func EmbeddedVoiceSuite() fs.FS {
	sub, err := fs.Sub(voiceSuite, "voice")
	if err != nil {
		panic(err)
	}
	return sub
}
