// Package server mounts the three API families on one Echo server: each with its own kin-openapi
// request validator, authentication, organization guard and error renderer, plus docs, health and
// metrics.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/labstack/echo-contrib/echoprometheus"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	echomw "github.com/oapi-codegen/echo-middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/shopspring/decimal"

	"github.com/deletesvc/deletesvc/gen/invx"
	"github.com/deletesvc/deletesvc/gen/ultrabiz"
	"github.com/deletesvc/deletesvc/gen/upbooks"
	"github.com/deletesvc/deletesvc/openapi"
	"github.com/deletesvc/deletesvc/server/auth"
	invxh "github.com/deletesvc/deletesvc/server/invx"
	ultrabizh "github.com/deletesvc/deletesvc/server/ultrabiz"
	upbooksh "github.com/deletesvc/deletesvc/server/upbooks"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/identity"
	invxstore "github.com/deletesvc/deletesvc/store/invx"
	ultrabizstore "github.com/deletesvc/deletesvc/store/ultrabiz"
	upbooksstore "github.com/deletesvc/deletesvc/store/upbooks"
)

func init() {
	// The specs declare decimals as JSON numbers; shopspring quotes them unless told otherwise.
	decimal.MarshalJSONWithoutQuotes = true
}

// Config is what the server needs from the environment.
type Config struct {
	TokenSecret []byte
	TokenTTL    time.Duration
	// BodyLimit caps request bodies (Echo's notation, e.g. "2M"); larger ones get 413.
	BodyLimit string
	// Registry receives the HTTP metrics; nil means a fresh registry (tests create many servers).
	Registry *prometheus.Registry
	// Logger receives access and error logs; wrap its handler in LogHandler to get request ids.
	Logger *slog.Logger
}

// Server is the HTTP service.
type Server struct {
	echo     *echo.Echo
	db       *store.DB
	ids      *identity.Store
	tokens   *auth.Tokens
	families []*family
	log      *slog.Logger
}

// family is one API family's wiring.
type family struct {
	name     string
	prefixes []string
	spec     *openapi3.T
	render   renderer
	// orgOf names the organization a request acts in, or "" when the route names none.
	orgOf func(c echo.Context, caller auth.Caller) string
	// guard checks the caller against that organization, returning the caller to act as.
	guard func(c echo.Context, caller auth.Caller, orgID string) (auth.Caller, error)
	// convertBody rewrites non-JSON bodies to JSON before validation (Ultrabiz's XML).
	convertBody bool
}

