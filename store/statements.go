package store

import (
	"context"
	"sync/atomic"

	"gorm.io/gorm"
)

type statementCounterKey struct{}

// CountStatements returns a context under which every SQL statement the store runs is counted, and
// a function reading the count. Tests use it to prove bulk paths cost a constant number of statements.
func CountStatements(ctx context.Context) (context.Context, func() int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, statementCounterKey{}, n), n.Load
}

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
		cb.Create().After("gorm:create").Register("deletesvc:count_create", count),
		cb.Query().After("gorm:query").Register("deletesvc:count_query", count),
		cb.Update().After("gorm:update").Register("deletesvc:count_update", count),
		cb.Delete().After("gorm:delete").Register("deletesvc:count_delete", count),
		cb.Row().After("gorm:row").Register("deletesvc:count_row", count),
		cb.Raw().After("gorm:raw").Register("deletesvc:count_raw", count),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}
