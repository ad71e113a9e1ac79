package ultrabiz

import "github.com/deletesvc/deletesvc/store"

// Store reads and writes the ultrabiz family's tables.
type Store struct {
	db  *store.DB
	sql statements
}

// New is the ultrabiz store on db.
func New(db *store.DB) *Store { return &Store{db: db, sql: newStatements(db.Dialect())} }
