package upbooks

import (
	"context"
	"errors"

	gen "github.com/deletesvc/deletesvc/gen/upbooks"
	"github.com/deletesvc/deletesvc/server/auth"
	"github.com/deletesvc/deletesvc/store"
	upbooksstore "github.com/deletesvc/deletesvc/store/upbooks"
)

// AddOrganizationBackup backs up every category of the organization.
func (h *Handler) AddOrganizationBackup(ctx context.Context, req gen.AddOrganizationBackupRequestObject) (gen.AddOrganizationBackupResponseObject, error) {
	if prefersAsync(req.Params.Prefer) {
		req.Params.Prefer = nil
		acc, refused, err := h.accept(ctx, kindAddOrganizationBackup, req.Id, req)
		if refused != nil {
			return gen.AddOrganizationBackup403JSONResponse{ForbiddenJSONResponse: gen.ForbiddenJSONResponse(*refused)}, err
		}
		return gen.AddOrganizationBackup202JSONResponse{OperationAcceptedJSONResponse: acc}, err
	}
	caller, _ := auth.From(ctx)
	b, err := h.store.TakeBackup(ctx, upbooksstore.BackupRequest{OrgID: req.Id, UserID: caller.UserID})
	switch {
	case errors.Is(err, store.ErrForbidden):
		return gen.AddOrganizationBackup403JSONResponse{ForbiddenJSONResponse: gen.ForbiddenJSONResponse(errBody(403, msgNotDataManager))}, nil
	case errors.Is(err, store.ErrNotFound):
		return gen.AddOrganizationBackup404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(errBody(404, msgOrganizationNotFound))}, nil
	case err != nil:
		return nil, err
	}
	return gen.AddOrganizationBackup201JSONResponse{Data: backupOut(b), Message: ptr(msgBackupCreated)}, nil
}

// GetAllBackups lists the organization's backups, for its owner and admins.
func (h *Handler) GetAllBackups(ctx context.Context, req gen.GetAllBackupsRequestObject) (gen.GetAllBackupsResponseObject, error) {
	caller, _ := auth.From(ctx)
	if !caller.Role.CanManageData() {
		return gen.GetAllBackups403JSONResponse{ForbiddenJSONResponse: gen.ForbiddenJSONResponse(errBody(403, msgNotDataManager))}, nil
	}
	p := req.Params
	pageNo, pageSize := page(p.PageNo, p.PageNoHeader, p.PageSize, p.PageSizeHeader)
	list, total, err := h.store.ListBackups(ctx, req.Id, pageNo, pageSize)
	if err != nil {
		return nil, err
	}
	data := make([]gen.OrganizationBackup, len(list))
	for i, b := range list {
		data[i] = backupOut(b)
	}
	return gen.GetAllBackups200JSONResponse{Data: data, TotalCount: int(total), Message: ptr(msgBackupsFetched)}, nil
}

// AddBackupRestore replaces the chosen categories by a backup's rows.
func (h *Handler) AddBackupRestore(ctx context.Context, req gen.AddBackupRestoreRequestObject) (gen.AddBackupRestoreResponseObject, error) {
	if prefersAsync(req.Params.Prefer) {
		req.Params.Prefer = nil
		acc, refused, err := h.accept(ctx, kindAddBackupRestore, req.Id, req)
		if refused != nil {
			return gen.AddBackupRestore403JSONResponse{ForbiddenJSONResponse: gen.ForbiddenJSONResponse(*refused)}, err
		}
		return gen.AddBackupRestore202JSONResponse{OperationAcceptedJSONResponse: acc}, err
	}
	caller, _ := auth.From(ctx)
	r, err := h.store.RestoreBackup(ctx, upbooksstore.RestoreRequest{
		OrgID: req.Id, UserID: caller.UserID, BackupID: req.Body.BackupId, Categories: chosenCategories(req.Body.Categories),
	})
	if err != nil {
		return restoreError(err)
	}
	return gen.AddBackupRestore201JSONResponse{Data: restoreOut(r), Message: ptr(msgBackupRestored)}, nil
}

