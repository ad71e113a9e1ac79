package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"modernc.org/sqlite"
)

// Sentinel errors: handlers map them to each family's declared outcomes with errors.Is.
var (
	// ErrNotFound: the thing does not exist, or exists in an organization the caller cannot see.
	ErrNotFound = errors.New("not found")
	// ErrInvalidCredentials: unknown user or wrong password (deliberately indistinguishable).
	ErrInvalidCredentials = errors.New("invalid credentials")
	// ErrNotMember: the user does not belong to the organization.
	ErrNotMember = errors.New("not a member of the organization")
	// ErrForbidden: the caller's role does not allow the operation.
	ErrForbidden = errors.New("forbidden")
	// ErrConflict: the request clashes with the current state (duplicate, wrong state, stale view).
	ErrConflict = errors.New("conflict")
)

// GORM translates PostgreSQL's constraint errors, but its SQLite translator only knows the cgo
// driver, so modernc's extended result codes are matched here.
const (
	sqliteConstraintForeignKey = 787
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

// IsUniqueViolation reports a unique or primary-key constraint failure on either database.
func IsUniqueViolation(err error) bool {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	var se *sqlite.Error
	return errors.As(err, &se) && (se.Code() == sqliteConstraintUnique || se.Code() == sqliteConstraintPrimaryKey)
}

// IsForeignKeyViolation reports a foreign-key constraint failure on either database.
func IsForeignKeyViolation(err error) bool {
	if errors.Is(err, gorm.ErrForeignKeyViolated) {
		return true
	}
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqliteConstraintForeignKey
}

// IsValueOutOfRange reports a value the database cannot hold (a number past its column's
// precision, a string past its length). The specs bound inputs so this should not happen; if one
// slips through, it is the caller's bad input, not a server fault. SQLite stores such values as
// given, so only PostgreSQL reports them.
func IsValueOutOfRange(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "22003" || pe.Code == "22001")
}

// IsDeadlock reports PostgreSQL's deadlock_detected: the transaction was chosen as a victim and
// rolled back whole, so running it again is safe. On Citus concurrent writes to a reference table
// (users, organizations, memberships) can meet in different orders on different nodes.
func IsDeadlock(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "40P01"
}

// ErrUnknownUser: the user a token names no longer exists (deleted since the token was issued).
var ErrUnknownUser = errors.New("unknown user")

// SQLite's primary result codes for a database another connection holds.
const (
	sqliteBusy   = 5
	sqliteLocked = 6
)

// IsUnavailable reports a failure of the database rather than of the request: the deadline passed
// (a frozen or overloaded server, a lock held too long), the server cannot be reached or went away
// mid-statement, SQLite's file stayed locked past busy_timeout, or PostgreSQL chose the
// transaction as a deadlock victim or could not serialize it (it changed nothing). The request
// may succeed later unchanged, so it is a 503 with Retry-After, not a 500; a transaction it was in
// is rolled back.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	// ErrConnClosed: the connection went away under an earlier statement (the server stopped), and
	// this one, often the BEGIN of a transaction taken from the pool just then, found it closed.
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) || pgconn.Timeout(err) || errors.Is(err, pgconn.ErrConnClosed) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection exception; 57P01-57P03: the server is shutting down or starting;
		// 53300: too many connections; 57014: statement cancelled (a statement_timeout); 40P01:
		// deadlock victim; 40001: serialization failure.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" ||
			pe.Code == "53300" || pe.Code == "57014" || pe.Code == "40P01" || pe.Code == "40001"
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		primary := se.Code() & 0xff
		return primary == sqliteBusy || primary == sqliteLocked
	}
	return false
}
