// Package ultrabiz implements the Ultrabiz ERP family's generated strict server interface.
package ultrabiz

import (
	gen "github.com/deletesvc/deletesvc/gen/ultrabiz"
	"github.com/deletesvc/deletesvc/store"
)

// Handler serves the Ultrabiz API.
type Handler struct {
	store *store.Store
}

var _ gen.StrictServerInterface = (*Handler)(nil)

// New returns a Handler.
func New(st *store.Store) *Handler { return &Handler{store: st} }
