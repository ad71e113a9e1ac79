package ultrabiz

import (
	"reflect"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// TestInsertRowsAreGORMs: the invoices and lines Batch.Insert writes are GORM's Create's, to the
// statement text (PostgreSQL, where it is prepared by that text) and every bound value, for rows
// whose every field is set (and, in another row, every pointer nil): a field added to a model and not
// to its columns, or bound otherwise, fails here.
func TestInsertRowsAreGORMs(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		text, number := "x", int64(7)
		at := time.Date(2026, 11, 20, 1, 2, 3, 0, time.UTC)
		d := func(s string) store.Decimal { return store.MustDecimal(s) }
		invoices := []PurchaseInvoice{
			{OrganizationID: "org", ID: 1, IsPGP: true, IsOpen: true, IsRateChange: true, VendorID: 2, BillNo: "B", BillDate: at, Remarks: &text,
				GrossAmount: d("1.1"), DiscAmount: d("2.2"), STaxAmount: d("3.3"), FTaxAmount: d("4.4"), ITaxAmount: d("5.5"), NetAmount: d("6.6"),
				PaidAmount: d("7.7"), IsPosted: true, IsFinalized: true, CreatedBy: 3, CreatedAt: at.Add(time.Hour), DeletedAt: &at, DeletedBy: &number},
			{OrganizationID: "org", ID: 2, VendorID: 2, BillNo: "C", CreatedAt: at},
		}
		var lines []PurchaseLine
		for i, l := range []PurchaseLine{{CustomerID: &text, BarCode: &text, DeletedAt: &at}, {}} {
			v := reflect.ValueOf(&l).Elem()
			for j := range v.NumField() { // every other field set, each to its own value
				switch f := v.Field(j); f.Interface().(type) {
				case string:
					f.SetString(v.Type().Field(j).Name)
				case int32, int64:
					f.SetInt(int64(100*i + j + 1))
				case bool:
					f.SetBool(true)
				case store.Decimal:
					f.Set(reflect.ValueOf(store.NewDecimal(store.DecimalFromInt(int64(100*i + j + 1)).Shift(-2))))
				}
			}
			lines = append(lines, l)
		}
		storetest.SameInsertAsGORM(t, db, &invoices, "ultrabiz_purchase_invoices", invoiceColumns, rowsOf(invoices, PurchaseInvoice.values))
		storetest.SameInsertAsGORM(t, db, &lines, "ultrabiz_purchase_lines", lineColumns, rowsOf(lines, PurchaseLine.values))
	})
}
