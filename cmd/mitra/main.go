// Command mitra is the WhatsApp governance assistant: its engine on the
// command line (match, chat, eval, bench), the catalogue tools, and later
// the server. It is the only place that reads configuration and wires
// components together.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// usageError marks a mistake in how mitra was called; it exits with 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

const usage = `mitra: a WhatsApp assistant for public services, in Telugu, Hindi and English.

Usage:
  mitra serve [flags]            the WhatsApp webhook server, with the browser simulator by default
  mitra chat                     talk to mitra in the terminal (menus and free text)
  mitra match [--json] [TEXT...] match messages to services (stdin: one per line)
  mitra eval [flags]             run the eval suites; --baseline FILE guards against regressions
  mitra eval langid              romanized language-ID accuracy on Dakshina held-out prefixes
  mitra prompts list|render|diff  the versioned LLM prompts
  mitra verify FILE.pdf|QR-TEXT   check a certificate: signature, revocation, transparency log
  mitra catalog lint             check the catalogue data, with file and line
  mitra catalog list [--json]    list every service
  mitra bench [--json]           matches per second, latency, memory
  mitra bench voice [--json]     voice-note pipeline overhead and spoken-reply synthesis time
  mitra bench webhook [flags]    the whole server under signed webhook load, verified afterwards
  mitra bench applications       citizens applying by chat and by Flow at once, verified afterwards
  mitra bench vectors [flags]    recall@10 and latency of the pgvector index over 100,000 vectors
  mitra keys create|revoke -department D [-label L]   a department's API keys (printed once)
  mitra hooks set -department D -url U                push new records to a department's system
  mitra staff add -username U -name N [-role R]       a console account (password from MITRA_STAFF_PASSWORD or stdin)
  mitra flows keygen -out DIR    the WhatsApp Flows key pair (private key stays secret)
  mitra templates list|sync      the message template registry, or synced with Meta now
  mitra flows build -out DIR     the Flow JSON of every form, in te/hi/en, to publish with Meta

Run "mitra COMMAND -h" for a command's flags. Environment: MITRA_CATALOG (a catalogue
folder instead of the built-in one), MITRA_EMBEDDER (hash | openai), OPENAI_BASE_URL,
OPENAI_API_KEY, MITRA_EMBED_MODEL, MITRA_EMBED_DIM.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "mitra:", err)
	var ue usageError
	if errors.As(err, &ue) {
		os.Exit(2)
	}
	os.Exit(1)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usagef("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "match":
		return runMatch(ctx, rest, stdin, stdout, stderr)
	case "chat":
		return runChat(ctx, rest, stdin, stdout, stderr)
	case "eval":
		return runEval(ctx, rest, stdout, stderr)
	case "catalog":
		return runCatalog(rest, stdout, stderr)
	case "verify":
		return runVerify(ctx, rest, stdout, stderr)
	case "prompts":
		return runPrompts(rest, stdout, stderr)
	case "bench":
		return runBench(ctx, rest, stdout, stderr)
	case "keys":
		return runKeys(ctx, rest, stdout, stderr)
	case "hooks":
		return runHooks(ctx, rest, stdout, stderr)
	case "staff":
		return runStaff(ctx, rest, stdin, stdout, stderr)
	case "flows":
		return runFlows(rest, stdout, stderr)
	case "templates":
		return runTemplates(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usagef("unknown command %q", cmd)
}
