package p3ke

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/verval/verval/internal/wilayah"
)

const sampleUsage = `usage: verval p3ke sample --villages CODE[,CODE...] [--households N] [--seed N] [--out FILE]
       verval p3ke sample --regency PP.KK [--households N] [--seed N] [--out FILE]

Writes a valid synthetic P3KE file (made-up families, no real person's
data) whose families live in the given villages, or anywhere in the
regency: every row desil 1, every NIK and No KK well formed, so intake
accepts each row. The columns are described in docs/p3ke.md. Writes CSV
to standard output, or to FILE (XLSX when FILE ends in .xlsx).

`

// RunSample is `verval p3ke sample`; it returns the exit code (0, or 2
// for wrong arguments or a file that cannot be written).
func RunSample(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verval p3ke sample", flag.ContinueOnError)
	fs.SetOutput(stderr)
	villages := fs.String("villages", "", "comma-separated village codes, e.g. `35.05.01.2001,35.05.01.2002`")
	regency := fs.String("regency", "", "a regency code (`PP.KK`): families anywhere in it, when --villages is not given")
	households := fs.Int("households", 20, "number of families (rows)")
	seed := fs.Uint64("seed", 1, "seed: the same arguments give the same file")
	out := fs.String("out", "", "output file (default: standard output; .xlsx writes a workbook)")
	fs.Usage = func() {
		fmt.Fprint(stderr, sampleUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUnreadable
	}
	if fs.NArg() > 0 || (*villages == "") == (*regency == "") || *households < 1 {
		fmt.Fprintln(stderr, "verval p3ke sample: give either --villages or --regency, and --households of at least 1")
		fs.Usage()
		return ExitUnreadable
	}
	opts := GenOptions{Regency: *regency, Households: *households, Seed: *seed}
	if *villages != "" {
		for _, v := range strings.Split(*villages, ",") {
			if v = strings.TrimSpace(v); v != "" {
				opts.Villages = append(opts.Villages, v)
			}
		}
		first, err := wilayah.Normalize(opts.Villages[0])
		if err != nil || wilayah.LevelOf(first) != wilayah.LevelVillage {
			fmt.Fprintf(stderr, "verval p3ke sample: %q is not a village code like 35.05.01.2001\n", opts.Villages[0])
			return ExitUnreadable
		}
		opts.Regency = wilayah.Regency(first)
	}
	var w io.Writer = stdout
	var file *os.File
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintf(stderr, "verval p3ke sample: %v\n", err)
			return ExitUnreadable
		}
		defer f.Close()
		w, file = f, f
	}
	gen := GenerateCSV
	if strings.HasSuffix(strings.ToLower(*out), ".xlsx") {
		gen = GenerateXLSX
	}
	if _, err := gen(w, opts); err != nil {
		fmt.Fprintf(stderr, "verval p3ke sample: %v\n", err)
		return ExitUnreadable
	}
	if file != nil {
		if err := file.Close(); err != nil {
			fmt.Fprintf(stderr, "verval p3ke sample: %v\n", err)
			return ExitUnreadable
		}
		fmt.Fprintf(stderr, "wrote %d families to %s\n", *households, *out)
	}
	return ExitOK
}

const dtsenSampleUsage = `usage: verval dtsen sample --regency PP.KK [--households N] [--desil N] [--fault-rate F] [--seed N] [--out FILE]

Writes a synthetic DTSEN file (made-up families and people, no real
person's data): families of every desil, each followed by its member rows,
as docs/p3ke.md describes. --fault-rate plants one member fault in that
share of the families within desil 1 to --desil (for trying the check).
Prints what the check of the file must find to standard error.

`

// RunDTSENSample is `verval dtsen sample`; it returns the exit code (0,
// or 2 for wrong arguments or a file that cannot be written).
func RunDTSENSample(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verval dtsen sample", flag.ContinueOnError)
	fs.SetOutput(stderr)
	regency := fs.String("regency", "", "the regency code (`PP.KK`)")
	households := fs.Int("households", 20, "number of families")
	desil := fs.Int("desil", 1, "the cycle's scope the faults are planted for")
	faults := fs.Float64("fault-rate", 0, "share of in-scope families given a member fault, 0 to 1")
	seed := fs.Uint64("seed", 1, "seed: the same arguments give the same file")
	out := fs.String("out", "", "output file (default: standard output)")
	fs.Usage = func() {
		fmt.Fprint(stderr, dtsenSampleUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUnreadable
	}
	if fs.NArg() > 0 || *regency == "" || *households < 1 || *desil < 1 || *desil > 10 {
		fmt.Fprintln(stderr, "verval dtsen sample: give --regency, --households of at least 1 and --desil from 1 to 10")
		fs.Usage()
		return ExitUnreadable
	}
	var w io.Writer = stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintf(stderr, "verval dtsen sample: %v\n", err)
			return ExitUnreadable
		}
		defer f.Close()
		w = f
	}
	plan, err := GenerateDTSEN(w, DTSENOptions{GenOptions: GenOptions{Regency: *regency, Households: *households, Seed: *seed, FaultRate: *faults}, MaxDesil: *desil})
	if err != nil {
		fmt.Fprintf(stderr, "verval dtsen sample: %v\n", err)
		return ExitUnreadable
	}
	fmt.Fprintf(stderr, "%d families, %d member rows; with --desil %d: %s; %d member faults planted\n",
		*households, plan.MemberRows, *desil, plan.Summary, len(plan.Faults))
	return ExitOK
}
