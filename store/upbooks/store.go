package upbooks

import "github.com/deletesvc/deletesvc/store"

// Store reads and writes the upbooks family's tables.
type Store struct {
	db *store.DB
}

// New is the upbooks store on db.
func New(db *store.DB) *Store { return &Store{db: db} }
