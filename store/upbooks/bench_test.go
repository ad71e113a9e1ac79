package upbooks_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/upbooks"

	"github.com/deletesvc/deletesvc/store/storetest"
)

// BenchmarkDeleteSelective compares, side by side, the selective delete of every flag with the
// plain deletes of the same rows (one "DELETE FROM <table> WHERE organization_id = ?" per table,
// children first, one transaction) with the schema's foreign keys, and the same plain deletes
// without them; the faster of the two is the floor. Each size is seeded once; every round clones
// that database once per variant, so each variant deletes from the same bytes, and the variants
// take turns first. The dry run of the same request is timed on its own clone too, beside the floor
// of counting: the dry run's two COUNT statements sent bare over plain database/sql connections,
// side by side on PostgreSQL as the dry run sends them (no transaction, no snapshot, no membership
// read). A dry run cannot cost less than those counts; when they alone take more than a tenth of
// the delete, so does any dry run that counts exactly. The count is timed once more with the
// organization_id indexes (migration 12) dropped: what that index buys. What it costs writes is
// timed too: every row of the organization inserted again into the emptied tables, in one
// transaction with the foreign keys checked, with the indexes and without them. It prints the
// medians and ratios. Run it with scripts/bench-upbooks.
//
//	UPBOOKS_BENCH_ROWS      sizes, comma-separated (default 10000,100000)
//	UPBOOKS_BENCH_ROUNDS    rounds per size (default 5)
//	UPBOOKS_BENCH_BACKENDS  postgres,sqlite (default both)
//	UPBOOKS_BENCH_JSON      also write the medians and rounds to this file (scripts/bench reads them)
func BenchmarkDeleteSelective(b *testing.B) {
	sizes := benchInts(b, "UPBOOKS_BENCH_ROWS", "10000,100000")
	rounds := benchInts(b, "UPBOOKS_BENCH_ROUNDS", "5")[0]
	backends := []storetest.Backend{storetest.Postgres, storetest.SQLite}
	if v := os.Getenv("UPBOOKS_BENCH_BACKENDS"); v != "" {
		backends = nil
		for _, name := range strings.Split(v, ",") {
			backends = append(backends, storetest.Backend(name))
		}
	}
	// "unindexed" drops the organization_id indexes (PostgreSQL's: SQLite has none) from the clone
	// before the clock.
	variantsOf := func(backend storetest.Backend) []string {
		if backend == storetest.SQLite {
			return []string{"service", "raw+FKs", "floor", "dryRun", "countFloor"}
		}
		return []string{"service", "raw+FKs", "floor", "dryRun", "countFloor", "countUnindexed", "insert", "insertUnindexed"}
	}
	var table []benchRow
	for range b.N {
		table = table[:0]
		for _, backend := range backends {
			for _, rows := range sizes {
				began := time.Now()
				tpl, owner, org := seededTemplate(b, backend, rows)
				samples := map[string][]time.Duration{}
				variants := variantsOf(backend)
				for round := range rounds {
					for i := range variants {
						v := variants[(i+round)%len(variants)]
						samples[v] = append(samples[v], timeVariant(b, backend, tpl, v, owner, org))
					}
				}
				med := map[string]time.Duration{}
				for v, ds := range samples {
					sorted := slices.Clone(ds)
					slices.Sort(sorted)
					med[v] = sorted[len(sorted)/2]
				}
				// The floor is the faster of the raw deletes: on SQLite at 100,000 rows and more the
				// one with the foreign keys checked took 0.56-0.82x as long as the one without.
				med["fastestRaw"] = min(med["raw+FKs"], med["floor"])
				r := benchRow{backend, rows, med, samples}
				table = append(table, r)
				// Each size's row as soon as it is measured: a long run stopped later keeps it.
				fmt.Fprintf(os.Stderr, "upbooks %s %d rows: %s\n%s\n", backend, rows, time.Since(began).Round(time.Second), r)
			}
		}
	}
	fmt.Printf("\nUpbooks selective delete, all 46 flags: medians of %d interleaved rounds, a fresh clone per variant and round\n", rounds)
	fmt.Printf("%s\n", benchHeader)
	for _, r := range table {
		fmt.Println(r)
		b.ReportMetric(r.ratio("service", "fastestRaw"), fmt.Sprintf("service/fastestRaw-%s-%d", r.backend, r.rows))
	}
	// The spread behind each median: on a shared machine one round can be far off.
	for _, r := range table {
		fmt.Printf("%s %d rows, every round (ms):", r.backend, r.rows)
		for _, v := range variantsOf(r.backend) {
			ms := make([]string, len(r.samples[v]))
			for i, d := range r.samples[v] {
				ms[i] = fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond))
			}
			fmt.Printf(" %s [%s]", v, strings.Join(ms, " "))
		}
		fmt.Println()
	}
	if path := os.Getenv("UPBOOKS_BENCH_JSON"); path != "" {
		// For scripts/bench, which prints every workload in one table.
		type out struct {
			Backend string                     `json:"backend"`
			Rows    int                        `json:"rows"`
			Median  map[string]time.Duration   `json:"median"`
			Rounds  map[string][]time.Duration `json:"rounds"` // each variant's, in round order
		}
		var all []out
		for _, r := range table {
			all = append(all, out{string(r.backend), r.rows, r.median, r.samples})
		}
		data, err := json.Marshal(all)
		if err == nil {
			err = os.WriteFile(path, data, 0o644)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// benchRow is one backend and size: each variant's median and its samples in round order.
type benchRow struct {
	backend storetest.Backend
	rows    int
	median  map[string]time.Duration
	samples map[string][]time.Duration
}

const benchHeader = "| backend | rows | service | raw SQL, same FKs | raw SQL, no FKs | service/faster raw (the floor) | raw+FKs/no FKs | dryRun | count floor | dryRun/service | count floor/service | dryRun/count floor | count without the org indexes | its /service | insert | insert without the org indexes | insert/unindexed |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"

func (r benchRow) ratio(a, b string) float64 { return r.median[a].Seconds() / r.median[b].Seconds() }

// String is the row in benchHeader's columns; "-" where the backend has no such variant.
func (r benchRow) String() string {
	ms := func(v string) string {
		if _, ok := r.median[v]; !ok {
			return "-"
		}
		return benchMS(r.median[v])
	}
	x := func(a, b string) string {
		if _, ok := r.median[a]; !ok {
			return "-"
		}
		return fmt.Sprintf("%.2fx", r.ratio(a, b))
	}
	return fmt.Sprintf("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |", r.backend, r.rows,
		ms("service"), ms("raw+FKs"), ms("floor"), x("service", "fastestRaw"), x("raw+FKs", "floor"),
		ms("dryRun"), ms("countFloor"), x("dryRun", "service"), x("countFloor", "service"), x("dryRun", "countFloor"),
		ms("countUnindexed"), x("countUnindexed", "service"), ms("insert"), ms("insertUnindexed"), x("insert", "insertUnindexed"))
}

func benchMS(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func benchInts(b *testing.B, env, def string) []int {
	v := os.Getenv(env)
	if v == "" {
		v = def
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			b.Fatalf("%s: %q is not a positive number", env, f)
		}
		out = append(out, n)
	}
	return out
}

// seededTemplate is a migrated database holding one organization seeded with rows rows, closed,
// with its statistics and visibility map up to date, for clones.
func seededTemplate(b *testing.B, backend storetest.Backend, rows int) (tpl, owner, org string) {
	url := storetest.URL(b, backend)
	db, err := store.Open(context.Background(), url, storetest.Options())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	u, o := storetest.Tenant(b, db, fmt.Sprintf("bench%d@example.com", rows))
	s := upbooks.New(db)
	if err := s.Seed(context.Background(), storetest.Identity(db), o.ID, rows, nil); err != nil {
		b.Fatal(err)
	}
	maintain := "VACUUM ANALYZE"
	if backend == storetest.SQLite {
		maintain = "ANALYZE"
	}
	if err := s.Exec(context.Background(), maintain); err != nil {
		b.Fatal(err)
	}
	return url, u.ID, o.ID
}

// timeVariant clones tpl and times one variant on the clone.
func timeVariant(b *testing.B, backend storetest.Backend, tpl, variant, owner, org string) time.Duration {
	ctx := context.Background()
	url, drop := storetest.Clone(b, backend, tpl)
	defer drop()
	db, err := store.Open(ctx, url, storetest.Options())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	s := upbooks.New(db)
	if variant == "floor" {
		// The same deletes without foreign keys: dropped on PostgreSQL; off on SQLite's one
		// connection, SQLite having no DROP CONSTRAINT.
		if err := s.DropForeignKeys(ctx); err != nil {
			b.Fatal(err)
		}
	}
	// A fresh database's first statement on each table loads its catalog entries: done for every
	// variant before the clock starts, so none pays it inside.
	sqlDB, err := db.SQL()
	if err != nil {
		b.Fatal(err)
	}
	warmCatalogs(b, backend, sqlDB)
	if variant == "countUnindexed" || variant == "insertUnindexed" {
		if err := s.DropOrganizationIndexes(ctx); err != nil {
			b.Fatal(err)
		}
	}
	if variant == "insert" || variant == "insertUnindexed" {
		// The rows are kept aside in plain tables and the tenant tables emptied, before the clock.
		if err := s.SetRowsAside(ctx); err != nil {
			b.Fatal(err)
		}
	}
	if variant == "service" || variant == "dryRun" {
		// What the store reads once per process, read before the clock starts.
		if err := s.WarmUp(ctx); err != nil {
			b.Fatal(err)
		}
	}
	dry := upbooks.SelectiveDelete{OrgID: org, UserID: owner, Categories: upbooks.CategoryNames(), DryRun: true}
	// The count floor: the dry run's two statements alone, on plain connections whose catalogs are
	// loaded like the store's (the caller is the owner, as in the dry run timed): side by side on
	// PostgreSQL, as the dry run sends them, one after the other on SQLite.
	var plain *sql.DB
	queries, args, columns := upbooks.DryRunCounts(org, owner, owner)
	for i := range queries {
		queries[i] = storetest.Rebind(backend, queries[i]) // before the clock, as the store's text is ready
	}
	countOne := func(i int) error {
		cols := make([]int64, columns[i])
		ptrs := make([]any, len(cols))
		for i := range cols {
			ptrs[i] = &cols[i]
		}
		return plain.QueryRowContext(ctx, queries[i], args[i]...).Scan(ptrs...)
	}
	count := func() error {
		if backend == storetest.SQLite {
			return errors.Join(countOne(0), countOne(1))
		}
		done := make(chan error, 1)
		go func() { done <- countOne(1) }()
		return errors.Join(countOne(0), <-done)
	}
	if variant == "countFloor" || variant == "countUnindexed" {
		plain = storetest.PlainDB(b, backend, url)
		defer plain.Close() // before the clone is dropped, not at the end of the benchmark
		warmCatalogs(b, backend, plain)
	}
	b.StartTimer()
	start := time.Now()
	switch variant {
	case "service":
		_, err = s.DeleteSelective(ctx, upbooks.SelectiveDelete{OrgID: org, UserID: owner, Categories: upbooks.CategoryNames()})
	case "dryRun":
		_, err = s.DeleteSelective(ctx, dry)
	case "countFloor", "countUnindexed":
		err = count()
	case "insert", "insertUnindexed":
		err = s.InsertRowsSetAside(ctx)
	default:
		err = s.RawDelete(ctx, org)
	}
	took := time.Since(start)
	b.StopTimer()
	if err != nil {
		b.Fatalf("%s: %v", variant, err)
	}
	return took
}

// warmCatalogs loads every tenant table's catalog entries on each connection of pool a variant
// may use: two at once on PostgreSQL (the dry run counts on two), one on SQLite.
func warmCatalogs(b *testing.B, backend storetest.Backend, pool *sql.DB) {
	ctx := context.Background()
	n := 2
	if backend == storetest.SQLite {
		n = 1
	}
	n = max(n, pool.Stats().OpenConnections)
	var conns []*sql.Conn
	for range n { // held together, so that each is another connection
		c, err := pool.Conn(ctx)
		if err != nil {
			b.Fatal(err)
		}
		conns = append(conns, c)
		for _, t := range upbooks.Tables() {
			if _, err := c.ExecContext(ctx, storetest.Rebind(backend, "SELECT count(*) FROM "+t.Name+" WHERE organization_id = ''")); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, c := range conns {
		_ = c.Close()
	}
}

// BenchmarkConcurrentDeletesAcrossTenants runs eight selective deletes at once, each in its own
// organization, choosing either a category held in tenant tables (documents) or orgSettings, whose
// reset writes the organization's state. That state used to be in organizations, a reference table
// on Citus, where a write holds the table on every node until commit and so serialised tenants;
// side by side the two say whether it still does. On PostgreSQL, and on Citus when TEST_CITUS_URL
// is set.
func BenchmarkConcurrentDeletesAcrossTenants(b *testing.B) {
	const tenants = 8
	for _, backend := range storetest.Backends {
		if backend == storetest.SQLite {
			continue // one writer at a time: serialised by design
		}
		b.Run(string(backend), func(b *testing.B) {
			db := storetest.DB(b, backend)
			s := upbooks.New(db)
			type tenant struct{ user, org string }
			var ts []tenant
			for i := range tenants {
				u, org := storetest.Tenant(b, db, "bench"+strconv.Itoa(i)+"@example.com")
				ts = append(ts, tenant{u.ID, org.ID})
			}
			for _, category := range []string{"documents", "orgSettings"} {
				b.Run(category, func(b *testing.B) {
					for b.Loop() {
						var wg sync.WaitGroup
						errs := make(chan error, tenants)
						for _, tn := range ts {
							wg.Add(1)
							go func() {
								defer wg.Done()
								_, err := s.DeleteSelective(context.Background(), upbooks.SelectiveDelete{OrgID: tn.org, UserID: tn.user, Categories: []string{category}})
								errs <- err
							}()
						}
						wg.Wait()
						close(errs)
						for err := range errs {
							if err != nil {
								b.Fatal(err)
							}
						}
					}
				})
			}
		})
	}
}
