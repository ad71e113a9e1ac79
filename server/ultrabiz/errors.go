package ultrabiz

import (
	"errors"
	"net/http"

	gen "github.com/deletesvc/deletesvc/gen/ultrabiz"
	"github.com/deletesvc/deletesvc/store"
	ultrabizstore "github.com/deletesvc/deletesvc/store/ultrabiz"
)

// refusal maps a store refusal to its status and ASP.NET body; status 0 means err is not a refusal
// and goes to the global error handler (500, logged).
func refusal(err error) (int, gen.AspNetError) {
	msg := ultrabizstore.UltrabizRefusalMessage(err)
	if msg == "" {
		return 0, gen.AspNetError{}
	}
	body := gen.AspNetError{Message: msg}
	switch {
	case errors.Is(err, store.ErrForbidden):
		return http.StatusForbidden, body
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, body
	case errors.Is(err, store.ErrConflict):
		return http.StatusConflict, body
	}
	return 0, body
}

func deleteRefused(err error) (gen.DeletePurchaseInvoiceResponseObject, error) {
	switch status, body := refusal(err); status {
	case http.StatusForbidden:
		return gen.DeletePurchaseInvoice403JSONResponse{ForbiddenJSONResponse: gen.ForbiddenJSONResponse(body)}, nil
	case http.StatusNotFound:
		return gen.DeletePurchaseInvoice404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(body)}, nil
	case http.StatusConflict:
		return gen.DeletePurchaseInvoice409JSONResponse{ConflictJSONResponse: gen.ConflictJSONResponse(body)}, nil
	}
	return nil, err
}

func insertRefused(err error) (gen.InsertPurchaseInvoiceResponseObject, error) {
	switch status, body := refusal(err); status {
	case http.StatusForbidden:
		return gen.InsertPurchaseInvoice403JSONResponse{ForbiddenJSONResponse: gen.ForbiddenJSONResponse(body)}, nil
	case http.StatusNotFound:
		return gen.InsertPurchaseInvoice404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(body)}, nil
	case http.StatusConflict:
		return gen.InsertPurchaseInvoice409JSONResponse{ConflictJSONResponse: gen.ConflictJSONResponse(body)}, nil
	}
	return nil, err
}

func getInvoiceRefused(err error) (gen.GetPurchaseInvoiceResponseObject, error) {
	if status, body := refusal(err); status == http.StatusNotFound {
		return gen.GetPurchaseInvoice404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(body)}, nil
	}
	return nil, err
}

func getStockRefused(err error) (gen.GetProductStockResponseObject, error) {
	if status, body := refusal(err); status == http.StatusNotFound {
		return gen.GetProductStock404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(body)}, nil
	}
	return nil, err
}

func getVendorRefused(err error) (gen.GetVendorResponseObject, error) {
	if status, body := refusal(err); status == http.StatusNotFound {
		return gen.GetVendor404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(body)}, nil
	}
	return nil, err
}
