package storetest

import (
	"context"
	"sync/atomic"

	"gorm.io/gorm"
)

type statementCounterKey struct{}

// CountStatements returns a context under which every SQL statement a store on a database from DB
// runs is counted, and a function reading the count. Tests use it to prove bulk paths cost a
// constant number of statements. It lives here, not in store, so the binary carries no counter.
func CountStatements(ctx context.Context) (context.Context, func() int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, statementCounterKey{}, n), n.Load
}

// registerStatementCounter adds the counting callbacks to db (GORM shares callbacks across sessions).
func registerStatementCounter(db *gorm.DB) error {
	count := func(tx *gorm.DB) {
		if tx.Statement == nil || tx.Statement.Context == nil {
			return
		}
		if n, ok := tx.Statement.Context.Value(statementCounterKey{}).(*atomic.Int64); ok {
			n.Add(1)
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
