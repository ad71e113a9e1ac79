// Package invx is the invx (Vayana e-invoicing) family's store: pre-registration GST documents,
// the buyer's state machine over them (document.go), the bulk actions (bulk.go) and their
// set-based SQL (sql.go), and the seeder of demo data (seed.go).
package invx

import "github.com/deletesvc/deletesvc/store"

// Store reads and writes the invx family's tables.
type Store struct {
	db  *store.DB
	sql statements
}

// New is the invx store on db.
func New(db *store.DB) *Store { return &Store{db: db, sql: newStatements(db.Dialect())} }
