package upbooks

import (
	"context"
	"errors"

	gen "github.com/deletesvc/deletesvc/gen/upbooks"
	"github.com/deletesvc/deletesvc/server/api"
	"github.com/deletesvc/deletesvc/server/auth"
	"github.com/deletesvc/deletesvc/store"
	upbooksstore "github.com/deletesvc/deletesvc/store/upbooks"
)

// DeleteSelectiveData erases the categories whose flags are true; the store decides everything
// else (role, blockers, force, dry run) in one transaction.
func (h *Handler) DeleteSelectiveData(ctx context.Context, req gen.DeleteSelectiveDataRequestObject) (gen.DeleteSelectiveDataResponseObject, error) {
	if prefersAsync(req.Params.Prefer) {
		req.Params.Prefer = nil
		acc, refused, err := h.accept(ctx, kindDeleteSelectiveData, req.Id, req)
		if refused != nil {
			return gen.DeleteSelectiveData403JSONResponse{ForbiddenJSONResponse: gen.ForbiddenJSONResponse(*refused)}, err
		}
		return gen.DeleteSelectiveData202JSONResponse{OperationAcceptedJSONResponse: acc}, err
	}
	caller, _ := auth.From(ctx)
	dryRun := req.Params.DryRun != nil && *req.Params.DryRun
	var backupID *string
	if req.Params.Backup != nil && *req.Params.Backup && !dryRun {
		// Its own snapshot just before the delete: the delete's undo, committed on its own (also
		// inside a keyed or background request), so it is kept even if the delete is refused,
		// cancelled or interrupted.
		b, err := h.store.TakeBackup(store.Detached(ctx), upbooksstore.BackupRequest{OrgID: req.Id, UserID: caller.UserID})
		if err != nil {
			return selectiveError(err)
		}
		backupID = &b.ID
	}
	call := upbooksstore.SelectiveDelete{
		OrgID: req.Id, UserID: caller.UserID, Categories: chosenCategories(*req.Body),
		DryRun: dryRun, Force: req.Params.Force != nil && *req.Params.Force,
	}
	if o := caller.Organization; o != nil && o.ID == req.Id {
		call.Guarded = &upbooksstore.Guarded{Organization: *o, Role: caller.Role}
	}
	res, err := h.store.DeleteSelective(ctx, call)
	if err != nil {
		return selectiveError(err)
	}
	if !dryRun {
		for _, m := range []map[string]int64{res.Deleted, res.Forced} {
			for _, n := range m {
				api.RowsDeleted(ctx, n)
			}
		}
	}
	out := selectiveOut(res, dryRun)
	out.BackupId = backupID
	return gen.DeleteSelectiveData200JSONResponse(out), nil
}

// selectiveError maps the store's outcomes to the operation's declared responses.
func selectiveError(err error) (gen.DeleteSelectiveDataResponseObject, error) {
	var dep *upbooksstore.DependencyError
	switch {
	case errors.As(err, &dep):
		return gen.DeleteSelectiveData409JSONResponse{ConflictJSONResponse: conflictOut(dep)}, nil
	case errors.Is(err, upbooksstore.ErrOrphans):
		// Rows written while the delete ran point at what it deleted: rolled back, and the same
		// call may be repeated (it will then count them as blockers).
		return gen.DeleteSelectiveData409JSONResponse{ConflictJSONResponse: gen.ConflictJSONResponse{
			Code: "409", Message: msgChangedDuringDelete, Blockers: []gen.DependencyBlocker{}}}, nil
	case errors.Is(err, store.ErrNotFound):
		return gen.DeleteSelectiveData404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(errBody(404, msgOrganizationNotFound))}, nil
	case errors.Is(err, store.ErrForbidden):
		return gen.DeleteSelectiveData403JSONResponse{ForbiddenJSONResponse: gen.ForbiddenJSONResponse(errBody(403, msgNotDataManager))}, nil
	}
	return nil, err
}
