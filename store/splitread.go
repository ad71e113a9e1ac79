package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"time"

	"gorm.io/gorm"
)

// spareConnWait is how long SplitRead waits for a second connection before reading on tx alone:
// a dry run should not queue behind other requests for a speed-up, nor hold its own connection
// while every other one waits for a second.
const spareConnWait = 20 * time.Millisecond

// errNoSpareConn: the pool had no connection to spare in spareConnWait.
var errNoSpareConn = errors.New("no spare connection")

// snapshotID is what pg_export_snapshot returns ("00000003-0000001B-1"); SET TRANSACTION SNAPSHOT
// takes no parameter, so the id is checked before it is spliced in.
var snapshotID = regexp.MustCompile(`^[0-9A-Fa-f]+-[0-9A-Fa-f]+-[0-9]+$`)

// SplitRead runs first on tx and, at the same time, second on another connection that reads tx's
// snapshot (pg_export_snapshot): one long read over many tables then runs on two cores and both
// halves see the same rows. tx must be a ReadTx's (REPEATABLE READ), begun by a statement.
//
// second runs on tx after first where that cannot be: SQLite (one process, nothing to gain),
// Citus (the snapshot is the coordinator's; the shards are read on the workers), inside an
// Idempotent request's transaction, when half the pool or more is in use, or when no connection
// comes within spareConnWait.
func (db *DB) SplitRead(ctx context.Context, tx *gorm.DB, first, second func(tx *gorm.DB) error) error {
	inOne := func() error {
		if err := first(tx); err != nil {
			return err
		}
		return second(tx)
	}
	sqlDB, err := db.gorm.DB()
	if err != nil || db.DialectName() != "postgres" || db.citus || requestTx(ctx) != nil {
		return inOne()
	}
	// Half the pool stays for other requests: a burst of dry runs must not queue the rest.
	if st := sqlDB.Stats(); st.MaxOpenConnections > 0 && 2*st.InUse >= st.MaxOpenConnections {
		return inOne()
	}
	var snapshot string
	if err := tx.Raw("SELECT pg_export_snapshot()").Scan(&snapshot).Error; err != nil {
		return fmt.Errorf("export snapshot: %w", err)
	}
	if !snapshotID.MatchString(snapshot) {
		return fmt.Errorf("export snapshot: unexpected id %q", snapshot)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- db.readInSnapshot(ctx, sqlDB, snapshot, second) }()
	errFirst := first(tx)
	if errFirst != nil {
		cancel()
	}
	errSecond := <-done
	switch {
	case errFirst != nil:
		return errFirst
	case errors.Is(errSecond, errNoSpareConn):
		return second(tx)
	}
	return errSecond
}

// readInSnapshot runs fn in a read-only transaction of its own connection that reads snapshot.
func (db *DB) readInSnapshot(ctx context.Context, sqlDB *sql.DB, snapshot string, fn func(tx *gorm.DB) error) error {
	wait, cancel := context.WithTimeout(ctx, spareConnWait)
	conn, err := sqlDB.Conn(wait)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return errNoSpareConn
	}
	defer conn.Close()
	stx, err := conn.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return err
	}
	defer func() { _ = stx.Rollback() }() // it wrote nothing: ending it either way is the same
	if _, err := stx.ExecContext(ctx, "SET TRANSACTION SNAPSHOT '"+snapshot+"'"); err != nil {
		return fmt.Errorf("import snapshot: %w", err)
	}
	g := db.gorm.Session(&gorm.Session{NewDB: true, Context: ctx})
	g.Statement.ConnPool = stx
	return fn(g)
}
