// Package upbooks is the Upbooks family's store: the 46 categories of an organization's data, the
// selective delete that erases chosen ones in one transaction, and a seeder of consistent books.
package upbooks

import (
	"sync"
	"time"

	"github.com/deletesvc/deletesvc/store"
	"gocloud.dev/blob"
)

// Store reads and writes the upbooks family's tables.
type Store struct {
	db *store.DB
	q  statements

	keysMu sync.Mutex
	keys   []store.ForeignKey // tenant foreign keys, once read (see foreignKeys)

	colsMu sync.Mutex
	cols   map[string][]string // columns per table, once read (see columns)

	bucket    *blob.Bucket  // where backups are kept; nil: backups are off (see WithBackups)
	retention time.Duration // backups older than this are removed; 0 keeps them
}

// New is the upbooks store on db.
func New(db *store.DB) *Store { return &Store{db: db, q: newStatements(db.Dialect())} }
