package upbooks_test

import (
	"context"
	"os"
	"strconv"
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
