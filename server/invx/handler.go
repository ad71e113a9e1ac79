// Package invx implements the invx (Vayana e-invoicing) family's generated strict server interface.
package invx

import (
	"context"
	"errors"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	gen "github.com/deletesvc/deletesvc/gen/invx"
	"github.com/deletesvc/deletesvc/server/auth"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/identity"
	invxstore "github.com/deletesvc/deletesvc/store/invx"
)

// Handler serves the invx API.
type Handler struct {
	ids    *identity.Store
	store  *invxstore.Store
	tokens *auth.Tokens
}

var _ gen.StrictServerInterface = (*Handler)(nil)

// New returns a Handler.
func New(ids *identity.Store, st *invxstore.Store, tokens *auth.Tokens) *Handler {
	return &Handler{ids: ids, store: st, tokens: tokens}
}

// failure builds invx's error envelope for a declared outcome. Those are always the client's fault:
// server errors are returned as errors and enveloped by the global renderer.
func failure(code, message string) gen.ErrorEnvelope {
	return gen.ErrorEnvelope{Status: gen.StatusFailure, Error: gen.ErrorDetail{Message: code, Type: gen.ErrorTypeClient, Args: gen.ErrorArgs{Message: message}}}
}

// CreateAuthToken is theodore's login: the token acts in the user's own organization by default,
// lasting tokenDurationInMins (20 by default, as Vayana's do).
func (h *Handler) CreateAuthToken(ctx context.Context, req gen.CreateAuthTokenRequestObject) (gen.CreateAuthTokenResponseObject, error) {
	u, err := h.ids.Authenticate(ctx, req.Body.Handle, req.Body.Password)
	if errors.Is(err, store.ErrInvalidCredentials) {
		return gen.CreateAuthToken401JSONResponse{InvalidCredentialsJSONResponse: gen.InvalidCredentialsJSONResponse(failure("err-invalid-credentials", "handle or password is wrong"))}, nil
	}
	if err != nil {
		return nil, err
	}
	members, err := h.ids.Memberships(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	orgs := make([]gen.AssociatedOrg, 0, len(members))
	for _, m := range members {
		orgs = append(orgs, gen.AssociatedOrg{Organisation: gen.Organisation{Id: m.OrganizationID, Name: m.OrganizationName}, Roles: []string{string(m.Role)}})
	}
	selected := ""
	if def, err := h.ids.DefaultOrganizationID(ctx, u.ID); err == nil {
		selected = def
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	minutes := 20
	if req.Body.TokenDurationInMins != nil {
		minutes = *req.Body.TokenDurationInMins
	}
	token, exp, err := h.tokens.Issue(u, selected, time.Duration(minutes)*time.Minute)
	if err != nil {
		return nil, err
	}
	var userID openapi_types.UUID
	if err := userID.UnmarshalText([]byte(u.ID)); err != nil {
		return nil, err
	}
	return gen.CreateAuthToken200JSONResponse(gen.AuthTokenResponse{
		Status: gen.StatusSuccess,
		Data:   gen.AuthToken{Token: token, Expiry: exp.UnixMilli(), UserId: userID, AssociatedOrgs: orgs},
	}), nil
}
