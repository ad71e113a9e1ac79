package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// QueryRow scans the first row query returns (GORM's placeholders and arguments, as Raw takes
// them) into dest, or returns sql.ErrNoRows. It is GORM's Raw(query, args...).Row().Scan(dest...),
// and on PostgreSQL outside a transaction that is what it sends, byte for byte, but through pgx on a
// pooled connection: without GORM's callbacks and database/sql's conversions, which were a third of
// the CPU of the membership read that runs before every request to an organization's data (issue
// 13). Inside an Idempotent request, and on SQLite, it is GORM's.
func (db *DB) QueryRow(ctx context.Context, dest []any, query string, args ...any) error {
	g := db.Gorm(ctx)
	if db.dialect.Name() != "postgres" || requestTx(ctx) != nil {
		return g.Raw(query, args...).Row().Scan(dest...)
	}
	text, vars, err := buildStatement(g, query, args)
	if err != nil {
		return err
	}
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	started := time.Now()
	// As database/sql does, a statement that never left (a connection found broken) is retried
	// once on another connection.
	for attempt := 0; ; attempt++ {
		err = queryRowOnce(ctx, sqlDB, text, vars, dest)
		if attempt > 0 || err == nil || !pgconn.SafeToRetry(err) || ctx.Err() != nil {
			break
		}
	}
	if !errors.Is(err, sql.ErrNoRows) {
		// GORM's logger did not see the statement: it logs it when slow or failed, as it would.
		g.Logger.Trace(ctx, started, func() (string, int64) { return text, -1 }, err)
	}
	return err
}

func queryRowOnce(ctx context.Context, sqlDB *sql.DB, text string, vars, dest []any) error {
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var queryErr error
	err = conn.Raw(func(driverConn any) error {
		pc := driverConn.(*stdlib.Conn).Conn()
		queryErr = pc.QueryRow(ctx, text, vars...).Scan(dest...)
		if pc.IsClosed() {
			return driver.ErrBadConn // database/sql drops the connection instead of pooling it
		}
		return nil
	})
	if queryErr != nil {
		if errors.Is(queryErr, pgx.ErrNoRows) {
			return sql.ErrNoRows
		}
		return queryErr
	}
	return err
}
