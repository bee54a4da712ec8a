package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/dialog"
	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp/flows"
	"github.com/mitra-gov/mitra/worker"
)

// The operators' commands: department keys and webhooks without psql,
// and the Flows' key pair and Flow JSON.

// runKeys is `mitra keys create|revoke -department D [-label L]`.
func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "revoke") {
		return usagef("keys: want create or revoke")
	}
	verb := args[0]
	fl := newFlagSet("keys "+verb, stderr)
	dept := fl.String("department", "", "the department's id, as in the catalogue (e.g. revenue)")
	label := fl.String("label", "", "a name for the key (who holds it); revoke: only keys with this label")
	dbURL := fl.String("database-url", os.Getenv("MITRA_DATABASE_URL"), "PostgreSQL URL (MITRA_DATABASE_URL)")
	if err := fl.Parse(args[1:]); err != nil {
		return usagef("%v", err)
	}
	if err := knownDepartment(*dept); err != nil {
		return err
	}
	st, err := store.Open(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	if verb == "create" {
		key, err := st.CreateAPIKey(ctx, *dept, *label)
		if err != nil {
			return err
		}
		if err := st.Audit(ctx, *dept, "create_key", *label, 0, "by operator command"); err != nil {
			return err
		}
		// The key is printed once and kept only as a hash.
		fmt.Fprintf(stdout, "%s\n", key)
		fmt.Fprintln(stderr, "mitra: keep this key safe; it is shown only now.")
		return nil
	}
	n, err := st.RevokeAPIKey(ctx, *dept, *label)
	if err != nil {
		return err
	}
	if err := st.Audit(ctx, *dept, "revoke_key", *label, 0, fmt.Sprintf("%d keys, by operator command", n)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked %d keys of %s\n", n, *dept)
	return nil
}

func knownDepartment(id string) error {
	cat, err := (&engineFlags{catalogDir: os.Getenv("MITRA_CATALOG")}).loadCatalog()
	if err != nil {
		return err
	}
	if _, ok := cat.Department(id); !ok {
		return usagef("-department %q is not a department of the catalogue", id)
	}
	return nil
}

// runHooks is `mitra hooks set -department D -url U` (or -url "" to
// remove): new records are pushed there, signed with a secret printed
// once.
func runHooks(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "set" {
		return usagef("hooks: want set")
	}
	fl := newFlagSet("hooks set", stderr)
	dept := fl.String("department", "", "the department's id")
	target := fl.String("url", "", "the HTTPS URL of the department's system (empty: remove)")
	dbURL := fl.String("database-url", os.Getenv("MITRA_DATABASE_URL"), "PostgreSQL URL (MITRA_DATABASE_URL)")
	if err := fl.Parse(args[1:]); err != nil {
		return usagef("%v", err)
	}
	if err := knownDepartment(*dept); err != nil {
		return err
	}
	if *target != "" {
		u, err := url.Parse(*target)
		if err != nil || (u.Scheme != "https" && u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost") || u.Host == "" {
			return usagef("-url must be an https URL (http only to localhost)")
		}
	}
	st, err := store.Open(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	raw := make([]byte, 24)
	rand.Read(raw)
	secret := "whsec_" + hex.EncodeToString(raw)
	if err := st.SetDepartmentHook(ctx, *dept, store.DepartmentHook{URL: *target, Secret: secret}); err != nil {
		return err
	}
	if err := st.Audit(ctx, *dept, "set_hook", *target, 0, "by operator command"); err != nil {
		return err
	}
	if *target == "" {
		fmt.Fprintf(stdout, "removed the webhook of %s\n", *dept)
		return nil
	}
	fmt.Fprintf(stdout, "%s\n", secret)
	fmt.Fprintln(stderr, "mitra: the department checks X-Mitra-Signature with this secret; it is shown only now.")
	return nil
}

// runFlows is `mitra flows keygen -out DIR` or `mitra flows build -out DIR`.
func runFlows(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "keygen" && args[0] != "build") {
		return usagef("flows: want keygen or build")
	}
	fl := newFlagSet("flows "+args[0], stderr)
	out := fl.String("out", ".", "the directory to write to")
	if err := fl.Parse(args[1:]); err != nil {
		return usagef("%v", err)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	if args[0] == "keygen" {
		priv, pub, err := flows.GenerateKey()
		if err != nil {
			return err
		}
		privPath, pubPath := filepath.Join(*out, "flows-private.pem"), filepath.Join(*out, "flows-public.pem")
		if _, err := os.Stat(privPath); err == nil {
			return fmt.Errorf("%s exists; not overwriting a key", privPath)
		}
		if err := os.WriteFile(privPath, priv, 0o600); err != nil {
			return err
		}
		if err := os.WriteFile(pubPath, pub, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s (keep it secret: serve reads it from MITRA_FLOW_PRIVATE_KEY_FILE or MITRA_FLOW_PRIVATE_KEY)\nand %s (register it with POST /<PHONE_NUMBER_ID>/whatsapp_business_encryption)\n", privPath, pubPath)
		return nil
	}
	cat, err := (&engineFlags{catalogDir: os.Getenv("MITRA_CATALOG")}).loadCatalog()
	if err != nil {
		return err
	}
	n := 0
	for _, f := range cat.Forms {
		if len(f.Services) == 0 {
			continue // a shared form is part of others, not a Flow
		}
		for _, lang := range catalog.Langs {
			doc, err := buildFlow(cat, f, lang)
			if err != nil {
				return fmt.Errorf("form %s (%s): %w", f.ID, lang, err)
			}
			if err := os.WriteFile(filepath.Join(*out, worker.FlowName(f.ID, lang)+".json"), doc, 0o644); err != nil {
				return err
			}
			n++
		}
	}
	fmt.Fprintf(stdout, "wrote %d Flow JSON files to %s; publish each under its file name with Meta's Flows API\n", n, *out)
	return nil
}

// buildFlow is the Flow JSON of a form in a language, as published under
// worker.FlowName(form.ID, lang).
func buildFlow(cat *catalog.Catalog, f *catalog.Form, lang catalog.Lang) ([]byte, error) {
	if len(f.Services) == 0 {
		return nil, fmt.Errorf("form %s is shared: it is part of others, not a Flow", f.ID)
	}
	_, fields, _ := cat.FormFor(f.Services[0])
	notice, agree := dialog.FlowConsent(cat, f, lang)
	return flows.Build(flows.Blueprint{Fields: fields, Lang: lang, Title: f.Title.In(lang), Consent: notice, Agree: agree})
}

// flowByName finds a published Flow's JSON by its name.
func flowByName(cat *catalog.Catalog) func(name string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		for _, f := range cat.Forms {
			for _, lang := range catalog.Langs {
				if len(f.Services) > 0 && worker.FlowName(f.ID, lang) == name {
					return buildFlow(cat, f, lang)
				}
			}
		}
		return nil, fmt.Errorf("no flow named %q", name)
	}
}
