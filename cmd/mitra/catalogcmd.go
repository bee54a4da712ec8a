package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/mitra-gov/mitra/retrieval"
)

type listedService struct {
	ID           string `json:"id"`
	NameEN       string `json:"name_en"`
	NameTE       string `json:"name_te"`
	NameHI       string `json:"name_hi"`
	Department   string `json:"department"`
	DepartmentEN string `json:"department_en"`
	Kind         string `json:"kind"`
}

func runCatalog(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("catalog: want lint or list")
	}
	fl := newFlagSet("catalog "+args[0], stderr)
	asJSON := fl.Bool("json", false, "print JSON")
	var ef engineFlags
	ef.register(fl)
	if err := fl.Parse(args[1:]); err != nil {
		return usagef("%v", err)
	}
	cat, err := ef.loadCatalog()
	if err != nil {
		return err
	}
	switch args[0] {
	case "lint":
		problems := append(append(cat.Lint(), retrieval.LintAliases(cat)...), retrieval.LintConcepts(cat)...)
		for _, p := range problems {
			fmt.Fprintln(stdout, p)
		}
		if len(problems) > 0 {
			return fmt.Errorf("catalog lint: %d problems", len(problems))
		}
		fmt.Fprintf(stdout, "catalog ok: %d departments, %d services\n", len(cat.Departments), len(cat.Services))
		return nil
	case "list":
		var out []listedService
		for _, s := range cat.Services {
			d, _ := cat.Department(s.Department)
			out = append(out, listedService{ID: s.ID, NameEN: s.Name.EN, NameTE: s.Name.TE, NameHI: s.Name.HI,
				Department: s.Department, DepartmentEN: d.Name.EN, Kind: string(s.Kind)})
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetEscapeHTML(false)
			return enc.Encode(out)
		}
		for _, s := range out {
			fmt.Fprintf(stdout, "%-40s %-12s %-22s %s\n", s.ID, s.Kind, s.Department, s.NameEN)
		}
		return nil
	}
	return usagef("catalog: unknown subcommand %q (want lint or list)", args[0])
}
