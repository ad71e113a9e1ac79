package main

import (
	"context"
	"database/sql"
	"net/http"

	gen "github.com/deletesvc/deletesvc/gen/invx"
	"github.com/deletesvc/deletesvc/server"
	"github.com/deletesvc/deletesvc/server/api"
	invxh "github.com/deletesvc/deletesvc/server/invx"
	"github.com/deletesvc/deletesvc/server/servertest"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// scriptedInvxServer is the service's own server (every middleware: request ids, access log,
// metrics, body limit, authentication, the input checks, spec validation, the membership guard,
// the Idempotency-Key layer, the generated strict handler with its decoding) serving only the invx
// family, whose bulk handler does the logged floor's work (invxFloorDelete: the statement and the
// activity entry in one transaction, the rows answered as JSON) instead of calling the store.
// Against the service it prices the store, the handler and the service's answer (typed documents,
// the per-item envelope) apart from the request pipeline; against the validated floor, the
// pipeline beyond spec validation and the membership read. It answers at the URL it returns.
func scriptedInvxServer(t tb, db *store.DB, backend storetest.Backend, plain *sql.DB, orgID, userID string) string {
	h := &scriptedInvx{del: invxFloorDelete(t, backend, plain, orgID, userID, true)}
	family := func(d api.Deps) (api.Family, error) {
		f, err := invxh.Family(d)
		if err != nil {
			return api.Family{}, err
		}
		f.Register = func(r api.Router) { gen.RegisterHandlers(r, gen.NewStrictHandler(h, nil)) }
		return f, nil
	}
	env := servertest.StartWith(t, db, server.Config{Families: []func(api.Deps) (api.Family, error){family}})
	return invxBulkURL(env.URL, orgID)
}

// scriptedInvx answers the bulk request with invxFloorDelete. The other operations are not served
// (the embedded interface is nil).
type scriptedInvx struct {
	gen.StrictServerInterface
	del func(ctx context.Context, ids []string, write func([]byte) error) error
}

func (h *scriptedInvx) UpdateDocumentBulk(ctx context.Context, req gen.UpdateDocumentBulkRequestObject) (gen.UpdateDocumentBulkResponseObject, error) {
	ids := make([]string, len(*req.Body))
	for i, a := range *req.Body {
		ids[i] = a.DocId.String()
	}
	var answer rowsAnswer
	// Logged, del hands over its pieces after the commit, slices of a buffer it leaves alone: they
	// are kept, not copied.
	if err := h.del(ctx, ids, func(piece []byte) error { answer = append(answer, piece); return nil }); err != nil {
		return nil, err
	}
	return answer, nil
}

// rowsAnswer is the floor's answer in its pieces, written as they are with status 200.
type rowsAnswer [][]byte

func (a rowsAnswer) VisitUpdateDocumentBulkResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	for _, piece := range a {
		if _, err := w.Write(piece); err != nil {
			return err
		}
	}
	return nil
}
