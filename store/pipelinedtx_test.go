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
// nothing of the transaction (only the outermost transaction's last batch commits), and its connection goes back to the pool out of it: with one
// connection in the pool, the count after each is read on the very connection the transaction used.
func TestPipelinedTxKeepsNothingOfAFailure(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rows := pipelinedTable(t, db)
		sqlDB, err := db.SQL()
		if err != nil {
			t.Fatal(err)
		}
		sqlDB.SetMaxOpenConns(1)
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
