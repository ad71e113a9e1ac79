// Package server mounts the API families on one Echo server, each described once by its
// server/<family>/family.go (spec, renderer, organization guard, routes): every route gets the
// family's kin-openapi request validator (which also authenticates), its organization guard, and
// errors in its shape. Plus docs, health and metrics.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/gommon/bytes"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/labstack/echo-contrib/echoprometheus"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/ulule/limiter/v3"
	"gocloud.dev/blob"

	"github.com/deletesvc/deletesvc/server/api"
	"github.com/deletesvc/deletesvc/server/auth"
	invxh "github.com/deletesvc/deletesvc/server/invx"
	ultrabizh "github.com/deletesvc/deletesvc/server/ultrabiz"
	upbooksh "github.com/deletesvc/deletesvc/server/upbooks"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/identity"
	"github.com/deletesvc/deletesvc/store/operations"
)

// Config is what the server needs from the environment.
type Config struct {
	TokenSecret []byte
	TokenTTL    time.Duration
	// Timeouts of the HTTP server; zero values take DefaultTimeouts.
	Timeouts Timeouts
	// DBTimeout bounds each request's database work (its context's deadline from the first query
	// on); zero means DefaultDBTimeout. A request past it is rolled back and answered 503.
	DBTimeout time.Duration
	// BodyLimit caps request bodies (Echo's notation, e.g. "2M"); larger ones get 413.
	BodyLimit string
	// Registry receives the HTTP metrics; nil means a fresh registry (tests create many servers).
	Registry *prometheus.Registry
	// Logger receives access and error logs; wrap its handler in LogHandler to get request ids.
	Logger *slog.Logger
	// TrustProxy takes the client's address (rate limits before login, access log) from
	// X-Forwarded-For / X-Real-IP, as set by a proxy in front; off, from the connection, so a client
	// cannot pick its own address with a header.
	TrustProxy bool
	// RateLimits are each family's limits, counted in RateLimitStore (none without a store).
	RateLimits     RateLimits
	RateLimitStore limiter.Store
	// Idempotency configures Idempotency-Key handling; zero fields take DefaultIdempotency.
	Idempotency Idempotency
	// Backups is the bucket of Upbooks organization backups (nil refuses them), kept for
	// BackupRetention (0: until deleted).
	Backups         *blob.Bucket
	BackupRetention time.Duration
	// Operations configures the background runs of Prefer: respond-async calls; the server
	// accepts them from New on and runs them once StartOperations is called.
	Operations operations.Config
	// Families are the API families served; nil serves DefaultFamilies(). scripts/bench serves a
	// family whose handlers send the pgbench script's statements, to measure the request pipeline
	// apart from the store.
	Families []func(api.Deps) (api.Family, error)
}

// DefaultFamilies are the families a server serves; each is one line here (README "Adding a family").
func DefaultFamilies() []func(api.Deps) (api.Family, error) {
	return []func(api.Deps) (api.Family, error){upbooksh.Family, invxh.Family, ultrabizh.Family}
}

// Server is the HTTP service.
type Server struct {
	echo     *echo.Echo
	db       *store.DB
	ids      *identity.Store
	tokens   *auth.Tokens
	families []api.Family
	timeouts Timeouts
	maxBody  int64
	dbWait   time.Duration
	ops      *opMetrics
	log      *slog.Logger

	queue       *operations.Queue
	rateLimits  RateLimits
	rateStore   limiter.Store
	idempotency Idempotency
}

// DefaultDBTimeout is the database deadline of a server configured with none: room for a
// 1,000,000-row selective delete, and half the default write timeout so the 503 still gets out.
const DefaultDBTimeout = 5 * time.Minute

