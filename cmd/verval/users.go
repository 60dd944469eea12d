package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/store"
)

const usersUsage = `usage: verval users bootstrap-admin --username NAME [--name "FULL NAME"] [--password-stdin]

Creates the first administrator of an empty deployment (DATABASE_URL; the
database is migrated first, as by every verval command). Without
--password-stdin a one-time password is printed, to be
changed at the first login; with it, the password is the first line of
standard input. Refused once an administrator exists.
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
