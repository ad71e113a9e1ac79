package ultrabiz_test

import (
	"context"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
	"github.com/deletesvc/deletesvc/store/ultrabiz"
)

// Times the store stamps come from the injected clock, and a seeder re-run under a clock that does
// not move still adds invoices (bill numbers come from a counter, not the time).
func TestStoreUsesInjectedClock(t *testing.T) {
	t.Parallel()
	at := time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)
	for _, b := range storetest.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := store.Open(ctx, storetest.URL(t, b), store.Options{Logger: storetest.Logger(), Now: func() time.Time { return at }})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			s := ultrabiz.New(db)
			_, org := storetest.Tenant(t, db, "clock@example.com")
			for range 2 {
				if err := s.Seed(ctx, org.ID, 20, nil); err != nil {
					t.Fatal(err)
				}
			}
			// 20 rows: 3 vendors, 5 products, then 2 invoices a run.
			inv, err := s.Purchase(ctx, org.ID, 4, false)
			if err != nil {
				t.Fatalf("second run's last invoice: %v", err)
			}
			if !inv.CreatedAt.Equal(at) {
				t.Fatalf("CreatedAt %v, want the injected %v", inv.CreatedAt, at)
			}
		})
	}
}
