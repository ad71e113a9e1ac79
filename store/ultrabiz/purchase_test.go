package ultrabiz_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/store/ultrabiz"

	"github.com/shopspring/decimal"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// ubFixture is an organization with one vendor and one product packed in cartons of 12 and boxes of 0.5.
type ubFixture struct {
	org    string
	user   int64
	vendor ultrabiz.Vendor
}

func newUBFixture(t *testing.T, db *store.DB, s *ultrabiz.Store) ubFixture {
	t.Helper()
	ctx := context.Background()
	u, org := storetest.Tenant(t, db, "owner@example.com")
	v, err := s.CreateVendor(ctx, org.ID, "Al-Noor Textiles", store.MustDecimal("1000.10"))
	if err != nil {
		t.Fatal(err)
	}
	err = s.CreateProducts(ctx, org.ID, []ultrabiz.Product{
		{ID: "P-1", Name: "Lawn", Packings: []ultrabiz.Packing{{ID: 3, Name: "Carton", Multiplier: store.MustDecimal("12")}, {ID: 4, Name: "Half", Multiplier: store.MustDecimal("0.5")}}},
		{ID: "P-2", Name: "Soap", Packings: []ultrabiz.Packing{{ID: 3, Name: "Box", Multiplier: store.MustDecimal("24")}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return ubFixture{org: org.ID, user: u.Number, vendor: v}
}

func ubLine(product string, packing int32, mult string, pack, lose, bns int32, size int32, color string) ultrabiz.PurchaseLine {
	return ultrabiz.PurchaseLine{ProductID: product, PackingID: packing, Multiplier: store.MustDecimal(mult),
		QtyPack: pack, QtyLose: lose, BnsLose: bns, SizeID: size, ColorID: store.MustDecimal(color),
		PricePack: store.MustDecimal("0.1"), STaxRatio: store.MustDecimal("0.2"), NetVal: store.MustDecimal("0.3")}
}

func (f ubFixture) insert(t *testing.T, s *ultrabiz.Store, bill string, pgp bool, net string, lines ...ultrabiz.PurchaseLine) int64 {
	t.Helper()
	id, err := s.InsertPurchase(context.Background(), f.org, ultrabiz.NewPurchase{
		Invoice: ultrabiz.PurchaseInvoice{VendorID: f.vendor.ID, BillNo: bill, BillDate: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
			IsPGP: pgp, NetAmount: store.MustDecimal(net), CreatedBy: f.user},
		Lines: lines,
	})
	if err != nil {
		t.Fatalf("insert %s: %v", bill, err)
	}
	return id
}

func (f ubFixture) units(t *testing.T, s *ultrabiz.Store, product string, size int32, color string) string {
	t.Helper()
	_, rows, err := s.ProductStock(context.Background(), f.org, product)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.SizeID == size && r.ColorID.Equal(decimal.RequireFromString(color)) {
			return r.Units.String()
		}
	}
	return "none"
}

func (f ubFixture) balance(t *testing.T, s *ultrabiz.Store) string {
	t.Helper()
	v, err := s.VendorByID(context.Background(), f.org, f.vendor.ID)
	if err != nil {
		t.Fatal(err)
	}
	return v.Balance.String()
}

func TestInsertDeleteReversesExactly(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := ultrabiz.New(db)
		ctx := context.Background()
		f := newUBFixture(t, db, s)
		// Rates and amounts a float would get wrong: 0.1 + 0.2, and half-unit packs.
		id := f.insert(t, s, "B-1", false, "0.3",
			ubLine("P-1", 4, "0.5", 3, 0, 0, 0, "0"),    // 1.5 units
			ubLine("P-1", 4, "0.5", 1, 1, 0, 0, "0"),    // 1.5 units, same stock row
			ubLine("P-1", 3, "12", 5, 6, 7, 35, "37.0"), // 73 units
			ubLine("P-2", 3, "0", 1, 0, 0, 0, "0.1"),    // packing's 24 units
			ubLine("P-2", 0, "0", 0, 2, 1, 0, "0.1"),    // loose: 3 units
		)
		if got := f.units(t, s, "P-1", 0, "0"); got != "3" {
			t.Fatalf("P-1 stock after insert = %s, want 3", got)
		}
		if got := f.units(t, s, "P-1", 35, "37"); got != "73" {
			t.Fatalf("P-1/35/37 stock after insert = %s, want 73", got)
		}
		if got := f.units(t, s, "P-2", 0, "0.1"); got != "27" {
			t.Fatalf("P-2 stock after insert = %s, want 27", got)
		}
		if got := f.balance(t, s); got != "1000.4" {
			t.Fatalf("balance after insert = %s, want 1000.4", got)
		}
		inv, err := s.Purchase(ctx, f.org, id, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(inv.Lines) != 5 || !inv.Lines[0].PricePack.Equal(decimal.RequireFromString("0.1")) || !inv.Lines[3].Multiplier.Equal(decimal.NewFromInt(24)) {
			t.Fatalf("stored lines = %+v", inv.Lines)
		}

		del, err := s.DeletePurchase(ctx, f.org, id, false, f.user, nil)
		if err != nil {
			t.Fatal(err)
		}
		if del.Lines != 5 || del.Units.String() != "103" {
			t.Fatalf("deleted %+v, want 5 lines and 103 units", del)
		}
		for _, c := range []struct {
			product string
			size    int32
			color   string
		}{{"P-1", 0, "0"}, {"P-1", 35, "37"}, {"P-2", 0, "0.1"}} {
			if got := f.units(t, s, c.product, c.size, c.color); got != "0" {
				t.Errorf("%v stock after delete = %s, want 0", c, got)
			}
		}
		if got := f.balance(t, s); got != "1000.1" {
			t.Fatalf("balance after delete = %s, want 1000.1", got)
		}
		if _, err := s.Purchase(ctx, f.org, id, false); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("read after delete: %v, want not found", err)
		}
		if _, err := s.DeletePurchase(ctx, f.org, id, false, f.user, nil); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second delete: %v, want not found", err)
		}
		// The bill number is free again once the invoice is deleted.
		f.insert(t, s, "B-1", false, "1", ubLine("P-1", 3, "12", 1, 0, 0, 0, "0"))
	})
}

func TestDeleteRefusalsChangeNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := ultrabiz.New(db)
		ctx := context.Background()
		f := newUBFixture(t, db, s)
		line := ubLine("P-1", 3, "12", 2, 1, 0, 35, "37")
		id := f.insert(t, s, "B-1", true, "250.55", line)
		before := f.units(t, s, "P-1", 35, "37")

		paid, err := s.InsertPurchase(ctx, f.org, ultrabiz.NewPurchase{
			Invoice: ultrabiz.PurchaseInvoice{VendorID: f.vendor.ID, BillNo: "B-paid", NetAmount: store.MustDecimal("1"), PaidAmount: store.MustDecimal("0.01")},
			Lines:   []ultrabiz.PurchaseLine{ubLine("P-2", 3, "24", 1, 0, 0, 0, "0")},
		})
		if err != nil {
			t.Fatal(err)
		}
		final, err := s.InsertPurchase(ctx, f.org, ultrabiz.NewPurchase{
			Invoice: ultrabiz.PurchaseInvoice{VendorID: f.vendor.ID, BillNo: "B-final", NetAmount: store.MustDecimal("1"), IsFinalized: true},
			Lines:   []ultrabiz.PurchaseLine{ubLine("P-2", 3, "24", 1, 0, 0, 0, "0")},
		})
		if err != nil {
			t.Fatal(err)
		}
		p2, balance2 := f.units(t, s, "P-2", 0, "0"), f.balance(t, s)

		other := line
		other.QtyPack = 3
		for _, c := range []struct {
			name string
			id   int64
			pgp  bool
			view []ultrabiz.PurchaseLine
			kind error
			want error // the exact refusal, data included
		}{
			{"unknown", 999, true, nil, store.ErrNotFound, ultrabiz.InvoiceNotFoundError{InvoiceID: 999}},
			{"other book", id, false, nil, store.ErrNotFound, ultrabiz.InvoiceNotFoundError{InvoiceID: id}},
			{"paid", paid, false, nil, store.ErrConflict, ultrabiz.InvoiceLockedError{InvoiceID: paid, Reason: ultrabiz.Paid}},
			{"finalized", final, false, nil, store.ErrConflict, ultrabiz.InvoiceLockedError{InvoiceID: final, Reason: ultrabiz.Finalized}},
			{"other quantities", id, true, []ultrabiz.PurchaseLine{other}, store.ErrConflict, ultrabiz.LinesMismatchError{InvoiceID: id}},
			{"extra line", id, true, []ultrabiz.PurchaseLine{line, line}, store.ErrConflict, ultrabiz.LinesMismatchError{InvoiceID: id}},
		} {
			_, err := s.DeletePurchase(ctx, f.org, c.id, c.pgp, f.user, c.view)
			if !errors.Is(err, c.kind) || !errors.Is(err, c.want) {
				t.Errorf("%s: got %v, want %v (%v)", c.name, err, c.want, c.kind)
			}
		}
		if got := f.units(t, s, "P-1", 35, "37"); got != before {
			t.Fatalf("stock moved by refusals: %s, was %s", got, before)
		}
		if got := f.units(t, s, "P-2", 0, "0"); got != p2 {
			t.Fatalf("P-2 stock moved by refusals: %s, was %s", got, p2)
		}
		if got := f.balance(t, s); got != balance2 {
			t.Fatalf("balance moved by refusals: %s, was %s", got, balance2)
		}

		// The matching view (multiplier written 12.00) deletes.
		same := line
		same.Multiplier = store.MustDecimal("12.00")
		same.PricePack = store.MustDecimal("999") // prices are not compared
		if _, err := s.DeletePurchase(ctx, f.org, id, true, f.user, []ultrabiz.PurchaseLine{same}); err != nil {
			t.Fatalf("delete with matching view: %v", err)
		}
	})
}

