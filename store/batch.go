package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// Batch is statements of one transaction sent together. On PostgreSQL, in a transaction that Tx,
// PipelinedTx or Idempotent began, they go in one round trip (a pgx pipeline on that connection,
// inside the transaction, with PipelinedTx's BEGIN and COMMIT when they are due); elsewhere (SQLite,
// a transaction begun otherwise) one after another through GORM. Either way each statement runs
// after the one before and sees its effects, and the first error ends the batch. A request's latency
// on PostgreSQL is mostly round trips, so a store method queues what does not depend on answers it
// has yet to read.
type Batch struct {
	tx    *gorm.DB
	items []batchItem
}

type batchItem struct {
	what     string
	sql      string
	vars     []any
	insert   *insertRows      // rows to insert, instead of sql
	scan     func(Rows) error // reads a query's rows
	affected *int64           // receives the rows an Exec changed
}

// Rows is what a batched query's scan function reads, row by row.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
}

// NewBatch starts a batch in transaction tx.
func NewBatch(tx *gorm.DB) *Batch { return &Batch{tx: tx} }

// Exec queues a statement (GORM's placeholders: ? or @name with a map); affected, when not nil,
// receives the rows it changed.
func (b *Batch) Exec(what string, affected *int64, sql string, vars ...any) {
	b.items = append(b.items, batchItem{what: what, sql: sql, vars: vars, affected: affected})
}

// Query queues a statement that returns rows, read by scan.
func (b *Batch) Query(what string, scan func(Rows) error, sql string, vars ...any) {
	b.items = append(b.items, batchItem{what: what, sql: sql, vars: vars, scan: scan})
}

// insertRows is what Insert queued: rows of values, one per column, for table.
type insertRows struct {
	table   string
	columns []string
	rows    [][]any
}

// Insert queues the insert of rows into table, in statements of at most size rows: each row holds
// one value per column, as the driver takes it (a Decimal as its Bound text). The statement is the
// one GORM's Create writes for a model of these columns, built without reflection: for a purchase
// invoice's 41-column lines GORM's building was a quarter of an Ultrabiz insert's allocations
// (issue 13). A caller lists its model's columns in GORM's order and checks them against GORM.
func (b *Batch) Insert(what, table string, columns []string, rows [][]any, size int) {
	for i := 0; i < len(rows); i += size {
		b.items = append(b.items, batchItem{what: what, insert: &insertRows{table: table, columns: columns, rows: rows[i:min(i+size, len(rows))]}})
	}
}

// InsertStatement is the statement Insert sends on PostgreSQL for rows, with its parameters:
// INSERT INTO "table" ("a","b") VALUES ($1,$2),($3,$4), as GORM writes it.
func InsertStatement(tx *gorm.DB, table string, columns []string, rows [][]any) (string, []any) {
	return insertStatement(tx, table, columns, rows, true)
}

// insertStatement writes the insert with $n parameters (numbered), or GORM's ? (for tx.Exec).
func insertStatement(tx *gorm.DB, table string, columns []string, rows [][]any, numbered bool) (string, []any) {
	var sb strings.Builder
	sb.Grow(32 + len(columns)*16 + len(rows)*len(columns)*5)
	sb.WriteString("INSERT INTO ")
	tx.Statement.QuoteTo(&sb, table)
	sb.WriteString(" (")
	for i, c := range columns {
		if i > 0 {
			sb.WriteByte(',')
		}
		tx.Statement.QuoteTo(&sb, c)
	}
	sb.WriteString(") VALUES ")
	vars := make([]any, 0, len(rows)*len(columns))
	var num [20]byte
	for i, row := range rows {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('(')
		for j, v := range row {
			if j > 0 {
				sb.WriteByte(',')
			}
			vars = append(vars, v)
			if numbered {
				sb.WriteByte('$')
				sb.Write(strconv.AppendInt(num[:0], int64(len(vars)), 10))
			} else {
				sb.WriteByte('?')
			}
		}
		sb.WriteByte(')')
	}
	return sb.String(), vars
}

// Run sends the queued statements and reads their answers; errors name the statement's what.
func (b *Batch) Run() error { return b.run(false) }

// RunLast is Run for the transaction's last statements: nothing the caller does after it may refuse
// (return an error), as its changes may already be committed. In PipelinedTx on PostgreSQL, from the
// handle fn was given, COMMIT goes in the same round trip; elsewhere the transaction commits when fn
// returns, as usual. A statement that the database refuses fails the commit: nothing is kept. An
// error that is not the database's (a cancelled context, a lost connection) leaves the outcome
// unknown, as a COMMIT interrupted on the wire does. A batch that reads rows is not committed with
// them: a failure to read them after the COMMIT ran could not undo it.
func (b *Batch) RunLast() error { return b.run(true) }

