// Package store is verval's application database: GORM models, versioned
// migrations, and the queries the API and the activities share. PostgreSQL in
// production; an embedded pure-Go SQLite file for the one-command local stack.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"gorm.io/plugin/dbresolver"

	"github.com/verval/verval/internal/pii"
)

// Store holds the database and the keys that seal personal data; the API
// and the activities share its queries.
type Store struct {
	DB   *gorm.DB
	Keys *pii.Keyring
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Open connects to PostgreSQL when databaseURL is set, otherwise to the
// SQLite file at sqlitePath, and runs the migrations. A nil log discards
// the database's warnings (tests and tools).
func Open(ctx context.Context, databaseURL, sqlitePath string, log *slog.Logger) (*gorm.DB, error) {
	if log == nil {
		// gorm's slog logger calls the logger it is given: nil would panic
		// at the first failed statement.
		log = slog.New(slog.DiscardHandler)
	}
	cfg := &gorm.Config{
		Logger:         logger.NewSlogLogger(log, logger.Config{SlowThreshold: time.Second, IgnoreRecordNotFoundError: true, LogLevel: logger.Warn, ParameterizedQueries: true}),
		TranslateError: true,
		NowFunc:        func() time.Time { return time.Now().UTC() },
	}
	var (
		db  *gorm.DB
		err error
	)
	// where names the database in errors: for PostgreSQL its variable and
	// address, never the password.
	where := "SQLite " + sqlitePath
	if databaseURL != "" {
		dsn, name, password, err := postgresDSN(databaseURL)
		if err != nil {
			return nil, err
		}
		where = "PostgreSQL " + name + " (DATABASE_URL)"
		db, err = gorm.Open(postgres.Open(dsn), cfg)
		if err != nil {
			return nil, fmt.Errorf("%s unreachable: %w", where, redact(err, password))
		}
		sqlDB, _ := db.DB()
		// database/sql keeps 2 idle connections by default: under a burst
		// of requests the rest were closed as they came back and opened
		// again for the next (a PostgreSQL backend forked and a password
		// exchange each: 2,612 connections for 26,000 transactions in a
		// 3,000-household bench). Keep the pool whole instead, and bound
		// it, so a burst queues here rather than as more backends
		// competing for PostgreSQL's cores.
		sqlDB.SetMaxOpenConns(PostgresMaxConns)
		sqlDB.SetMaxIdleConns(PostgresMaxConns)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	} else {
		if dir := filepath.Dir(sqlitePath); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("create data directory: %w", err)
			}
		}
		db, err = gorm.Open(sqlite.Open(SQLiteDSN(sqlitePath)), cfg)
		if err != nil {
			return nil, fmt.Errorf("open SQLite %s: %w", sqlitePath, err)
		}
		sqlDB, _ := db.DB()
		// SQLite allows one writer at a time; one connection turns lock
		// contention into queueing instead of SQLITE_BUSY errors.
		sqlDB.SetMaxOpenConns(1)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		return nil, fmt.Errorf("%s unreachable: %w", where, err)
	}
	if err := Migrate(db.WithContext(ctx)); err != nil {
		return nil, err
	}
	if databaseURL == "" && sqlitePath != ":memory:" {
		if err := useReadPool(db, sqlitePath); err != nil {
			return nil, err
		}
	}
	return db, nil
}

// PostgresMaxConns is the size of each verval process's pool of
// PostgreSQL connections, all of them kept open while in use within the
// last minutes. Four api and four worker replicas use at most 160, within
// the compose file's max_connections (300) beside the Temporal server's.
const PostgresMaxConns = 20

// postgresConnectTimeout bounds each attempt to connect to PostgreSQL when
// DATABASE_URL sets no connect_timeout. pgx has no default: a connection to
// a host that drops packets (a firewall, a wrong address in another
// network) would wait for the kernel's TCP timeout, minutes, before
// `verval api` said anything.
const postgresConnectTimeout = "10"

