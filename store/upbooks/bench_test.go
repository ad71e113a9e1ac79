package upbooks_test

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/store/upbooks"

	"github.com/deletesvc/deletesvc/store/storetest"
)

// BenchmarkDeleteSelective seeds two organizations with UPBOOKS_BENCH_ROWS rows each
// (default 1,000,000) on PostgreSQL, then times, in the same run, DeleteSelectiveData with every
// flag true on one and the plain "DELETE FROM <table> WHERE organization_id = $1" of every table
// (children first, one transaction) on the other. Run it with scripts/bench-upbooks.
func BenchmarkDeleteSelective(b *testing.B) {
	rows := 1_000_000
	if v := os.Getenv("UPBOOKS_BENCH_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("UPBOOKS_BENCH_ROWS: %v", err)
		}
		rows = n
	}
	db := storetest.DB(b, storetest.Postgres)
	s := upbooks.New(db)
	ctx := context.Background()
	b.StopTimer()
	owner, org := seededTenant(b, db, 0)
	_, twin := seededTenant(b, db, 0)
	start := time.Now()
	for _, id := range []string{org.ID, twin.ID} {
		if err := s.Seed(ctx, storetest.Identity(db), id, rows, nil); err != nil {
			b.Fatal(err)
		}
	}
	seeding := time.Since(start) / 2
	if err := s.Exec(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	var selective, raw time.Duration
	var deleted int64
	runSelective := func() {
		b.StartTimer()
		start := time.Now()
		res, err := s.DeleteSelective(ctx, upbooks.SelectiveDelete{OrgID: org.ID, UserID: owner.ID, Categories: upbooks.CategoryNames()})
		selective = time.Since(start)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		for name, n := range res.Deleted {
			if name != "orgSettings" {
				deleted += n
			}
		}
	}
	runRaw := func() {
		start := time.Now()
		if err := s.RawDelete(ctx, twin.ID); err != nil {
			b.Fatal(err)
		}
		raw = time.Since(start)
	}
	// Whichever runs second finds the other's dead rows in the tables: UPBOOKS_BENCH_RAW_FIRST=1
	// swaps the order to show how much that matters.
	for range b.N {
		if os.Getenv("UPBOOKS_BENCH_RAW_FIRST") == "1" {
			runRaw()
			runSelective()
		} else {
			runSelective()
			runRaw()
		}
	}
	b.ReportMetric(float64(deleted), "rows-deleted")
	b.ReportMetric(seeding.Seconds(), "seed-s/org")
	b.ReportMetric(selective.Seconds(), "selective-s")
	b.ReportMetric(raw.Seconds(), "raw-delete-s")
	b.ReportMetric(selective.Seconds()/raw.Seconds(), "selective/raw")
	b.ReportMetric(float64(deleted)/selective.Seconds(), "selective-rows/s")
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
