package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// The connection pool is bounded and keeps its connections: Go's defaults (unbounded, 2 idle) let
// 150 clients open 150 connections and churn them, p95 8.5 s and /readyz flapping (issue 10, defect
// 10). Unset fields take the dialect's defaults; set ones are applied as given; under more
// concurrent statements than connections, no more than MaxOpen are open.
func TestPoolIsBoundedAndConfigurable(t *testing.T) {
	t.Parallel()
	for _, backend := range storetest.Backends {
		t.Run(string(backend), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			url := storetest.URL(t, backend)
			def := store.DefaultPool
			if backend == storetest.SQLite {
				def = store.SQLitePool
			}
			for _, tc := range []struct {
				name       string
				pool       store.Pool
				open, idle int
			}{
				{"defaults", store.Pool{}, def.MaxOpen, def.MaxIdle},
				{"configured", store.Pool{MaxOpen: 3, MaxIdle: 2, MaxLifetime: time.Minute, MaxIdleTime: time.Minute}, 3, 2},
			} {
				opts := storetest.Options()
				opts.Pool = tc.pool
				db, err := store.Open(ctx, url, opts)
				if err != nil {
					t.Fatal(err)
				}
				sqlDB, err := db.SQL()
				if err != nil {
					t.Fatal(err)
				}
				if got := sqlDB.Stats().MaxOpenConnections; got != tc.open {
					t.Errorf("%s: at most %d connections open, want %d", tc.name, got, tc.open)
				}
				// Twice as many concurrent statements as connections: they queue for a connection
				// instead of opening more, and afterwards MaxIdle of them stay open.
				var wg sync.WaitGroup
				for range 2 * tc.open {
					wg.Add(1)
					go func() {
						defer wg.Done()
						tx, err := sqlDB.BeginTx(ctx, nil)
						if err != nil {
							t.Error(err)
							return
						}
						time.Sleep(100 * time.Millisecond) // long enough that all are in flight at once on a busy machine
						_ = tx.Rollback()
					}()
				}
				wg.Wait()
				st := sqlDB.Stats()
				if st.WaitCount == 0 || st.OpenConnections > tc.open || st.Idle != tc.idle {
					t.Errorf("%s: after %d concurrent transactions: %d waited, %d open, %d idle; want some waits, at most %d open, %d idle",
						tc.name, 2*tc.open, st.WaitCount, st.OpenConnections, st.Idle, tc.open, tc.idle)
				}
				_ = db.Close()
			}
		})
	}
}
