package invx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	gen "github.com/deletesvc/deletesvc/gen/invx"
	"github.com/deletesvc/deletesvc/server/auth"
	"github.com/deletesvc/deletesvc/store"
)

// CreateDocument stores a pre-registration document (status 200, irdDocType PRE) made from an
// IRP e-invoice, keeping the request body re-encoded from the validated value: the same fields and
// values, not the client's bytes (key order and whitespace are not preserved).
func (h *Handler) CreateDocument(ctx context.Context, req gen.CreateDocumentRequestObject) (gen.CreateDocumentResponseObject, error) {
	caller, _ := auth.From(ctx)
	body, err := json.Marshal(req.Body)
	if err != nil {
		return nil, fmt.Errorf("encode document body: %w", err)
	}
	nd, err := newDocumentIn(*req.Body, body)
	if err != nil {
		return nil, err
	}
	doc, err := h.store.CreateDocument(ctx, caller.OrgID, caller.UserID, nd)
	if errors.Is(err, store.ErrConflict) {
		field := "/DocDtls/No"
		return gen.CreateDocument409JSONResponse{DuplicateDocumentJSONResponse: gen.DuplicateDocumentJSONResponse(envelope(detail("err-duplicate-document", duplicateDocumentMessage(nd), &field)))}, nil
	}
	if err != nil {
		return nil, err
	}
	out, err := documentOut(doc)
	if err != nil {
		return nil, err
	}
	return gen.CreateDocument201JSONResponse(gen.DocumentEnvelope{Status: gen.StatusSuccess, Data: out}), nil
}

// GetDocument returns one document of the organization in any state, deleted ones included.
func (h *Handler) GetDocument(ctx context.Context, req gen.GetDocumentRequestObject) (gen.GetDocumentResponseObject, error) {
	caller, _ := auth.From(ctx)
	id := req.DocId.String()
	doc, err := h.store.GetDocument(ctx, caller.OrgID, id)
	if errors.Is(err, store.ErrNotFound) {
		d, _ := actionErrorDetail(err, id, 0)
		return gen.GetDocument404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(envelope(d))}, nil
	}
	if err != nil {
		return nil, err
	}
	out, err := documentOut(doc)
	if err != nil {
		return nil, err
	}
	return gen.GetDocument200JSONResponse(gen.DocumentEnvelope{Status: gen.StatusSuccess, Data: out}), nil
}