// New builds the server on db, with users and organizations in ids.
func New(db *store.DB, ids *identity.Store, cfg Config) (*Server, error) {
	s := &Server{echo: echo.New(), db: db, ids: ids, tokens: auth.NewTokens(cfg.TokenSecret, cfg.TokenTTL), log: cfg.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	e := s.echo
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler

	reg := cfg.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		RequestIDHandler: func(c echo.Context, id string) {
			c.SetRequest(c.Request().WithContext(withRequestID(c.Request().Context(), id)))
		},
	}))
	e.Use(accessLog(s.log))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		s.log.ErrorContext(c.Request().Context(), "panic", "error", err, "stack", string(stack))
		return err
	}}))
	e.Use(echoprometheus.NewMiddlewareWithConfig(echoprometheus.MiddlewareConfig{Namespace: "deletesvc", Subsystem: "http", Registerer: reg}))
	limit := cfg.BodyLimit
	if limit == "" {
		limit = "2M"
	}
	e.Use(middleware.BodyLimit(limit))

	e.GET("/metrics", echoprometheus.NewHandlerWithConfig(echoprometheus.HandlerConfig{Gatherer: reg}))
	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", s.ready)
	if err := s.mountDocs(); err != nil {
		return nil, err
	}

	specs := map[string]*openapi3.T{}
	for _, name := range openapi.Families {
		spec, err := openapi.Load(name)
		if err != nil {
			return nil, err
		}
		specs[name] = spec
	}
	s.families = []*family{
		{name: "upbooks", prefixes: []string{"/api/v1/"}, spec: specs["upbooks"], render: renderUpbooks,
			orgOf: func(c echo.Context, _ auth.Caller) string { return c.Param("id") }, guard: s.guardUpbooks},
		{name: "invx", prefixes: []string{"/invx/", "/theodore/"}, spec: specs["invx"], render: renderInvx,
			orgOf: func(c echo.Context, _ auth.Caller) string { return c.Param("org-id") }, guard: s.guardMember},
		{name: "ultrabiz", prefixes: []string{"/api/"}, spec: specs["ultrabiz"], render: renderUltrabiz,
			orgOf: func(_ echo.Context, caller auth.Caller) string { return caller.SelectedOrgID }, guard: s.guardMember, convertBody: true},
	}
	upbooks.RegisterHandlers(s.router(s.families[0]), upbooks.NewStrictHandler(upbooksh.New(ids, upbooksstore.New(db), s.tokens), nil))
	invx.RegisterHandlers(s.router(s.families[1]), invx.NewStrictHandler(invxh.New(ids, invxstore.New(db), s.tokens), nil))
	ultrabiz.RegisterHandlers(s.router(s.families[2]), ultrabiz.NewStrictHandler(ultrabizh.New(ids, ultrabizstore.New(db)), ultrabizh.StrictMiddlewares()))
	return s, nil
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Start listens on addr until Shutdown.
func (s *Server) Start(addr string) error { return s.echo.Start(addr) }

// Shutdown stops accepting connections and waits for in-flight requests.
func (s *Server) Shutdown(ctx context.Context) error { return s.echo.Shutdown(ctx) }

func (s *Server) ready(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "not ready", "error", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "database unreachable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready", "database": s.db.DialectName()})
}

const callerKey = "deletesvc.caller"

// router adapts Echo to a generated EchoRouter, putting the family's middleware on each of its
// routes: [XML to JSON], the request validator (which also authenticates), the organization guard.
func (s *Server) router(f *family) *familyRouter {
	validator := echomw.OapiRequestValidatorWithOptions(f.spec, &echomw.Options{
		SilenceServersWarning: true,
		Options: openapi3filter.Options{
			MultiError:         true,
			AuthenticationFunc: s.authenticate,
		},
		MultiErrorHandler: func(me openapi3.MultiError) *echo.HTTPError {
			return &echo.HTTPError{Code: http.StatusBadRequest, Internal: me}
		},
		ErrorHandler: func(_ echo.Context, he *echo.HTTPError) error {
			if he.Internal != nil {
				return fromValidation(he.Internal)
			}
			return he
		},
	})
	return &familyRouter{e: s.echo, s: s, f: f, validator: validator}
}

type familyRouter struct {
	e         *echo.Echo
	s         *Server
	f         *family
	validator echo.MiddlewareFunc
}

func (r *familyRouter) add(method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route {
	chain := []echo.MiddlewareFunc{}
	if r.f.convertBody {
		chain = append(chain, xmlToJSON(r.f.spec, method, path))
	}
	chain = append(chain, r.validator, r.s.orgGuard(r.f))
	return r.e.Add(method, path, h, append(chain, m...)...)
}

// The EchoRouter methods the generated RegisterHandlers call.

func (r *familyRouter) CONNECT(p string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodConnect, p, h, m...)
}
func (r *familyRouter) DELETE(p string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodDelete, p, h, m...)
}
func (r *familyRouter) GET(p string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodGet, p, h, m...)
}
func (r *familyRouter) HEAD(p string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodHead, p, h, m...)
}
func (r *familyRouter) OPTIONS(p string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodOptions, p, h, m...)
}
func (r *familyRouter) PATCH(p string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodPatch, p, h, m...)
}
func (r *familyRouter) POST(p string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodPost, p, h, m...)
}
func (r *familyRouter) PUT(p string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodPut, p, h, m...)
}
func (r *familyRouter) TRACE(p string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodTrace, p, h, m...)
}

