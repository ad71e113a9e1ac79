// Package invx is the invx (Vayana e-invoicing) family's store: pre-registration GST documents,
// the buyer's state machine over them (document.go), the bulk actions (bulk.go) and their
// set-based SQL (sql.go), and the seeder of demo data (seed.go).
package invx

import (
	"sync/atomic"

	"gorm.io/gorm"

	"github.com/deletesvc/deletesvc/store"
)

// Store reads and writes the invx family's tables.
type Store struct {
	db  *store.DB
	sql statements
	// lz4 is whether the database compresses with lz4: 0 not known yet, 1 yes, 2 no.
	lz4 atomic.Int32
}

// largeBatch is the number of items from which a batch tunes its transaction (tuneLarge): about
// where its activity entry passes PostgreSQL's 2 KB compression threshold (some 100 bytes a
// document); below it the extra round trip would cost more than it saves.
const largeBatch = 16

// tuneLarge sets, for the rest of tx, what a large batch needs on PostgreSQL (one statement):
//   - plan_cache_mode force_custom_plan: after five runs of the cached statement PostgreSQL
//     chose its generic plan, whose id = ANY($n) is a linear search of the 1000 ids for every
//     row instead of a hash, and the UPDATE took 9.9 ms instead of 4.4 (median of 73 in
//     scripts/bench, where the raw UPDATE kept its custom plan: 4.2 ms);
//   - default_toast_compression lz4, where the server has it (PostgreSQL 14+ built with lz4):
//     the activity entry of 1000 documents is about 110 KB, and pglz took 1.1 ms more to store
//     it. Each value records its method, so readers and older values are unaffected.
//
// The settings end with the transaction (SET LOCAL); on Citus they apply to the coordinator. They are
// queued in b, ahead of the statements they tune.
// Whether the server has lz4 is asked once per Store, in tx; a failed look-up is asked again next time.
func (s *Store) tuneLarge(tx *gorm.DB, b *store.Batch) error {
	if !s.sql.tunesLarge {
		return nil
	}
	if s.lz4.Load() == 0 {
		var ok bool
		if err := tx.Raw(LZ4Supported).Scan(&ok).Error; err != nil {
			return err
		}
		known := int32(2)
		if ok {
			known = 1
		}
		s.lz4.Store(known)
	}
	b.Exec("tune the batch's transaction", nil, LargeBatchTuning(s.lz4.Load() == 1))
	return nil
}

// New is the invx store on db.
func New(db *store.DB) *Store { return &Store{db: db, sql: newStatements(db.Dialect())} }
