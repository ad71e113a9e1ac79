package upbooks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	gen "github.com/deletesvc/deletesvc/gen/upbooks"
	"github.com/deletesvc/deletesvc/openapi"
	"github.com/deletesvc/deletesvc/server/api"
	"github.com/deletesvc/deletesvc/server/auth"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/activity"
	"github.com/deletesvc/deletesvc/store/identity"
	upbooksstore "github.com/deletesvc/deletesvc/store/upbooks"
)

// Family describes the Upbooks API to the server.
func Family(d api.Deps) (api.Family, error) {
	spec, err := openapi.Load("upbooks")
	if err != nil {
		return api.Family{}, err
	}
	h := New(d.Identity, upbooksstore.New(d.DB).WithBackups(d.Backups, d.BackupRetention), activity.New(d.DB), d.Tokens, d.Operations)
	return api.Family{
		Name: "upbooks", Prefixes: []string{"/api/v1/"}, Spec: spec, Render: render,
		OrgOf: func(c echo.Context, _ auth.Caller) string { return api.PathParam(c, "id") },
		Guard: guard(d.Identity),
		Register: func(r api.Router) {
			gen.RegisterHandlers(r, gen.NewStrictHandler(h, nil))
		},
	}, nil
}

// guard answers 404 for an organization the caller cannot see (its existence is not revealed) and
// 403 when the ORGANIZATION-ID header names another organization than the path.
func guard(ids *identity.Store) func(ctx context.Context, r *http.Request, caller auth.Caller, orgID string) (auth.Caller, error) {
	return func(ctx context.Context, r *http.Request, caller auth.Caller, orgID string) (auth.Caller, error) {
		org, role, err := ids.OrganizationForMember(ctx, orgID, caller.UserID)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return caller, &api.Error{Kind: api.KindNotFound, Status: http.StatusNotFound, Message: "Organization not found", Cause: err}
			}
			return caller, err
		}
		if h := r.Header.Get("ORGANIZATION-ID"); h != "" && h != org.ID && h != org.Code {
			return caller, &api.Error{Kind: api.KindForbidden, Status: http.StatusForbidden, Message: "ORGANIZATION-ID header names a different organization"}
		}
		caller.OrgID, caller.Role, caller.Organization = orgID, role, &org
		return caller, nil
	}
}

// renderUpbooks writes Upbooks' {code, message}.
func render(c echo.Context, e *api.Error) error {
	msg := e.Message
	switch e.Kind {
	case api.KindValidation:
		msg = "Validation failed: " + e.Message
	case api.KindUnauthenticated:
		msg = "Authorization token is required"
	case api.KindTokenInvalid:
		msg = "Invalid token"
	case api.KindTokenExpired:
		msg = "Token expired"
	case api.KindRouteNotFound:
		msg = fmt.Sprintf("Cannot %s %s", c.Request().Method, c.Request().URL.Path)
	case api.KindMethodNotAllowed:
		msg = "Method not allowed"
	case api.KindTooLarge:
		msg = "Request body too large"
	case api.KindUnsupportedMedia:
		msg = "Unsupported media type: send application/json"
	case api.KindUnavailable:
		msg = "Service temporarily unavailable, retry later"
	case api.KindInternal:
		msg = "Something went wrong"
	}
	if e.Kind == api.KindIdempotencyInFlight {
		// DeleteSelectiveData's 409 is the Conflict shape; no category blocks this one.
		return c.JSON(e.Status, map[string]any{"code": strconv.Itoa(e.Status), "message": msg, "blockers": []string{}})
	}
	return c.JSON(e.Status, map[string]string{"code": strconv.Itoa(e.Status), "message": msg})
}
