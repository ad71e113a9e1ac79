package ultrabiz

import (
	"context"

	gen "github.com/deletesvc/deletesvc/gen/ultrabiz"
	"github.com/deletesvc/deletesvc/server/auth"
)

// GetVendor reads a vendor and its payable balance.
func (h *Handler) GetVendor(ctx context.Context, req gen.GetVendorRequestObject) (gen.GetVendorResponseObject, error) {
	caller, _ := auth.From(ctx)
	v, err := h.store.VendorByID(ctx, caller.OrgID, req.Params.VendorId)
	if err != nil {
		return getVendorRefused(err)
	}
	return gen.GetVendor200JSONResponse{VendorID: v.ID, VendorName: v.Name, Balance: num(v.Balance)}, nil
}
