package activity

import (
	"context"
	"reflect"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// TestQueuedEntryIsGORMs: the insert QueueJSON queues (Batch.Insert, without reflection) is GORM's
// Create of the same entry, to the statement text (PostgreSQL, where it is prepared by that text)
// and every bound value: a field added to the entry and not to its columns fails here.
func TestQueuedEntryIsGORMs(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		g := db.Gorm(context.Background())
		e := newEncodedEntry("org", "user", InvxDeleteDocuments, []byte(`{"count":1}`), time.Date(2026, 12, 1, 1, 2, 3, 0, time.UTC))
		want := g.Session(&gorm.Session{DryRun: true}).Omit(clause.Associations).Create(&e).Statement
		sql, vars := store.InsertStatement(g, e.TableName(), entryColumns, [][]any{e.values()})
		if db.DialectName() == "postgres" && sql != want.SQL.String() {
			t.Errorf("insert:\n%s\nGORM:\n%s", sql, want.SQL.String())
		}
		if !reflect.DeepEqual(vars, want.Vars) {
			t.Errorf("values\n%#v\nGORM:\n%#v", vars, want.Vars)
		}
	})
}
