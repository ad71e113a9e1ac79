package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// QueryRow scans the first row query returns (GORM's placeholders and arguments, as Raw takes
// them) into dest, or returns sql.ErrNoRows. On PostgreSQL, unless ctx is in an Idempotent
// request's transaction, it sends the text GORM's Raw(query, args...) builds through pgx on a
// pooled connection, without GORM's callbacks and database/sql's conversions, which were a third
// of the CPU of the membership read before every request to an organization's data (issue 13).
// There dest is scanned by pgx's rules, stricter than database/sql's: give each column a pointer to
// its own Go type (a string kind for text, an integer for an integer, time.Time for a timestamp,
// []byte for a text read as bytes, a pointer for a nullable column) or an sql.Scanner. Elsewhere
// it is GORM's Raw on preparedSession(ctx), so query must be of fixed text.
func (db *DB) QueryRow(ctx context.Context, dest []any, query string, args ...any) error {
	if db.dialect.Name() != "postgres" || requestTx(ctx) != nil {
		return ScanFirst(db.preparedSession(ctx), dest, query, args...)
	}
	g := db.Gorm(ctx)
	text, vars, err := buildStatement(g, query, args)
	if err != nil {
		return err
	}
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	started := time.Now()
	// A connection whose server went away is not pooled again: stdlib's Conn reports it invalid
	// to database/sql, which closes it.
	err = queryRowOn(ctx, sqlDB, text, vars, dest)
	if !errors.Is(err, sql.ErrNoRows) && !errors.Is(err, context.Canceled) {
		// GORM's logger did not see the statement: it logs it when slow, and when it failed (a
		// client gone is not a failure of the database).
		g.Logger.Trace(ctx, started, func() (string, int64) { return text, -1 }, err)
	}
	return err
}

// ScanFirst scans the first row of query (GORM's placeholders and arguments, as Raw takes them),
// run in q, into dest, or returns sql.ErrNoRows. It reads through Rows, not Row: when preparing
// fails, GORM's Row is an empty sql.Row, whose Scan panics.
func ScanFirst(q *gorm.DB, dest []any, query string, args ...any) error {
	rows, err := q.Raw(query, args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Close()
}

func queryRowOn(ctx context.Context, sqlDB *sql.DB, text string, vars, dest []any) error {
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var queryErr error
	err = conn.Raw(func(driverConn any) error {
		queryErr = driverConn.(*stdlib.Conn).Conn().QueryRow(ctx, text, vars...).Scan(dest...)
		return nil
	})
	if errors.Is(queryErr, pgx.ErrNoRows) {
		return sql.ErrNoRows
	}
	if queryErr != nil {
		return queryErr
	}
	return err
}
