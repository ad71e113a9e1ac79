// Package ultrabiz implements the Ultrabiz ERP family's generated strict server interface.
package ultrabiz

import (
	gen "github.com/deletesvc/deletesvc/gen/ultrabiz"
	"github.com/deletesvc/deletesvc/store/identity"
	ultrabizstore "github.com/deletesvc/deletesvc/store/ultrabiz"
)

// Handler serves the Ultrabiz API.
type Handler struct {
	ids   *identity.Store
	store *ultrabizstore.Store
}

var _ gen.StrictServerInterface = (*Handler)(nil)

// New returns a Handler.
func New(ids *identity.Store, st *ultrabizstore.Store) *Handler { return &Handler{ids: ids, store: st} }