// authenticate is kin-openapi's AuthenticationFunc: it runs for each security scheme the operation
// accepts, so which operations need a token is read from the spec alone.
func (s *Server) authenticate(ctx context.Context, in *openapi3filter.AuthenticationInput) error {
	req := in.RequestValidationInput.Request
	var raw string
	switch scheme := in.SecurityScheme; {
	case scheme.Type == "http" && strings.EqualFold(scheme.Scheme, "bearer"):
		h := req.Header.Get(echo.HeaderAuthorization)
		if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
			raw = strings.TrimSpace(h[7:])
		}
	case scheme.Type == "apiKey" && scheme.In == "header":
		raw = strings.TrimSpace(req.Header.Get(scheme.Name))
	default:
		return fmt.Errorf("unsupported security scheme %q", in.SecuritySchemeName)
	}
	if raw == "" {
		return fmt.Errorf("%s: no credentials", in.SecuritySchemeName)
	}
	claims, err := s.tokens.Parse(raw)
	if err != nil {
		return err
	}
	ec := echomw.GetEchoContext(ctx)
	if ec == nil {
		return fmt.Errorf("no echo context")
	}
	ec.Set(callerKey, auth.Caller{UserID: claims.Subject, UserNumber: claims.UserNumber, SelectedOrgID: claims.OrgID})
	return nil
}

// orgGuard runs after validation: it checks the caller's membership of the organization the request
// acts in, then hands the caller to the handler through the request context.
func (s *Server) orgGuard(f *family) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			caller, ok := c.Get(callerKey).(auth.Caller)
			if !ok {
				return next(c) // a public operation (login)
			}
			if orgID := f.orgOf(c, caller); orgID != "" {
				var err error
				if caller, err = f.guard(c, caller, orgID); err != nil {
					return err
				}
			}
			c.SetRequest(c.Request().WithContext(auth.WithCaller(c.Request().Context(), caller)))
			return next(c)
		}
	}
}

// guardMember refuses callers who are not members of orgID with 403 (invx's err-invalid-org,
// Ultrabiz's ASP.NET message).
func (s *Server) guardMember(c echo.Context, caller auth.Caller, orgID string) (auth.Caller, error) {
	role, err := s.ids.MemberRole(c.Request().Context(), orgID, caller.UserID)
	if err != nil {
		if isNotMember(err) {
			return caller, &apiError{kind: kindForbidden, status: http.StatusForbidden, message: "not a member of organization " + orgID, cause: err}
		}
		return caller, err
	}
	caller.OrgID, caller.Role = orgID, role
	return caller, nil
}

// guardUpbooks answers 404 for an organization the caller cannot see (its existence is not revealed)
// and 403 when the ORGANIZATION-ID header names another organization than the path.
func (s *Server) guardUpbooks(c echo.Context, caller auth.Caller, orgID string) (auth.Caller, error) {
	org, role, err := s.ids.OrganizationForMember(c.Request().Context(), orgID, caller.UserID)
	if err != nil {
		if isNotFound(err) {
			return caller, &apiError{kind: kindNotFound, status: http.StatusNotFound, message: "Organization not found", cause: err}
		}
		return caller, err
	}
	if h := c.Request().Header.Get("ORGANIZATION-ID"); h != "" && h != org.ID && h != org.Code {
		return caller, &apiError{kind: kindForbidden, status: http.StatusForbidden, message: "ORGANIZATION-ID header names a different organization", cause: nil}
	}
	caller.OrgID, caller.Role = orgID, role
	return caller, nil
}

// Token issues a token for u acting in orgID, as a login would (the demo token of `make run`).
func (s *Server) Token(u identity.User, orgID string) (string, error) {
	token, _, err := s.tokens.Issue(u, orgID, 0)
	return token, err
}
