package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/mitra-gov/mitra/store"
	"github.com/mitra-gov/mitra/whatsapp"
	"github.com/mitra-gov/mitra/worker"
)

// runTemplates is `mitra templates list|sync`: the template registry as
// it stands, or synced now (drafts submitted to Meta, verdicts read back)
// rather than at the hourly sync. sync needs the Graph API's settings:
// WHATSAPP_API_BASE, WHATSAPP_TOKEN and WHATSAPP_BUSINESS_ACCOUNT_ID.
func runTemplates(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "sync") {
		return usagef("templates: want list or sync")
	}
	fl := newFlagSet("templates "+args[0], stderr)
	dbURL := fl.String("database-url", os.Getenv("MITRA_DATABASE_URL"), "PostgreSQL URL (MITRA_DATABASE_URL)")
	asJSON := fl.Bool("json", false, "print JSON")
	if err := fl.Parse(args[1:]); err != nil {
		return usagef("%v", err)
	}
	base, token, waba := os.Getenv("WHATSAPP_API_BASE"), os.Getenv("WHATSAPP_TOKEN"), os.Getenv("WHATSAPP_BUSINESS_ACCOUNT_ID")
	if args[0] == "sync" && (base == "" || token == "" || waba == "") {
		return usagef("templates sync needs WHATSAPP_API_BASE, WHATSAPP_TOKEN and WHATSAPP_BUSINESS_ACCOUNT_ID")
	}
	db, err := store.Open(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if args[0] == "sync" {
		// The phone number is not used by template management; the
		// client asks for one all the same.
		graph, err := whatsapp.NewClient(whatsapp.ClientConfig{BaseURL: base, Token: token, BusinessAccountID: waba,
			PhoneNumberID: envOr("WHATSAPP_PHONE_NUMBER_ID", "-")})
		if err != nil {
			return err
		}
		cat, err := (&engineFlags{catalogDir: os.Getenv("MITRA_CATALOG")}).loadCatalog()
		if err != nil {
			return err
		}
		res, err := worker.SyncTemplates(ctx, db, cat, graph)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(stdout).Encode(res)
		}
		fmt.Fprintf(stdout, "%d template languages; %d submitted; failed %v; now %v\n", res.Seeded, res.Submitted, res.Failed, res.Statuses)
		return nil
	}
	list, err := db.Templates(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(list)
	}
	w := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tLANG\tUSE\tCATEGORY\tMETA CATEGORY\tSTATUS\tREASON")
	for _, t := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, t.Lang, t.Use, t.Category, t.MetaCategory, t.Status, t.Reason)
	}
	return w.Flush()
}
