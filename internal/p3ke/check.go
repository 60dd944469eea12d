package p3ke

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// Exit codes of the check command.
const (
	ExitOK         = 0 // every row accepted or skipped
	ExitRejected   = 1 // some rows rejected; the rest would go in
	ExitUnreadable = 2 // wrong arguments, or the file cannot be read at all
)

const checkUsage = `usage: verval p3ke check FILE --regency PP.KK [--desil N] [--json]
       verval dtsen check FILE --regency PP.KK [--desil N] [--json]

Checks a P3KE or DTSEN intake file (CSV or XLSX) without loading it and
reports, per row, what intake would reject. FILE "-" reads standard input.
--desil is the cycle's scope: families of desil 1 to N are checked, the
rest skipped (counted only).

Prints "accepted N, skipped N, rejected N, warnings N" (and ", people N",
the member rows of accepted families, for a DTSEN file), then one line per
problem: "row R, column C: reason" (warnings say "warning:" before the
reason). Exit status: 0 no row rejected, 1 some rows rejected, 2 the file
cannot be read or the arguments are wrong.

`

// jsonReport is the --json output. Errors holds every issue printed in
// plain mode, warnings included and told apart by severity, so both modes
// carry the same facts.
type jsonReport struct {
	Accepted int     `json:"accepted"`
	Skipped  int     `json:"skipped"`
	Rejected int     `json:"rejected"`
	Warnings int     `json:"warnings"`
	People   int     `json:"people,omitempty"`
	Errors   []Issue `json:"errors"`
}

// RunCheck is `verval p3ke check FILE --regency PP.KK [--json]`; it returns
// the exit code (see ExitOK and friends). Flags may come before or after
// FILE. Output never shows a NIK or No KK: reasons never contain them.
func RunCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verval p3ke check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	regency := fs.String("regency", "", "the cycle's regency or city, dotted `PP.KK` (e.g. 35.05 for Kab. Blitar)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	desil := fs.Int("desil", 1, "the highest desil that enters the cycle (its scope), `N` from 1 to 10")
	fs.Usage = func() {
		fmt.Fprint(stderr, checkUsage)
		fs.PrintDefaults()
	}
	files, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	if err != nil {
		return ExitUnreadable // flag has printed the problem and the usage
	}
	if len(files) != 1 {
		fmt.Fprintf(stderr, "verval p3ke check: want exactly one FILE, got %d\n", len(files))
		fs.Usage()
		return ExitUnreadable
	}
	if *regency == "" {
		fmt.Fprintln(stderr, "verval p3ke check: --regency is required, e.g. --regency 35.05")
		return ExitUnreadable
	}

	if *desil < 1 || *desil > 10 {
		fmt.Fprintf(stderr, "verval p3ke check: --desil must be from 1 to 10, got %d\n", *desil)
		return ExitUnreadable
	}

	name := files[0]
	var in io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "verval p3ke check: %v\n", err)
			return ExitUnreadable
		}
		defer f.Close()
		in = f
	}

	rep, err := Check(in, Options{Regency: *regency, MaxDesil: *desil})
	if err != nil {
		var fe *FormatError
		if errors.As(err, &fe) {
			fmt.Fprintf(stderr, "verval p3ke check: %s cannot be read: %v\n", name, err)
		} else {
			fmt.Fprintf(stderr, "verval p3ke check: %v\n", err)
		}
		return ExitUnreadable
	}

	if *asJSON {
		out := jsonReport{
			Accepted: rep.Accepted, Skipped: rep.Skipped, Rejected: rep.Rejected, Warnings: rep.Warnings, People: rep.People,
			Errors: rep.Issues,
		}
		if out.Errors == nil {
			out.Errors = []Issue{} // [] rather than null, for consumers
		}
		if err := json.NewEncoder(stdout).Encode(out); err != nil {
			fmt.Fprintf(stderr, "verval p3ke check: %v\n", err)
			return ExitUnreadable
		}
	} else if err := writePlain(stdout, rep); err != nil {
		fmt.Fprintf(stderr, "verval p3ke check: %v\n", err)
		return ExitUnreadable
	}
	if rep.Rejected > 0 {
		return ExitRejected
	}
	return ExitOK
}

func writePlain(w io.Writer, rep *Report) error {
	// Buffer: a file with thousands of faults makes thousands of lines.
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, rep.Summary.String())
	for _, is := range rep.Issues {
		fmt.Fprintln(bw, is.String())
	}
	return bw.Flush()
}

// parseInterspersed parses flags that may sit before, between or after the
// positional arguments (the standard flag package stops at the first
// positional one), and returns the positional ones. After "--" everything
// is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
