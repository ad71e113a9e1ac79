package ultrabiz

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	gen "github.com/deletesvc/deletesvc/gen/ultrabiz"
)

// The purchase, product and vendor operations come with issue 5; until then they answer 501.

// DeletePurchaseInvoice is not implemented yet.
func (h *Handler) DeletePurchaseInvoice(context.Context, gen.DeletePurchaseInvoiceRequestObject) (gen.DeletePurchaseInvoiceResponseObject, error) {
	return nil, echo.NewHTTPError(http.StatusNotImplemented)
}

// InsertPurchaseInvoice is not implemented yet.
func (h *Handler) InsertPurchaseInvoice(context.Context, gen.InsertPurchaseInvoiceRequestObject) (gen.InsertPurchaseInvoiceResponseObject, error) {
	return nil, echo.NewHTTPError(http.StatusNotImplemented)
}

// GetPurchaseInvoice is not implemented yet.
func (h *Handler) GetPurchaseInvoice(context.Context, gen.GetPurchaseInvoiceRequestObject) (gen.GetPurchaseInvoiceResponseObject, error) {
	return nil, echo.NewHTTPError(http.StatusNotImplemented)
}

// GetProductStock is not implemented yet.
func (h *Handler) GetProductStock(context.Context, gen.GetProductStockRequestObject) (gen.GetProductStockResponseObject, error) {
	return nil, echo.NewHTTPError(http.StatusNotImplemented)
}

// GetVendor is not implemented yet.
func (h *Handler) GetVendor(context.Context, gen.GetVendorRequestObject) (gen.GetVendorResponseObject, error) {
	return nil, echo.NewHTTPError(http.StatusNotImplemented)
}
