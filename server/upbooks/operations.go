package upbooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	gen "github.com/deletesvc/deletesvc/gen/upbooks"
	"github.com/deletesvc/deletesvc/server/auth"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/operations"
)

// The calls that may run in the background (Prefer: respond-async), by operationId.
const (
	kindDeleteSelectiveData   = "DeleteSelectiveData"
	kindAddOrganizationBackup = "AddOrganizationBackup"
	kindAddBackupRestore      = "AddBackupRestore"
)

// registerOperations makes the background calls runnable: each runs its handler on the stored
// request, as its caller, and keeps the answer the handler writes.
func (h *Handler) registerOperations(q *operations.Queue) {
	q.Register(kindDeleteSelectiveData, operations.Kind{Failure: operationFailure,
		Run: background(h.DeleteSelectiveData, func(r gen.DeleteSelectiveDataResponseObject, w http.ResponseWriter) error {
			return r.VisitDeleteSelectiveDataResponse(w)
		})})
	q.Register(kindAddOrganizationBackup, operations.Kind{Failure: operationFailure,
		Run: background(h.AddOrganizationBackup, func(r gen.AddOrganizationBackupResponseObject, w http.ResponseWriter) error {
			return r.VisitAddOrganizationBackupResponse(w)
		})})
	q.Register(kindAddBackupRestore, operations.Kind{Failure: operationFailure,
		Run: background(h.AddBackupRestore, func(r gen.AddBackupRestoreResponseObject, w http.ResponseWriter) error {
			return r.VisitAddBackupRestoreResponse(w)
		})})
}

// background runs handle on an operation's request (a generated request object, as JSON) and
// records the answer as the client would have received it.
func background[Req, Resp any](handle func(context.Context, Req) (Resp, error), visit func(Resp, http.ResponseWriter) error) func(context.Context, operations.Operation) (store.StoredResponse, error) {
	return func(ctx context.Context, op operations.Operation) (store.StoredResponse, error) {
		var req Req
		if err := json.Unmarshal(op.Request, &req); err != nil {
			return store.StoredResponse{}, fmt.Errorf("read %s request: %w", op.Kind, err)
		}
		// The store checks the caller's role again: it may have changed since the call.
		resp, err := handle(auth.WithCaller(ctx, auth.Caller{UserID: op.CreatedBy, OrgID: op.OrgID}), req)
		if err != nil {
			return store.StoredResponse{}, err
		}
		rec := &recorder{header: http.Header{}}
		if err := visit(resp, rec); err != nil {
			return store.StoredResponse{}, err
		}
		return store.StoredResponse{Status: rec.status, ContentType: rec.header.Get("Content-Type"), Body: rec.body.Bytes()}, nil
	}
}

// recorder keeps what a generated response writes.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(status int)      { r.status = status }

// operationFailure is the answer of a run that applied nothing and answered nothing of its own.
func operationFailure(r operations.Reason) store.StoredResponse {
	status, msg := http.StatusInternalServerError, msgOperationInternal
	switch r {
	case operations.ReasonInterrupted:
		status, msg = http.StatusServiceUnavailable, msgOperationInterrupted
	case operations.ReasonTimedOut:
		status, msg = http.StatusServiceUnavailable, msgOperationTimedOut
	case operations.ReasonCancelled:
		status, msg = http.StatusConflict, msgOperationCancelled
	}
	body, _ := json.Marshal(errBody(status, msg))
	return store.StoredResponse{Status: status, ContentType: "application/json", Body: body}
}

// prefersAsync reads RFC 7240's respond-async among the Prefer header's preferences.
func prefersAsync(prefer *string) bool {
	if prefer == nil {
		return false
	}
	for _, p := range strings.Split(*prefer, ",") {
		name, _, _ := strings.Cut(strings.TrimSpace(p), ";")
		if strings.EqualFold(strings.TrimSpace(name), "respond-async") {
			return true
		}
	}
	return false
}

