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
