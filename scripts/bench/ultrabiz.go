package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"runtime/pprof"
	"strconv"
	"strings"
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

// ultrabizGoal is issue 13's for the cycle: at least 0.8x pgbench.
var ultrabizGoal = atLeast(0.8)

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
			r := ultrabizBench(t, c)
			rows = append(rows, row{family: "Ultrabiz",
				workload: fmt.Sprintf("Ultrabiz insert + delete of a 5-line invoice, %d clients", c.clients), backend: string(backend),
				service: fmt.Sprintf("%.0f cycles/s", r.service),
				rawFKs: fmt.Sprintf("%.0f cycles/s (Go client); %.0f cycles/s (bare HTTP); %.0f cycles/s (bare HTTP + the service's validation); %.0f cycles/s (the service's server, handlers sending the script)",
					r.goClient, r.bare, r.validated, r.scripted),
				floor: fmt.Sprintf("%.0f cycles/s (pgbench)", r.pgbench),
				ratio: r.service / r.pgbench, ratioOf: "service/pgbench, " + roundRange(r.rounds), goal: ultrabizGoal, rounds: r.rounds,
				more: []namedRatio{{x: r.goClient / r.pgbench, of: "Go client/pgbench", rounds: r.goClientRounds},
					{x: r.bare / r.pgbench, of: "bare HTTP/pgbench", rounds: r.bareRounds},
					{x: r.validated / r.pgbench, of: "bare HTTP + validation/pgbench", rounds: r.validatedRounds},
					{x: r.scripted / r.pgbench, of: "scripted service/pgbench", rounds: r.scriptedRounds},
					{x: r.service / r.bare, of: "service/bare HTTP"}, {x: r.service / r.scripted, of: "service/scripted service"}},
				cost: r.cpu,
				baseline: fmt.Sprintf("pgbench -M prepared -c %d -j %d -f %s: the service's statements of one cycle, same tenant data; "+
					"the Go client runs the same script's statements from this process over pgx (a connection per client, each statement prepared once, "+
					"the script's pipelines sent as pgx batches, no HTTP, validation or ORM): what Go itself costs beside the database on the same cores; "+
					"bare HTTP: a bare Echo server in this process takes the service's very requests from the same client and sends each request's half of the "+
					"same script as the Go client does, answering minimal JSON (no validation, ORM, authentication or transaction but the script's): "+
					"what any HTTP service sending these statements costs, so service/bare HTTP is the service's own overhead and bare HTTP/pgbench HTTP's; "+
					"bare HTTP + the service's validation: the same server checking each request against the spec first, as the service does (server.Validation: "+
					"kin-openapi and the compiled body check), the least a service validating requests from the spec before its handlers runs; "+
					"the service's server, handlers sending the script: the service's own server and middleware (authentication, the membership guard, "+
					"the ASP.NET checks and binding, validation, the Idempotency-Key layer, logs, metrics, the generated handler's decoding and encoding) "+
					"with the two handlers sending their request's statements of the script over pgx instead of calling the store, so service/scripted service "+
					"is what the store costs beyond the statements, and scripted service/pgbench the ceiling of any store behind this server; "+
					"median of %d rounds x %gs", c.clients, c.clients, ultrabizScript, c.rounds, c.seconds),
			})
		})
	}
	return rows
}

// ultrabizResult is one run's medians in cycles per second, the rounds' ratios to pgbench of the
// service and of each floor (the Go client, the bare and the validated bare servers, the scripted
// service: each judged by the goal, so that how far a floor stands from it is decided by the same
// rule as the service), and its CPU per cycle, as text.
type ultrabizResult struct {
	service, goClient, bare, validated, scripted, pgbench               float64
	rounds, goClientRounds, bareRounds, validatedRounds, scriptedRounds []float64
	cpu                                                                 string
}

