// Command bench-citus times each family's main operation on plain PostgreSQL and on Citus, side by
// side in one run, and prints a Markdown table for README. Run it through scripts/bench-citus/run,
// which starts and stops a throwaway Citus cluster and passes its URL here.
//
// Each database is a fresh one made by the production migrations (on Citus they distribute the
// schema), served by the real server in this process behind a loopback HTTP listener, and filled by
// the same seeders `deletesvc seed` and the demo use. Every request goes through the generated
// clients; any non-2xx answer (or a bulk item that did not apply) stops the run.
//
// Timing: a sample is the client-side wall time of one request (encode, HTTP over loopback, server,
// database, decode). Everything a sample needs (an organization to erase, documents to delete) is
// made before the first timed request, so seeding never overlaps a measurement. Round r runs each
// operation reps times on one database, then reps times on the other, the first database alternating
// by round, so drift (caches, autovacuum, the other tenant of the machine) falls on both alike.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/deletesvc/deletesvc/gen/invx"
	"github.com/deletesvc/deletesvc/gen/ultrabiz"
	"github.com/deletesvc/deletesvc/gen/upbooks"
	"github.com/deletesvc/deletesvc/server"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/demo"
	"github.com/deletesvc/deletesvc/store/identity"
	invxstore "github.com/deletesvc/deletesvc/store/invx"
	"github.com/deletesvc/deletesvc/store/migrations"
)

type config struct {
	postgresURL string // admin URL of the plain server (any database on it)
	citusURL    string // admin URL of the Citus coordinator, workers registered in its database
	rounds      int
	reps        int
	bulk        int // documents per invx bulk delete
	orgRows     int // rows seeded into each organization a selective delete erases
	command     string
}

func main() {
	var c config
	flag.StringVar(&c.postgresURL, "postgres-url", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "plain PostgreSQL admin URL")
	flag.StringVar(&c.citusURL, "citus-url", "", "Citus coordinator admin URL (scripts/citus/cluster start prints it)")
	flag.IntVar(&c.rounds, "rounds", 10, "interleaved rounds")
	flag.IntVar(&c.reps, "reps", 10, "repetitions of each operation per database per round")
	flag.IntVar(&c.bulk, "bulk", 100, "documents per invx bulk delete")
	flag.IntVar(&c.orgRows, "org-rows", 200, "rows seeded into each organization a selective delete erases")
	flag.StringVar(&c.command, "command", "", "the command line to print with the table")
	flag.Parse()
	if c.citusURL == "" || c.rounds < 1 || c.reps < 1 || c.bulk < 1 || c.bulk > 1000 {
		fmt.Fprintln(os.Stderr, "bench-citus: -citus-url is required; -rounds, -reps >= 1; 1 <= -bulk <= 1000")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, c, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-citus: FAILED:", err)
		os.Exit(1)
	}
}

// backend is one database with its service.
type backend struct {
	name    string
	db      *store.DB
	srv     *httptest.Server
	token   string
	orgID   string
	userNum int32
	up      *upbooks.ClientWithResponses
	iv      *invx.ClientWithResponses
	ub      *ultrabiz.ClientWithResponses
	// Made before timing, one per sample (and one for the warm-up), consumed in order.
	eraseOrgs []string
	docs      [][]string
	erased    []int // rows each selective delete removed (forced ones included)
}

// operation is one timed thing; it returns the samples it took (the Ultrabiz cycle times two).
type operation struct {
	names []string
	run   func(b *backend, ctx context.Context) ([]time.Duration, error)
}

