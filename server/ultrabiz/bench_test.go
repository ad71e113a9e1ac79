package ultrabiz_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/gen/number"
	gen "github.com/deletesvc/deletesvc/gen/ultrabiz"
	"github.com/deletesvc/deletesvc/server/servertest"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
	ultrabizstore "github.com/deletesvc/deletesvc/store/ultrabiz"
)

// BenchmarkInsertDeleteCycle enters a 5-line purchase invoice and deletes it again (with the lines as
// the caller's view), over HTTP through the whole server ("http", two requests a cycle) and straight
// through the store in the same run ("store", the same two transactions without HTTP, validation or
// JSON), on each backend. Run: go test -run '^$' -bench InsertDeleteCycle ./server/ultrabiz/
func BenchmarkInsertDeleteCycle(b *testing.B) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		b.Run(string(backend), func(b *testing.B) {
			e := start(b, storetest.DB(b, backend), false)
			st := e.Ultrabiz
			lines := benchLines()
			ctx := context.Background()
			pgp := false

			b.Run("http", func(b *testing.B) {
				cpu0 := servertest.CPUTime()
				for i := 0; i < b.N; i++ {
					id := e.insert(b, "BENCH-1", false, "3587.2", nil, lines)
					r, err := e.c.DeletePurchaseInvoiceWithResponse(ctx, &gen.DeletePurchaseInvoiceParams{InvoiceId: id, UserId: e.user, IsPGP: &pgp}, lines, e.auth)
					if err != nil || r.StatusCode() != http.StatusOK {
						b.Fatalf("delete: %v %s", err, r.Body)
					}
				}
				b.ReportMetric(float64(2*b.N)/b.Elapsed().Seconds(), "req/s")
				// What the machine's load does not change much: the CPU the cycle took in this
				// process (client and server), per cycle.
				b.ReportMetric(float64(servertest.CPUTime()-cpu0)/float64(b.N)/1e3, "cpu-µs/op")
			})

			b.Run("store", func(b *testing.B) {
				view := make([]ultrabizstore.PurchaseLine, len(lines))
				for i, l := range lines {
					view[i] = ultrabizstore.PurchaseLine{ProductID: *l.ProductId, PackingID: *l.PackingId, Multiplier: store.NewDecimal(l.Multiplier.Decimal),
						QtyPack: *l.QtyPack, QtyLose: *l.QtyLose, BnsLose: *l.BnsLose, SizeID: *l.SizeID, ColorID: store.NewDecimal(l.ColorID.Decimal)}
				}
				for i := 0; i < b.N; i++ {
					id, err := st.InsertPurchase(ctx, e.org, ultrabizstore.NewPurchase{
						Invoice: ultrabizstore.PurchaseInvoice{VendorID: e.vendor, BillNo: "BENCH-2", BillDate: time.Now(), NetAmount: store.MustDecimal("3587.2"), CreatedBy: int64(e.user)},
						Lines:   append([]ultrabizstore.PurchaseLine(nil), view...),
					})
					if err != nil {
						b.Fatal(err)
					}
					if _, err := st.DeletePurchase(ctx, e.org, id, false, int64(e.user), view); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(2*b.N)/b.Elapsed().Seconds(), "tx/s")
			})
		})
	}
}

// benchLines are five lines over two products and three stock rows.
func benchLines() []gen.PurchasesBody {
	line := func(product string, packing int32, mult string, pack, lose, bns, size int32, color string) gen.PurchasesBody {
		return gen.PurchasesBody{ProductId: ptr(product), PackingId: ptr(packing), Multiplier: ptr(number.MustParse(mult)),
			QtyPack: ptr(pack), QtyLose: ptr(lose), BnsLose: ptr(bns), SizeID: ptr(size), ColorID: ptr(number.MustParse(color)),
			PricePack: ptr(number.MustParse("640.00")), STaxRatio: ptr(number.MustParse("18")), NetVal: ptr(number.MustParse("717.44"))}
	}
	return []gen.PurchasesBody{
		line("sample string 2", 3, "4", 5, 6, 7, 35, "37"),
		line("sample string 2", 3, "4", 1, 0, 0, 35, "37"),
		line("sample string 2", 3, "4", 2, 1, 0, 36, "37"),
		line("P-0042", 1, "0.1", 10, 0, 0, 0, "0"),
		line("P-0042", 1, "0.1", 3, 2, 1, 0, "0"),
	}
}

// The benchmark's cycle takes 7 round trips to the database: each request's membership read, then
// the store's 3 for the insert and 2 for the delete (store/ultrabiz's TestPurchaseRoundTrips). The
// count is taken on the second cycle, once each statement is prepared on the connection.
func TestCycleRoundTrips(t *testing.T) {
	t.Parallel()
	storetest.OnlyPostgres(t, func(t *testing.T, db *store.DB) {
		proxied, trips := storetest.RoundTrips(t, db)
		e := start(t, proxied, false)
		lines := benchLines()
		pgp := false
		var cycle int64
		for range 2 {
			before := trips()
			id := e.insert(t, "ROUND-TRIPS", false, "3587.2", nil, lines)
			r, err := e.c.DeletePurchaseInvoiceWithResponse(context.Background(), &gen.DeletePurchaseInvoiceParams{InvoiceId: id, UserId: e.user, IsPGP: &pgp}, lines, e.auth)
			if err != nil || r.StatusCode() != http.StatusOK {
				t.Fatalf("delete: %v %s", err, r.Body)
			}
			cycle = trips() - before
		}
		if cycle != 7 {
			t.Fatalf("%d round trips per insert and delete, want 7", cycle)
		}
	})
}