func ultrabizBench(t tb, c config) ultrabizResult {
	ctx := context.Background()
	dbURL := storetest.URL(t, storetest.Postgres)
	db, err := store.Open(ctx, dbURL, storetest.Options())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	// Each server's goroutines carry a profile label (-cpuprofile, then pprof -tagfocus side=service).
	var env *servertest.Env
	labelled("service", func() { env = servertest.Start(t, db) })
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
	script, err := readPgbenchScript(ultrabizScript)
	if err != nil {
		t.Fatal(err)
	}
	scriptVars := map[string]any{"org": org.ID, "user": u.ID, "usernumber": u.Number, "vendor": v.ID,
		"details": fmt.Sprintf(`{"billNo":"GO","invoiceId":1,"isPGP":false,"lines":5,"netAmount":"3587.2","units":"50.3","userNumber":%d,"vendorId":%d}`, u.Number, v.ID)}
	clientOf := func(url string) *gen.ClientWithResponses {
		client, err := gen.NewClientWithResponses(url, gen.WithHTTPClient(&http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c.clients}}))
		if err != nil {
			t.Fatal(err)
		}
		return client
	}
	serviceClient := clientOf(env.URL)
	var bareURL, validatedURL string
	labelled("bare", func() { bareURL = bareUltrabizServer(t, dbURL, script, scriptVars, c.clients, false) })
	labelled("validated", func() { validatedURL = bareUltrabizServer(t, dbURL, script, scriptVars, c.clients, true) })
	var scriptedURL string
	labelled("scripted", func() { scriptedURL = scriptedUltrabizServer(t, db, dbURL, script, scriptVars, c.clients) })
	bareClient, validatedClient, scriptedClient := clientOf(bareURL), clientOf(validatedURL), clientOf(scriptedURL)
	auth := servertest.Bearer(env.Token(t, u, org.ID))
	lines := ultrabizLines()
	pgp := false
	user := int32(u.Number)
	cycle := func(client *gen.ClientWithResponses, bill string) error {
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
	// The validated floor refuses what the spec refuses (a VendorID below its minimum): without its
	// checks, its handler would enter this invoice and answer 200.
	invalid := gen.Purchase{VendorID: 0, BillNo: "BENCH-INVALID", BillDate: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		NetAmount: number.MustParse("3587.2"), ListBody: lines}
	if r, err := validatedClient.InsertPurchaseInvoiceWithResponse(ctx, &gen.InsertPurchaseInvoiceParams{UserId: user, IsPGP: &pgp}, invalid, auth); err != nil || r.StatusCode() == http.StatusOK {
		t.Fatalf("the validated bare server took a VendorID of 0 (%v)", err)
	}
	// Whole-machine CPU per cycle of the service, the bare HTTP floors and pgbench, each with its
	// PostgreSQL backends: a load-independent view of the ratio a quiet, CPU-bound machine gives.
	plain := storetest.PlainDB(t, storetest.Postgres, dbURL)
	var svcCPU, bareCPU, validatedCPU, scriptedCPU, pgbCPU cycleCPU
	viaHTTP := func(client *gen.ClientWithResponses, acc *cycleCPU, d time.Duration) float64 {
		var n atomic.Int64
		backends := followBackends(plain)
		cpu0 := servertest.CPUTime()
		defer func() { acc.add(n.Load(), servertest.CPUTime()-cpu0, backends.stop()) }()
		var wg sync.WaitGroup
		var failed atomic.Value
		deadline := time.Now().Add(d)
		start := time.Now()
		for i := range c.clients {
			wg.Add(1)
			go labelled("client", func() {
				defer wg.Done()
				for time.Now().Before(deadline) {
					if err := cycle(client, "BENCH-"+strconv.Itoa(i)); err != nil {
						failed.Store(err)
						return
					}
					n.Add(1)
				}
			})
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
		backends := followBackends(plain)
		out, err := cmd.CombinedOutput()
		db := backends.stop()
		if err != nil {
			t.Fatalf("pgbench: %v\n%s", err, out)
		}
		if m := regexp.MustCompile(`number of transactions actually processed: ([0-9]+)`).FindSubmatch(out); m != nil {
			n, _ := strconv.ParseInt(string(m[1]), 10, 64)
			pgbCPU.add(n, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime(), db)
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
	viaGo := func(d time.Duration) float64 {
		n, err := goClientCycles(ctx, dbURL, script, scriptVars, c.clients, d)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	dur := time.Duration(c.seconds * float64(time.Second))
	viaHTTP(serviceClient, &svcCPU, time.Second) // warm up connections and caches
	viaHTTP(bareClient, &bareCPU, time.Second)
	viaHTTP(validatedClient, &validatedCPU, time.Second)
	viaHTTP(scriptedClient, &scriptedCPU, time.Second)
	pgbench(time.Second)
	viaGo(time.Second)
	svcCPU, bareCPU, validatedCPU, scriptedCPU, pgbCPU = cycleCPU{}, cycleCPU{}, cycleCPU{}, cycleCPU{}, cycleCPU{}
	var svc, bares, validated, scripted, pgb, gos []float64
	for round := range c.rounds {
		// Each variant takes each place in the order in turn.
		variants := []func(){
			func() { svc = append(svc, viaHTTP(serviceClient, &svcCPU, dur)) },
			func() { pgb = append(pgb, pgbench(dur)) },
			func() { bares = append(bares, viaHTTP(bareClient, &bareCPU, dur)) },
			func() { gos = append(gos, viaGo(dur)) },
			func() { validated = append(validated, viaHTTP(validatedClient, &validatedCPU, dur)) },
			func() { scripted = append(scripted, viaHTTP(scriptedClient, &scriptedCPU, dur)) },
		}
		for i := range variants {
			variants[(i+round)%len(variants)]()
		}
	}
	// Every cycle (the service's, the Go client's, the bare floors', the scripted service's and
	// pgbench's alike) gives back what it took: no live invoice is left, stock is back to nothing
	// and the vendor's balance to its opening one. A script that silently changed nothing (an
	// UPDATE matching no row) would show here.
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
	cpu := fmt.Sprintf("%.2f ms per cycle (two requests; the service and its HTTP client); with PostgreSQL's backends, "+
		"service %.2f ms (Go %.2f + PostgreSQL %.2f), bare HTTP %.2f ms (Go %.2f + PostgreSQL %.2f), bare HTTP + validation %.2f ms (Go %.2f + PostgreSQL %.2f), "+
		"scripted service %.2f ms (Go %.2f + PostgreSQL %.2f), pgbench %.2f ms (pgbench %.2f + PostgreSQL %.2f): "+
		"on a CPU-bound machine service/pgbench %.2fx, bare HTTP/pgbench %.2fx, bare HTTP + validation/pgbench %.2fx, scripted service/pgbench %.2fx, "+
		"service/bare HTTP %.2fx, service/scripted service %.2fx",
		svcCPU.ownMS(), svcCPU.allMS(), svcCPU.ownMS(), svcCPU.dbMS(), bareCPU.allMS(), bareCPU.ownMS(), bareCPU.dbMS(),
		validatedCPU.allMS(), validatedCPU.ownMS(), validatedCPU.dbMS(), scriptedCPU.allMS(), scriptedCPU.ownMS(), scriptedCPU.dbMS(),
		pgbCPU.allMS(), pgbCPU.ownMS(), pgbCPU.dbMS(),
		pgbCPU.allMS()/svcCPU.allMS(), pgbCPU.allMS()/bareCPU.allMS(), pgbCPU.allMS()/validatedCPU.allMS(), pgbCPU.allMS()/scriptedCPU.allMS(),
		bareCPU.allMS()/svcCPU.allMS(), scriptedCPU.allMS()/svcCPU.allMS())
	return ultrabizResult{service: median(svc), goClient: median(gos), bare: median(bares), validated: median(validated), scripted: median(scripted),
		pgbench: median(pgb), rounds: roundRatios(svc, pgb), goClientRounds: roundRatios(gos, pgb), bareRounds: roundRatios(bares, pgb), validatedRounds: roundRatios(validated, pgb),
		scriptedRounds: roundRatios(scripted, pgb), cpu: cpu}
}

// cycleCPU sums one variant's cycles and the CPU they took: its client's (this process, or pgbench)
// and its PostgreSQL backends'.
type cycleCPU struct {
	cycles  int64
	own, db time.Duration
}

func (c *cycleCPU) add(cycles int64, own, db time.Duration) {
	c.cycles += cycles
	c.own += own
	c.db += db
}

// ms is d per cycle in milliseconds.
func (c cycleCPU) ms(d time.Duration) float64 {
	return float64(d) / float64(max(c.cycles, 1)) / float64(time.Millisecond)
}

func (c cycleCPU) ownMS() float64 { return c.ms(c.own) }
func (c cycleCPU) dbMS() float64  { return c.ms(c.db) }
func (c cycleCPU) allMS() float64 { return c.ms(c.own + c.db) }

// backendCPU follows the CPU time of the PostgreSQL backends of one database, read from /proc (the
// server runs on this machine), so a variant's database work is told apart from what other clients
// of a shared server cost.
type backendCPU struct {
	stopped chan struct{}
	done    chan time.Duration
}

// followBackends polls the backends of db's database (but its own) until stop, which returns the
// CPU they used meanwhile; a backend that appears later counts from zero.
func followBackends(db *sql.DB) *backendCPU {
	b := &backendCPU{stopped: make(chan struct{}), done: make(chan time.Duration, 1)}
	first, last := map[int]time.Duration{}, map[int]time.Duration{}
	poll := func(initial bool) {
		pids, err := backendPIDs(db, true)
		if err != nil {
			return
		}
		for _, pid := range pids {
			used, ok := processCPU(pid)
			if !ok {
				continue
			}
			if _, seen := first[pid]; !seen {
				first[pid] = 0
				if initial {
					first[pid] = used
				}
			}
			last[pid] = used
		}
	}
	poll(true)
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-b.stopped:
				poll(false)
				var sum time.Duration
				for pid, v := range last {
					sum += v - first[pid]
				}
				b.done <- sum
				return
			case <-tick.C:
				poll(false)
			}
		}
	}()
	return b
}

func (b *backendCPU) stop() time.Duration {
	close(b.stopped)
	return <-b.done
}

// backendPIDs are the pids of the PostgreSQL backends connected to db's database; exceptOwn leaves
// out the one this query runs on.
func backendPIDs(db *sql.DB, exceptOwn bool) ([]int, error) {
	q := "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
	if exceptOwn {
		q += " AND pid <> pg_backend_pid()"
	}
	rows, err := db.Query(q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var pids []int
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			return nil, err
		}
		pids = append(pids, pid)
	}
	return pids, rows.Err()
}

// processCPU is the CPU a process has run so far, in nanoseconds from /proc/<pid>/schedstat (the
// database server runs on this machine): /proc's stat counts in 10 ms ticks, longer than a request.
func processCPU(pid int) (time.Duration, bool) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/schedstat", pid))
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(raw))
	if len(f) == 0 {
		return 0, false
	}
	ns, err := strconv.ParseInt(f[0], 10, 64)
	return time.Duration(ns), err == nil
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

// labelled runs fn with the CPU profile label side=name; goroutines it starts (an HTTP server's,
// a client's connections) inherit it.
func labelled(name string, fn func()) {
	pprof.Do(context.Background(), pprof.Labels("side", name), func(context.Context) { fn() })
}
