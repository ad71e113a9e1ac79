package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// PipelinedTx is Tx for a store call whose statements go out in batches: on PostgreSQL its BEGIN
// waits for the first statement and leaves in the same round trip as the first Batch, and a Batch
// run with RunLast carries its COMMIT. A short transaction of two batches then costs two round trips
// instead of four (issue 13: the Ultrabiz insert and delete). Its tx is not a database/sql
// transaction, so what needs one (River's InsertTx) must use Tx. Elsewhere, and inside an
// Idempotent request (whose transaction has begun), it is Tx.
func (db *DB) PipelinedTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if requestTx(ctx) != nil || db.dialect.Name() != "postgres" {
		return db.Tx(ctx, fn)
	}
	return db.onConn(ctx, true, fn)
}

// errTxCommitted refuses statements once a batch sent the transaction's COMMIT (RunLast), whatever
// it answered: after it a statement would run outside the transaction.
var errTxCommitted = errors.New("the transaction's COMMIT was already sent by its last batch")

// rollbackTimeout bounds a ROLLBACK, which is sent even when the caller's context is done: a
// transaction left open would hold its row locks until its connection is next used.
const rollbackTimeout = 5 * time.Second

// lazyTx is a PostgreSQL transaction on conn whose BEGIN is sent with its first statement. It is
// GORM's transaction (ConnPool and TxCommitter) for PipelinedTx; a Batch sends BEGIN and COMMIT
// itself, in its pipeline, and records it here.
type lazyTx struct {
	conn       *sql.Conn
	ctx        context.Context // the transaction's: COMMIT follows it, ROLLBACK only its values
	begun      bool            // BEGIN sent (whatever it answered)
	beginErr   error           // what BEGIN answered, if it failed: every later statement fails with it
	commitSent bool            // a Batch sent COMMIT (RunLast)
	committed  bool            // and it was answered COMMIT
}

// lazyBeginner is the connection GORM begins a lazyTx on.
type lazyBeginner struct{ tx *lazyTx }

// BeginTx implements gorm.ConnPoolBeginner. Options would need a BEGIN of their own: none of
// PipelinedTx's callers has any.
func (b lazyBeginner) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	if opts != nil && (opts.Isolation != sql.LevelDefault || opts.ReadOnly) {
		return nil, errors.New("a pipelined transaction takes no options")
	}
	b.tx.ctx = ctx
	return b.tx, nil
}

// lazyBeginner's own statements are refused (gorm.ConnPool asks for them): GORM begins the
// transaction before it sends any.
func (lazyBeginner) PrepareContext(context.Context, string) (*sql.Stmt, error) {
	return nil, errNotBegun
}
func (lazyBeginner) ExecContext(context.Context, string, ...any) (sql.Result, error) {
	return nil, errNotBegun
}
func (lazyBeginner) QueryContext(context.Context, string, ...any) (*sql.Rows, error) {
	return nil, errNotBegun
}
func (lazyBeginner) QueryRowContext(context.Context, string, ...any) *sql.Row { return nil }

var errNotBegun = errors.New("pipelined transaction: statement before begin")

// begin sends BEGIN alone, for a statement that does not go through a Batch.
func (t *lazyTx) begin(ctx context.Context) error {
	switch {
	case t.commitSent:
		return errTxCommitted
	case t.begun:
		return t.beginErr
	}
	t.begun = true
	_, t.beginErr = t.control(ctx, "BEGIN")
	return t.beginErr
}

// control sends a transaction-control statement and returns its command tag.
func (t *lazyTx) control(ctx context.Context, statement string) (pgconn.CommandTag, error) {
	var tag pgconn.CommandTag
	err := t.conn.Raw(func(driverConn any) error {
		var err error
		tag, err = driverConn.(*stdlib.Conn).Conn().Exec(ctx, statement)
		return err
	})
	return tag, err
}

// ExecContext implements gorm.ConnPool.
func (t *lazyTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := t.begin(ctx); err != nil {
		return nil, err
	}
	return t.conn.ExecContext(ctx, query, args...)
}

// QueryContext implements gorm.ConnPool.
func (t *lazyTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := t.begin(ctx); err != nil {
		return nil, err
	}
	return t.conn.QueryContext(ctx, query, args...)
}

// QueryRowContext implements gorm.ConnPool. A *sql.Row cannot be made to hold an error, so when
// the transaction cannot run the statement it runs it under a cancelled context, which fails before
// anything is sent: it must not run outside the transaction.
func (t *lazyTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if err := t.begin(ctx); err != nil {
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		return t.conn.QueryRowContext(cancelled, query, args...)
	}
	return t.conn.QueryRowContext(ctx, query, args...)
}

// PrepareContext implements gorm.ConnPool.
func (t *lazyTx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	if err := t.begin(ctx); err != nil {
		return nil, err
	}
	return t.conn.PrepareContext(ctx, query)
}

// Commit implements gorm.TxCommitter: nothing to send if nothing was, or a batch committed.
func (t *lazyTx) Commit() error {
	switch {
	case t.committed || !t.begun:
		return nil
	case t.commitSent:
		return errors.New("commit: the last batch's COMMIT failed")
	case t.beginErr != nil:
		return t.beginErr
	case t.ctx.Err() != nil:
		return t.ctx.Err() // as database/sql does: GORM then rolls back
	}
	tag, err := t.control(t.ctx, "COMMIT")
	if err != nil {
		return err
	}
	return committedTag(tag)
}

// committedTag is PostgreSQL's answer to COMMIT: a transaction that had failed is rolled back,
// without an error, under the tag ROLLBACK.
func committedTag(tag pgconn.CommandTag) error {
	if tag.String() == "ROLLBACK" {
		return errors.New("commit: the transaction had failed and was rolled back")
	}
	return nil
}

// Rollback implements gorm.TxCommitter. After a COMMIT that did not answer COMMIT the transaction
// may still be open (a statement before it failed, and the server skipped it), so ROLLBACK is sent.
func (t *lazyTx) Rollback() error {
	switch {
	case t.committed:
		return errTxCommitted
	case !t.begun:
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.ctx), rollbackTimeout)
	defer cancel()
	_, err := t.control(ctx, "ROLLBACK")
	return err
}

// onConn runs fn in a transaction on a connection taken from the pool for it and recorded in the
// transaction's context, so that a Batch can pipeline on it: a database/sql transaction, or with
// lazy a lazyTx.
func (db *DB) onConn(ctx context.Context, lazy bool, fn func(tx *gorm.DB) error) error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("take a connection: %w", err)
	}
	defer conn.Close()
	tc := &txConn{conn: conn}
	g := db.gorm.WithContext(context.WithValue(ctx, txConnKey{}, tc))
	g.Statement.ConnPool = conn
	if lazy {
		tc.lazy = &lazyTx{conn: conn}
		g.Statement.ConnPool = lazyBeginner{tc.lazy}
		// database/sql does not know of a transaction it did not begin: a connection still inside
		// one (its ROLLBACK failed) is closed now, not left in the pool holding its locks.
		defer func() {
			_ = conn.Raw(func(driverConn any) error {
				if driverConn.(*stdlib.Conn).Conn().PgConn().TxStatus() != 'I' {
					return driver.ErrBadConn
				}
				return nil
			})
		}()
	}
	return g.Transaction(func(tx *gorm.DB) error {
		tc.tx, tc.top = tx.Statement.ConnPool, tx
		return fn(tx)
	})
}
