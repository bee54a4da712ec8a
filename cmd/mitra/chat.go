package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mitra-gov/mitra/application"
	"github.com/mitra-gov/mitra/dialog"
)

// runChat is a terminal conversation over the same dialog the WhatsApp
// channel uses: lists become numbered lines.
func runChat(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	eng, _, err := parseAndBuild(ctx, newFlagSet("chat", stderr), args)
	if err != nil {
		return err
	}
	bot := dialog.New(dialog.Config{Catalog: eng.Catalog(), Matcher: eng})
	const user = "terminal"
	var state dialog.State
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	say := func(in dialog.Inbound) error {
		next, replies, err := bot.Step(ctx, user, state, in)
		if err != nil {
			return err
		}
		if sub := next.Effects.Submit; sub != nil {
			// Offline there is no database: the form is checked and
			// confirmed as it would be, and said not to be stored.
			ref, err := application.NewRef(time.Now())
			if err != nil {
				return err
			}
			rec := application.Record{Ref: ref, Kind: application.KindApplication, Service: sub.Service}
			if s, ok := eng.Catalog().Service(sub.Service); ok {
				rec.Kind = application.KindOf(string(s.Kind))
			}
			replies = append(replies, bot.Submitted(&next, rec)...)
			replies = append(replies, dialog.Reply{Text: "[mitra chat runs offline: this application was checked, not stored or sent]"})
		}
		state = next
		renderReplies(out, replies)
		fmt.Fprint(out, "\n> ")
		return out.Flush()
	}
	fmt.Fprintln(out, "mitra chat · type a message; 0 = back, menu = main menu, exit = quit")
	if err := say(dialog.Inbound{}); err != nil {
		return err
	}
	in := bufio.NewReaderSize(stdin, 64<<10)
	for {
		line, err := readLine(in)
		if errors.Is(err, io.EOF) {
			fmt.Fprintln(out)
			return nil
		}
		if err != nil {
			return err
		}
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "exit", "quit", "/q":
			return nil
		}
		if err := say(dialog.Inbound{Text: line}); err != nil {
			return err
		}
	}
}

func renderReplies(w io.Writer, replies []dialog.Reply) {
	for _, r := range replies {
		fmt.Fprintf(w, "\n%s\n", r.Text)
		for i, o := range r.Options {
			if o.Description != "" {
				fmt.Fprintf(w, "  %d. %s — %s\n", i+1, o.Title, o.Description)
			} else {
				fmt.Fprintf(w, "  %d. %s\n", i+1, o.Title)
			}
		}
	}
}