// New builds the server on db, with users and organizations in ids.
func New(db *store.DB, ids *identity.Store, cfg Config) (*Server, error) {
	s := &Server{echo: echo.New(), db: db, ids: ids, tokens: auth.NewTokens(cfg.TokenSecret, cfg.TokenTTL), log: cfg.Logger,
		rateLimits: cfg.RateLimits, rateStore: cfg.RateLimitStore, idempotency: cfg.Idempotency.withDefaults()}
	var err error
	if s.log == nil {
		s.log = slog.Default()
	}
	s.timeouts = cfg.Timeouts.withDefaults()
	if s.dbWait = cfg.DBTimeout; s.dbWait <= 0 {
		s.dbWait = DefaultDBTimeout
	}
	e := s.echo
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	e.JSONSerializer = jsonSerializer{}

	reg := cfg.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.ops = newOpMetrics(reg)
	s.echo.IPExtractor = echo.ExtractIPDirect()
	if cfg.TrustProxy {
		s.echo.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	// Request ids, access logs and panic recovery wrap routing too (Pre), so requests an ASP.NET
	// family refuses before routing (aspnetRouting) are logged and carry an id like any other.
	e.Pre(middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		RequestIDHandler: func(c echo.Context, id string) {
			c.SetRequest(c.Request().WithContext(withRequestID(c.Request().Context(), id)))
		},
	}))
	e.Pre(accessLog(s.log))
	e.Pre(middleware.RecoverWithConfig(middleware.RecoverConfig{LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		s.log.ErrorContext(c.Request().Context(), "panic", "error", err, "stack", string(stack))
		return err
	}}))
	// Series are labelled by route template, one "url" for every unmatched path and no Host, so
	// neither unknown URLs nor Host headers can grow /metrics without bound.
	e.Use(echoprometheus.NewMiddlewareWithConfig(echoprometheus.MiddlewareConfig{
		Namespace: "deletesvc", Subsystem: "http", Registerer: reg,
		DoNotUseRequestPathFor404: true,
		LabelFuncs: map[string]echoprometheus.LabelValueFunc{
			"host": func(echo.Context, error) string { return "" },
			"url": func(c echo.Context, _ error) string {
				if p := c.Path(); p != "" {
					return p
				}
				return "unmatched"
			},
		},
	}))
	limit := cfg.BodyLimit
	if limit == "" {
		limit = "2M"
	}
	e.Use(middleware.BodyLimit(limit))
	if s.maxBody, err = bytes.Parse(limit); err != nil {
		return nil, fmt.Errorf("body limit %q: %w", limit, err)
	}

	e.GET("/metrics", echoprometheus.NewHandlerWithConfig(echoprometheus.HandlerConfig{Gatherer: reg}))
	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", s.ready)
	if err := s.mountDocs(); err != nil {
		return nil, err
	}

	if cfg.Operations.Logger == nil {
		cfg.Operations.Logger = s.log
	}
	if s.queue, err = operations.New(db, cfg.Operations); err != nil {
		return nil, err
	}
	reg.MustRegister(operationsCollector{s.queue})
	deps := api.Deps{DB: db, Identity: ids, Tokens: s.tokens, Backups: cfg.Backups, BackupRetention: cfg.BackupRetention, Operations: s.queue}
	families := cfg.Families
	if families == nil {
		families = DefaultFamilies()
	}
	for _, describe := range families {
		f, err := describe(deps)
		if err != nil {
			return nil, err
		}
		s.families = append(s.families, f)
		if f.ASPNET {
			e.Pre(aspnetRouting(f))
		}
		f.Register(s.router(f))
	}
	return s, nil
}

// StartOperations begins running background operations (in this instance; several instances
// share the work).
func (s *Server) StartOperations(ctx context.Context) error { return s.queue.Start(ctx) }

// StopOperations lets running operations finish until ctx is done, then cancels them (rolled
// back, marked failed).
func (s *Server) StopOperations(ctx context.Context) error { return s.queue.Stop(ctx) }

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Start listens on addr until Shutdown.
func (s *Server) Start(addr string) error {
	t := s.timeouts
	s.echo.Server.ReadHeaderTimeout = t.ReadHeader
	s.echo.Server.ReadTimeout = t.Read
	s.echo.Server.WriteTimeout = t.Write
	s.echo.Server.IdleTimeout = t.Idle
	return s.echo.Start(addr)
}

