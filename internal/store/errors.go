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
	"gorm.io/gorm"
)

// Errors the API maps to HTTP statuses.
var (
	// ErrNotFound: the record does not exist or is outside the caller's region.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the request conflicts with the current state.
	ErrConflict = errors.New("conflict")
	// ErrListClosed: the village meeting has been recorded, so its
	// households' results can no longer change (a kind of ErrConflict).
	ErrListClosed = fmt.Errorf("%w: the village meeting has closed this household's list", ErrConflict)
)

// ErrUnavailable: the database cannot be reached right now (503).
var ErrUnavailable = errors.New("database unavailable")

// ErrInvalid: the input breaks a rule; errors matching it are *InvalidError
// naming the field at fault.
var ErrInvalid = errors.New("invalid input")

// InvalidError is an input rule broken at a named field.
type InvalidError struct {
	Field string
	Msg   string
}

// Error returns "field: message".
func (e *InvalidError) Error() string { return e.Field + ": " + e.Msg }

// Is makes errors.Is(err, ErrInvalid) true for every *InvalidError.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, msg string) error { return &InvalidError{Field: field, Msg: msg} }

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