// restoreError maps the store's outcomes to AddBackupRestore's declared responses.
func restoreError(err error) (gen.AddBackupRestoreResponseObject, error) {
	var conflict *upbooksstore.RestoreConflict
	var schema *upbooksstore.SchemaMismatchError
	conflictBody := func(msg string, blockers []upbooksstore.Blocker) gen.AddBackupRestore409JSONResponse {
		out := make([]gen.DependencyBlocker, len(blockers))
		for i, b := range blockers {
			out[i] = gen.DependencyBlocker{Category: gen.DataCategory(b.Category), Blocks: gen.DataCategory(b.Blocks), Rows: int(b.Rows)}
		}
		return gen.AddBackupRestore409JSONResponse{RestoreConflictJSONResponse: gen.RestoreConflictJSONResponse{Code: "409", Message: msg, Blockers: out}}
	}
	switch {
	case errors.As(err, &conflict):
		return conflictBody(msgRestoreConflict, conflict.Blockers), nil
	case errors.As(err, &schema):
		return conflictBody(msgRestoreSchema(schema.Backup, schema.Current), nil), nil
	case errors.Is(err, upbooksstore.ErrBackupUnavailable):
		return conflictBody(msgBackupUnavailable, nil), nil
	case errors.Is(err, upbooksstore.ErrBackupsNotRestorable):
		return gen.AddBackupRestore400JSONResponse{BadRequestJSONResponse: gen.BadRequestJSONResponse(errBody(400, msgBackupsNotRestorable))}, nil
	case errors.Is(err, store.ErrForbidden):
		return gen.AddBackupRestore403JSONResponse{ForbiddenJSONResponse: gen.ForbiddenJSONResponse(errBody(403, msgNotDataManager))}, nil
	case errors.Is(err, store.ErrNotFound):
		return gen.AddBackupRestore404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(errBody(404, msgBackupNotFound))}, nil
	}
	return nil, err
}

// GetAllBackupRestores lists the restores run on the organization, for its owner and admins.
func (h *Handler) GetAllBackupRestores(ctx context.Context, req gen.GetAllBackupRestoresRequestObject) (gen.GetAllBackupRestoresResponseObject, error) {
	caller, _ := auth.From(ctx)
	if !caller.Role.CanManageData() {
		return gen.GetAllBackupRestores403JSONResponse{ForbiddenJSONResponse: gen.ForbiddenJSONResponse(errBody(403, msgNotDataManager))}, nil
	}
	p := req.Params
	pageNo, pageSize := page(p.PageNo, p.PageNoHeader, p.PageSize, p.PageSizeHeader)
	list, total, err := h.store.ListRestores(ctx, req.Id, pageNo, pageSize)
	if err != nil {
		return nil, err
	}
	data := make([]gen.BackupRestore, len(list))
	for i, r := range list {
		data[i] = restoreOut(r)
	}
	return gen.GetAllBackupRestores200JSONResponse{Data: data, TotalCount: int(total), Message: ptr(msgRestoresFetched)}, nil
}

func backupOut(b upbooksstore.Backup) gen.OrganizationBackup {
	return gen.OrganizationBackup{UnderscoreId: b.ID, OrganizationId: b.OrgID, CreatedAt: b.CreatedAt, CreatedBy: b.CreatedBy,
		SizeBytes: b.SizeBytes, Checksum: b.Checksum, SchemaVersion: b.SchemaVersion, Rows: b.Rows, Categories: b.Categories}
}

func restoreOut(r upbooksstore.Restore) gen.BackupRestore {
	return gen.BackupRestore{UnderscoreId: r.ID, OrganizationId: r.OrgID, BackupId: r.BackupID, CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy,
		Status: r.Status, Categories: r.Categories, Restored: r.Restored}
}