// Timeouts bound how long a connection may take over each part of an exchange, so slow or idle
// clients cannot hold connections (and their memory) indefinitely.
type Timeouts struct {
	ReadHeader time.Duration // to send the request line and headers
	Read       time.Duration // to send the whole request, body included
	Write      time.Duration // from the end of the headers to the end of the answer: sized for a 1,000,000-row delete
	Idle       time.Duration // between requests on a kept-alive connection
}

// DefaultTimeouts are the timeouts of a server configured with none.
var DefaultTimeouts = Timeouts{ReadHeader: 5 * time.Second, Read: time.Minute, Write: 10 * time.Minute, Idle: 2 * time.Minute}

func (t Timeouts) withDefaults() Timeouts {
	d := DefaultTimeouts
	if t.ReadHeader > 0 {
		d.ReadHeader = t.ReadHeader
	}
	if t.Read > 0 {
		d.Read = t.Read
	}
	if t.Write > 0 {
		d.Write = t.Write
	}
	if t.Idle > 0 {
		d.Idle = t.Idle
	}
	return d
}

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
func (s *Server) router(f api.Family) *familyRouter {
	return &familyRouter{e: s.echo, s: s, f: f, limiter: s.rateLimit(f)}
}

// Validation checks a request to spec's operation method echoPath (an Echo route) as every route of
// the service does before its handler: kin-openapi's validator, with the body left to the compiled
// bodyCheck when that accepts it. authenticated confirms that the request's credentials were
// checked, which kin-openapi asks of an operation with security requirements. The bench's floor of
// a spec-validated server runs it too, so both run the same checks.
func Validation(spec *openapi3.T, method, echoPath string, authenticated func(echo.Context) bool) echo.MiddlewareFunc {
	op := specOperation(spec, method, echoPath)
	route := &routers.Route{Spec: spec, Path: specPath(echoPath), PathItem: spec.Paths.Find(specPath(echoPath)), Method: method, Operation: op}
	full := validator(route, false, authenticated)
	if check := compileBodyCheck(spec, op); check != nil {
		return withBodyCheck(check, full, validator(route, true, authenticated))
	}
	return full
}

// validator is kin-openapi's request validator for one operation (route: the spec's operation of
// an Echo route); withoutBody leaves the body out (a body bodyCheck has accepted). Echo has
// matched the route, so it is known here: echo-middleware's validator matched every request against
// every path of the spec again (gorilla/mux regular expressions), a sixth of validation's CPU on a
// small request (issue 13).
func validator(route *routers.Route, withoutBody bool, authenticated func(echo.Context) bool) echo.MiddlewareFunc {
	opts := &openapi3filter.Options{
		MultiError: true,
		AuthenticationFunc: func(ctx context.Context, _ *openapi3filter.AuthenticationInput) error {
			if ec, ok := ctx.Value(echoContextKey{}).(echo.Context); ok && authenticated(ec) {
				return nil
			}
			return auth.ErrTokenInvalid
		},
		// Handlers apply the spec's defaults themselves: a default written into the query
		// would be indistinguishable from one the client sent, and Upbooks' paging
		// parameters sent as headers must lose only to a query value the client sent.
		SkipSettingDefaults: true,
		ExcludeRequestBody:  withoutBody,
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			names := c.ParamNames()
			params := make(map[string]string, len(names))
			for _, name := range names {
				v := api.PathParam(c, name)
				if v == "" {
					// Echo matches an empty segment (/organization//selective); the spec's
					// template does not, and the original APIs answer it as no route.
					return echo.ErrNotFound
				}
				params[name] = v
			}
			ctx := context.WithValue(req.Context(), echoContextKey{}, c)
			checked := req
			if withoutBody && req.Body != nil && req.Body != http.NoBody {
				// Before the security check kin-openapi reads the whole body (in case an
				// AuthenticationFunc reads it; ours does not) and puts back a copy of its own,
				// which the handler's decoder then copies again. With the body left out, it is
				// given none to read.
				bodiless := *req
				bodiless.Body = http.NoBody
				checked = &bodiless
			}
			if err := openapi3filter.ValidateRequest(ctx, &openapi3filter.RequestValidationInput{
				Request: checked, PathParams: params, Route: route, Options: opts,
			}); err != nil {
				return fromValidation(err)
			}
			return next(c)
		}
	}
}

