// Package upbooks is the Upbooks family's store: the 46 categories of an organization's data, the
// selective delete that erases chosen ones in one transaction, and a seeder of consistent books.
package upbooks

import (
	"sync"

	"github.com/deletesvc/deletesvc/store"
)

// Store reads and writes the upbooks family's tables.
type Store struct {
	db *store.DB
	q  statements

	keysMu sync.Mutex
	keys   []store.ForeignKey // tenant foreign keys, once read (see foreignKeys)
}

// New is the upbooks store on db.
func New(db *store.DB) *Store { return &Store{db: db, q: newStatements(db.Dialect())} }