func TestDeleteRefusesNegativeStock(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := ultrabiz.New(db)
		ctx := context.Background()
		f := newUBFixture(t, db, s)
		first := f.insert(t, s, "B-1", false, "10", ubLine("P-2", 3, "24", 1, 0, 0, 0, "0"), ubLine("P-1", 3, "12", 1, 0, 0, 35, "37"))
		// Another invoice's goods for P-1, so only P-2's row can run short below.
		f.insert(t, s, "B-2", false, "5", ubLine("P-1", 3, "12", 1, 0, 0, 35, "37"))
		// 10 of the 24 units of P-2 were sold since.
		sell(t, s, f.org, "P-2", 0, "0", "10")
		balance := f.balance(t, s)
		_, err := s.DeletePurchase(ctx, f.org, first, false, f.user, nil)
		var short ultrabiz.ShortfallError
		if !errors.Is(err, store.ErrConflict) || !errors.As(err, &short) ||
			short.InvoiceID != first || short.ProductID != "P-2" || short.SizeID != 0 || short.ColorID.String() != "0" || short.Short.String() != "10" {
			t.Fatalf("got %v (%+v), want invoice %d leaving P-2 size 0 colour 0 10 units short", err, short, first)
		}
		if got := f.units(t, s, "P-1", 35, "37"); got != "24" {
			t.Fatalf("P-1 stock = %s, want 24 (unchanged)", got)
		}
		if got := f.units(t, s, "P-2", 0, "0"); got != "14" {
			t.Fatalf("P-2 stock = %s, want 14 (unchanged)", got)
		}
		if got := f.balance(t, s); got != balance {
			t.Fatalf("balance = %s, want %s", got, balance)
		}
		if _, err := s.Purchase(ctx, f.org, first, false); err != nil {
			t.Fatalf("invoice should still be live: %v", err)
		}
	})
}

