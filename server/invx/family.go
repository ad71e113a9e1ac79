package invx

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	gen "github.com/deletesvc/deletesvc/gen/invx"
	"github.com/deletesvc/deletesvc/openapi"
	"github.com/deletesvc/deletesvc/server/api"
	"github.com/deletesvc/deletesvc/server/auth"
	invxstore "github.com/deletesvc/deletesvc/store/invx"
)

// Family describes the invx API (and its theodore login) to the server.
func Family(d api.Deps) (api.Family, error) {
	spec, err := openapi.Load("invx")
	if err != nil {
		return api.Family{}, err
	}
	h := New(d.Identity, invxstore.New(d.DB), d.Tokens)
	return api.Family{
		Name: "invx", Prefixes: []string{"/invx/", "/theodore/"}, Spec: spec, Render: render,
		OrgOf: func(c echo.Context, _ auth.Caller) string { return api.PathParam(c, "org-id") },
		Guard: api.MemberGuard(d.Identity),
		Register: func(r api.Router) {
			gen.RegisterHandlers(r, gen.NewStrictHandler(h, nil))
		},
	}, nil
}

// invxEnvelope is invx's failure envelope: {status: "0", data: null, error: {message, type, args}, info: null}.
type invxEnvelope struct {
	Status string         `json:"status"`
	Data   any            `json:"data"`
	Error  invxErrorBody  `json:"error"`
	Info   map[string]any `json:"info"`
}

type invxErrorBody struct {
	Message string         `json:"message"`
	Type    string         `json:"type"`
	Args    map[string]any `json:"args"`
}

// renderInvx writes invx's envelope with the family's err-* codes. Token failures are 403 there.
func render(c echo.Context, e *api.Error) error {
	status, code, detail := e.Status, "", e.Message
	switch e.Kind {
	case api.KindValidation:
		code = "err-validation"
	case api.KindUnauthenticated:
		code, detail = "err-missing-token", "X-FLYNN-N-USER-TOKEN or Authorization: Bearer is required"
	case api.KindTokenInvalid:
		status, code, detail = http.StatusForbidden, "err-invalid-token", "token is not valid"
	case api.KindTokenExpired:
		status, code, detail = http.StatusForbidden, "err-expired-token", "token has expired"
	case api.KindForbidden:
		code = "err-invalid-org"
	case api.KindNotFound:
		code = "err-resource-not-found"
	case api.KindRouteNotFound:
		code, detail = "err-resource-not-found", fmt.Sprintf("no route for %s %s", c.Request().Method, c.Request().URL.Path)
	case api.KindMethodNotAllowed:
		code = "err-method-not-allowed"
	case api.KindTooLarge:
		code = "err-payload-too-large"
	case api.KindUnsupportedMedia:
		code, detail = "err-unsupported-media-type", "send application/json"
	case api.KindUnavailable:
		code, detail = "err-service-unavailable", "service temporarily unavailable, retry later"
	case api.KindTooManyRequests:
		code = "err-too-many-requests"
	case api.KindIdempotencyInFlight:
		code = "err-idempotency-key-in-use"
	case api.KindIdempotencyMismatch:
		code = "err-idempotency-key-reused"
	default:
		code, detail = "err-internal", "internal error"
	}
	typ := "ClientError"
	if status >= 500 {
		typ = "ServerError"
	}
	args := map[string]any{"message": detail}
	if len(e.Fields) > 0 {
		args["field"] = e.Fields[0].Pointer()
	}
	return c.JSON(status, invxEnvelope{Status: "0", Error: invxErrorBody{Message: code, Type: typ, Args: args}})
}
