package ratelimit_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ulule/limiter/v3"
	"github.com/ulule/limiter/v3/drivers/store/tests"
	"gorm.io/gorm"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/ratelimit"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// The store passes the library's own conformance test for stores (counting, peeking, resetting).
func TestStoreConformance(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		tests.TestStoreSequentialAccess(t, ratelimit.New(db))
	})
}

// Two stores on one PostgreSQL database (two service instances) count against the same window:
// 40 requests at once through each of two instances, limit 50, admit exactly 50. A window that has
// ended starts again.
func TestStoreSharedAcrossInstances(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends {
		if b == storetest.SQLite {
			continue // SQLite deployments are one process, with the memory store
		}
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			sharedWindow(t, b)
		})
	}
}

func sharedWindow(t *testing.T, b storetest.Backend) {
	url := storetest.URL(t, b)
	db, other := open(t, url), open(t, url)
	{
		rate := limiter.Rate{Limit: 50, Period: time.Minute}
		instances := []*limiter.Limiter{limiter.New(ratelimit.New(db), rate), limiter.New(ratelimit.New(other), rate)}
		var mu sync.Mutex
		admitted := 0
		var wg sync.WaitGroup
		for i := range 80 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := instances[i%2].Get(context.Background(), "client-a")
				if err != nil {
					t.Error(err)
					return
				}
				if !c.Reached {
					mu.Lock()
					admitted++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if admitted != 50 {
			t.Fatalf("%d of 80 requests admitted across two instances, want 50", admitted)
		}
		if c, err := instances[0].Get(context.Background(), "client-b"); err != nil || c.Remaining != 49 {
			t.Fatalf("another client has its own window: %+v %v", c, err)
		}
		short := limiter.New(ratelimit.New(other), limiter.Rate{Limit: 1, Period: time.Second})
		if c, _ := short.Get(context.Background(), "client-c"); c.Reached {
			t.Fatal("first request refused")
		}
		if c, _ := short.Get(context.Background(), "client-c"); !c.Reached {
			t.Fatal("second request in the window admitted")
		}
		time.Sleep(1100 * time.Millisecond)
		if c, _ := short.Get(context.Background(), "client-c"); c.Reached || c.Remaining != 0 {
			t.Fatalf("a new window did not start: %+v", c)
		}
	}
}

func open(t *testing.T, url string) *store.DB {
	db, err := store.Open(context.Background(), url, storetest.Options())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// Sweep removes the windows that have ended and only those: an IP address seen once before login
// does not keep its row forever, and a live window keeps counting.
func TestSweepRemovesEndedWindows(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := ratelimit.New(db)
		short := limiter.Rate{Limit: 10, Period: time.Millisecond}
		long := limiter.Rate{Limit: 10, Period: time.Hour}
		for _, key := range []string{"ip:198.51.100.1", "ip:198.51.100.2"} {
			if _, err := s.Increment(ctx, key, 1, short); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Increment(ctx, "user:live", 3, long); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
		n, err := s.Sweep(ctx)
		if err != nil || n != 2 {
			t.Fatalf("swept %d (%v), want the 2 ended windows", n, err)
		}
		var keys []string
		// Every client's window, on every shard.
		if err := db.FanOut(ctx, func(tx *gorm.DB) error { return tx.Raw("SELECT key FROM rate_limits").Scan(&keys).Error }); err != nil {
			t.Fatal(err)
		}
		if len(keys) != 1 || keys[0] != "user:live" {
			t.Fatalf("left %v, want only the live window", keys)
		}
		c, err := s.Peek(ctx, "user:live", long)
		if err != nil || c.Remaining != 7 {
			t.Fatalf("live window after the sweep: %+v %v", c, err)
		}
	})
}