func (b *Batch) run(last bool) error {
	tc := pipelineConn(b.tx)
	if tc != nil && tc.lazy != nil && tc.lazy.commitSent {
		return errTxCommitted
	}
	if len(b.items) == 0 {
		return nil
	}
	defer func() { b.items = nil }()
	if tc == nil {
		return b.runEach()
	}
	lazy := tc.lazy
	if lazy != nil && lazy.beginErr != nil {
		return lazy.beginErr
	}
	begin := lazy != nil && !lazy.begun
	commit := last && lazy != nil && tc.top == b.tx && !slices.ContainsFunc(b.items, func(it batchItem) bool { return it.scan != nil })
	batch := &pgx.Batch{}
	if begin {
		batch.Queue("BEGIN")
	}
	for _, it := range b.items {
		if it.insert != nil {
			sql, vars := InsertStatement(b.tx, it.insert.table, it.insert.columns, it.insert.rows)
			batch.Queue(sql, vars...)
			continue
		}
		sql, vars, err := buildStatement(b.tx, it.sql, it.vars)
		if err != nil {
			return fmt.Errorf("%s: %w", it.what, err)
		}
		batch.Queue(sql, vars...)
	}
	if commit {
		batch.Queue("COMMIT")
	}
	started := time.Now()
	if begin {
		lazy.begun = true
	}
	if commit {
		lazy.commitSent = true
	}
	err := tc.conn.Raw(func(driverConn any) error {
		br := driverConn.(*stdlib.Conn).Conn().SendBatch(b.tx.Statement.Context, batch)
		if begin {
			if _, err := br.Exec(); err != nil {
				lazy.beginErr = err
				_ = br.Close()
				return fmt.Errorf("begin with the first batch: %w", err)
			}
		}
		for _, it := range b.items {
			if err := b.read(br, it); err != nil {
				_ = br.Close()
				return fmt.Errorf("%s: %w", it.what, b.translate(err))
			}
		}
		if commit {
			tag, err := br.Exec()
			if err == nil {
				err = committedTag(tag)
			}
			if err != nil {
				_ = br.Close()
				return fmt.Errorf("commit: %w", b.translate(err))
			}
			lazy.committed = true
		}
		return b.translate(br.Close())
	})
	// GORM's logger saw none of these statements: it logs the batch when slow or failed, as it
	// would a statement.
	b.tx.Logger.Trace(b.tx.Statement.Context, started, func() (string, int64) {
		whats := make([]string, len(b.items))
		for i, it := range b.items {
			whats[i] = it.what
		}
		return "batch: " + strings.Join(whats, "; "), -1
	}, err)
	return err
}

func (b *Batch) read(br pgx.BatchResults, it batchItem) error {
	if it.scan == nil {
		tag, err := br.Exec()
		if err == nil && it.affected != nil {
			*it.affected = tag.RowsAffected()
		}
		return err
	}
	rows, err := br.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := it.scan(rows); err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}

// translate gives database errors the sentinels GORM's TranslateError gives them (IsUniqueViolation).
func (b *Batch) translate(err error) error {
	if t, ok := b.tx.Dialector.(gorm.ErrorTranslator); ok && err != nil {
		return t.Translate(err)
	}
	return err
}

func (b *Batch) runEach() error {
	for _, it := range b.items {
		if err := b.runOne(it); err != nil {
			return fmt.Errorf("%s: %w", it.what, err)
		}
	}
	return nil
}

func (b *Batch) runOne(it batchItem) error {
	switch {
	case it.insert != nil:
		sql, vars := insertStatement(b.tx, it.insert.table, it.insert.columns, it.insert.rows, false)
		return b.tx.Exec(sql, vars...).Error
	case it.scan != nil:
		rows, err := b.tx.Raw(it.sql, it.vars...).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		if err := it.scan(rows); err != nil {
			return err
		}
		return errors.Join(rows.Err(), rows.Close())
	default:
		res := b.tx.Exec(it.sql, it.vars...)
		if res.Error == nil && it.affected != nil {
			*it.affected = res.RowsAffected
		}
		return res.Error
	}
}

// txConnKey marks a transaction's context with the connection it was begun on.
type txConnKey struct{}

type txConn struct {
	conn *sql.Conn
	tx   gorm.ConnPool // the transaction begun on conn, once begun
	top  *gorm.DB      // the handle fn was given: only its batches may commit
	lazy *lazyTx       // tx, when PipelinedTx began it
}

// transaction runs fn in a transaction of its own: on PostgreSQL begun on a connection taken from
// the pool for it and recorded in the transaction's context, so that a Batch can pipeline on it.
func (db *DB) transaction(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if db.dialect.Name() != "postgres" {
		return db.gorm.WithContext(ctx).Transaction(fn)
	}
	return db.onConn(ctx, false, fn)
}

// pipelineConn is the transaction tx belongs to when it was begun by transaction or PipelinedTx
// (directly, or as an Idempotent request's), else nil.
func pipelineConn(tx *gorm.DB) *txConn {
	ctx := tx.Statement.Context
	tc, _ := ctx.Value(txConnKey{}).(*txConn)
	if tc == nil {
		if rt := requestTx(ctx); rt != nil {
			tc, _ = rt.Statement.Context.Value(txConnKey{}).(*txConn)
		}
	}
	if tc == nil || tc.tx == nil || tc.tx != tx.Statement.ConnPool {
		return nil
	}
	return tc
}
