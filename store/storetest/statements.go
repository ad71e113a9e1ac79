package storetest

import (
	"context"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

type (
	statementCounterKey struct{}
	gormCounterKey      struct{}
)

// CountStatements returns a context under which every SQL statement a store on a database from
// Open runs is counted, and a function reading the count. Tests use it to prove bulk paths cost a
// constant number of statements. Transaction control (BEGIN, COMMIT, ROLLBACK, savepoints) is not
// counted. On PostgreSQL the count is taken from pgx on the pool's connections, so the statements
// the store sends around GORM (store.Batch's pipelines, each counted as its result is read, and
// store.QueryRow) count too; on SQLite, where the store's statements go through GORM, from GORM's
// callbacks. It lives here, not in store, so the binary carries no counter.
func CountStatements(ctx context.Context) (context.Context, func() int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, statementCounterKey{}, n), n.Load
}

// CountGORMStatements is CountStatements for the statements GORM itself runs, on either database:
// it tells a path that goes around GORM from one that does not.
func CountGORMStatements(ctx context.Context) (context.Context, func() int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, gormCounterKey{}, n), n.Load
}

// countStatement counts sql under ctx's counter of key, if it has one.
func countStatement(ctx context.Context, key any, sql string) {
	if ctx == nil {
		return
	}
	if n, ok := ctx.Value(key).(*atomic.Int64); ok && !transactionControl(sql) {
		n.Add(1)
	}
}

// transactionControl tells BEGIN, COMMIT, ROLLBACK and the savepoint statements, which every
// transaction sends whatever its work.
func transactionControl(sql string) bool {
	word, _, _ := strings.Cut(strings.TrimSpace(sql), " ")
	switch strings.ToUpper(strings.TrimSuffix(word, ";")) {
	case "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE":
		return true
	}
	return false
}

// statementTracer counts, for CountStatements, the statements pgx runs on PostgreSQL: each query
// as it starts, and each query of a batch as its result is read.
type statementTracer struct{}

func (statementTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	countStatement(ctx, statementCounterKey{}, data.SQL)
	return ctx
}

func (statementTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (statementTracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (statementTracer) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	countStatement(ctx, statementCounterKey{}, data.SQL)
}

func (statementTracer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// registerStatementCounter adds the counting callbacks to db (GORM shares callbacks across
// sessions): for CountGORMStatements, and on SQLite for CountStatements too (on PostgreSQL
// statementTracer counts those, GORM's included).
func registerStatementCounter(db *gorm.DB) error {
	sqlite := db.Dialector.Name() == "sqlite"
	count := func(tx *gorm.DB) {
		if tx.Statement == nil {
			return
		}
		sql := tx.Statement.SQL.String()
		countStatement(tx.Statement.Context, gormCounterKey{}, sql)
		if sqlite {
			countStatement(tx.Statement.Context, statementCounterKey{}, sql)
		}
	}
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register("storetest:count_create", count),
		cb.Query().After("gorm:query").Register("storetest:count_query", count),
		cb.Update().After("gorm:update").Register("storetest:count_update", count),
		cb.Delete().After("gorm:delete").Register("storetest:count_delete", count),
		cb.Row().After("gorm:row").Register("storetest:count_row", count),
		cb.Raw().After("gorm:raw").Register("storetest:count_raw", count),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}
