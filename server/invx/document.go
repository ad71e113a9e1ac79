package invx

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	gen "github.com/deletesvc/deletesvc/gen/invx"
)

// The document operations come with issue 4; until then they answer 501 in invx's envelope.

// CreateDocument is not implemented yet.
func (h *Handler) CreateDocument(context.Context, gen.CreateDocumentRequestObject) (gen.CreateDocumentResponseObject, error) {
	return nil, echo.NewHTTPError(http.StatusNotImplemented)
}

// GetDocument is not implemented yet.
func (h *Handler) GetDocument(context.Context, gen.GetDocumentRequestObject) (gen.GetDocumentResponseObject, error) {
	return nil, echo.NewHTTPError(http.StatusNotImplemented)
}

// UpdateDocument is not implemented yet.
func (h *Handler) UpdateDocument(context.Context, gen.UpdateDocumentRequestObject) (gen.UpdateDocumentResponseObject, error) {
	return nil, echo.NewHTTPError(http.StatusNotImplemented)
}

// UpdateDocumentBulk is not implemented yet.
func (h *Handler) UpdateDocumentBulk(context.Context, gen.UpdateDocumentBulkRequestObject) (gen.UpdateDocumentBulkResponseObject, error) {
	return nil, echo.NewHTTPError(http.StatusNotImplemented)
}
