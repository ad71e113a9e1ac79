package ultrabiz

import (
	"context"
	"testing"

	"gorm.io/gorm/clause"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// The migrations, not AutoMigrate, own the schema: every column the models map exists in it (a field
// added to a model without a migration fails here), and its foreign keys are the last line behind
// checkRefs, refusing rows written around the store's checks on both backends.
func TestMigratedSchema(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		g := db.Gorm(ctx)
		storetest.ModelsMatchSchema(t, db, models...)
		_, org := storetest.Tenant(t, db, "fk@example.com")
		s := New(db)
		v, err := s.CreateVendor(ctx, org.ID, "V", store.MustDecimal("0"))
		if err != nil {
			t.Fatal(err)
		}
		err = g.Omit(clause.Associations).Create(&PurchaseInvoice{OrganizationID: org.ID, ID: 1, VendorID: v.ID + 1, BillNo: "B"}).Error
		if !store.IsForeignKeyViolation(err) {
			t.Fatalf("invoice of an unknown vendor: %v, want a foreign-key violation", err)
		}
		if err := g.Omit(clause.Associations).Create(&PurchaseInvoice{OrganizationID: org.ID, ID: 1, VendorID: v.ID, BillNo: "B"}).Error; err != nil {
			t.Fatal(err)
		}
		err = g.Omit(clause.Associations).Create(&PurchaseLine{OrganizationID: org.ID, InvoiceID: 1, LineNo: 1, ProductID: "nope"}).Error
		if !store.IsForeignKeyViolation(err) {
			t.Fatalf("line of an unknown product: %v, want a foreign-key violation", err)
		}
	})
}
