package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// The failures that mean "the database, not the request": a database another connection holds
// past busy_timeout (SQLite), a server that refuses connections (PostgreSQL), a deadline. Anything
// else (a constraint, a syntax error) is not (issue 10, defects 5 and 6).
func TestUnavailableErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		storetest.HoldLocks(t, db, "organization_locks")
		sqlDB, err := db.SQL()
		if err != nil {
			t.Fatal(err)
		}
		conn, err := sqlDB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if db.DialectName() == "sqlite" {
			// The lock is held; wait for it no more than SQLite's busy handler allows here.
			if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
				t.Fatal(err)
			}
			_, err = conn.ExecContext(ctx, "INSERT INTO organization_locks (organization_id) VALUES ('x')")
			if err == nil || !store.IsUnavailable(err) {
				t.Errorf("a locked SQLite database: %v, want an unavailable error", err)
			}
		} else {
			short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			defer cancel()
			_, err = conn.ExecContext(short, "SELECT count(*) FROM organization_locks")
			if err == nil || !store.IsUnavailable(err) {
				t.Errorf("a lock wait past the deadline: %v, want an unavailable error", err)
			}
			// A connection the server or the driver closed under a statement (a server stopped
			// with -m immediate): the next use on it, such as the BEGIN of a transaction taken
			// from the pool just before, fails with pgconn's "conn closed".
			err = conn.Raw(func(dc any) error {
				pc := dc.(*stdlib.Conn).Conn()
				if err := pc.Close(ctx); err != nil {
					t.Fatal(err)
				}
				_, err := pc.Exec(ctx, "BEGIN")
				return err
			})
			if err == nil || !store.IsUnavailable(err) {
				t.Errorf("a closed connection: %v, want an unavailable error", err)
			}
			if err := deadlockVictim(t, sqlDB); !store.IsDeadlock(err) || !store.IsUnavailable(err) {
				t.Errorf("a deadlock victim: %v, want an unavailable error", err)
			}
		}
		_, err = sqlDB.ExecContext(ctx, "SELECT * FROM no_such_table")
		if err == nil || store.IsUnavailable(err) {
			t.Errorf("a missing table: %v, want an error that is not unavailable", err)
		}
	})
	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		_, err := store.Open(ctx, "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", storetest.Options())
		if err == nil || !store.IsUnavailable(err) {
			t.Errorf("a refused connection: %v, want an unavailable error", err)
		}
		if errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("refused, not timed out: %v", err)
		}
	})
}

// deadlockVictim runs two transactions that take two advisory locks in opposite orders and
// returns the error of the one PostgreSQL aborts.
func deadlockVictim(t *testing.T, sqlDB *sql.DB) error {
	t.Helper()
	ctx := context.Background()
	var txs [2]*sql.Tx
	for i := range txs {
		tx, err := sqlDB.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = tx.Rollback() }()
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", i); err != nil {
			t.Fatal(err)
		}
		txs[i] = tx
	}
	errs := make(chan error, 2)
	for i, tx := range txs {
		go func() {
			_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", 1-i)
			if err != nil {
				_ = tx.Rollback() // frees the survivor
			}
			errs <- err
		}()
	}
	first, second := <-errs, <-errs
	if first == nil {
		return second
	}
	return first
}