func run(ctx context.Context, c config, out io.Writer) (err error) {
	// Warnings and errors of the servers and stores only: access logs would drown the table.
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	samples := c.rounds*c.reps + 1 // + the warm-up

	var backends []*backend
	defer func() {
		// Cleanup must run even when ctx was cancelled by a signal.
		for _, b := range backends {
			b.close()
		}
	}()
	suffix := randomHex(4)
	plainURL, dropPlain, err := createPlain(ctx, c.postgresURL, "dsbench_plain_"+suffix)
	if err != nil {
		return err
	}
	defer dropPlain()
	citusURL, dropCitus, err := createCitus(ctx, c.citusURL, "dsbench_citus_"+suffix)
	if err != nil {
		return err
	}
	defer dropCitus()

	var versions []string
	for _, d := range []struct{ name, url string }{{"plain", plainURL}, {"citus", citusURL}} {
		progress("%s: migrating", d.name)
		b, v, err := open(ctx, d.name, d.url, log)
		if err != nil {
			return err
		}
		backends = append(backends, b)
		versions = append(versions, v)
		progress("%s: demo ready; seeding %d organizations of %d rows and %d documents", d.name, samples, c.orgRows, samples*c.bulk)
		if err := b.prepare(ctx, samples, c.orgRows, c.bulk); err != nil {
			return fmt.Errorf("%s: %w", b.name, err)
		}
	}

	ops := operations(c)
	times := map[string]map[string][]time.Duration{} // operation -> backend -> samples
	var order []string
	for _, op := range ops {
		for _, n := range op.names {
			times[n] = map[string][]time.Duration{}
			order = append(order, n)
		}
	}
	record := func(b *backend, op operation, warm bool) error {
		d, err := op.run(b, ctx)
		if err != nil {
			return fmt.Errorf("%s on %s: %w", op.names[0], b.name, err)
		}
		if !warm {
			for i, n := range op.names {
				times[n][b.name] = append(times[n][b.name], d[i])
			}
		}
		return nil
	}
	// Warm-up: connection pools, prepared plans, Citus' metadata cache; not recorded.
	for _, b := range backends {
		for _, op := range ops {
			if err := record(b, op, true); err != nil {
				return err
			}
		}
	}
	loadBefore := loadavg()
	start := time.Now()
	for r := range c.rounds {
		progress("round %d/%d", r+1, c.rounds)
		turn := slices.Clone(backends)
		if r%2 == 1 {
			slices.Reverse(turn)
		}
		for _, op := range ops {
			for _, b := range turn {
				for range c.reps {
					if err := record(b, op, false); err != nil {
						return err
					}
				}
			}
		}
	}

	fmt.Fprintf(out, "```\n$ %s\n", c.command)
	fmt.Fprintf(out, "machine: %d CPUs (nproc), %s, %s/%s, %s\n", runtime.NumCPU(), cpuModel(), runtime.GOOS, runtime.GOARCH, time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(out, "plain:   %s\ncitus:   %s\n", versions[0], versions[1])
	fmt.Fprintf(out, "samples: %d per operation per database (%d rounds x %d, interleaved), after 1 warm-up each\n", c.rounds*c.reps, c.rounds, c.reps)
	// Other work on the machine moves every number; the load says how much there was.
	fmt.Fprintf(out, "load average (1 min) before/after the timed part: %s / %s; timed part %s\n", loadBefore, loadavg(), time.Since(start).Round(time.Second))
	fmt.Fprintf(out, "```\n\n")
	fmt.Fprintf(out, "| operation | plain median | plain p95 | Citus median | Citus p95 | Citus/plain (median) |\n")
	fmt.Fprintf(out, "|---|--:|--:|--:|--:|--:|\n")
	for _, n := range order {
		p, q := times[n]["plain"], times[n]["citus"]
		pm, cm := percentile(p, 50), percentile(q, 50)
		fmt.Fprintf(out, "| %s | %s | %s | %s | %s | %.2fx |\n", n, ms(pm), ms(percentile(p, 95)), ms(cm), ms(percentile(q, 95)), float64(cm)/float64(pm))
	}
	erased := slices.Concat(backends[0].erased, backends[1].erased)
	slices.Sort(erased)
	fmt.Fprintf(out, "\nTimes are client-side wall time of one HTTP request over loopback to the service (in the bench process) "+
		"on a fresh database made by the production migrations (Citus: %s shards distributed by organization_id on 2 workers). "+
		"DeleteSelectiveData is a real delete (not a dry run) of %s with force=true, each sample in its own freshly seeded organization "+
		"(%s rows removed); GetOrganizationDetail reads the demo organization; the invx bulk request deletes %d distinct documents in state 200 each time; "+
		"the Ultrabiz pair enters a one-line purchase invoice and deletes it (reading it, untimed, in between). "+
		"The plain database runs with synchronous_commit=off, as the Citus nodes do.\n",
		shardCount(ctx, backends[1]), strings.Join(eraseCategories, ", "), rowRange(erased[0], erased[len(erased)-1]), c.bulk)
	return nil
}

// rowRange is "93", or "90 to 95" when the organizations differed.
func rowRange[T comparable](lo, hi T) string {
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%v to %v", lo, hi)
}

// operations are what is timed, in the order each round runs them.
func operations(c config) []operation {
	return []operation{
		{names: []string{fmt.Sprintf("Upbooks DeleteSelectiveData (%d categories, %d-row org)", len(eraseCategories), c.orgRows)}, run: (*backend).selective},
		{names: []string{"Upbooks GetOrganizationDetail"}, run: (*backend).detail},
		{names: []string{fmt.Sprintf("invx bulk `del` of %d documents", c.bulk)}, run: (*backend).bulkDelete},
		{names: []string{"Ultrabiz InsertPurchaseInvoice", "Ultrabiz DeletePurchaseInvoice"}, run: (*backend).purchaseCycle},
	}
}

// eraseCategories are the Upbooks categories each selective delete erases: a typical "clear my
// sales" request on an organization seeded like a real one; force, since kept categories point
// into these.
var eraseCategories = []string{"clients", "invoice", "payments", "creditNotes"}

// allCategories are DeleteSelectiveData's 46 required flags.
var allCategories = []string{"clients", "vendors", "assets", "employees", "expenses", "products", "services", "orders", "payments", "settlements", "invoice", "taxes", "discounts", "users", "items", "proposals", "purchaseOrders", "documents", "projects", "tasks", "payroll", "account", "enquiry", "outwardPayments", "creditNotes", "platformSubscriptions", "employeeLeaves", "fileImports", "activityLogs", "orgSettings", "organizationBackups", "leavePolicies", "bankAccounts", "accountLedger", "accountTransfer", "clientLedger", "salaryComponents", "leads", "leadActivities", "deals", "debitNotes", "expenseCategories", "warehouse", "branch", "contracts", "employeeSpends"}

// progress tells the terminal (stderr) where the run is; the table goes to stdout.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// shardCount is the number of shards per distributed table on b's cluster.
func shardCount(ctx context.Context, b *backend) string {
	sqlDB, err := b.db.SQL()
	if err != nil {
		return "?"
	}
	var n int
	if err := sqlDB.QueryRowContext(ctx, "SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = 'organization_locks'::regclass").Scan(&n); err != nil {
		return "?"
	}
	return fmt.Sprint(n)
}

// loadavg is the 1-minute load average, or "?" off Linux.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

// cpuModel is the processor's name, or "?" off Linux.
func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

// check fails a non-2xx answer.
func check(code int, body []byte) error {
	if code < 200 || code > 299 {
		return fmt.Errorf("HTTP %d: %s", code, body)
	}
	return nil
}

// selective erases a few categories of the next pre-seeded organization: a real delete, never a dry
// run, so each sample needs an organization of its own.
func (b *backend) selective(ctx context.Context) ([]time.Duration, error) {
	org := b.eraseOrgs[0]
	b.eraseOrgs = b.eraseOrgs[1:]
	flags := map[string]bool{}
	for _, f := range allCategories {
		flags[f] = slices.Contains(eraseCategories, f)
	}
	body := fromJSON[upbooks.DeleteSelectiveDataJSONRequestBody](flags)
	force := true
	t := time.Now()
	res, err := b.up.DeleteSelectiveDataWithResponse(ctx, org, &upbooks.DeleteSelectiveDataParams{Force: &force}, body, b.bearer)
	d := time.Since(t)
	if err != nil {
		return nil, err
	}
	if err := check(res.StatusCode(), res.Body); err != nil {
		return nil, err
	}
	n := 0
	for _, c := range res.JSON200.Deleted {
		n += c
	}
	if res.JSON200.Forced != nil {
		for _, c := range *res.JSON200.Forced {
			n += c
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("selective delete of %s deleted nothing: %s", org, res.Body)
	}
	b.erased = append(b.erased, n)
	return []time.Duration{d}, nil
}

// detail reads the bench organization.
func (b *backend) detail(ctx context.Context) ([]time.Duration, error) {
	t := time.Now()
	res, err := b.up.GetOrganizationDetailWithResponse(ctx, b.orgID, nil, b.bearer)
	d := time.Since(t)
	if err != nil {
		return nil, err
	}
	return []time.Duration{d}, check(res.StatusCode(), res.Body)
}

// bulkDelete deletes the next batch of pre-seeded documents in one bulk request; every item must
// apply (a bulk answer is 200 even when items fail).
func (b *backend) bulkDelete(ctx context.Context) ([]time.Duration, error) {
	ids := b.docs[0]
	b.docs = b.docs[1:]
	body := make(invx.UpdateDocumentBulkJSONRequestBody, len(ids))
	for i, id := range ids {
		body[i] = invx.DocumentAction{DocId: uuid.MustParse(id), Action: "del"}
	}
	t := time.Now()
	res, err := b.iv.UpdateDocumentBulkWithResponse(ctx, "v1", b.orgID, nil, body, b.bearer)
	d := time.Since(t)
	if err != nil {
		return nil, err
	}
	if err := check(res.StatusCode(), res.Body); err != nil {
		return nil, err
	}
	for i, it := range res.JSON200.Data {
		if it.ItemErrors != nil || it.ItemData == nil {
			return nil, fmt.Errorf("bulk item %d did not apply: %s", i, res.Body)
		}
	}
	if len(res.JSON200.Data) != len(ids) {
		return nil, fmt.Errorf("bulk delete answered %d items for %d", len(res.JSON200.Data), len(ids))
	}
	return []time.Duration{d}, nil
}

// purchaseCycle enters a purchase invoice and deletes it (the delete body is the caller's view,
// read untimed in between), so stock and the vendor balance end where they began and the cycle can
// repeat forever.
func (b *backend) purchaseCycle(ctx context.Context) ([]time.Duration, error) {
	line := fromJSON[ultrabiz.PurchasesBody](map[string]any{"ProductId": "P-00001", "PackingId": 1, "QtyPack": 2, "QtyLose": 1, "PricePack": 120.5, "NetVal": 241})
	body := fromJSON[ultrabiz.InsertPurchaseInvoiceJSONRequestBody](map[string]any{"VendorID": 1, "BillNo": "BENCH-" + randomHex(6),
		"BillDate": time.Now().UTC(), "NetAmount": 241, "ListBody": []any{line}})
	t := time.Now()
	ins, err := b.ub.InsertPurchaseInvoiceWithResponse(ctx, &ultrabiz.InsertPurchaseInvoiceParams{UserId: b.userNum}, body, b.bearer)
	di := time.Since(t)
	if err != nil {
		return nil, fmt.Errorf("insert: %w", err)
	}
	if err := check(ins.StatusCode(), ins.Body); err != nil {
		return nil, fmt.Errorf("insert: %w", err)
	}
	view, err := b.ub.GetPurchaseInvoiceWithResponse(ctx, &ultrabiz.GetPurchaseInvoiceParams{InvoiceId: ins.JSON200.InvoiceId}, b.bearer)
	if err != nil {
		return nil, fmt.Errorf("read invoice: %w", err)
	}
	if view.JSON200 == nil {
		return nil, fmt.Errorf("read invoice: HTTP %d: %s", view.StatusCode(), view.Body)
	}
	t = time.Now()
	del, err := b.ub.DeletePurchaseInvoiceWithResponse(ctx, &ultrabiz.DeletePurchaseInvoiceParams{InvoiceId: ins.JSON200.InvoiceId, UserId: b.userNum},
		view.JSON200.ListBody, b.bearer)
	dd := time.Since(t)
	if err != nil {
		return nil, fmt.Errorf("delete: %w", err)
	}
	if err := check(del.StatusCode(), del.Body); err != nil {
		return nil, fmt.Errorf("delete: %w", err)
	}
	return []time.Duration{di, dd}, nil
}

func (b *backend) bearer(_ context.Context, r *http.Request) error {
	r.Header.Set("Authorization", "Bearer "+b.token)
	return nil
}

// open migrates the database at url with the production migrations, starts the service on it
// and returns it with the server's version line.
func open(ctx context.Context, name, url string, log *slog.Logger) (*backend, string, error) {
	db, err := store.Open(ctx, url, store.Options{Logger: log})
	if err != nil {
		return nil, "", fmt.Errorf("%s: open: %w", name, err)
	}
	b := &backend{name: name, db: db}
	sqlDB, err := db.SQL()
	if err != nil {
		b.close()
		return nil, "", err
	}
	runner, err := migrations.New(sqlDB, db.DialectName())
	if err != nil {
		b.close()
		return nil, "", err
	}
	if _, err := runner.Up(ctx, log); err != nil {
		b.close()
		return nil, "", fmt.Errorf("%s: migrate: %w", name, err)
	}
	dist, err := runner.Distribution(ctx)
	if err != nil {
		b.close()
		return nil, "", err
	}
	kinds := map[string]int{}
	var local []string
	for _, d := range dist {
		kinds[d.Kind]++
		// goose's version table stays on the coordinator; nothing on a request path reads it.
		if d.Kind == "local" && d.Table != "goose_db_version" {
			local = append(local, d.Table)
		}
	}
	// Citus must really hold the schema distributed, or the comparison means nothing.
	if name == "citus" && (kinds["distributed"] == 0 || kinds["reference"] == 0 || len(local) > 0) {
		b.close()
		return nil, "", fmt.Errorf("citus: the migrations did not distribute the schema: %v, local tables %v", kinds, local)
	}
	var version string
	if err := sqlDB.QueryRowContext(ctx, "SELECT current_setting('server_version')").Scan(&version); err != nil {
		b.close()
		return nil, "", err
	}
	version = "PostgreSQL " + version
	if name == "citus" {
		var cv string
		var workers int
		if err := sqlDB.QueryRowContext(ctx, "SELECT extversion, (SELECT count(*) FROM pg_dist_node WHERE groupid <> 0) FROM pg_extension WHERE extname = 'citus'").Scan(&cv, &workers); err != nil {
			b.close()
			return nil, "", err
		}
		version += fmt.Sprintf(", Citus %s, coordinator + %d workers on loopback; %d distributed and %d reference tables",
			cv, workers, kinds["distributed"], kinds["reference"])
	}

	progress("%s: migrated", name)
	ids := identity.New(db, identity.Options{})
	u, org, err := demo.New(db, ids).EnsureDemo(ctx)
	if err != nil {
		b.close()
		return nil, "", fmt.Errorf("%s: demo: %w", name, err)
	}
	secret := []byte(randomHex(32))
	srv, err := server.New(db, ids, server.Config{TokenSecret: secret, TokenTTL: time.Hour, Logger: log})
	if err != nil {
		b.close()
		return nil, "", err
	}
	b.token, err = srv.Token(u, org.ID)
	if err != nil {
		b.close()
		return nil, "", err
	}
	b.orgID, b.userNum = org.ID, int32(u.Number)
	b.srv = httptest.NewServer(srv)
	hc := &http.Client{Timeout: time.Minute}
	if b.up, err = upbooks.NewClientWithResponses(b.srv.URL, upbooks.WithHTTPClient(hc)); err == nil {
		if b.iv, err = invx.NewClientWithResponses(b.srv.URL, invx.WithHTTPClient(hc)); err == nil {
			b.ub, err = ultrabiz.NewClientWithResponses(b.srv.URL, ultrabiz.WithHTTPClient(hc))
		}
	}
	if err != nil {
		b.close()
		return nil, "", err
	}
	return b, version, nil
}

// prepare makes what the samples consume: n organizations (created through the API, then filled
// by the Upbooks seeder) and n batches of bulk documents in a deletable state, in the bench
// organization.
func (b *backend) prepare(ctx context.Context, n, orgRows, bulk int) error {
	ids := identity.New(b.db, identity.Options{})
	seeder := demo.New(b.db, ids)
	for i := range n {
		res, err := b.up.AddOrganizationWithResponse(ctx, nil, upbooks.AddOrganizationJSONRequestBody{Name: fmt.Sprintf("Bench Erase %d", i), Location: "Pune", State: "Maharashtra"}, b.bearer)
		if err != nil || res.JSON201 == nil {
			return fmt.Errorf("add organization: %v %s", err, res.Body)
		}
		org := res.JSON201.Data.ID
		if err := seeder.Seed(ctx, "upbooks", org, orgRows, nil); err != nil {
			return fmt.Errorf("seed organization %s: %w", org, err)
		}
		b.eraseOrgs = append(b.eraseOrgs, org)
	}
	docs, err := invxstore.New(b.db).SeedDocuments(ctx, b.orgID, n*bulk, []invxstore.Status{invxstore.Created}, nil)
	if err != nil {
		return err
	}
	for i := 0; i < len(docs); i += bulk {
		b.docs = append(b.docs, docs[i:i+bulk])
	}
	// Fresh statistics on both sides, so when autovacuum happens to analyze the just-filled tables
	// is not what the comparison measures (on Citus, ANALYZE reaches every shard).
	sqlDB, err := b.db.SQL()
	if err != nil {
		return err
	}
	if _, err := sqlDB.ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}

func (b *backend) close() {
	if b.srv != nil {
		b.srv.Close()
	}
	if b.db != nil {
		if err := b.db.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "close %s: %v\n", b.name, err)
		}
	}
	b.srv, b.db = nil, nil
}