// accept queues req (its Prefer already cleared, so the run answers synchronously) as an
// operation of kind, for a caller who may manage the organization's data.
func (h *Handler) accept(ctx context.Context, kind, orgID string, req any) (gen.OperationAcceptedJSONResponse, *gen.Error, error) {
	caller, _ := auth.From(ctx)
	if !caller.Role.CanManageData() {
		e := errBody(http.StatusForbidden, msgNotDataManager)
		return gen.OperationAcceptedJSONResponse{}, &e, nil
	}
	body, err := json.Marshal(req)
	if err != nil {
		return gen.OperationAcceptedJSONResponse{}, nil, err
	}
	op, err := h.ops.Submit(ctx, orgID, kind, caller.UserID, body)
	if err != nil {
		return gen.OperationAcceptedJSONResponse{}, nil, err
	}
	return gen.OperationAcceptedJSONResponse{
		Body: gen.OperationResponse{Data: operationOut(op), Message: ptr(msgOperationAccepted)},
		Headers: gen.OperationAcceptedResponseHeaders{
			Location:          ptr(fmt.Sprintf("/api/v1/organization/%s/operations/%s", orgID, op.ID)),
			PreferenceApplied: ptr("respond-async"),
		},
	}, nil, nil
}

// GetOperation reports one background operation.
func (h *Handler) GetOperation(ctx context.Context, req gen.GetOperationRequestObject) (gen.GetOperationResponseObject, error) {
	caller, _ := auth.From(ctx)
	if !caller.Role.CanManageData() {
		return gen.GetOperation403JSONResponse{ForbiddenJSONResponse: gen.ForbiddenJSONResponse(errBody(403, msgNotDataManager))}, nil
	}
	op, err := h.ops.Get(ctx, req.Id, req.OperationId)
	if errors.Is(err, store.ErrNotFound) {
		return gen.GetOperation404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(errBody(404, msgOperationNotFound))}, nil
	}
	if err != nil {
		return nil, err
	}
	return gen.GetOperation200JSONResponse{Data: operationOut(op)}, nil
}

// CancelOperation cancels a queued or running operation.
func (h *Handler) CancelOperation(ctx context.Context, req gen.CancelOperationRequestObject) (gen.CancelOperationResponseObject, error) {
	caller, _ := auth.From(ctx)
	if !caller.Role.CanManageData() {
		return gen.CancelOperation403JSONResponse{ForbiddenJSONResponse: gen.ForbiddenJSONResponse(errBody(403, msgNotDataManager))}, nil
	}
	op, err := h.ops.Cancel(ctx, req.Id, req.OperationId)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return gen.CancelOperation404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(errBody(404, msgOperationNotFound))}, nil
	case errors.Is(err, operations.ErrFinished):
		return gen.CancelOperation409JSONResponse(errBody(409, msgOperationFinished)), nil
	case err != nil:
		return nil, err
	}
	return gen.CancelOperation200JSONResponse{Data: operationOut(op), Message: ptr(msgOperationCancelling)}, nil
}

// GetAllOperations lists the organization's background operations.
func (h *Handler) GetAllOperations(ctx context.Context, req gen.GetAllOperationsRequestObject) (gen.GetAllOperationsResponseObject, error) {
	caller, _ := auth.From(ctx)
	if !caller.Role.CanManageData() {
		return gen.GetAllOperations403JSONResponse{ForbiddenJSONResponse: gen.ForbiddenJSONResponse(errBody(403, msgNotDataManager))}, nil
	}
	p := req.Params
	pageNo, pageSize := page(p.PageNo, p.PageNoHeader, p.PageSize, p.PageSizeHeader)
	list, total, err := h.ops.List(ctx, req.Id, pageNo, pageSize)
	if err != nil {
		return nil, err
	}
	data := make([]gen.Operation, len(list))
	for i, op := range list {
		data[i] = operationOut(op)
	}
	return gen.GetAllOperations200JSONResponse{Data: data, TotalCount: int(total), Message: ptr(msgOperationsFetched)}, nil
}

func operationOut(op operations.Operation) gen.Operation {
	out := gen.Operation{UnderscoreId: op.ID, OrganizationId: op.OrgID, Kind: gen.OperationKind(op.Kind), State: gen.OperationState(op.State),
		CancelRequested: op.CancelRequested, CreatedAt: op.CreatedAt, CreatedBy: op.CreatedBy, StartedAt: op.StartedAt, FinishedAt: op.FinishedAt,
		Progress: gen.OperationProgress{Steps: op.Progress.Steps, StepsDone: op.Progress.StepsDone, Categories: op.Progress.Categories}}
	if op.Answer.Status != 0 {
		out.Result = &gen.OperationResult{Status: op.Answer.Status, Body: json.RawMessage(op.Answer.Body)}
	}
	return out
}
