package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/deletesvc/deletesvc/store"
)

// HoldLocks holds, on another connection of db, locks that make requests touching tables wait:
// ACCESS EXCLUSIVE on each table on PostgreSQL (reads wait too), the database's write lock on
// SQLite (every transaction and write waits). It lasts until release is called or the test ends,
// like a long migration or a stuck session would.
func HoldLocks(t testing.TB, db *store.DB, tables ...string) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn := Conn(t, db)
	// On SQLite the DSN makes every transaction BEGIN IMMEDIATE: it takes the write lock at once.
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if db.DialectName() != "sqlite" {
		if _, err := tx.ExecContext(ctx, "LOCK TABLE "+strings.Join(tables, ", ")+" IN ACCESS EXCLUSIVE MODE"); err != nil {
			t.Fatal(err)
		}
	} else if _, err := tx.ExecContext(ctx, "UPDATE organization_locks SET organization_id = organization_id WHERE 1 = 0"); err != nil {
		t.Fatal(err)
	}
	release = sync.OnceFunc(func() { // a test's watchdog may release too
		_ = tx.Rollback()
		_ = conn.Close()
	})
	t.Cleanup(release)
	return release
}

// Exec runs one statement (no parameters) on db, for arranging what no store method does
// (deleting a user).
func Exec(t testing.TB, db *store.DB, query string) {
	t.Helper()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlDB.ExecContext(context.Background(), query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// InstallTriggers runs stmts (failure-injecting functions and triggers, or their DROPs) in one
// transaction. On Citus a trigger on a distributed table needs citus.enable_unsafe_triggers; on
// plain PostgreSQL the setting is an inert placeholder.
func InstallTriggers(t testing.TB, db *store.DB, stmts ...string) {
	t.Helper()
	err := db.Tx(context.Background(), func(tx *gorm.DB) error {
		if db.DialectName() == "postgres" {
			if err := tx.Exec("SET LOCAL citus.enable_unsafe_triggers TO on").Error; err != nil {
				return err
			}
		}
		for _, q := range stmts {
			if err := tx.Exec(q).Error; err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Conn takes one connection from db's pool, for a test that runs statements on it alone; the
// caller closes it.
func Conn(t testing.TB, db *store.DB) *sql.Conn {
	t.Helper()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := sqlDB.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// WaitForLockWaiter waits (up to 4 s) until a session of db's own database waits for a lock on
// table, as one held by HoldLocks. PostgreSQL only. pg_locks is cluster-wide and every test
// database is a copy of one template, so the table's OID alone also matches other tests' waiters.
func WaitForLockWaiter(t testing.TB, db *store.DB, table string) {
	t.Helper()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	for range 200 {
		var waiting int
		err := sqlDB.QueryRow(`SELECT count(*) FROM pg_locks
			WHERE NOT granted AND relation = $1::regclass
			  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, table).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no session waits for a lock on %s", table)
}
