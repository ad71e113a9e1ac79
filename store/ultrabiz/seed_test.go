package ultrabiz_test

import (
	"context"
	"testing"

	"github.com/deletesvc/deletesvc/store/ultrabiz"

	"github.com/shopspring/decimal"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

func TestSeedIsConsistent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := ultrabiz.New(db)
		ctx := context.Background()
		u, org := storetest.Tenant(t, db, "seed@example.com")
		last := 0
		if err := s.Seed(ctx, org.ID, 600, func(done int) { last = done }); err != nil {
			t.Fatal(err)
		}
		if last < 500 || last > 600 {
			t.Fatalf("progress ended at %d rows, want about 600", last)
		}
		// 3 vendors and 12 products, then (600-15)/6 = 97 invoices: balances are the invoices' totals.
		owed := map[int32]decimal.Decimal{}
		for id := int64(1); id <= 97; id++ {
			inv, err := s.Purchase(ctx, org.ID, id, false)
			if err != nil {
				t.Fatalf("invoice %d: %v", id, err)
			}
			if len(inv.Lines) != 5 {
				t.Fatalf("invoice %d has %d lines", id, len(inv.Lines))
			}
			owed[inv.VendorID] = owed[inv.VendorID].Add(inv.NetAmount.Decimal)
		}
		if _, err := s.Purchase(ctx, org.ID, 98, false); err == nil {
			t.Fatal("invoice 98 exists, want 97 invoices")
		}
		for id := int32(1); id <= 3; id++ {
			v, err := s.VendorByID(ctx, org.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			if !v.Balance.Equal(owed[id]) {
				t.Fatalf("vendor %d balance %s, invoices total %s", id, v.Balance, owed[id])
			}
		}
		// Seeded invoices delete like entered ones.
		if _, err := s.DeletePurchase(ctx, org.ID, 1, false, u.Number, nil); err != nil {
			t.Fatal(err)
		}
	})
}
