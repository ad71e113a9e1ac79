package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// pipelinedTable makes the table these tests write, and returns a count of its rows read on
// another connection (outside any transaction the test holds).
func pipelinedTable(t *testing.T, db *store.DB) func() int {
	t.Helper()
	storetest.Exec(t, db, "CREATE TABLE pipelined_t (k varchar(10) PRIMARY KEY)")
	return func() int {
		t.Helper()
		var n int
		if err := db.Gorm(context.Background()).Raw("SELECT count(*) FROM pipelined_t").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
}

func insertK(b *store.Batch, k string) {
	b.Exec("insert "+k, nil, "INSERT INTO pipelined_t (k) VALUES (?)", k)
}

// What PipelinedTx's statements write commits whole: on PostgreSQL with its last batch, which
// nothing may follow; elsewhere when fn returns.
func TestPipelinedTxCommitsWithItsLastBatch(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rows := pipelinedTable(t, db)
		postgres := db.DialectName() == "postgres"
		err := db.PipelinedTx(ctx, func(tx *gorm.DB) error {
			b := store.NewBatch(tx)
			insertK(b, "a")
			if err := b.Run(); err != nil {
				return err
			}
			if err := tx.Exec("INSERT INTO pipelined_t (k) VALUES (?)", "b").Error; err != nil {
				return err
			}
			insertK(b, "c")
			if err := b.RunLast(); err != nil {
				return err
			}
			if postgres {
				if n := rows(); n != 3 {
					t.Errorf("after the last batch another connection sees %d rows, want 3", n)
				}
				if err := tx.Exec("INSERT INTO pipelined_t (k) VALUES (?)", "d").Error; err == nil {
					t.Error("a statement after the last batch ran")
				}
				insertK(b, "e")
				if err := b.Run(); err == nil {
					t.Error("a batch after the last batch ran")
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := rows(); n != 3 {
			t.Errorf("%d rows committed, want 3", n)
		}
		// A transaction that sent nothing commits nothing, without error.
		if err := db.PipelinedTx(ctx, func(*gorm.DB) error { return nil }); err != nil {
			t.Errorf("empty transaction: %v", err)
		}
	})
}

// A failure anywhere, a statement of the last batch included (whose COMMIT then never runs), keeps
// nothing of the transaction (only the outermost transaction's last batch commits), and leaves no
// transaction open on the server, not even when the context was cancelled: an open one would hold
// its locks. With one connection in the pool, each count is read on the very connection the
// transaction used.
func TestPipelinedTxKeepsNothingOfAFailure(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rows := pipelinedTable(t, db)
		sqlDB, err := db.SQL()
		if err != nil {
			t.Fatal(err)
		}
		sqlDB.SetMaxOpenConns(1)
		openTransactions := func() int { return 0 }
		if db.DialectName() == "postgres" {
			watcher := storetest.PlainDB(t, storetest.Postgres, db.URL())
			openTransactions = func() int {
				t.Helper()
				var n int
				if err := watcher.QueryRow(`SELECT count(*) FROM pg_stat_activity
					WHERE datname = current_database() AND state LIKE 'idle in transaction%'`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
		}
		cases := map[string]func(ctx context.Context, cancel func(), tx *gorm.DB) error{
			"the last batch fails": func(_ context.Context, _ func(), tx *gorm.DB) error {
				b := store.NewBatch(tx)
				insertK(b, "a")
				if err := b.Run(); err != nil {
					return err
				}
				insertK(b, "b")
				insertK(b, "a")
				err := b.RunLast()
				if !store.IsUniqueViolation(err) {
					t.Errorf("duplicate key in the last batch: %v", err)
				}
				return err
			},
			"refused between batches": func(_ context.Context, _ func(), tx *gorm.DB) error {
				b := store.NewBatch(tx)
				insertK(b, "a")
				if err := b.Run(); err != nil {
					return err
				}
				return errors.New("refused")
			},
			"refused after a nested transaction's last batch": func(_ context.Context, _ func(), tx *gorm.DB) error {
				err := tx.Transaction(func(inner *gorm.DB) error {
					b := store.NewBatch(inner)
					insertK(b, "a")
					return b.RunLast()
				})
				if err != nil {
					return err
				}
				return errors.New("refused")
			},
			"cancelled before a COMMIT sent alone": func(_ context.Context, cancel func(), tx *gorm.DB) error {
				if err := tx.Exec("INSERT INTO pipelined_t (k) VALUES (?)", "a").Error; err != nil {
					return err
				}
				cancel()
				return nil
			},
			"cancelled between batches": func(ctx context.Context, cancel func(), tx *gorm.DB) error {
				b := store.NewBatch(tx)
				insertK(b, "a")
				if err := b.Run(); err != nil {
					return err
				}
				cancel()
				insertK(b, "b")
				return b.RunLast()
			},
		}
		for name, fn := range cases {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			err := db.PipelinedTx(ctx, func(tx *gorm.DB) error { return fn(ctx, cancel, tx) })
			cancel()
			if err == nil {
				t.Errorf("%s: no error", name)
			}
			if n := openTransactions(); n != 0 {
				t.Errorf("%s: %d transactions left open", name, n)
			}
			if n := rows(); n != 0 {
				t.Errorf("%s: %d rows kept, want 0", name, n)
			}
		}
	})
}

// Inside an Idempotent request the request's transaction decides: a last batch does not commit it,
// and a request that is not kept leaves nothing.
func TestPipelinedTxInARequestCommitsWithTheRequest(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rows := pipelinedTable(t, db)
		k := store.IdempotencyKey{OrgID: "org-a", CallerID: "u1", Key: "pipelined", Fingerprint: "f", TTL: time.Hour}
		_, _, err := db.Idempotent(ctx, k, func(ctx context.Context) (store.StoredResponse, bool, error) {
			err := db.PipelinedTx(ctx, func(tx *gorm.DB) error {
				b := store.NewBatch(tx)
				insertK(b, "a")
				return b.RunLast()
			})
			if err == nil && db.DialectName() == "postgres" && rows() != 0 {
				t.Error("the last batch committed the request")
			}
			// A 5xx answer: the request is rolled back.
			return store.StoredResponse{Status: 503, ContentType: "application/json", Body: []byte(`{}`)}, false, err
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := rows(); n != 0 {
			t.Errorf("%d rows kept of a request rolled back, want 0", n)
		}
	})
}

// PostgreSQL answers the COMMIT of a transaction in which a statement failed with ROLLBACK, without
// an error: a caller that went on past the failure gets an error, not a silent loss.
func TestPipelinedTxReportsACommitThatRolledBack(t *testing.T) {
	t.Parallel()
	storetest.OnlyPostgres(t, func(t *testing.T, db *store.DB) {
		rows := pipelinedTable(t, db)
		for _, last := range []bool{false, true} {
			err := db.PipelinedTx(context.Background(), func(tx *gorm.DB) error {
				b := store.NewBatch(tx)
				insertK(b, "a")
				if err := b.Run(); err != nil {
					return err
				}
				_ = tx.Exec("INSERT INTO pipelined_t (k) VALUES (?)", "a").Error // fails; ignored
				if !last {
					return nil
				}
				insertK(b, "b")
				_ = b.RunLast() // fails too: the transaction is aborted; ignored
				return nil
			})
			if err == nil {
				t.Errorf("last batch %v: a commit that rolled back reported no error", last)
			}
			if n := rows(); n != 0 {
				t.Errorf("last batch %v: %d rows kept, want 0", last, n)
			}
		}
	})
}

// A last batch that reads rows does not carry the COMMIT: reading them could still fail after it
// ran. The transaction commits when fn returns instead.
func TestPipelinedTxCommitsNoLastBatchThatReads(t *testing.T) {
	t.Parallel()
	storetest.OnlyPostgres(t, func(t *testing.T, db *store.DB) {
		rows := pipelinedTable(t, db)
		err := db.PipelinedTx(context.Background(), func(tx *gorm.DB) error {
			b := store.NewBatch(tx)
			insertK(b, "a")
			var n int
			b.Query("count", func(r store.Rows) error {
				for r.Next() {
					if err := r.Scan(&n); err != nil {
						return err
					}
				}
				return nil
			}, "SELECT count(*) FROM pipelined_t")
			if err := b.RunLast(); err != nil {
				return err
			}
			if n != 1 {
				t.Errorf("the batch read %d rows, want 1", n)
			}
			if got := rows(); got != 0 {
				t.Errorf("another connection sees %d rows before fn returned, want 0", got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := rows(); n != 1 {
			t.Errorf("%d rows committed, want 1", n)
		}
	})
}

// When the last batch's COMMIT itself fails (a deferred constraint), the transaction is over on the
// server: a statement after it is refused rather than run on its own, and nothing is kept.
func TestPipelinedTxRefusesStatementsAfterAFailedCommit(t *testing.T) {
	t.Parallel()
	storetest.OnlyPostgres(t, func(t *testing.T, db *store.DB) {
		storetest.Exec(t, db, "CREATE TABLE pipelined_d (k varchar(10), CONSTRAINT pipelined_d_k UNIQUE (k) DEFERRABLE INITIALLY DEFERRED)")
		err := db.PipelinedTx(context.Background(), func(tx *gorm.DB) error {
			b := store.NewBatch(tx)
			b.Exec("insert a", nil, "INSERT INTO pipelined_d (k) VALUES ('a')")
			b.Exec("insert a again", nil, "INSERT INTO pipelined_d (k) VALUES ('a')")
			if err := b.RunLast(); !store.IsUniqueViolation(err) {
				t.Errorf("the COMMIT's deferred check: %v", err)
			}
			if err := tx.Exec("INSERT INTO pipelined_d (k) VALUES ('c')").Error; err == nil {
				t.Error("a statement ran after the failed COMMIT")
			}
			return nil
		})
		if err == nil {
			t.Error("a failed COMMIT reported no error")
		}
		var n int
		if err := db.Gorm(context.Background()).Raw("SELECT count(*) FROM pipelined_d").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d rows kept, want 0", n)
		}
	})
}
