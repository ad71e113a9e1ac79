package invx

import (
	"context"
	"errors"

	gen "github.com/deletesvc/deletesvc/gen/invx"
	"github.com/deletesvc/deletesvc/server/api"
	"github.com/deletesvc/deletesvc/server/auth"
	"github.com/deletesvc/deletesvc/store"
	invxstore "github.com/deletesvc/deletesvc/store/invx"
)

// UpdateDocument applies one buyer action and returns the document after it; a state that does not
// allow the action is 400 err-incorrect-update-action, an id the organization does not have 404.
func (h *Handler) UpdateDocument(ctx context.Context, req gen.UpdateDocumentRequestObject) (gen.UpdateDocumentResponseObject, error) {
	caller, _ := auth.From(ctx)
	item := actionsIn([]gen.DocumentAction{*req.Body})[0]
	doc, err := h.store.ApplyAction(ctx, caller.OrgID, caller.UserID, item)
	if err != nil {
		d, ok := actionErrorDetail(err, item.DocID, 0)
		switch {
		case !ok:
			return nil, err
		case errors.Is(err, store.ErrNotFound):
			return gen.UpdateDocument404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(envelope(d))}, nil
		default:
			return gen.UpdateDocument400JSONResponse{ActionBadRequestJSONResponse: gen.ActionBadRequestJSONResponse(envelope(d))}, nil
		}
	}
	if item.Action == invxstore.Delete {
		api.RowsDeleted(ctx, 1)
	}
	out, err := documentOut(doc)
	if err != nil {
		return nil, err
	}
	return gen.UpdateDocument200JSONResponse(gen.DocumentEnvelope{Status: gen.StatusSuccess, Data: out}), nil
}

// UpdateDocumentBulk is Delete Document Bulk: every item is applied on its own and reported in
// request order. The top level is status "1" when any item was applied and "0" with a summary when
// none was, so a client reading only the envelope is not told a failed request succeeded.
func (h *Handler) UpdateDocumentBulk(ctx context.Context, req gen.UpdateDocumentBulkRequestObject) (gen.UpdateDocumentBulkResponseObject, error) {
	caller, _ := auth.From(ctx)
	items := actionsIn(*req.Body)
	results, err := h.store.ApplyActions(ctx, caller.OrgID, caller.UserID, items)
	if err != nil {
		return nil, err
	}
	answer := bulkAnswer{items: make([]bulkItem, len(results))}
	var deleted int64
	var failures []string
	for i, r := range results {
		it := &answer.items[i]
		it.key = items[i].DocID
		if r.Err != nil {
			d, ok := actionErrorDetail(r.Err, it.key, i)
			if !ok {
				return nil, r.Err
			}
			it.err = &d
			failures = append(failures, d.Message)
			continue
		}
		it.doc = r.Document
		if items[i].Action == invxstore.Delete {
			deleted++
		}
	}
	api.RowsDeleted(ctx, deleted)
	if d, failed := bulkFailure(failures, len(items)); failed {
		answer.failure = &d
	}
	return answer, nil
}
