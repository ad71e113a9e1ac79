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

// compressFastFrom is the number of deleted documents from which an activity entry passes
// PostgreSQL's 2 KB compression threshold (about 100 bytes each); below it compressFast would be a
// round trip for nothing.
const compressFastFrom = 16

// compressFast makes the rest of tx compress large values with lz4 where the server has it
// (PostgreSQL 14+ built with lz4): the activity entry of a 1000-document delete is about 110 KB,
// and pglz took 1.1 ms more than lz4 to store it (the SET included), a fifth of the raw UPDATE.
// Each value records its own method, so readers and older values are unaffected; SET LOCAL ends
// with the transaction, and on Citus applies to the coordinator only. A failed look-up is asked
// again next time.
func (s *Store) compressFast(tx *gorm.DB) error {
	if s.sql.lz4 == "" {
		return nil
	}
	if s.lz4.Load() == 0 {
		var ok bool
		if err := tx.Raw(s.sql.lz4Supported).Scan(&ok).Error; err != nil {
			return err
		}
		known := int32(2)
		if ok {
			known = 1
		}
		s.lz4.Store(known)
	}
	if s.lz4.Load() != 1 {
		return nil
	}
	return tx.Exec(s.sql.lz4).Error
}

// New is the invx store on db.
func New(db *store.DB) *Store { return &Store{db: db, sql: newStatements(db.Dialect())} }