// echoContextKey carries the request's Echo context to the validator's AuthenticationFunc.
type echoContextKey struct{}

type familyRouter struct {
	e       *echo.Echo
	s       *Server
	f       api.Family
	limiter echo.MiddlewareFunc
}

func (r *familyRouter) add(method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route {
	op := specOperation(r.f.Spec, method, path)
	if op == nil {
		// The generated RegisterHandlers registers the spec's operations and nothing else.
		panic(fmt.Sprintf("%s %s is not an operation of the %s spec", method, path, r.f.Name))
	}
	operation := op.OperationID
	// The limiter counts before anything else looks at the request, so invalid requests count too
	// (its 429s are in the operation's metrics).
	chain := []echo.MiddlewareFunc{r.s.ops.count(r.f.Name, operation), r.limiter, r.s.authenticateFirst(r.f.Spec, method, path), bufferChunkedBody(r.s.maxBody)}
	chain = append(chain, familyInputChecks(r.f.Spec, r.f.ASPNET, method, path)...)
	chain = append(chain, Validation(r.f.Spec, method, path, authenticated), r.s.dbDeadline, r.s.orgGuard(r.f))
	if declaresIdempotencyKey(op) {
		chain = append(chain, r.s.idempotent())
	}
	return r.e.Add(method, path, h, append(chain, m...)...)
}

// familyInputChecks are the middleware a request to an operation passes after authentication and
// before Validation: an ASP.NET-style family's body checks and binding, or rejectUnsafeInput.
func familyInputChecks(spec *openapi3.T, aspnet bool, method, path string) []echo.MiddlewareFunc {
	if aspnet {
		return aspnetBodyChecks(spec, method, path)
	}
	return []echo.MiddlewareFunc{rejectUnsafeInput(compileBodyCheck(spec, specOperation(spec, method, path)))}
}

// aspnetBodyChecks are the middleware an ASP.NET-style operation's body passes before validation:
// an XML or form body becomes JSON, then bindLikeJSONNET binds it as Json.NET would, making
// rejectUnsafeInput's checks as it goes.
func aspnetBodyChecks(spec *openapi3.T, method, path string) []echo.MiddlewareFunc {
	return []echo.MiddlewareFunc{xmlToJSON(spec, method, path), bindLikeJSONNET(spec, method, path)}
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

// authenticateFirst checks the credentials the operation's spec asks for (any one of its security
// requirements, all schemes of it) before anything reads the body, so an anonymous caller costs no
// parsing (issue 10, defect 1: deep XML took gigabytes before the 401). A refused request's chunked
// body is only counted, in constant memory, so an oversize one is still a 413 (defect 8).
func (s *Server) authenticateFirst(spec *openapi3.T, method, echoPath string) echo.MiddlewareFunc {
	var reqs openapi3.SecurityRequirements
	if op := specOperation(spec, method, echoPath); op != nil {
		reqs = spec.Security
		if op.Security != nil {
			reqs = *op.Security
		}
	}
	var schemes openapi3.SecuritySchemes
	if spec.Components != nil {
		schemes = spec.Components.SecuritySchemes
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if len(reqs) == 0 {
				return next(c) // a public operation (login)
			}
			var errs []error
			for _, sr := range reqs {
				if len(sr) == 0 {
					return next(c) // an empty requirement makes credentials optional
				}
				caller, err := s.satisfy(c.Request(), schemes, sr)
				if err == nil {
					c.Set(callerKey, caller)
					return next(c)
				}
				errs = append(errs, err)
			}
			if tooLarge(c.Request(), s.maxBody) {
				return echo.ErrStatusRequestEntityTooLarge
			}
			return fromSecurity(&openapi3filter.SecurityRequirementsError{SecurityRequirements: reqs, Errors: errs})
		}
	}
}

// satisfy checks every scheme of one security requirement against the request's headers.
func (s *Server) satisfy(req *http.Request, schemes openapi3.SecuritySchemes, sr openapi3.SecurityRequirement) (auth.Caller, error) {
	var caller auth.Caller
	for name := range sr {
		ref := schemes[name]
		if ref == nil || ref.Value == nil {
			return caller, fmt.Errorf("security scheme %q is not declared", name)
		}
		var raw string
		switch scheme := ref.Value; {
		case scheme.Type == "http" && strings.EqualFold(scheme.Scheme, "bearer"):
			raw = bearerToken(req.Header.Get(echo.HeaderAuthorization))
		case scheme.Type == "apiKey" && scheme.In == "header":
			raw = strings.TrimSpace(req.Header.Get(scheme.Name))
		default:
			return caller, fmt.Errorf("unsupported security scheme %q", name)
		}
		if raw == "" {
			return caller, fmt.Errorf("%s: no credentials", name)
		}
		claims, err := s.tokens.Parse(raw)
		if err != nil {
			return caller, err
		}
		caller = auth.Caller{UserID: claims.Subject, UserNumber: claims.UserNumber, SelectedOrgID: claims.OrgID}
	}
	return caller, nil
}

// tooLarge reports whether a refused request's chunked body runs past limit, reading it into a
// fixed buffer and discarding it (a sized one was judged from its Content-Length by BodyLimit).
func tooLarge(req *http.Request, limit int64) bool {
	if req.ContentLength != -1 || req.Body == nil || req.Body == http.NoBody {
		return false
	}
	n, err := io.Copy(io.Discard, io.LimitReader(req.Body, limit+1))
	return n > limit || errors.Is(err, echo.ErrStatusRequestEntityTooLarge)
}

func specPath(echoPath string) string { return echoParam.ReplaceAllString(echoPath, "{$1}") }

// specOperation is the spec's operation for an Echo route, or nil when the spec has none.
func specOperation(spec *openapi3.T, method, echoPath string) *openapi3.Operation {
	if item := spec.Paths.Find(specPath(echoPath)); item != nil {
		return item.GetOperation(method)
	}
	return nil
}

// dbDeadline gives the rest of the request (the organization guard and the handler: all its
// database work) a deadline, so a frozen database or a lock held elsewhere cannot hold it for ever
// (issue 10, defect 5). The drivers abandon the statement when it passes and database/sql rolls the
// transaction back; the error handler answers 503 with Retry-After.
func (s *Server) dbDeadline(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), s.dbWait)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

