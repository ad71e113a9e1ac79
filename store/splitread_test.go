package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
	"gorm.io/gorm"
)

// probe is what one half of a SplitRead saw: the rows of split_probe and the backend it ran on.
type probe struct {
	rows    int64
	backend int64 // pg_backend_pid(); 0 on SQLite
}

func readProbe(tx *gorm.DB, into *probe) error {
	if err := tx.Raw("SELECT count(*) FROM split_probe").Scan(&into.rows).Error; err != nil {
		return err
	}
	if tx.Dialector.Name() == "sqlite" {
		return nil
	}
	return tx.Raw("SELECT pg_backend_pid()").Scan(&into.backend).Error
}

// withSplitProbe gives db the table split_probe, holding one row.
func withSplitProbe(t *testing.T, db *store.DB) {
	t.Helper()
	g := db.Gorm(context.Background())
	if err := g.Exec("CREATE TABLE split_probe (n integer)").Error; err != nil {
		t.Fatal(err)
	}
	if err := g.Exec("INSERT INTO split_probe VALUES (1)").Error; err != nil {
		t.Fatal(err)
	}
}

// Both halves of a SplitRead read the read transaction's snapshot: a row committed after it was
// taken is seen by neither, though on PostgreSQL the second half runs on another backend, which
// began after that commit. On SQLite and Citus both run on the transaction's connection.
func TestSplitReadSharesOneSnapshot(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		withSplitProbe(t, db)
		var before, first, second probe
		err := db.ReadTx(ctx, func(tx *gorm.DB) error {
			if err := readProbe(tx, &before); err != nil { // takes the snapshot
				return err
			}
			if err := db.Gorm(store.Detached(ctx)).Exec("INSERT INTO split_probe VALUES (2)").Error; err != nil {
				return err
			}
			return db.SplitRead(ctx, tx, func(tx *gorm.DB) error { return readProbe(tx, &first) },
				func(tx *gorm.DB) error { return readProbe(tx, &second) })
		})
		if err != nil {
			t.Fatal(err)
		}
		if before.rows != 1 || first.rows != 1 || second.rows != 1 {
			t.Errorf("rows seen: before %d, first half %d, second half %d; want 1 each (the snapshot's)", before.rows, first.rows, second.rows)
		}
		if first.backend != before.backend {
			t.Errorf("first half on backend %d, not the transaction's %d", first.backend, before.backend)
		}
		beside := strings.HasSuffix(t.Name(), "/"+string(storetest.Postgres))
		if got := second.backend != before.backend; got != beside {
			t.Errorf("second half on another backend: %v, want %v (backends %d, %d)", got, beside, before.backend, second.backend)
		}
	})
}

// While half the pool or more is in use, the second half runs on the transaction's own connection
// after the first rather than take another: in a pool of one none is free, and in a pool of two
// the last one stays for other requests.
func TestSplitReadLeavesHalfThePool(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := storetest.URL(t, storetest.Postgres)
	for _, size := range []int{1, 2} {
		opts := storetest.Options()
		opts.Pool = store.Pool{MaxOpen: size}
		db, err := store.Open(ctx, url, opts)
		if err != nil {
			t.Fatal(err)
		}
		if size == 1 { // one database for both sizes: the table made once
			withSplitProbe(t, db)
		}
		var first, second probe
		err = db.ReadTx(ctx, func(tx *gorm.DB) error {
			if err := tx.Exec("SELECT 1").Error; err != nil {
				return err
			}
			return db.SplitRead(ctx, tx, func(tx *gorm.DB) error { return readProbe(tx, &first) },
				func(tx *gorm.DB) error { return readProbe(tx, &second) })
		})
		_ = db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if first.rows != 1 || second.rows != 1 || first.backend != second.backend {
			t.Errorf("pool of %d: halves saw %d and %d rows on backends %d and %d; want 1 each, on one backend",
				size, first.rows, second.rows, first.backend, second.backend)
		}
	}
}

// An error in either half is SplitRead's, and the transaction ends with it.
func TestSplitReadReportsEitherHalfsError(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		withSplitProbe(t, db)
		ok := func(tx *gorm.DB) error { return readProbe(tx, &probe{}) }
		bad := func(tx *gorm.DB) error { return tx.Exec("SELECT * FROM no_such_table").Error }
		for name, halves := range map[string][2]func(*gorm.DB) error{"first": {bad, ok}, "second": {ok, bad}} {
			err := db.ReadTx(ctx, func(tx *gorm.DB) error {
				if err := tx.Exec("SELECT 1").Error; err != nil {
					return err
				}
				return db.SplitRead(ctx, tx, halves[0], halves[1])
			})
			if err == nil || !strings.Contains(err.Error(), "no_such_table") {
				t.Errorf("%s half failing: SplitRead gave %v, want the missing table's error", name, err)
			}
		}
	})
}
