// Command verval is the one binary of the verval system: the local stack
// (dev), the API and worker processes, migrations, and operator tools.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `verval orchestrates the annual verval cycle of poor households.

Usage:
  verval dev                     run the whole stack locally (Temporal dev server, worker, API)
  verval stack [--dir DIR] [--workers N] [--apis N]
                                 run docker-compose.yml's topology without Docker: PostgreSQL,
                                 the Temporal server on it, 2 workers and 2 api replicas
  verval api                     run the HTTP API against TEMPORAL_ADDRESS and DATABASE_URL
  verval worker                  run the Temporal worker
  verval migrate                 apply database migrations and exit
  verval p3ke check FILE --regency PP.KK [--desil N] [--json]
                                 validate a P3KE file offline, exactly as intake will
  verval p3ke sample --villages CODE[,CODE...] [--households N] [--out FILE]
                                 write a valid synthetic P3KE file (docs/p3ke.md)
  verval dtsen check FILE --regency PP.KK [--desil N] [--json]
                                 validate a DTSEN file (families and members) offline
  verval dtsen sample --regency PP.KK [--households N] [--desil N] [--fault-rate F] [--out FILE]
                                 write a synthetic DTSEN file with member rows
  verval intake FILE --cycle ID [--server URL] [--user NAME]
                                 load a P3KE file through the API with a progress bar
                                 (password in VERVAL_PASSWORD)
  verval users bootstrap-admin --username NAME [--password-stdin]
                                 create the first administrator of an empty deployment
  verval audit verify            check the audit log's hash chain
  verval pii reseal [--batch N]  seal NIK, No KK and intake files again with the active key
  verval bench intake|cycle [--households N] [--json]
                                 measure intake or the cycle on a throw-away local stack

Configuration is read from the environment; see README.md.
`

// run is the whole program, callable from tests: it returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "dev":
		err = runDev(ctx, args[1:], getenv, stdout, stderr)
	case "stack":
		err = runStack(ctx, args[1:], getenv, stdout, stderr)
	case "api":
		err = runServe(ctx, getenv, stderr, true, false)
	case "worker":
		err = runServe(ctx, getenv, stderr, false, true)
	case "migrate":
		err = runMigrate(ctx, getenv, stdout, stderr)
	case "p3ke":
		return runP3KE(args[1:], stdout, stderr)
	case "dtsen":
		return runDTSEN(args[1:], stdout, stderr)
	case "intake":
		err = runIntake(ctx, args[1:], getenv, stdout, stderr)
		if errors.Is(err, errUsage) {
			return 2
		}
	case "users":
		return runUsers(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "audit":
		return runAudit(ctx, args[1:], getenv, stdout, stderr)
	case "pii":
		return runPII(ctx, args[1:], getenv, stdout, stderr)
	case "bench":
		err = runBench(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "verval: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "verval %s: %v\n", args[0], err)
		return 1
	}
	return 0
}
