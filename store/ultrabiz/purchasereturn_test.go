package ultrabiz_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
	"github.com/deletesvc/deletesvc/store/ultrabiz"
)

func (f ubFixture) insertReturn(t *testing.T, s *ultrabiz.Store, no string, pgp, final bool, net string, lines ...ultrabiz.PurchaseLine) (int64, error) {
	t.Helper()
	return s.InsertReturn(context.Background(), f.org, ultrabiz.NewReturn{
		Return: ultrabiz.PurchaseReturn{VendorID: f.vendor.ID, ReturnNo: no, ReturnDate: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC),
			IsPGP: pgp, IsFinalized: final, NetAmount: store.MustDecimal(net), CreatedBy: f.user},
		Lines: lines,
	})
}

// A return takes its units out of stock and its total off the vendor balance; deleting it puts back
// exactly that, once. Refusals change nothing.
func TestReturnInsertDeleteReversesExactly(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := ultrabiz.New(db)
		ctx := context.Background()
		f := newUBFixture(t, db, s)
		f.insert(t, s, "B-1", false, "500.5", ubLine("P-1", 3, "12", 3, 1, 0, 35, "37.5"), ubLine("P-2", 3, "24", 1, 0, 0, 0, "0"))
		// 37 units of P-1 (35, 37.5) and 24 of P-2; balance 1000.10 + 500.5.
		lines := []ultrabiz.PurchaseLine{ubLine("P-1", 3, "0", 2, 0, 1, 35, "37.5"), ubLine("P-2", 0, "1", 0, 4, 0, 0, "0")}
		id, err := f.insertReturn(t, s, "R-1", false, false, "120.25", lines...)
		if err != nil {
			t.Fatal(err)
		}
		// The packing's 12 was taken for the Multiplier sent as 0: 2x12+1 = 25 units.
		if a, b, bal := f.units(t, s, "P-1", 35, "37.5"), f.units(t, s, "P-2", 0, "0"), f.balance(t, s); a != "12" || b != "20" || bal != "1380.35" {
			t.Fatalf("after return: P-1 %s P-2 %s balance %s, want 12 20 1380.35", a, b, bal)
		}
		// More than is held: refused, nothing changes.
		_, err = f.insertReturn(t, s, "R-2", false, false, "1", ubLine("P-1", 3, "12", 2, 0, 0, 35, "37.5"))
		var short ultrabiz.ReturnShortfallError
		if !errors.As(err, &short) || short.ProductID != "P-1" || short.Short.String() != "12" {
			t.Fatalf("return beyond stock: %v, want a 12-unit shortfall of P-1", err)
		}
		if _, err := f.insertReturn(t, s, "R-1", false, false, "1", ubLine("P-2", 0, "1", 0, 1, 0, 0, "0")); !errors.Is(err, ultrabiz.ReturnNoTakenError{ReturnNo: "R-1", VendorID: f.vendor.ID}) {
			t.Fatalf("same return number: %v", err)
		}
		final, err := f.insertReturn(t, s, "R-F", false, true, "1", ubLine("P-2", 0, "1", 0, 1, 0, 0, "0"))
		if err != nil {
			t.Fatal(err)
		}
		if a, b, bal := f.units(t, s, "P-1", 35, "37.5"), f.units(t, s, "P-2", 0, "0"), f.balance(t, s); a != "12" || b != "19" || bal != "1379.35" {
			t.Fatalf("after refusals: P-1 %s P-2 %s balance %s, want 12 19 1379.35", a, b, bal)
		}
		for _, c := range []struct {
			name string
			id   int64
			pgp  bool
			view []ultrabiz.PurchaseLine
			want error
		}{
			{"other book", id, true, nil, ultrabiz.ReturnNotFoundError{ReturnID: id}},
			{"unknown", 999, false, nil, ultrabiz.ReturnNotFoundError{ReturnID: 999}},
			{"finalized", final, false, nil, ultrabiz.ReturnFinalizedError{ReturnID: final}},
			{"stale view", id, false, lines[:1], ultrabiz.ReturnLinesMismatchError{ReturnID: id}},
		} {
			if _, err := s.DeleteReturn(ctx, f.org, c.id, c.pgp, f.user, c.view); !errors.Is(err, c.want) {
				t.Errorf("%s: %v, want %v", c.name, err, c.want)
			}
		}
		got, err := s.DeleteReturn(ctx, f.org, id, false, f.user, lines)
		if err != nil || got.Lines != 2 || got.Units.String() != "29" {
			t.Fatalf("delete: %+v %v, want 2 lines 29 units", got, err)
		}
		if a, b, bal := f.units(t, s, "P-1", 35, "37.5"), f.units(t, s, "P-2", 0, "0"), f.balance(t, s); a != "37" || b != "23" || bal != "1499.6" {
			t.Fatalf("after delete: P-1 %s P-2 %s balance %s, want 37 23 1499.6", a, b, bal)
		}
		if _, err := s.DeleteReturn(ctx, f.org, id, false, f.user, nil); !errors.Is(err, ultrabiz.ReturnNotFoundError{ReturnID: id}) {
			t.Fatalf("second delete: %v, want not found", err)
		}
		// The number is free again.
		if _, err := f.insertReturn(t, s, "R-1", false, false, "1", ubLine("P-2", 0, "1", 0, 1, 0, 0, "0")); err != nil {
			t.Fatalf("reuse of a deleted return's number: %v", err)
		}
	})
}

func TestConcurrentReturnDeletesMoveOnce(t *testing.T) {
	t.Parallel()
	storetest.OnlyPostgres(t, func(t *testing.T, db *store.DB) {
		s := ultrabiz.New(db)
		ctx := context.Background()
		f := newUBFixture(t, db, s)
		f.insert(t, s, "B-0", false, "100", ubLine("P-1", 3, "12", 2, 0, 0, 0, "0"))
		id, err := f.insertReturn(t, s, "R-1", false, false, "40.5", ubLine("P-1", 3, "12", 1, 2, 0, 0, "0"))
		if err != nil {
			t.Fatal(err)
		}
		errs := overlapped(t, db, f, 20, func() error {
			_, err := s.DeleteReturn(ctx, f.org, id, false, f.user, nil)
			return err
		})
		ok, notFound := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, store.ErrNotFound):
				notFound++
			default:
				t.Errorf("unexpected: %v", err)
			}
		}
		if ok != 1 || notFound != 19 {
			t.Fatalf("%d succeeded, %d not found; want 1 and 19", ok, notFound)
		}
		if got := f.units(t, s, "P-1", 0, "0"); got != "24" {
			t.Fatalf("P-1 stock = %s, want 24 (put back once)", got)
		}
		if got := f.balance(t, s); got != "1100.1" {
			t.Fatalf("balance = %s, want 1100.1 (put back once)", got)
		}
	})
}
