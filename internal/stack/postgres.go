package stack

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// postgres is the stack's own PostgreSQL server (the compose file's
// postgresql service): a cluster of its own in Dir/postgres, on its own
// port, so restarting it touches nothing else on the machine. Like the
// postgres image, it has POSTGRES_USER as superuser with POSTGRES_PASSWORD
// (password authentication over TCP) and the database POSTGRES_DB.
type postgres struct {
	bin, dir string
	port     int
	settings []string
	env      map[string]string
	// asUser runs PostgreSQL's programs as the postgres user when this
	// process is root (PostgreSQL refuses to run as root).
	asUser []string
}

// pgBin is the newest installed PostgreSQL's bin directory.
func pgBin() (string, error) {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		if p, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p), nil
		}
		return "", fmt.Errorf("PostgreSQL's server programs (initdb, pg_ctl) are not installed: apt-get install postgresql")
	}
	slices.SortFunc(matches, func(a, b string) int { return pgMajor(a) - pgMajor(b) })
	return filepath.Dir(matches[len(matches)-1]), nil
}

func pgMajor(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

// PostgresAvailable reports whether PostgreSQL's server programs are
// installed, and if not why.
func PostgresAvailable() error {
	_, err := pgBin()
	return err
}

func startPostgres(ctx context.Context, dir string, port int, env map[string]string, settings []string) (*postgres, error) {
	bin, err := pgBin()
	if err != nil {
		return nil, err
	}
	pg := &postgres{bin: bin, dir: dir, port: port, settings: settings, env: env}
	if os.Geteuid() == 0 {
		pg.asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	data := filepath.Join(dir, "data")
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err != nil {
		if err := pg.initdb(); err != nil {
			return nil, err
		}
	}
	if err := pg.start(ctx); err != nil {
		return nil, err
	}
	// The image creates POSTGRES_DB on first start; createdb says so when
	// it exists, which is fine.
	if out, err := pg.cmd("createdb", "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-U", env["POSTGRES_USER"], env["POSTGRES_DB"]).CombinedOutput(); err != nil &&
		!strings.Contains(string(out), "already exists") {
		return pg, fmt.Errorf("createdb %s: %v\n%s", env["POSTGRES_DB"], err, out)
	}
	return pg, nil
}

func (pg *postgres) initdb() error {
	if err := os.MkdirAll(pg.dir, 0o700); err != nil {
		return err
	}
	pw := filepath.Join(pg.dir, "pwfile")
	if err := os.WriteFile(pw, []byte(pg.env["POSTGRES_PASSWORD"]+"\n"), 0o600); err != nil {
		return err
	}
	defer os.Remove(pw)
	if len(pg.asUser) > 0 {
		if out, err := exec.Command("chown", "-R", "postgres", pg.dir).CombinedOutput(); err != nil {
			return fmt.Errorf("chown %s: %v %s", pg.dir, err, out)
		}
		// The postgres user must reach the directory through its parents.
		if out, err := exec.Command("runuser", "-u", "postgres", "--", "test", "-w", pg.dir).CombinedOutput(); err != nil {
			return fmt.Errorf("the postgres user cannot reach %s (a parent directory is closed to it; choose another --dir): %v %s", pg.dir, err, out)
		}
	}
	// Password authentication over TCP, as the image's; the Unix socket in
	// the data directory (only its owner reaches it) trusts.
	out, err := pg.cmd("initdb", "-D", filepath.Join(pg.dir, "data"), "-U", pg.env["POSTGRES_USER"], "--pwfile", pw,
		"--auth-host", "scram-sha-256", "--auth-local", "trust", "-E", "UTF8", "--locale", "C.UTF-8").CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb: %v\n%s", err, out)
	}
	return nil
}

func (pg *postgres) cmd(tool string, args ...string) *exec.Cmd {
	argv := append(append(append([]string{}, pg.asUser...), filepath.Join(pg.bin, tool)), args...)
	c := exec.Command(argv[0], argv[1:]...)
	c.Env = append(os.Environ(), "PGPASSWORD="+pg.env["POSTGRES_PASSWORD"])
	return c
}

// options are the server's settings: the compose file's command line, its
// own port on loopback, its socket in its data directory.
func (pg *postgres) options() string {
	o := []string{"-p " + strconv.Itoa(pg.port), "-c listen_addresses=127.0.0.1", "-k " + filepath.Join(pg.dir, "data")}
	for _, s := range pg.settings {
		o = append(o, "-c "+s)
	}
	return strings.Join(o, " ")
}

func (pg *postgres) ctl(args ...string) error {
	full := append([]string{"-D", filepath.Join(pg.dir, "data"), "-l", filepath.Join(pg.dir, "postgresql.log"), "-w", "-t", "120"}, args...)
	if out, err := pg.cmd("pg_ctl", full...).CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

func (pg *postgres) start(ctx context.Context) error {
	if pg.cmd("pg_ctl", "-D", filepath.Join(pg.dir, "data"), "status").Run() == nil {
		// Left running by a stack that was killed: restart it with this
		// stack's settings.
		return pg.restart(ctx)
	}
	return pg.ctl("-o", pg.options(), "start")
}

// restart is a fast shutdown (connections are cut, as in a failover) and a
// start with the same settings.
func (pg *postgres) restart(context.Context) error {
	return pg.ctl("-m", "fast", "-o", pg.options(), "restart")
}

func (pg *postgres) stop() error {
	return pg.ctl("-m", "fast", "stop")
}
