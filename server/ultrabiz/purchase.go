package ultrabiz

import (
	"context"
	"fmt"

	"github.com/deletesvc/deletesvc/gen/number"
	gen "github.com/deletesvc/deletesvc/gen/ultrabiz"
	"github.com/deletesvc/deletesvc/server/api"
	"github.com/deletesvc/deletesvc/server/auth"
	ultrabizstore "github.com/deletesvc/deletesvc/store/ultrabiz"
)

// DeletePurchaseInvoice deletes an invoice of the named book, reversing its stock and vendor balance.
func (h *Handler) DeletePurchaseInvoice(ctx context.Context, req gen.DeletePurchaseInvoiceRequestObject) (gen.DeletePurchaseInvoiceResponseObject, error) {
	caller, _ := auth.From(ctx)
	if err := ultrabizstore.CheckUser(caller.UserNumber, int64(req.Params.UserId)); err != nil {
		return deleteRefused(err)
	}
	var view []ultrabizstore.PurchaseLine
	if req.Body != nil {
		view = linesFromGen(*req.Body)
	}
	res, err := h.store.DeletePurchase(ctx, caller.OrgID, req.Params.InvoiceId, val(req.Params.IsPGP), int64(req.Params.UserId), view)
	if err != nil {
		return deleteRefused(err)
	}
	api.RowsDeleted(ctx, 1+int64(res.Lines)) // the invoice and its lines
	return gen.DeletePurchaseInvoice200JSONResponse{
		Message:       fmt.Sprintf("Purchase invoice %d deleted.", res.InvoiceID),
		InvoiceId:     res.InvoiceID,
		LinesReversed: int32(res.Lines),
		UnitsReversed: number.New(res.Units),
	}, nil
}

// InsertPurchaseInvoice enters an invoice, adding its stock and its total to the vendor balance.
func (h *Handler) InsertPurchaseInvoice(ctx context.Context, req gen.InsertPurchaseInvoiceRequestObject) (gen.InsertPurchaseInvoiceResponseObject, error) {
	caller, _ := auth.From(ctx)
	if err := ultrabizstore.CheckUser(caller.UserNumber, int64(req.Params.UserId)); err != nil {
		return insertRefused(err)
	}
	id, err := h.store.InsertPurchase(ctx, caller.OrgID, purchaseFromGen(*req.Body, req.Params))
	if err != nil {
		return insertRefused(err)
	}
	return gen.InsertPurchaseInvoice200JSONResponse{Message: fmt.Sprintf("Purchase invoice %d saved.", id), InvoiceId: id}, nil
}

// GetPurchaseInvoice reads a live invoice of the named book with its lines.
func (h *Handler) GetPurchaseInvoice(ctx context.Context, req gen.GetPurchaseInvoiceRequestObject) (gen.GetPurchaseInvoiceResponseObject, error) {
	caller, _ := auth.From(ctx)
	inv, err := h.store.Purchase(ctx, caller.OrgID, req.Params.InvoiceId, val(req.Params.IsPGP))
	if err != nil {
		return getInvoiceRefused(err)
	}
	return gen.GetPurchaseInvoice200JSONResponse(invoiceToGen(inv)), nil
}
