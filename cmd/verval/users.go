package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
)

const usersUsage = `usage: verval users bootstrap-admin --username NAME [--name "FULL NAME"] [--password-stdin]
       verval users import --as USERNAME [--apply --passwords OUT.xlsx] FILE

bootstrap-admin creates the first administrator of an empty deployment (DATABASE_URL; the
database is migrated first, as by every verval command). Without
--password-stdin a one-time password is printed, to be
changed at the first login; with it, the password is the first line of
standard input. Refused once an administrator exists.

import reads a CSV or XLSX file of accounts (docs/accounts.md: username,
nama, no_hp, peran, kode_wilayah) on the authority of account USERNAME (an
administrator, or Dinsos for its regency), and reports every faulty row.
Without --apply it creates nothing (a dry run). With --apply it creates
every account, or none while any row is faulty, and writes the one-time
passwords to OUT.xlsx (a new file, readable by you only) to hand each
person theirs; they are never printed nor stored in clear.
`

// runUsers is `verval users bootstrap-admin`. Exit 0 when the
// administrator was created, 1 when it was refused or failed, 2 on bad
// usage or configuration.
func runUsers(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("users bootstrap-admin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usersUsage) }
	username := fs.String("username", "", "the administrator's username")
	name := fs.String("name", "Administrator", "the administrator's full name")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	if len(args) > 0 && args[0] == "import" {
		return runUsersImport(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) == 0 || args[0] != "bootstrap-admin" {
		fs.Usage()
		return 2
	}
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 || strings.TrimSpace(*username) == "" {
		fs.Usage()
		return 2
	}
	var password string
	if *fromStdin {
		if stdin == nil {
			fmt.Fprintln(stderr, "verval users: --password-stdin, but there is no standard input")
			return 2
		}
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			fmt.Fprintf(stderr, "verval users: read the password: %v\n", err)
			return 2
		}
		if password = strings.TrimRight(line, "\r\n"); password == "" {
			fmt.Fprintln(stderr, "verval users: the password on standard input is empty")
			return 2
		}
	}
	_, db, ok := toolDatabase(ctx, getenv, stderr)
	if !ok {
		return 2
	}
	oneTime, err := office.New(office.Deps{Store: &store.Store{DB: db}}).BootstrapAdmin(ctx, *username, *name, password)
	if err != nil {
		if e, ok := domain.As(err); ok {
			err = e
		}
		fmt.Fprintf(stderr, "verval users bootstrap-admin: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "administrator %s created\n", store.NormalizeUsername(*username))
	if oneTime != "" {
		fmt.Fprintf(stdout, "one-time password: %s\n(shown once; it must be changed at the first login)\n", oneTime)
	}
	return 0
}

// runUsersImport is `verval users import`: 0 when the file is clean (and,
// with --apply, its accounts created), 1 when rows are faulty or the
// import failed, 2 on bad usage or configuration.
func runUsersImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("users import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usersUsage) }
	as := fs.String("as", "", "the account on whose authority the import is made")
	apply := fs.Bool("apply", false, "create the accounts (without it, a dry run)")
	out := fs.String("passwords", "", "with --apply: the new XLSX file for the one-time passwords")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 || strings.TrimSpace(*as) == "" || *apply != (*out != "") {
		fs.Usage()
		return 2
	}
	in, err := os.Open(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "verval users import: %v\n", err)
		return 2
	}
	defer in.Close()
	var sheet *os.File
	if *apply {
		// Created before anything else, so a path that cannot be written
		// stops the import before any account exists.
		if sheet, err = os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
			fmt.Fprintf(stderr, "verval users import: %v\n", err)
			return 2
		}
		defer sheet.Close()
	}
	st, ok := toolStore(ctx, getenv, stderr)
	if !ok {
		return 2
	}
	p, err := st.PrincipalOf(ctx, *as)
	if err != nil {
		fmt.Fprintf(stderr, "verval users import: --as %s: no such enabled account\n", *as)
		return 2
	}
	res, err := office.New(office.Deps{Store: st}).ImportAccounts(ctx, office.Caller{Principal: p, RequestID: "cli-import"},
		filepath.Base(fs.Arg(0)), in, !*apply)
	if res != nil {
		for _, is := range res.Issues {
			fmt.Fprintf(stdout, "row %d, column %s: %s\n", is.Row, is.Column, is.Message)
		}
	}
	if err != nil {
		if sheet != nil {
			sheet.Close()
			os.Remove(*out)
		}
		if e, ok := domain.As(err); ok {
			err = e
		}
		fmt.Fprintf(stderr, "verval users import: %v\n", err)
		return 1
	}
	switch {
	case len(res.Issues) > 0:
		fmt.Fprintf(stdout, "%d accounts, %d faults; nothing created\n", res.Rows, len(res.Issues))
		return 1
	case !*apply:
		fmt.Fprintf(stdout, "%d accounts, no faults; run again with --apply --passwords OUT.xlsx to create them\n", res.Rows)
		return 0
	}
	if err := office.WriteAccountSheet(sheet, res.Accounts); err != nil {
		fmt.Fprintf(stderr, "verval users import: %d accounts created, but writing %s failed: %v; reset their passwords\n", len(res.Accounts), *out, err)
		return 1
	}
	fmt.Fprintf(stdout, "%d accounts created; their one-time passwords are in %s (import %d)\n", len(res.Accounts), *out, res.ImportID)
	return 0
}
