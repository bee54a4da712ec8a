package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mitra-gov/mitra/internal/password"
	"github.com/mitra-gov/mitra/store"
)

// runStaff is `mitra staff add -username U -name N -role R [-department D]`:
// the first administrator, before anyone can sign in to the console (the
// console makes the other accounts). The password is read from
// MITRA_STAFF_PASSWORD or, failing that, the first line of standard
// input, never from a flag (flags show in the process list and in shell
// history).
func runStaff(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return usagef("staff: want add")
	}
	fl := newFlagSet("staff add", stderr)
	username := fl.String("username", "", "sign-in name: 3 to 32 lowercase letters, digits, dots or dashes")
	name := fl.String("name", "", "the person's name, as the console shows it")
	role := fl.String("role", string(store.RoleAdmin), "admin, operator, officer, editor or evaluator")
	dept := fl.String("department", "", "an officer's department (catalogue id)")
	lang := fl.String("lang", "en", "console language: en, te or hi")
	dbURL := fl.String("database-url", os.Getenv("MITRA_DATABASE_URL"), "PostgreSQL URL (MITRA_DATABASE_URL)")
	if err := fl.Parse(args[1:]); err != nil {
		return usagef("%v", err)
	}
	st := store.Staff{Username: *username, Name: strings.TrimSpace(*name), Role: store.Role(*role), Department: *dept, Lang: *lang}
	switch {
	case !store.ValidUsername(st.Username):
		return usagef("-username: 3 to 32 lowercase letters, digits, dots or dashes")
	case st.Name == "":
		return usagef("-name is required")
	case !slices.Contains(store.Roles, st.Role):
		return usagef("-role: one of admin, operator, officer, editor, evaluator")
	case (st.Role == store.RoleOfficer) != (st.Department != ""):
		return usagef("-department: an officer needs one, and only an officer has one")
	case st.Lang != "en" && st.Lang != "te" && st.Lang != "hi":
		return usagef("-lang: en, te or hi")
	}
	if st.Department != "" {
		if err := knownDepartment(st.Department); err != nil {
			return err
		}
	}
	pw := os.Getenv("MITRA_STAFF_PASSWORD")
	if pw == "" && stdin != nil {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if utf8.RuneCountInString(pw) < password.MinLength {
		return usagef("the password (MITRA_STAFF_PASSWORD or standard input) must have at least %d characters", password.MinLength)
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	id, err := db.CreateStaff(ctx, st, hash)
	if errors.Is(err, store.ErrTaken) {
		return usagef("-username %q is taken", st.Username)
	}
	if err != nil {
		return err
	}
	if err := db.StaffAudit(ctx, 0, "(operator command)", "staff_create", st.Username+" ("+string(st.Role)+")", "ok"); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "staff %d %s (%s) created; sign in at /console\n", id, st.Username, st.Role)
	return nil
}