func TestStatementsDoNotGrowWithLines(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := ultrabiz.New(db)
		f := newUBFixture(t, db, s)
		count := func(n int) (insert, del int64) {
			lines := make([]ultrabiz.PurchaseLine, n)
			for i := range lines {
				lines[i] = ubLine("P-1", 3, "12", 1, int32(i), 0, int32(i%7), "0")
			}
			ctx, ins := storetest.CountStatements(context.Background())
			id, err := s.InsertPurchase(ctx, f.org, ultrabiz.NewPurchase{
				Invoice: ultrabiz.PurchaseInvoice{VendorID: f.vendor.ID, BillNo: fmt.Sprintf("N-%d", n), NetAmount: store.MustDecimal("1")},
				Lines:   lines})
			if err != nil {
				t.Fatal(err)
			}
			ctx, dels := storetest.CountStatements(context.Background())
			if _, err := s.DeletePurchase(ctx, f.org, id, false, f.user, lines); err != nil {
				t.Fatal(err)
			}
			return ins(), dels()
		}
		i1, d1 := count(1)
		i200, d200 := count(200)
		if i1 != i200 || d1 != d200 {
			t.Fatalf("statements: insert %d vs %d, delete %d vs %d for 1 and 200 lines", i1, i200, d1, d200)
		}
	})
}

// One invoice's insert and delete take a fixed number of round trips, whatever its line count: the
// insert 3 (BEGIN with the look-ups, the id reservation, the writes with COMMIT), the delete 2
// (BEGIN with the reads and locks, the writes with COMMIT). Each count is taken on a connection
// that has already run the same statements: the first use of a statement on a connection costs
// one more round trip to prepare it (pgx's statement cache).
func TestPurchaseRoundTrips(t *testing.T) {
	t.Parallel()
	storetest.OnlyPostgres(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newUBFixture(t, db, ultrabiz.New(db))
		proxied, trips := storetest.RoundTrips(t, db)
		s := ultrabiz.New(proxied)
		for _, n := range []int{1, 200} {
			lines := make([]ultrabiz.PurchaseLine, n)
			for i := range lines {
				lines[i] = ubLine("P-1", 3, "12", 1, int32(i), 0, int32(i%7), "0")
			}
			var insert, del int64
			for round := range 2 {
				before := trips()
				id, err := s.InsertPurchase(ctx, f.org, ultrabiz.NewPurchase{
					Invoice: ultrabiz.PurchaseInvoice{VendorID: f.vendor.ID, BillNo: fmt.Sprintf("R-%d-%d", n, round), NetAmount: store.MustDecimal("1")},
					Lines:   lines})
				if err != nil {
					t.Fatal(err)
				}
				insert, before = trips()-before, trips()
				if _, err := s.DeletePurchase(ctx, f.org, id, false, f.user, lines); err != nil {
					t.Fatal(err)
				}
				del = trips() - before
			}
			if insert != 3 || del != 2 {
				t.Errorf("%d lines: insert %d round trips, delete %d; want 3 and 2", n, insert, del)
			}
		}
	})
}

func TestConcurrentDeletesMoveOnce(t *testing.T) {
	t.Parallel()
	storetest.OnlyPostgres(t, func(t *testing.T, db *store.DB) {
		s := ultrabiz.New(db)
		ctx := context.Background()
		f := newUBFixture(t, db, s)
		// Another invoice's 12 units of P-1 must survive the deletes below.
		f.insert(t, s, "B-0", false, "100", ubLine("P-1", 3, "12", 1, 0, 0, 0, "0"))
		id := f.insert(t, s, "B-1", false, "0.3", ubLine("P-1", 3, "12", 2, 0, 1, 0, "0"), ubLine("P-2", 3, "24", 1, 0, 0, 0, "0"))
		errs := overlapped(t, db, f, 20, func() error {
			_, err := s.DeletePurchase(ctx, f.org, id, false, f.user, nil)
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
		if got := f.units(t, s, "P-1", 0, "0"); got != "12" {
			t.Fatalf("P-1 stock = %s, want 12", got)
		}
		if got := f.units(t, s, "P-2", 0, "0"); got != "0" {
			t.Fatalf("P-2 stock = %s, want 0", got)
		}
		if got := f.balance(t, s); got != "1100.1" {
			t.Fatalf("balance = %s, want 1100.1", got)
		}
	})
}

// overlapped runs n calls of fn at once while another transaction holds the vendor's row, which
// each call's transaction updates, and lets it go only once the calls are queued on locks (as many as
// the pool lets in, their number steady for 300 ms; at most 10 s): their transactions then overlap
// for certain, so a guard that would let two of them apply the same change cannot pass for want of a
// race. The barrier's own connection does the watching: the pool may be full of waiting calls.
func overlapped(t *testing.T, db *store.DB, f ubFixture, n int, fn func() error) []error {
	t.Helper()
	ctx := context.Background()
	barrier := db.Gorm(ctx).Begin()
	if err := barrier.Exec("SELECT 1 FROM ultrabiz_vendors WHERE organization_id = ? AND id = ? FOR UPDATE", f.org, f.vendor.ID).Error; err != nil {
		t.Fatal(err)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn()
		}()
	}
	last, steadySince := -1, time.Now()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var waiting int
		// On Citus the waits are on the workers and this stays 0: the 10 s pass, the barrier held them.
		if err := barrier.Raw("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").Scan(&waiting).Error; err != nil {
			t.Fatal(err)
		}
		if waiting != last {
			last, steadySince = waiting, time.Now()
		}
		if waiting > 1 && time.Since(steadySince) > 300*time.Millisecond {
			break
		}
	}
	if err := barrier.Commit().Error; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	return errs
}

