package ultrabiz

import (
	"context"
	"fmt"

	"github.com/deletesvc/deletesvc/gen/number"
	gen "github.com/deletesvc/deletesvc/gen/ultrabiz"
	"github.com/deletesvc/deletesvc/server/auth"
	ultrabizstore "github.com/deletesvc/deletesvc/store/ultrabiz"
)

// InsertPurchaseReturn enters a return, taking its stock out and its total off the vendor balance.
func (h *Handler) InsertPurchaseReturn(ctx context.Context, req gen.InsertPurchaseReturnRequestObject) (gen.InsertPurchaseReturnResponseObject, error) {
	caller, _ := auth.From(ctx)
	if err := ultrabizstore.CheckUser(caller.UserNumber, int64(req.Params.UserId)); err != nil {
		return insertReturnRefused(err)
	}
	id, err := h.store.InsertReturn(ctx, caller.OrgID, returnFromGen(*req.Body, req.Params))
	if err != nil {
		return insertReturnRefused(err)
	}
	return gen.InsertPurchaseReturn200JSONResponse{Message: fmt.Sprintf("Purchase return %d saved.", id), ReturnId: id}, nil
}

// DeletePurchaseReturn deletes a return of the named book, putting back its stock and vendor balance.
func (h *Handler) DeletePurchaseReturn(ctx context.Context, req gen.DeletePurchaseReturnRequestObject) (gen.DeletePurchaseReturnResponseObject, error) {
	caller, _ := auth.From(ctx)
	if err := ultrabizstore.CheckUser(caller.UserNumber, int64(req.Params.UserId)); err != nil {
		return deleteReturnRefused(err)
	}
	var view []ultrabizstore.PurchaseLine
	if req.Body != nil {
		view = linesFromGen(*req.Body)
	}
	res, err := h.store.DeleteReturn(ctx, caller.OrgID, req.Params.ReturnId, val(req.Params.IsPGP), int64(req.Params.UserId), view)
	if err != nil {
		return deleteReturnRefused(err)
	}
	return gen.DeletePurchaseReturn200JSONResponse{
		Message:       fmt.Sprintf("Purchase return %d deleted.", res.InvoiceID),
		ReturnId:      res.InvoiceID,
		LinesReversed: int32(res.Lines),
		UnitsReversed: number.New(res.Units),
	}, nil
}

// returnFromGen is an entered return as the store's; the query arguments name its book and author.
func returnFromGen(p gen.PurchaseReturn, params gen.InsertPurchaseReturnParams) ultrabizstore.NewReturn {
	return ultrabizstore.NewReturn{
		Return: ultrabizstore.PurchaseReturn{
			IsPGP: val(params.IsPGP), VendorID: p.VendorID, ReturnNo: p.ReturnNo, ReturnDate: p.ReturnDate.UTC(), Remarks: p.Remarks,
			GrossAmount: dec(p.GrossAmount), DiscAmount: dec(p.DiscAmount), STaxAmount: dec(p.STaxAmount),
			FTaxAmount: dec(p.FTaxAmount), ITaxAmount: dec(p.ITaxAmount), NetAmount: dec(&p.NetAmount),
			IsPosted: val(p.IsPosted), IsFinalized: val(p.IsFinalized), CreatedBy: int64(params.UserId),
		},
		Lines: linesFromGen(p.ListBody),
	}
}

func insertReturnRefused(err error) (gen.InsertPurchaseReturnResponseObject, error) {
	switch status, body := refusal(err); status {
	case 403:
		return gen.InsertPurchaseReturn403JSONResponse{ForbiddenJSONResponse: gen.ForbiddenJSONResponse(body)}, nil
	case 404:
		return gen.InsertPurchaseReturn404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(body)}, nil
	case 409:
		return gen.InsertPurchaseReturn409JSONResponse{ConflictJSONResponse: gen.ConflictJSONResponse(body)}, nil
	}
	return nil, err
}

func deleteReturnRefused(err error) (gen.DeletePurchaseReturnResponseObject, error) {
	switch status, body := refusal(err); status {
	case 403:
		return gen.DeletePurchaseReturn403JSONResponse{ForbiddenJSONResponse: gen.ForbiddenJSONResponse(body)}, nil
	case 404:
		return gen.DeletePurchaseReturn404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(body)}, nil
	case 409:
		return gen.DeletePurchaseReturn409JSONResponse{ConflictJSONResponse: gen.ConflictJSONResponse(body)}, nil
	}
	return nil, err
}
