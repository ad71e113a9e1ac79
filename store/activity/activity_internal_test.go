package activity

import (
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// TestQueuedEntryIsGORMs: the insert QueueJSON queues (Batch.Insert, without reflection) is GORM's
// Create of the same entry.
func TestQueuedEntryIsGORMs(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEncodedEntry("org", "user", InvxDeleteDocuments, `{"count":1}`, time.Date(2026, 12, 1, 1, 2, 3, 0, time.UTC))
		storetest.SameInsertAsGORM(t, db, &e, e.TableName(), entryColumns, [][]any{e.values()})
	})
}
