package upbooks

import (
	"context"

	gen "github.com/deletesvc/deletesvc/gen/upbooks"
	"github.com/deletesvc/deletesvc/server/auth"
	"github.com/deletesvc/deletesvc/store/activity"
)

// GetActivityLogs lists the caller's own entries in the organization's activity log; the guard
// already proved membership.
func (h *Handler) GetActivityLogs(ctx context.Context, req gen.GetActivityLogsRequestObject) (gen.GetActivityLogsResponseObject, error) {
	caller, _ := auth.From(ctx)
	p := req.Params
	q := activityQuery(req.Id, p.Action, nil, p.PageNo, p.PageNoHeader, p.PageSize, p.PageSizeHeader, queryOrHeader(p.SortBy, p.ActivityLogSortByHeader), queryOrHeader(p.SortOrder, p.SortOrderHeader))
	q.OnlyUserID = caller.UserID
	out, err := h.activityPage(ctx, q)
	if err != nil {
		return nil, err
	}
	return gen.GetActivityLogs200JSONResponse(out), nil
}

// GetAllActivityLogs lists every entry of the organization's activity log, for its owner and admins.
func (h *Handler) GetAllActivityLogs(ctx context.Context, req gen.GetAllActivityLogsRequestObject) (gen.GetAllActivityLogsResponseObject, error) {
	caller, _ := auth.From(ctx)
	if !caller.Role.CanManageData() {
		return gen.GetAllActivityLogs403JSONResponse{ForbiddenJSONResponse: gen.ForbiddenJSONResponse(errBody(403, msgNotDataManager))}, nil
	}
	p := req.Params
	q := activityQuery(req.Id, p.Action, p.UserId, p.PageNo, p.PageNoHeader, p.PageSize, p.PageSizeHeader, queryOrHeader(p.SortBy, p.ActivityLogSortByHeader), queryOrHeader(p.SortOrder, p.SortOrderHeader))
	out, err := h.activityPage(ctx, q)
	if err != nil {
		return nil, err
	}
	return gen.GetAllActivityLogs200JSONResponse(out), nil
}

// activityQuery is one page request with the spec's defaults (page 1 of 20, newest first).
func activityQuery(orgID string, action *gen.ActivityAction, userID *string, pageNo, pageNoHeader, pageSize, pageSizeHeader *int, sortBy *gen.ActivityLogSortBy, order *gen.SortOrder) activity.Query {
	q := activity.Query{OrgID: orgID, SortBy: string(gen.ActivityLogSortByCreatedAt), Descending: true}
	q.PageNo, q.PageSize = page(pageNo, pageNoHeader, pageSize, pageSizeHeader)
	if action != nil {
		q.Action = string(*action)
	}
	if userID != nil {
		q.UserID = *userID
	}
	if sortBy != nil {
		q.SortBy = string(*sortBy)
	}
	if order != nil {
		q.Descending = *order == gen.SortOrderDesc
	}
	return q
}

func (h *Handler) activityPage(ctx context.Context, q activity.Query) (gen.ActivityLogListResponse, error) {
	page, total, filtered, err := h.activity.List(ctx, q)
	if err != nil {
		return gen.ActivityLogListResponse{}, err
	}
	data := make([]gen.ActivityLog, len(page))
	for i, e := range page {
		data[i] = gen.ActivityLog{
			UnderscoreId: e.ID, OrganizationId: e.OrganizationID, UserId: e.UserID, Action: e.Action,
			Details: e.Details, CreatedAt: e.CreatedAt, UpdatedAt: e.CreatedAt,
		}
		if e.UserEmail != "" {
			data[i].User = &gen.ActivityLogUser{Email: e.UserEmail, Name: e.UserName}
		}
	}
	return gen.ActivityLogListResponse{Data: data, TotalCount: int(total), FilteredCount: int(filtered), Message: ptr("Activity logs fetched")}, nil
}
