package invx

import "github.com/deletesvc/deletesvc/store"

// Store reads and writes the invx family's tables.
type Store struct {
	db *store.DB
}

// New is the invx store on db.
func New(db *store.DB) *Store { return &Store{db: db} }
