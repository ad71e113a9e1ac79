// Package upbooks implements the Upbooks family's generated strict server interface.
package upbooks

import (
	"context"
	"errors"
	"time"

	gen "github.com/deletesvc/deletesvc/gen/upbooks"
	"github.com/deletesvc/deletesvc/server/auth"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/activity"
	"github.com/deletesvc/deletesvc/store/identity"
	"github.com/deletesvc/deletesvc/store/operations"
	upbooksstore "github.com/deletesvc/deletesvc/store/upbooks"
)

// Handler serves the Upbooks API.
type Handler struct {
	ids      *identity.Store
	store    *upbooksstore.Store
	activity *activity.Store
	tokens   *auth.Tokens
	ops      *operations.Queue
}

var _ gen.StrictServerInterface = (*Handler)(nil)

// New returns a Handler; the calls it accepts to run in the background go to ops, where it
// registers them.
func New(ids *identity.Store, st *upbooksstore.Store, log *activity.Store, tokens *auth.Tokens, ops *operations.Queue) *Handler {
	h := &Handler{ids: ids, store: st, activity: log, tokens: tokens, ops: ops}
	h.registerOperations(ops)
	return h
}

func ptr[T any](v T) *T { return &v }

// Login checks the password and issues a token acting in the chosen (or the user's own) organization.
func (h *Handler) Login(ctx context.Context, req gen.LoginRequestObject) (gen.LoginResponseObject, error) {
	u, err := h.ids.Authenticate(ctx, string(req.Body.Username), req.Body.Password)
	if errors.Is(err, store.ErrInvalidCredentials) {
		return gen.Login401JSONResponse{UnauthorizedJSONResponse: gen.UnauthorizedJSONResponse(errBody(401, msgInvalidCredentials))}, nil
	}
	if err != nil {
		return nil, err
	}
	org, err := h.selectOrganization(ctx, u, req.Body.OrganizationId)
	if errors.Is(err, store.ErrNotMember) {
		return gen.Login403JSONResponse{ForbiddenJSONResponse: gen.ForbiddenJSONResponse(errBody(403, msgNotMember))}, nil
	}
	if err != nil {
		return nil, err
	}
	token, exp, err := h.tokens.Issue(u, org, 0)
	if err != nil {
		return nil, err
	}
	return gen.Login200JSONResponse(gen.LoginResponseBody{
		Data: gen.LoginData{
			Token: token, TokenType: gen.LoginDataTokenType("Bearer"),
			ExpiresIn: int(h.tokens.DefaultTTL() / time.Second), ExpiresAt: exp,
			User:                 userOut(u),
			SelectedOrganization: org,
		},
		Message: ptr(msgLoggedIn),
	}), nil
}

// selectOrganization resolves the organization a login asks for; "" when the user has none.
func (h *Handler) selectOrganization(ctx context.Context, u identity.User, ref *string) (string, error) {
	if ref == nil || *ref == "" {
		id, err := h.ids.DefaultOrganizationID(ctx, u.ID)
		if errors.Is(err, store.ErrNotFound) {
			return "", nil
		}
		return id, err
	}
	id, err := h.ids.OrganizationIDByRef(ctx, *ref)
	if errors.Is(err, store.ErrNotFound) {
		return "", store.ErrNotMember // do not reveal whether it exists
	}
	if err != nil {
		return "", err
	}
	if _, err := h.ids.MemberRole(ctx, id, u.ID); err != nil {
		return "", err
	}
	return id, nil
}

// AddOrganization creates an organization owned by the caller.
func (h *Handler) AddOrganization(ctx context.Context, req gen.AddOrganizationRequestObject) (gen.AddOrganizationResponseObject, error) {
	caller, _ := auth.From(ctx)
	org, err := h.ids.CreateOrganization(ctx, newOrganization(caller.UserID, *req.Body))
	if err != nil {
		return nil, err
	}
	return gen.AddOrganization201JSONResponse(gen.OrganizationResponse{Data: organizationOut(org), Message: ptr(msgOrganizationCreated)}), nil
}

// GetOrganizations lists the caller's organizations, a page at a time.
func (h *Handler) GetOrganizations(ctx context.Context, req gen.GetOrganizationsRequestObject) (gen.GetOrganizationsResponseObject, error) {
	caller, _ := auth.From(ctx)
	q := req.Params
	want := identity.OrganizationPage{SortBy: "createdAt", Descending: true}
	want.PageNo, want.PageSize = page(q.PageNo, q.PageNoHeader, q.PageSize, q.PageSizeHeader)
	if p := queryOrHeader(q.SortBy, q.SortByHeader); p != nil {
		want.SortBy = string(*p)
	}
	if p := queryOrHeader(q.SortOrder, q.SortOrderHeader); p != nil {
		want.Descending = *p == -1
	}
	orgs, total, err := h.ids.ListOrganizations(ctx, caller.UserID, want)
	if err != nil {
		return nil, err
	}
	out := make([]gen.OrganizationDocumentJSON, 0, len(orgs))
	for _, o := range orgs {
		out = append(out, organizationOut(o))
	}
	return gen.GetOrganizations200JSONResponse(gen.OrganizationListResponse{Data: out, TotalCount: int(total), FilteredCount: int(total)}), nil
}

// GetOrganizationDetail returns one organization: the one the guard read, proving membership.
func (h *Handler) GetOrganizationDetail(ctx context.Context, req gen.GetOrganizationDetailRequestObject) (gen.GetOrganizationDetailResponseObject, error) {
	caller, _ := auth.From(ctx)
	if o := caller.Organization; o != nil && o.ID == req.Id {
		return gen.GetOrganizationDetail200JSONResponse(gen.OrganizationResponse{Data: organizationOut(*o)}), nil
	}
	org, _, err := h.ids.OrganizationForMember(ctx, req.Id, caller.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return gen.GetOrganizationDetail404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(errBody(404, msgOrganizationNotFound))}, nil
	}
	if err != nil {
		return nil, err
	}
	return gen.GetOrganizationDetail200JSONResponse(gen.OrganizationResponse{Data: organizationOut(org)}), nil
}