// orgGuard runs after validation: it checks the caller's membership of the organization the request
// acts in, then hands the caller to the handler through the request context.
func (s *Server) orgGuard(f api.Family) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			caller, ok := c.Get(callerKey).(auth.Caller)
			if !ok {
				return next(c) // a public operation (login)
			}
			if orgID := f.OrgOf(c, caller); orgID != "" {
				var err error
				if caller, err = f.Guard(c.Request().Context(), c.Request(), caller, orgID); err != nil {
					return err
				}
			}
			c.SetRequest(c.Request().WithContext(auth.WithCaller(c.Request().Context(), caller)))
			return next(c)
		}
	}
}

// Token issues a token for u acting in orgID, as a login would (the demo token of `make run`).
func (s *Server) Token(u identity.User, orgID string) (string, error) {
	token, _, err := s.tokens.Issue(u, orgID, 0)
	return token, err
}

// bufferChunkedBody reads a body sent without Content-Length (chunked) up to the limit once the
// caller is authenticated and before anything parses it, so an oversize one is refused with 413 in
// the family's shape instead of surfacing later as a read error (400). Bodies with a length are
// left to Echo's BodyLimit, which refuses them from the header alone.
func bufferChunkedBody(limit int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.ContentLength != -1 || req.Body == nil || req.Body == http.NoBody {
				return next(c)
			}
			body, err := io.ReadAll(io.LimitReader(req.Body, limit+1))
			if err != nil {
				return err
			}
			if int64(len(body)) > limit {
				return echo.ErrStatusRequestEntityTooLarge
			}
			rewindBody(req, body)
			return next(c)
		}
	}
}

// authenticated says whether authenticateFirst has checked the request's credentials: the
// validator's security step only confirms that it did.
func authenticated(c echo.Context) bool {
	_, ok := c.Get(callerKey).(auth.Caller)
	return ok
}