func sell(t *testing.T, s *ultrabiz.Store, org, product string, size int32, color, units string) {
	t.Helper()
	if err := s.TakeStock(context.Background(), org, product, size, store.MustDecimal(color), store.MustDecimal(units)); err != nil {
		t.Fatal(err)
	}
}

// Inserts and deletes of different invoices sharing stock rows run side by side without deadlocks,
// and leave stock exactly where it started.
func TestConcurrentCyclesShareStock(t *testing.T) {
	t.Parallel()
	storetest.OnlyPostgres(t, func(t *testing.T, db *store.DB) {
		s := ultrabiz.New(db)
		ctx := context.Background()
		f := newUBFixture(t, db, s)
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for w := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 5 {
					// Workers list the shared rows in opposite orders.
					lines := []ultrabiz.PurchaseLine{ubLine("P-1", 3, "12", 1, 0, 0, 0, "0"), ubLine("P-2", 3, "24", 1, 0, 0, 0, "0"), ubLine("P-1", 4, "0.5", 1, 0, 0, 35, "37")}
					if w%2 == 1 {
						lines[0], lines[2] = lines[2], lines[0]
					}
					id, err := s.InsertPurchase(ctx, f.org, ultrabiz.NewPurchase{
						Invoice: ultrabiz.PurchaseInvoice{VendorID: f.vendor.ID, BillNo: fmt.Sprintf("W%d-%d", w, i), NetAmount: store.MustDecimal("0.1")},
						Lines:   lines})
					if err == nil {
						_, err = s.DeletePurchase(ctx, f.org, id, false, f.user, nil)
					}
					if err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		for _, k := range [][3]string{{"P-1", "0", "0"}, {"P-2", "0", "0"}, {"P-1", "35", "37"}} {
			size := int32(0)
			if k[1] == "35" {
				size = 35
			}
			if got := f.units(t, s, k[0], size, k[2]); got != "0" {
				t.Errorf("%v stock = %s, want 0", k, got)
			}
		}
		if got := f.balance(t, s); got != "1000.1" {
			t.Fatalf("balance = %s, want 1000.1", got)
		}
	})
}

// A line entered without a Multiplier takes its packing's; the same body sent back to delete must
// match (it is resolved against the packing the same way), not be refused as a different line.
func TestDeleteWithViewWithoutMultiplier(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := ultrabiz.New(db)
		ctx := context.Background()
		f := newUBFixture(t, db, s)
		line := ultrabiz.PurchaseLine{ProductID: "P-1", PackingID: 3, QtyPack: 3}
		id := f.insert(t, s, "B-1", false, "1", line)
		if got := f.units(t, s, "P-1", 0, "0"); got != "36" {
			t.Fatalf("stock after insert = %s, want 36 (3 cartons of 12)", got)
		}
		del, err := s.DeletePurchase(ctx, f.org, id, false, f.user, []ultrabiz.PurchaseLine{line})
		if err != nil {
			t.Fatalf("delete with the inserted lines: %v", err)
		}
		if del.Units.String() != "36" {
			t.Fatalf("deleted %s units, want 36", del.Units)
		}
		if got := f.units(t, s, "P-1", 0, "0"); got != "0" {
			t.Fatalf("stock after delete = %s, want 0", got)
		}
	})
}

