package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// A batch's statements run in order, each seeing the ones before, inside the caller's transaction:
// pipelined on PostgreSQL in Tx and in an Idempotent request, one after another elsewhere.
func TestBatch(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		postgres := db.DialectName() == "postgres"
		fill := func(tx *gorm.DB) ([]string, int64, error) {
			if err := tx.Exec("CREATE TEMP TABLE IF NOT EXISTS batch_t (k varchar(10) PRIMARY KEY, n integer NOT NULL)").Error; err != nil {
				return nil, 0, err
			}
			var keys []string
			var changed int64
			b := store.NewBatch(tx)
			b.Exec("insert a", nil, "INSERT INTO batch_t (k, n) VALUES (?, ?)", "a", 1)
			b.Exec("insert b", nil, "INSERT INTO batch_t (k, n) VALUES (@k, @n)", map[string]any{"k": "b", "n": 2})
			b.Insert("insert c, d, e", "batch_t", []string{"k", "n"}, [][]any{{"c", 3}, {"d", 4}, {"e", 5}}, 2) // two statements
			b.Exec("bump", &changed, "UPDATE batch_t SET n = n + 1")
			b.Query("read", func(r store.Rows) error {
				for r.Next() {
					var k string
					var n int
					if err := r.Scan(&k, &n); err != nil {
						return err
					}
					keys = append(keys, k+"="+string(rune('0'+n)))
				}
				return nil
			}, "SELECT k, n FROM batch_t ORDER BY k")
			return keys, changed, b.Run()
		}
		err := db.Tx(ctx, func(tx *gorm.DB) error {
			if store.Pipelines(tx) != postgres {
				t.Errorf("pipelined %v on %s", store.Pipelines(tx), db.DialectName())
			}
			keys, changed, err := fill(tx)
			if err != nil {
				return err
			}
			if strings.Join(keys, ",") != "a=2,b=3,c=4,d=5,e=6" || changed != 5 {
				t.Errorf("read %v after changing %d rows", keys, changed)
			}
			// The first error ends the batch, named, and keeps its kind.
			b := store.NewBatch(tx)
			b.Exec("insert a again", nil, "INSERT INTO batch_t (k, n) VALUES (?, ?)", "a", 9)
			b.Exec("never", nil, "UPDATE batch_t SET n = 0")
			err = b.Run()
			if !store.IsUniqueViolation(err) || !strings.HasPrefix(err.Error(), "insert a again: ") {
				t.Errorf("duplicate key: %v", err)
			}
			return errors.New("roll back")
		})
		if err == nil || err.Error() != "roll back" {
			t.Fatal(err)
		}

		k := store.IdempotencyKey{OrgID: "org-a", CallerID: "u1", Key: "batch", Fingerprint: "f", TTL: time.Hour}
		_, _, err = db.Idempotent(ctx, k, func(ctx context.Context) (store.StoredResponse, bool, error) {
			err := db.Tx(ctx, func(tx *gorm.DB) error {
				if store.Pipelines(tx) != postgres {
					t.Errorf("in a request: pipelined %v on %s", store.Pipelines(tx), db.DialectName())
				}
				keys, _, err := fill(tx)
				if err == nil && strings.Join(keys, ",") != "a=2,b=3,c=4,d=5,e=6" {
					t.Errorf("in a request: read %v", keys)
				}
				return err
			})
			return store.StoredResponse{Status: 200, ContentType: "application/json", Body: []byte(`{}`)}, true, err
		})
		if err != nil {
			t.Fatal(err)
		}
		// A read-only transaction is not begun for batches: they run one by one, still inside it.
		if err := db.ReadTx(ctx, func(tx *gorm.DB) error {
			if store.Pipelines(tx) {
				t.Error("a read transaction pipelines")
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
}