// postgresDSN returns databaseURL with a connect_timeout (seconds) unless
// it sets one, the database's name for messages (user@host/db, no
// password), and the password, for scrubbing it out of driver errors.
func postgresDSN(databaseURL string) (dsn, name, password string, err error) {
	if !strings.HasPrefix(databaseURL, "postgres://") && !strings.HasPrefix(databaseURL, "postgresql://") {
		// pgx also takes "host=... user=..." keyword/value strings.
		return keywordDSN(databaseURL)
	}
	u, err := url.Parse(databaseURL)
	if err != nil {
		// url's error quotes the whole URL, password included.
		return "", "", "", errors.New("DATABASE_URL: not a valid postgres:// URL")
	}
	password, _ = u.User.Password()
	q := u.Query()
	if q.Get("password") != "" {
		password = q.Get("password")
	}
	if q.Get("connect_timeout") == "" {
		q.Set("connect_timeout", postgresConnectTimeout)
		u.RawQuery = q.Encode()
	}
	name = u.Host + u.Path
	if user := u.User.Username(); user != "" {
		name = user + "@" + name
	}
	return u.String(), name, password, nil
}

// keywordDSN is postgresDSN for a keyword/value connection string.
func keywordDSN(dsn string) (string, string, string, error) {
	var host, db, user, password string
	timeout := false
	for _, f := range strings.Fields(dsn) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return "", "", "", errors.New("DATABASE_URL: neither a postgres:// URL nor key=value pairs")
		}
		v = strings.Trim(v, "'")
		switch k {
		case "host":
			host = v
		case "dbname":
			db = v
		case "user":
			user = v
		case "password":
			password = v
		case "connect_timeout":
			timeout = true
		}
	}
	if !timeout {
		dsn += " connect_timeout=" + postgresConnectTimeout
	}
	name := host + "/" + db
	if user != "" {
		name = user + "@" + name
	}
	return dsn, name, password, nil
}

// redact replaces password in err's message; drivers sometimes echo the
// connection string they were given.
func redact(err error, password string) error {
	if password == "" || !strings.Contains(err.Error(), password) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), password, "xxxxx"))
}

// sqliteReaders is the size of the embedded database's read pool.
const sqliteReaders = 4

// useReadPool gives the embedded database a pool of read-only connections
// beside its one writer (gorm.io/plugin/dbresolver routes queries there,
// and writes and transactions to the writer). In WAL mode readers do not
// wait for the writer, so a session look-up or a task list no longer
// queues behind an intake batch's transaction. A connection sees every
// commit made before its query starts; query_only makes a write that is
// routed here by mistake fail instead of racing the writer.
//
// The pool's limits are set on its own *sql.DB: dbresolver's
// SetMaxOpenConns would apply to the writer too, and a second writer
// connection turns SQLite's single-writer queue into SQLITE_BUSY errors.
func useReadPool(db *gorm.DB, path string) error {
	readers, err := sql.Open(sqlite.DriverName, sqliteReadDSN(path))
	if err != nil {
		return fmt.Errorf("open SQLite read pool: %w", err)
	}
	readers.SetMaxOpenConns(sqliteReaders)
	readers.SetMaxIdleConns(sqliteReaders)
	readers.SetConnMaxIdleTime(time.Minute)
	err = db.Use(dbresolver.Register(dbresolver.Config{
		Replicas: []gorm.Dialector{&sqlite.Dialector{DriverName: sqlite.DriverName, Conn: readers}},
	}))
	if err != nil {
		readers.Close()
		return fmt.Errorf("open SQLite read pool: %w", err)
	}
	return nil
}

// sqliteReadDSN is the data source name of the read pool's connections.
func sqliteReadDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=query_only(1)"
}

// SQLiteDSN is the data source name of the embedded database: WAL so readers
// do not block the writer, a busy timeout so short lock waits are not errors,
// and foreign keys on.
func SQLiteDSN(path string) string {
	if path == ":memory:" {
		return "file::memory:?_pragma=foreign_keys(1)"
	}
	return "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"
}

// IsPostgres reports whether db is PostgreSQL.
func IsPostgres(db *gorm.DB) bool { return db.Dialector.Name() == "postgres" }

// Ping checks the database answers, for readiness probes.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}
