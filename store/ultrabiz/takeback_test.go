package ultrabiz

import (
	"context"
	"strings"
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
		insert := func(bill string) int64 {
			t.Helper()
			id, err := s.InsertPurchase(ctx, org.ID, NewPurchase{
				Invoice: PurchaseInvoice{VendorID: v.ID, BillNo: bill, NetAmount: store.MustDecimal("1")},
				Lines:   []PurchaseLine{{ProductID: "P-1", QtyLose: 3, SizeID: 1}, {ProductID: "P-1", QtyLose: 5, SizeID: 2}},
			})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		takeBack := func(id int64) error {
			return db.Tx(ctx, func(tx *gorm.DB) error {
				return tx.Exec(s.sql.takeBackStock, map[string]any{"org": org.ID, "doc": id}).Error
			})
		}
		stock := func() string {
			t.Helper()
			_, rows, err := s.ProductStock(ctx, org.ID, "P-1")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, st := range rows {
				got = append(got, st.Units.String())
			}
			return strings.Join(got, " ")
		}
		// Rows holding exactly what the invoice added are emptied.
		if err := takeBack(insert("B-1")); err != nil {
			t.Fatal(err)
		}
		if got := stock(); got != "0 0" {
			t.Fatalf("stock by size after taking back B-1 = %s, want 0 0", got)
		}
		id := insert("B-2")
		// One of size 2's five units is sold: that row now holds less than the invoice added.
		if err := s.TakeStock(ctx, org.ID, "P-1", 2, store.MustDecimal("0"), store.MustDecimal("1")); err != nil {
			t.Fatal(err)
		}
		err = takeBack(id)
		if err == nil || !strings.Contains(strings.ToLower(err.Error()), "null") || !strings.Contains(err.Error(), "units") {
			t.Fatalf("take-back on a row holding too little: %v, want units' NOT NULL refusing it", err)
		}
		if got := stock(); got != "3 4" {
			t.Fatalf("stock by size = %s, want 3 4 (unchanged)", got)
		}
	})
}
