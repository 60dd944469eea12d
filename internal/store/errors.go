package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/verval/verval/internal/domain"
	"gorm.io/gorm"
)

// The store's errors are *domain.Error: a broken rule names its field
// (domain.KindInvalid), a step that does not fit the current state is a
// domain.KindConflict with its code. errors.Is matches these sentinels by
// code.
var (
	// ErrNotFound: the record does not exist or is outside the caller's region.
	ErrNotFound = domain.Err(domain.CodeNotFound)
	// ErrListClosed: the village meeting has been recorded, so its
	// households' results can no longer change.
	ErrListClosed = domain.Err(domain.CodeListClosed)
	// ErrUnavailable: the database cannot be reached right now (503).
	ErrUnavailable = domain.Err(domain.CodeUnavailable)
)

// conflict refuses a step that does not fit the current state.
func conflict(code domain.Code, args ...any) error { return domain.Err(code, args...) }

// invalid refuses a value of field.
func invalid(field string, code domain.Code, args ...any) error {
	return domain.FieldErr(field, code, args...)
}

func wrapNotFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}

// WrapUnavailable returns err wrapped with ErrUnavailable when it is a
// failure to reach the database (refused or dropped connection, timeout,
// server shutting down), so the API answers 503 rather than 500; other
// errors are returned unchanged.
func WrapUnavailable(err error) error {
	if err == nil || errors.Is(err, ErrUnavailable) || !connectionError(err) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

func connectionError(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08 is "connection exception"; 57P01-57P03 are the server
		// shutting down or starting; 53300 is too many connections.
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" ||
			pgErr.Code == "57P03" || pgErr.Code == "53300"
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err)
}
