// Package api is what the server and the family packages (server/upbooks, server/invx,
// server/ultrabiz) share: the error vocabulary every family renders in its own shape, and Family,
// the one descriptor by which a family plugs into the server.
package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
	"gocloud.dev/blob"

	"github.com/deletesvc/deletesvc/server/auth"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/identity"
	"github.com/deletesvc/deletesvc/store/operations"
)

// Kind is what went wrong, independent of how a family words it.
type Kind int

// The kinds of failure the server tells apart.
const (
	KindInternal Kind = iota
	KindValidation
	KindUnauthenticated // no credentials
	KindTokenInvalid
	KindTokenExpired
	KindForbidden
	KindNotFound
	KindRouteNotFound
	KindMethodNotAllowed
	KindTooLarge
	KindUnsupportedMedia
	// KindUnavailable: the database is down, frozen or busy past the request's deadline; the same
	// request may succeed later (503 with Retry-After).
	KindUnavailable
	// KindTooManyRequests: the caller is over a rate limit (429 with Retry-After).
	KindTooManyRequests
	// KindIdempotencyInFlight: a request with the same Idempotency-Key is still running (409).
	KindIdempotencyInFlight
	// KindIdempotencyMismatch: the Idempotency-Key was used for a different request (422).
	KindIdempotencyMismatch
)

// Error is an error on its way to a family's renderer.
type Error struct {
	Kind    Kind
	Status  int
	Message string       // safe to show
	Fields  []FieldError // for KindValidation
	Cause   error        // logged, never shown
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Message + ": " + e.Cause.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// FieldError names one offending input.
type FieldError struct {
	In     string   // "body", "query", "path" or "header"
	Name   string   // parameter name, empty for the body
	Path   []string // JSON path inside the body
	Reason string
}

// Pointer is the field as a dotted path with array indexes: "clients", "[0].action", "ListBody[2].QtyPack".
func (f FieldError) Pointer() string {
	var b strings.Builder
	b.WriteString(f.Name)
	for _, p := range f.Path {
		if isIndex(p) {
			b.WriteString("[" + p + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Describe renders fields as "a: reason; b: reason".
func Describe(fields []FieldError) string {
	parts := make([]string, 0, len(fields))
	for _, f := range fields {
		if p := f.Pointer(); p != "" {
			parts = append(parts, p+": "+f.Reason)
		} else {
			parts = append(parts, f.Reason)
		}
	}
	return strings.Join(parts, "; ")
}

// Renderer writes an Error in one family's shape.
type Renderer func(c echo.Context, e *Error) error

// Router is the route table a family's generated RegisterHandlers fills (the generated EchoRouter
// interfaces have exactly these methods); the server puts the family's middleware on each route.
type Router interface {
	CONNECT(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	DELETE(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	GET(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	HEAD(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	OPTIONS(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	PATCH(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	POST(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	PUT(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	TRACE(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
}

// Deps are what a family is built from.
type Deps struct {
	DB       *store.DB
	Identity *identity.Store
	Tokens   *auth.Tokens
	// Backups is where Upbooks keeps organization backups (nil: backups are refused), and
	// BackupRetention how long (0: until deleted).
	Backups         *blob.Bucket
	BackupRetention time.Duration
	// Operations runs the calls a client asks to run in the background (Prefer: respond-async).
	Operations *operations.Queue
}

// Family describes one API family to the server: its spec (which validates every request and
// says which operations need a token), its paths, its error shape, how a request names the
// organization it acts in, and its generated routes.
type Family struct {
	Name string
	// Prefixes are the paths the family owns; errors under them (unknown routes included) are
	// rendered in its shape. The longest matching prefix wins.
	Prefixes []string
	Spec     *openapi3.T
	Render   Renderer
	// OrgOf names the organization a request acts in, or "" when the route names none.
	OrgOf func(c echo.Context, caller auth.Caller) string
	// Guard checks the caller against that organization and returns the caller to act as.
	Guard func(ctx context.Context, r *http.Request, caller auth.Caller, orgID string) (auth.Caller, error)
	// ASPNET makes the server take requests as ASP.NET Web API 2 does: XML and form bodies read
	// as JSON, JSON bodies bound by Json.NET's rules, before validation.
	ASPNET bool
	// Register adds the family's generated routes.
	Register func(r Router)
}

// PathParam is path parameter name as the generated handlers bind it: Echo matches the escaped
// path when the URL has one (echo.GetPath), and the value is then decoded. The guard must check
// the organization the handler acts in.
func PathParam(c echo.Context, name string) string {
	v := c.Param(name)
	if c.Request().URL.RawPath != "" {
		if decoded, err := url.PathUnescape(v); err == nil {
			return decoded
		}
	}
	return v
}

// MemberGuard refuses callers who are not members of the organization with 403.
func MemberGuard(ids *identity.Store) func(ctx context.Context, _ *http.Request, caller auth.Caller, orgID string) (auth.Caller, error) {
	return func(ctx context.Context, _ *http.Request, caller auth.Caller, orgID string) (auth.Caller, error) {
		role, err := ids.MemberRole(ctx, orgID, caller.UserID)
		if err != nil {
			if errors.Is(err, store.ErrNotMember) {
				return caller, &Error{Kind: KindForbidden, Status: http.StatusForbidden, Message: "not a member of organization " + orgID, Cause: err}
			}
			return caller, err
		}
		caller.OrgID, caller.Role = orgID, role
		return caller, nil
	}
}

type rowsKey struct{}

// WithRowsDeleted returns ctx carrying a counter the handler adds its deleted rows to (RowsDeleted)
// for the server's per-operation metrics.
func WithRowsDeleted(ctx context.Context) (context.Context, *atomic.Int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, rowsKey{}, n), n
}

// RowsDeleted records that the request deleted n rows (for /metrics); a no-op outside the server.
func RowsDeleted(ctx context.Context, n int64) {
	if c, ok := ctx.Value(rowsKey{}).(*atomic.Int64); ok {
		c.Add(n)
	}
}
