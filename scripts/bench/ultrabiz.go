package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/deletesvc/deletesvc/gen/number"
	gen "github.com/deletesvc/deletesvc/gen/ultrabiz"
	"github.com/deletesvc/deletesvc/server/servertest"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
	ultrabizstore "github.com/deletesvc/deletesvc/store/ultrabiz"
)

// ultrabizScript is the pgbench script: the statements the service sends for one cycle.
const ultrabizScript = "scripts/bench/ultrabiz.sql"

// ultrabizRows compares insert+delete cycles per second of a 5-line purchase invoice: the service
// over HTTP with c.clients clients (each its own bill number, all on the same vendor and stock rows),
// against pgbench running the same statements with as many clients. PostgreSQL only (pgbench).
func ultrabizRows(c config) []row {
	var rows []row
	for _, backend := range c.backends {
		if backend != storetest.Postgres {
			continue
		}
		measure("ultrabiz", func(t tb) {
			service, goClient, floor, cpu := ultrabizBench(t, c)
			rows = append(rows, row{family: "Ultrabiz",
				workload: fmt.Sprintf("Ultrabiz insert + delete of a 5-line invoice, %d clients", c.clients), backend: string(backend),
				service: fmt.Sprintf("%.0f cycles/s", service), rawFKs: fmt.Sprintf("%.0f cycles/s (Go client)", goClient), floor: fmt.Sprintf("%.0f cycles/s", floor),
				ratio: service / floor, ratioOf: "service/pgbench", ratio2: goClient / floor, ratio2Of: "Go client/pgbench", goal: ">= 0.8x",
				cpu: fmt.Sprintf("%.2f ms per cycle (two requests)", float64(cpu)/float64(time.Millisecond)),
				baseline: fmt.Sprintf("pgbench -M prepared -c %d -j %d -f %s: the service's statements of one cycle, same tenant data; "+
					"the Go client runs the same script's statements from this process over pgx (a connection per client, each statement prepared once, "+
					"the script's pipelines sent as pgx batches, no HTTP, validation or ORM): what Go itself costs beside the database on the same cores; median of %d rounds x %gs", c.clients, c.clients, ultrabizScript, c.rounds, c.seconds),
			})
		})
	}
	return rows
}