// createPlain creates database name on the plain server. Commits there do not wait for the WAL
// flush, like the Citus cluster's nodes (scripts/citus/cluster sets synchronous_commit = off,
// fsync = off), so the comparison is of the architectures, not of the durability settings.
func createPlain(ctx context.Context, admin, name string) (string, func(), error) {
	if err := exec(ctx, admin, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("create plain database: %w", err)
	}
	drop := func() { dropDatabase(admin, name) }
	if err := exec(ctx, admin, "ALTER DATABASE "+name+" SET synchronous_commit = off"); err != nil {
		drop()
		return "", nil, err
	}
	return withDatabase(admin, name), drop, nil
}

// createCitus creates database name on the coordinator at admin, like storetest.CitusURL: CREATE
// DATABASE propagates to the workers (citus.enable_create_database_propagation), each worker's
// copy needs the extension, then the new database gets it and learns the nodes.
func createCitus(ctx context.Context, admin, name string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", nil, fmt.Errorf("connect to the Citus coordinator: %w", err)
	}
	defer conn.Close(context.Background())
	var coordHost string
	var coordPort int
	if err := conn.QueryRow(ctx, "SELECT nodename, nodeport FROM pg_dist_node WHERE groupid = 0").Scan(&coordHost, &coordPort); err != nil {
		return "", nil, fmt.Errorf("the coordinator is not registered: %w", err)
	}
	type node struct {
		host string
		port int
	}
	rows, err := conn.Query(ctx, "SELECT nodename, nodeport FROM pg_dist_node WHERE groupid <> 0 AND noderole = 'primary' ORDER BY groupid")
	if err != nil {
		return "", nil, err
	}
	var workers []node
	for rows.Next() {
		var n node
		if err := rows.Scan(&n.host, &n.port); err != nil {
			rows.Close()
			return "", nil, err
		}
		workers = append(workers, n)
	}
	rows.Close()
	if len(workers) == 0 {
		return "", nil, errors.New("the Citus cluster has no workers")
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("create Citus database: %w", err)
	}
	drop := func() { dropDatabase(admin, name) }
	url := withDatabase(admin, name)
	stmts := []string{"CREATE EXTENSION IF NOT EXISTS citus", fmt.Sprintf("SELECT citus_set_coordinator_host('%s', %d)", coordHost, coordPort)}
	for _, w := range workers {
		wu, _ := neturl.Parse(url)
		wu.Host = fmt.Sprintf("%s:%d", w.host, w.port)
		if err := exec(ctx, wu.String(), "CREATE EXTENSION IF NOT EXISTS citus"); err != nil {
			drop()
			return "", nil, fmt.Errorf("citus extension on worker %s: %w", wu.Host, err)
		}
		stmts = append(stmts, fmt.Sprintf("SELECT citus_add_node('%s', %d)", w.host, w.port))
	}
	if err := exec(ctx, url, stmts...); err != nil {
		drop()
		return "", nil, fmt.Errorf("prepare Citus database: %w", err)
	}
	return url, drop, nil
}

func exec(ctx context.Context, url string, stmts ...string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// dropDatabase runs on its own context: it must happen even after a signal cancelled the run.
func dropDatabase(admin, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := exec(ctx, admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		fmt.Fprintf(os.Stderr, "bench-citus: drop database %s: %v\n", name, err)
	}
}

func withDatabase(url, name string) string {
	u, err := neturl.Parse(url)
	if err != nil {
		return url
	}
	u.Path = "/" + name
	return u.String()
}

// percentile is the nearest-rank percentile p of ds.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := (p*len(s) + 99) / 100 // ceil(p/100 * n)
	return s[max(rank, 1)-1]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// fromJSON builds a generated type from a JSON-shaped value (the 46-flag body, decimal fields).
func fromJSON[T any](v any) T {
	var out T
	b, _ := json.Marshal(v)
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