// More decimals than the columns keep: both databases store the same rounded Multiplier and units,
// and the delete takes back exactly what the insert added (here all of it, so no false shortfall).
func TestDeleteTakesBackStoredUnits(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := ultrabiz.New(db)
		ctx := context.Background()
		f := newUBFixture(t, db, s)
		line := ubLine("P-1", 4, "0.12345", 3, 0, 0, 0, "1.00004")
		id := f.insert(t, s, "B-1", false, "1", line)
		if got := f.units(t, s, "P-1", 0, "1"); got != "0.3705" {
			t.Fatalf("stock after insert = %s, want 0.3705 (3 x 0.1235)", got)
		}
		del, err := s.DeletePurchase(ctx, f.org, id, false, f.user, []ultrabiz.PurchaseLine{line})
		if err != nil {
			t.Fatalf("delete: %v", err)
		}
		if del.Units.String() != "0.3705" {
			t.Fatalf("deleted %s units, want 0.3705", del.Units)
		}
		if got := f.units(t, s, "P-1", 0, "1"); got != "0" {
			t.Fatalf("stock after delete = %s, want 0", got)
		}
	})
}

// Stock rows come back by size, then colour as a number, on both databases (SQLite keeps colours as text).
func TestStockRowOrder(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := ultrabiz.New(db)
		f := newUBFixture(t, db, s)
		f.insert(t, s, "B-1", false, "1", ubLine("P-1", 3, "12", 1, 0, 0, 0, "10"), ubLine("P-1", 3, "12", 1, 0, 0, 0, "2"),
			ubLine("P-1", 3, "12", 1, 0, 0, 1, "0"), ubLine("P-1", 3, "12", 1, 0, 0, 0, "9.5"))
		_, rows, err := s.ProductStock(context.Background(), f.org, "P-1")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, fmt.Sprintf("%d/%s", r.SizeID, r.ColorID))
		}
		if want := "0/2 0/9.5 0/10 1/0"; strings.Join(got, " ") != want {
			t.Fatalf("rows %v, want %s", got, want)
		}
	})
}

// An invoice naming a vendor, product or packing that does not exist is refused with the first
// missing one named, before anything is written (the foreign keys behind it are tested in
// schema_test.go).
func TestInsertRefusesUnknownReferences(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := ultrabiz.New(db)
		ctx := context.Background()
		f := newUBFixture(t, db, s)
		good := ubLine("P-1", 3, "12", 1, 0, 0, 0, "0")
		for _, c := range []struct {
			name   string
			vendor int32
			line   ultrabiz.PurchaseLine
			want   error
		}{
			{"unknown vendor", f.vendor.ID + 1, good, ultrabiz.VendorNotFoundError{VendorID: f.vendor.ID + 1}},
			{"unknown product", f.vendor.ID, ubLine("P-9", 3, "12", 1, 0, 0, 0, "0"), ultrabiz.ProductNotFoundError{ProductID: "P-9"}},
			{"unknown packing", f.vendor.ID, ubLine("P-2", 4, "0", 1, 0, 0, 0, "0"), ultrabiz.PackingNotFoundError{ProductID: "P-2", PackingID: 4}},
		} {
			_, err := s.InsertPurchase(ctx, f.org, ultrabiz.NewPurchase{
				Invoice: ultrabiz.PurchaseInvoice{VendorID: c.vendor, BillNo: c.name, NetAmount: store.MustDecimal("1")},
				Lines:   []ultrabiz.PurchaseLine{good, c.line}})
			if !errors.Is(err, store.ErrNotFound) || !errors.Is(err, c.want) {
				t.Errorf("%s: %v, want %v", c.name, err, c.want)
			}
		}
		if got := f.units(t, s, "P-1", 0, "0"); got != "none" {
			t.Fatalf("P-1 stock = %s, want none (nothing entered)", got)
		}
		if got := f.balance(t, s); got != "1000.1" {
			t.Fatalf("balance = %s, want 1000.1 (nothing entered)", got)
		}
	})
}