func ultrabizBench(t tb, c config) (service, goClient, floor float64, cpu time.Duration) {
	ctx := context.Background()
	dbURL := storetest.URL(t, storetest.Postgres)
	db, err := store.Open(ctx, dbURL, storetest.Options())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	env := servertest.Start(t, db)
	u, org := storetest.Tenant(t, db, "owner@example.com")
	v, err := env.Ultrabiz.CreateVendor(ctx, org.ID, "Al-Noor Textiles", store.MustDecimal("15250.5"))
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Ultrabiz.CreateProducts(ctx, org.ID, []ultrabizstore.Product{
		{ID: "sample string 2", Name: "Sample product", Packings: []ultrabizstore.Packing{{ID: 3, Name: "Carton", Multiplier: store.MustDecimal("4")}}},
		{ID: "P-0042", Name: "Lawn cloth 3-piece", Packings: []ultrabizstore.Packing{{ID: 1, Name: "Bundle", Multiplier: store.MustDecimal("0.1")}}},
	}); err != nil {
		t.Fatal(err)
	}
	client, err := gen.NewClientWithResponses(env.URL, gen.WithHTTPClient(&http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c.clients}}))
	if err != nil {
		t.Fatal(err)
	}
	auth := servertest.Bearer(env.Token(t, u, org.ID))
	lines := ultrabizLines()
	pgp := false
	user := int32(u.Number)
	cycle := func(bill string) error {
		p := gen.Purchase{VendorID: v.ID, BillNo: bill, BillDate: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
			NetAmount: number.MustParse("3587.2"), ListBody: lines}
		r, err := client.InsertPurchaseInvoiceWithResponse(ctx, &gen.InsertPurchaseInvoiceParams{UserId: user, IsPGP: &pgp}, p, auth)
		if err != nil || r.JSON200 == nil {
			return fmt.Errorf("insert: %v %s", err, r.Body)
		}
		d, err := client.DeletePurchaseInvoiceWithResponse(ctx, &gen.DeletePurchaseInvoiceParams{InvoiceId: r.JSON200.InvoiceId, UserId: user, IsPGP: &pgp}, lines, auth)
		if err != nil || d.StatusCode() != http.StatusOK {
			return fmt.Errorf("delete: %v %s", err, d.Body)
		}
		return nil
	}
	var cycles int64
	var used time.Duration
	viaHTTP := func(d time.Duration) float64 {
		var n atomic.Int64
		cpu0 := cpuTime()
		defer func() { used += cpuTime() - cpu0; cycles += n.Load() }()
		var wg sync.WaitGroup
		var failed atomic.Value
		deadline := time.Now().Add(d)
		start := time.Now()
		for i := range c.clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(deadline) {
					if err := cycle("BENCH-" + strconv.Itoa(i)); err != nil {
						failed.Store(err)
						return
					}
					n.Add(1)
				}
			}()
		}
		wg.Wait()
		if err, _ := failed.Load().(error); err != nil {
			t.Fatal(err)
		}
		return float64(n.Load()) / time.Since(start).Seconds()
	}
	pgbench := func(d time.Duration) float64 {
		cmd := exec.Command(pgbenchPath(c), "-n", "-M", "prepared", "-c", strconv.Itoa(c.clients), "-j", strconv.Itoa(c.clients),
			"-T", strconv.Itoa(int(d.Seconds()+0.5)), "-f", ultrabizScript,
			"-D", "org="+org.ID, "-D", "user="+u.ID, "-D", "usernumber="+strconv.FormatInt(u.Number, 10), "-D", "vendor="+strconv.Itoa(int(v.ID)),
			"-D", fmt.Sprintf(`details={"billNo":"PGB","invoiceId":1,"isPGP":false,"lines":5,"netAmount":"3587.2","units":"50.3","userNumber":%d,"vendorId":%d}`, u.Number, v.ID),
			dbURL)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("pgbench: %v\n%s", err, out)
		}
		m := regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`).FindSubmatch(out)
		if m == nil {
			t.Fatalf("pgbench printed no tps:\n%s", out)
		}
		if os.Getenv("BENCH_VERBOSE") != "" {
			fmt.Fprintf(os.Stderr, "%s\n", out)
		}
		tps, _ := strconv.ParseFloat(string(m[1]), 64)
		return tps
	}
	script, err := readPgbenchScript(ultrabizScript)
	if err != nil {
		t.Fatal(err)
	}
	scriptVars := map[string]any{"org": org.ID, "user": u.ID, "usernumber": u.Number, "vendor": v.ID,
		"details": fmt.Sprintf(`{"billNo":"GO","invoiceId":1,"isPGP":false,"lines":5,"netAmount":"3587.2","units":"50.3","userNumber":%d,"vendorId":%d}`, u.Number, v.ID)}
	viaGo := func(d time.Duration) float64 {
		n, err := goClientCycles(ctx, dbURL, script, scriptVars, c.clients, d)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	dur := time.Duration(c.seconds * float64(time.Second))
	viaHTTP(time.Second) // warm up connections and caches
	pgbench(time.Second)
	viaGo(time.Second)
	cycles, used = 0, 0
	var svc, pgb, gos []float64
	for round := range c.rounds {
		// Each variant takes each place in the order in turn.
		variants := []func(){
			func() { svc = append(svc, viaHTTP(dur)) },
			func() { pgb = append(pgb, pgbench(dur)) },
			func() { gos = append(gos, viaGo(dur)) },
		}
		for i := range variants {
			variants[(i+round)%len(variants)]()
		}
	}
	// Every cycle, the service's and pgbench's alike, gives back what it took: no live invoice is
	// left, stock is back to nothing and the vendor's balance to its opening one. A script that
	// silently changed nothing (an UPDATE matching no row) would show here.
	plain := storetest.PlainDB(t, storetest.Postgres, dbURL)
	var live int
	var units, balance string
	if err := plain.QueryRow(`SELECT (SELECT count(*) FROM ultrabiz_purchase_invoices WHERE organization_id = $1 AND deleted_at IS NULL),
		(SELECT COALESCE(SUM(units), 0)::text FROM ultrabiz_stocks WHERE organization_id = $1),
		(SELECT balance::text FROM ultrabiz_vendors WHERE organization_id = $1 AND id = $2)`, org.ID, v.ID).Scan(&live, &units, &balance); err != nil {
		t.Fatal(err)
	}
	if live != 0 || decimal.RequireFromString(units).Sign() != 0 || !decimal.RequireFromString(balance).Equal(decimal.RequireFromString("15250.5")) {
		t.Fatalf("after the cycles: %d live invoices, %s units in stock, vendor balance %s (want 0, 0, 15250.5)", live, units, balance)
	}
	var invoices, deleted int
	if err := plain.QueryRow(`SELECT count(*), count(deleted_at) FROM ultrabiz_purchase_invoices WHERE organization_id = $1`, org.ID).Scan(&invoices, &deleted); err != nil || invoices == 0 || deleted != invoices {
		t.Fatalf("invoices %d, deleted %d: %v", invoices, deleted, err)
	}
	return median(svc), median(gos), median(pgb), used / time.Duration(cycles)
}

// ultrabizLines are five lines over two products and three stock rows (as server/ultrabiz's
// benchmark sends).
func ultrabizLines() []gen.PurchasesBody {
	line := func(product string, packing int32, mult string, pack, lose, bns, size int32, color string) gen.PurchasesBody {
		return gen.PurchasesBody{ProductId: &product, PackingId: &packing, Multiplier: dec(mult),
			QtyPack: &pack, QtyLose: &lose, BnsLose: &bns, SizeID: &size, ColorID: dec(color),
			PricePack: dec("640.00"), STaxRatio: dec("18"), NetVal: dec("717.44")}
	}
	return []gen.PurchasesBody{
		line("sample string 2", 3, "4", 5, 6, 7, 35, "37"),
		line("sample string 2", 3, "4", 1, 0, 0, 35, "37"),
		line("sample string 2", 3, "4", 2, 1, 0, 36, "37"),
		line("P-0042", 1, "0.1", 10, 0, 0, 0, "0"),
		line("P-0042", 1, "0.1", 3, 2, 1, 0, "0"),
	}
}

func dec(s string) *number.Decimal {
	d := number.MustParse(s)
	return &d
}
