package ultrabiz

import (
	"context"

	gen "github.com/deletesvc/deletesvc/gen/ultrabiz"
	"github.com/deletesvc/deletesvc/server/auth"
)

// GetProductStock reads a product's stock by size and colour.
func (h *Handler) GetProductStock(ctx context.Context, req gen.GetProductStockRequestObject) (gen.GetProductStockResponseObject, error) {
	caller, _ := auth.From(ctx)
	p, rows, err := h.store.ProductStock(ctx, caller.OrgID, req.Params.ProductId)
	if err != nil {
		return getStockRefused(err)
	}
	return gen.GetProductStock200JSONResponse(stockToGen(p, rows)), nil
}
