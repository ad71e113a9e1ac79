package store

import (
	"context"
	"sync"

	"gorm.io/gorm"
)

// Some effects live outside the database (backup files in a blob store) and must follow what the
// database keeps: written files removed if the rows naming them are rolled back, files of deleted
// rows removed only once that deletion is committed. Inside a request's transaction (Idempotent,
// Answered) a store call's own "commit" is a savepoint's, so the request decides: these hooks run
// when it ends.

// txHooks collects the hooks of one request's transaction.
type txHooks struct {
	mu         sync.Mutex
	committed  []func()
	rolledBack []func()
}

type txHooksKey struct{}

func hooksOf(ctx context.Context) *txHooks {
	h, _ := ctx.Value(txHooksKey{}).(*txHooks)
	return h
}

// AfterCommit runs fn once what ctx's store calls wrote is committed: at once outside a request's
// transaction, after it commits inside one, and never if it rolls back.
func AfterCommit(ctx context.Context, fn func()) {
	h := hooksOf(ctx)
	if h == nil {
		fn()
		return
	}
	h.mu.Lock()
	h.committed = append(h.committed, fn)
	h.mu.Unlock()
}

// OnRollback runs fn if what ctx's store calls wrote inside a request's transaction is rolled back
// (the transaction, or the savepoint of a refused request). Outside one it does nothing: the
// store call's own transaction has committed by the time it registers.
func OnRollback(ctx context.Context, fn func()) {
	h := hooksOf(ctx)
	if h == nil {
		return
	}
	h.mu.Lock()
	h.rolledBack = append(h.rolledBack, fn)
	h.mu.Unlock()
}

// Detached is ctx outside any request's transaction: store calls with it commit on their own.
func Detached(ctx context.Context) context.Context {
	ctx = context.WithValue(ctx, requestTxKey{}, (*gorm.DB)(nil))
	return context.WithValue(ctx, txHooksKey{}, (*txHooks)(nil))
}

// mark is where the hooks registered so far end.
func (h *txHooks) mark() [2]int {
	if h == nil {
		return [2]int{}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return [2]int{len(h.committed), len(h.rolledBack)}
}

// rollbackTo forgets the commit hooks registered after m and runs the rollback ones.
func (h *txHooks) rollbackTo(m [2]int) {
	if h == nil {
		return
	}
	h.mu.Lock()
	h.committed = h.committed[:m[0]]
	run := h.rolledBack[m[1]:]
	h.rolledBack = h.rolledBack[:m[1]]
	h.mu.Unlock()
	for _, fn := range run {
		fn()
	}
}

// end runs the hooks of a transaction that committed (or not).
func (h *txHooks) end(committed bool) {
	if committed {
		for _, fn := range h.committed {
			fn()
		}
		return
	}
	h.rollbackTo([2]int{0, 0})
}
