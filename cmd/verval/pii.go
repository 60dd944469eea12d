package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/verval/verval/internal/apiclient"
)

const piiUsage = `usage: verval pii reseal [--batch 500]

Seals every NIK, No KK and running intake's file again with the active key
(the first of VERVAL_PII_KEYS), so that an older key can be retired
(docs/security.md, "Key rotation"). Safe to interrupt and run again.
`

// runPII is `verval pii reseal`. Exit 0 when every value is under the
// active key, 1 when the re-seal failed, 2 on bad usage or configuration.
func runPII(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pii reseal", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, piiUsage) }
	batch := fs.Int("batch", 500, "households per transaction")
	if len(args) == 0 || args[0] != "reseal" {
		fs.Usage()
		return 2
	}
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 || *batch < 1 {
		fs.Usage()
		return 2
	}
	s, ok := toolStore(ctx, getenv, stderr)
	if !ok {
		return 2
	}
	bar := apiclient.NewProgress(stderr, "reseal")
	rep, err := s.Reseal(ctx, *batch, func(done, total int64) {
		bar.Update(int(done), int(total), "households")
	})
	bar.Done()
	if err != nil {
		fmt.Fprintf(stderr, "verval pii reseal: %v\n", err)
		return 1
	}
	var moved []string
	for _, id := range slices.Sorted(maps.Keys(rep.Resealed)) {
		moved = append(moved, fmt.Sprintf("%s from key %s", apiclient.Count(rep.Resealed[id]), id))
	}
	if len(moved) == 0 {
		moved = []string{"none"}
	}
	fmt.Fprintf(stdout, "re-sealed with key %s: %s; already under it: %s\n", rep.Active, strings.Join(moved, ", "), apiclient.Count(rep.Current))
	return 0
}
