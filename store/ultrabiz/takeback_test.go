package ultrabiz

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// The take-back of a deleted invoice's stock fails in the database when a row holds less than the
// invoice added, rather than skipping that row: a delete whose COMMIT goes in the same round trip
// (RunLast) cannot take stock below zero, nor keep the rest, even past the lock and the check.
func TestTakeBackStockFailsOnARowHoldingTooLittle(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := New(db)
		ctx := context.Background()
		_, org := storetest.Tenant(t, db, "owner@example.com")
		v, err := s.CreateVendor(ctx, org.ID, "Al-Noor Textiles", store.MustDecimal("0"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CreateProducts(ctx, org.ID, []Product{{ID: "P-1", Name: "Lawn"}}); err != nil {
			t.Fatal(err)
		}
		id, err := s.InsertPurchase(ctx, org.ID, NewPurchase{
			Invoice: PurchaseInvoice{VendorID: v.ID, BillNo: "B-1", NetAmount: store.MustDecimal("1")},
			Lines:   []PurchaseLine{{ProductID: "P-1", QtyLose: 3, SizeID: 1}, {ProductID: "P-1", QtyLose: 5, SizeID: 2}},
		})
		if err != nil {
			t.Fatal(err)
		}
		// One of size 2's five units is sold: that row now holds less than the invoice added.
		if err := s.TakeStock(ctx, org.ID, "P-1", 2, store.MustDecimal("0"), store.MustDecimal("1")); err != nil {
			t.Fatal(err)
		}
		err = db.Tx(ctx, func(tx *gorm.DB) error {
			return tx.Exec(s.sql.takeBackStock, map[string]any{"org": org.ID, "doc": id}).Error
		})
		if err == nil {
			t.Fatal("the take-back ran on a row holding too little")
		}
		_, stock, err := s.ProductStock(ctx, org.ID, "P-1")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, st := range stock {
			got = append(got, st.Units.String())
		}
		if len(got) != 2 || got[0] != "3" || got[1] != "4" {
			t.Fatalf("stock by size = %v, want [3 4] (unchanged)", got)
		}
	})
}
