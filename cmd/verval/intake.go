package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/verval/verval/internal/apiclient"
	"github.com/verval/verval/internal/p3ke"
)

const intakeUsage = `usage: verval intake FILE --cycle ID [--server URL] [--user NAME]

Loads a P3KE file into a cycle through the API, as a Dinsos operator, and
shows the intake's progress until every household's case is started. The
password is read from VERVAL_PASSWORD (never from the command line, which
other users of the machine can see).`

// runIntake uploads a P3KE file and follows the intake to its end. The
// file is checked locally first, with the same validation, so the totals
// (and a file that cannot be read at all) are known before anything is sent.
func runIntake(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("intake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cycle := fs.Int64("cycle", 0, "cycle id")
	server := fs.String("server", "http://localhost:8080", "verval API address")
	username := fs.String("user", "dinsos", "Dinsos operator's username")
	var file string
	// Allow the file before or after the flags.
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return errUsage
		}
		if fs.NArg() == 0 {
			break
		}
		if file != "" {
			fmt.Fprintln(stderr, intakeUsage)
			return errUsage
		}
		file, args = fs.Arg(0), fs.Args()[1:]
	}
	if file == "" || *cycle <= 0 {
		fmt.Fprintln(stderr, intakeUsage)
		return errUsage
	}
	password := getenv("VERVAL_PASSWORD")
	if password == "" {
		return errors.New("set VERVAL_PASSWORD to the operator's password")
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	c, err := apiclient.Login(ctx, nil, *server, *username, password)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	var cy struct{ RegencyCode, RegencyName string }
	if _, err := c.Call(ctx, "GET", fmt.Sprintf("/api/v1/cycles/%d", *cycle), nil, &cy); err != nil {
		return fmt.Errorf("cycle %d: %w", *cycle, err)
	}
	rep, err := p3ke.Check(f, p3ke.Options{Regency: cy.RegencyCode})
	if err != nil {
		return fmt.Errorf("%s cannot be read as a P3KE file: %w", filepath.Base(file), err)
	}
	fmt.Fprintf(stdout, "%s for %s: %s\n", filepath.Base(file), cy.RegencyName, rep.Summary)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	var in apiclient.Intake
	if _, err := c.Upload(ctx, fmt.Sprintf("/api/v1/cycles/%d/intake", *cycle), filepath.Base(file), f, &in); err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	bar := apiclient.NewProgress(stderr, "intake")
	for !in.Ended() {
		select {
		case <-ctx.Done():
			bar.Done()
			return fmt.Errorf("stopped following intake %d; it goes on on the server (GET /api/v1/intakes/%d)", in.ID, in.ID)
		case <-time.After(500 * time.Millisecond):
		}
		if _, err := c.Call(ctx, "GET", fmt.Sprintf("/api/v1/intakes/%d", in.ID), nil, &in); err != nil {
			bar.Done()
			return err
		}
		done := in.HouseholdsStored + in.AlreadyPresent + in.WorkflowsStarted
		bar.Update(done, 2*rep.Accepted, fmt.Sprintf("%s stored, %s started", apiclient.Count(in.HouseholdsStored), apiclient.Count(in.WorkflowsStarted)))
	}
	bar.Done()
	if in.Status == "failed" {
		return fmt.Errorf("intake %d failed: %s", in.ID, in.Error)
	}
	fmt.Fprintf(stdout, "intake %d done: %d households stored, %d already present, %d cases started, %d rows rejected\n",
		in.ID, in.HouseholdsStored, in.AlreadyPresent, in.WorkflowsStarted, in.Rejected)
	if in.Rejected > 0 {
		fmt.Fprintf(stdout, "row errors: %s/api/v1/intakes/%d/issues?format=csv\n", *server, in.ID)
	}
	return nil
}

// errUsage is a command line the command cannot run with.
var errUsage = errors.New("bad arguments")
