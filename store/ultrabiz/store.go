// Package ultrabiz is the Ultrabiz ERP family's store: vendors and their payable balances, products,
// stock, and purchase invoices whose entry and deletion move stock and balances together. Refusals
// are typed errors (errors.go); the wire wording is server/ultrabiz's.
package ultrabiz

import "github.com/deletesvc/deletesvc/store"

// Store reads and writes the ultrabiz family's tables.
type Store struct {
	db  *store.DB
	sql statements
}

// New is the ultrabiz store on db.
func New(db *store.DB) *Store { return &Store{db: db, sql: newStatements(db.Dialect())} }
