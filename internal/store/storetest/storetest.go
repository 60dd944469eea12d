// Package storetest runs tests against every database verval supports: the
// embedded SQLite file and PostgreSQL. Store, API and activity tests use it
// so a query that works on one and not the other fails in CI.
//
// Typical use:
//
//	func TestSomething(t *testing.T) {
//		storetest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
//			st := storetest.NewStore(db, nil)
//			// ... exercise st ...
//		})
//	}
//
// Every call gets a fresh, fully migrated, empty database, so tests (and
// test binaries of different packages running at once) never see each
// other's rows:
//
//   - SQLite: a file in t.TempDir().
//   - PostgreSQL: a new database verval_test_<random> created through the
//     server named by VERVAL_TEST_DATABASE_URL (default DefaultPostgresURL)
//     and dropped WITH (FORCE) when the test ends.
//
// When PostgreSQL cannot be reached the PostgreSQL subtest is skipped with
// a message saying how to start it, unless the environment variable CI is
// set, in which case it fails: CI must never pass by silently testing one
// database. Locally:
//
//	pg_ctlcluster 15 main start
//
// and allow passwordless connections from 127.0.0.1 for the postgres user
// (pg_hba.conf "host all all 127.0.0.1/32 trust"), or put the password in
// VERVAL_TEST_DATABASE_URL.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/verval/verval/internal/pii"
	"github.com/verval/verval/internal/store"
)

// EnvPostgresURL names the environment variable holding the PostgreSQL
// server URL tests create their databases on. Its user must be allowed to
// CREATE DATABASE.
const EnvPostgresURL = "VERVAL_TEST_DATABASE_URL"

// DefaultPostgresURL is used when EnvPostgresURL is unset: the local
// cluster's superuser over TCP without a password.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// connectTimeout bounds how long an unreachable server delays a test run.
const connectTimeout = 5 * time.Second

// Named is one database under test.
type Named struct {
	// Name is "sqlite" or "postgres", used as the subtest name.
	Name string
	// Open returns a fresh migrated database, closed (and for PostgreSQL
	// dropped) when t ends; it skips or fails t if the database is unavailable.
	Open func(t *testing.T) *gorm.DB
}

// Databases lists the databases every store test runs against.
func Databases() []Named {
	return []Named{
		{Name: "sqlite", Open: SQLite},
		{Name: "postgres", Open: Postgres},
	}
}

// ForEachDB runs fn as one subtest per database, each with a fresh,
// migrated, empty database. Subtests are not parallel unless fn calls
// t.Parallel.
func ForEachDB(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	for _, d := range Databases() {
		t.Run(d.Name, func(t *testing.T) {
			fn(t, d.Open(t))
		})
	}
}

// SQLite opens a fresh migrated SQLite database in t.TempDir().
func SQLite(t *testing.T) *gorm.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "verval.db")
	db, err := store.Open(context.Background(), "", path, Logger(t))
	if err != nil {
		t.Fatalf("open SQLite: %v", err)
	}
	t.Cleanup(func() { closeDB(t, db) })
	return db
}

// Postgres creates a fresh database on the server named by EnvPostgresURL,
// migrates it and returns it; the database is dropped when t ends. It skips
// t (fails it when CI is set) if the server cannot be reached.
func Postgres(t *testing.T) *gorm.DB {
	t.Helper()
	db, err := store.Open(context.Background(), PostgresURL(t), "", Logger(t))
	if err != nil {
		t.Fatalf("open PostgreSQL test database: %v", err)
	}
	t.Cleanup(func() { closeDB(t, db) })
	return db
}

// PostgresURL creates a fresh, empty database on the server named by
// EnvPostgresURL and returns its URL, for tests that start whole processes;
// the database is dropped when t ends. It skips t (fails it when CI is set)
// if the server cannot be reached.
func PostgresURL(t *testing.T) string {
	t.Helper()
	adminURL := os.Getenv(EnvPostgresURL)
	if adminURL == "" {
		adminURL = DefaultPostgresURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		unavailable(t, err)
	}
	defer func() { _ = admin.Close(context.Background()) }()

	name := "verval_test_" + randomHex(t, 8)
	// The name is generated here from hex digits, so quoting is enough.
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	// Cleanups run last-in, first-out: callers register their connection's
	// close after this, so it runs before the drop; FORCE ends any
	// connection a test leaked.
	t.Cleanup(func() { dropDatabase(t, adminURL, name) })

	testURL, err := withDatabase(adminURL, name)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgresURL, err)
	}
	return testURL
}

// NewStore wraps db in a Store with the development PII keyring and the
// given clock (nil means time.Now).
func NewStore(db *gorm.DB, now func() time.Time) *store.Store {
	return &store.Store{DB: db, Keys: pii.DevKeyring(), Now: now}
}

// Logger returns a logger writing warnings and errors to the test's output,
// so they appear next to the test that caused them.
func Logger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// Clock is a settable clock for tests, safe for concurrent use. Pass its Now
// method wherever a clock is injected.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// unavailable skips t, or fails it under CI, because PostgreSQL is down.
func unavailable(t *testing.T, err error) {
	t.Helper()
	msg := fmt.Sprintf(`
*** PostgreSQL is not reachable: PostgreSQL tests are SKIPPED. ***
    error: %v
    Start it with:   pg_ctlcluster 15 main start
    (with trust for 127.0.0.1 in pg_hba.conf), or point %s at a server
    whose user may CREATE DATABASE.`, err, EnvPostgresURL)
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// withDatabase returns the server URL u with its database replaced by name.
func withDatabase(u, name string) (string, error) {
	parsed, err := url.Parse(u)
	if err != nil || (parsed.Scheme != "postgres" && parsed.Scheme != "postgresql") {
		return "", fmt.Errorf("must be a postgres:// URL")
	}
	parsed.Path = "/" + name
	return parsed.String(), nil
}

func dropDatabase(t *testing.T, adminURL, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Errorf("drop test database %s: %v", name, err)
		return
	}
	defer func() { _ = admin.Close(context.Background()) }()
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		t.Errorf("drop test database %s: %v", name, err)
	}
}

func closeDB(t *testing.T, db *gorm.DB) {
	sqlDB, err := db.DB()
	if err == nil {
		err = sqlDB.Close()
	}
	if err != nil {
		t.Errorf("close database: %v", err)
	}
}

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// DropAuditGuards drops the triggers that keep audit_entries append-only,
// as someone with the database owner's rights could, so a test can tamper
// with the chain and show that `verval audit verify` finds it. db may be a
// transaction: rolled back, it restores the triggers.
func DropAuditGuards(t *testing.T, db *gorm.DB) {
	t.Helper()
	for _, name := range store.AuditGuardTriggers {
		q := "DROP TRIGGER IF EXISTS " + name
		if store.IsPostgres(db) {
			q += " ON audit_entries"
		}
		if err := db.Exec(q).Error; err != nil {
			t.Fatalf("drop trigger %s: %v", name, err)
		}
	}
}
