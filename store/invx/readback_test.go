package invx

import (
	"context"
	"reflect"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// TestReadUpdatedThroughDatabaseSQL reads a bulk UPDATE's rows through database/sql's rows, as a
// batch run statement by statement hands them over (on PostgreSQL the texts are then scanned column
// by column instead of read raw), and gets the documents as read alone: NULLs, empty texts and the
// separators included.
func TestReadUpdatedThroughDatabaseSQL(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := New(db)
		ctx := context.Background()
		u, org := storetest.Tenant(t, db, "buyer@example.com")
		var items []ActionItem
		for i, no := range []string{`a"(\) b,`, "unit\x1fsep", ""} {
			d, err := s.CreateDocument(ctx, org.ID, u.ID, NewDocument{DocNumber: no, DocType: "100", DocDate: "23/01/2023",
				SellerGstin: "27AAAPI3182M002", BuyerGstin: "27ACBPN2353E1ZX", Amount: store.MustDecimal("100.50"), Body: "{}"})
			if err != nil {
				t.Fatal(err)
			}
			note := []string{"", "-", "x\x1fy"}[i]
			items = append(items, ActionItem{DocID: d.ID, Action: Accept, Comments: &note})
		}
		items[2].Comments = nil // NULL
		query, args := s.sql.apply(org.ID, u.ID, items, time.Now())
		err := db.Tx(ctx, func(tx *gorm.DB) error {
			rows, err := tx.Raw(query, args...).Rows()
			if err != nil {
				return err
			}
			defer rows.Close()
			updated, again, err := s.readUpdated(rows, s.sql.split, len(items))
			if err != nil {
				return err
			}
			if err := rows.Close(); err != nil {
				return err
			}
			if len(again) > 0 {
				if err := s.rereadUpdated(tx, org.ID, again, updated); err != nil {
					return err
				}
			}
			for _, it := range items {
				var want Document
				if err := tx.Where("organization_id = ? AND id = ?", org.ID, it.DocID).Take(&want).Error; err != nil {
					return err
				}
				want.Body = ""
				if got := updated[it.DocID]; got == nil || !reflect.DeepEqual(*got, want) {
					t.Errorf("read back\n%+v\nread alone\n%+v", got, want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
