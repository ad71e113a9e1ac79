// Package servertest runs the whole service over httptest for end-to-end tests, and checks every
// response the tests receive against the family's spec, so each test is also a contract check.
package servertest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"

	"github.com/deletesvc/deletesvc/openapi"
	"github.com/deletesvc/deletesvc/server"
	"github.com/deletesvc/deletesvc/server/auth"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/identity"
	"github.com/deletesvc/deletesvc/store/invx"
	"github.com/deletesvc/deletesvc/store/storetest"
	"github.com/deletesvc/deletesvc/store/ultrabiz"
	"github.com/deletesvc/deletesvc/store/upbooks"
)

// Secret signs the tokens of test servers.
var Secret = []byte("test-secret-test-secret-test-secret")

// Env is a running server.
type Env struct {
	URL string
	// DB and the stores on it, for arranging data and checking effects beside the HTTP calls.
	DB       *store.DB
	Identity *identity.Store
	Upbooks  *upbooks.Store
	Invx     *invx.Store
	Ultrabiz *ultrabiz.Store
	Tokens   *auth.Tokens
	// Backups is the server's backup bucket (a fresh directory unless the config gave one).
	Backups *blob.Bucket
	// HTTP is a client whose responses are validated against the specs.
	HTTP *http.Client

	srv *server.Server
}

// RunOperations runs the server's background operations (Prefer: respond-async) until the test
// ends; without it they are accepted and stay queued.
func (e *Env) RunOperations(t testing.TB) {
	t.Helper()
	if err := e.srv.StartOperations(context.Background()); err != nil {
		t.Fatalf("start operations: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = e.srv.StopOperations(ctx)
	})
}

// Start serves db over httptest until the test ends.
func Start(t testing.TB, db *store.DB) *Env {
	t.Helper()
	return StartWith(t, db, server.Config{})
}

// StartWith is Start with cfg's non-zero settings (a short DBTimeout, say) over the test ones.
func StartWith(t testing.TB, db *store.DB, cfg server.Config) *Env {
	t.Helper()
	ids := storetest.Identity(db)
	cfg.TokenSecret, cfg.TokenTTL, cfg.Logger = Secret, time.Hour, Logger(t)
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = "2M"
	}
	if cfg.Backups == nil {
		bucket, err := fileblob.OpenBucket(t.TempDir(), &fileblob.Options{NoTempDir: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = bucket.Close() })
		cfg.Backups = bucket
	}
	if cfg.Operations.PollInterval == 0 {
		cfg.Operations.PollInterval = 50 * time.Millisecond
	}
	srv, err := server.New(db, ids, cfg)
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &Env{
		URL:      ts.URL,
		DB:       db,
		Identity: ids,
		Upbooks:  upbooks.New(db).WithBackups(cfg.Backups, cfg.BackupRetention),
		Backups:  cfg.Backups,
		Invx:     invx.New(db),
		Ultrabiz: ultrabiz.New(db),
		Tokens:   auth.NewTokens(Secret, time.Hour),
		HTTP:     &http.Client{Transport: &validatingTransport{t: t, next: http.DefaultTransport, routers: specRouters(t)}},
		srv:      srv,
	}
}

// Logger writes the server's JSON logs to the test log only when -v is given, so failures keep
// their context without drowning passing runs.
func Logger(t testing.TB) *slog.Logger {
	if !testing.Verbose() {
		return slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	return slog.New(server.LogHandler{Handler: slog.NewJSONHandler(testWriter{t}, nil)})
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// Token issues a token for u acting in orgID.
func (e *Env) Token(t testing.TB, u identity.User, orgID string) string {
	t.Helper()
	tok, _, err := e.Tokens.Issue(u, orgID, 0)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Bearer returns a request editor adding Authorization: Bearer, for the generated clients.
func Bearer(token string) func(ctx context.Context, req *http.Request) error {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+token)
		return nil
	}
}

// kin-openapi decodes only JSON; XML responses (Ultrabiz, by Accept) are read through the schema
// the same way the server reads XML requests, then validated like JSON.
func init() {
	for _, mt := range []string{"application/xml", "text/xml"} {
		openapi3filter.RegisterBodyDecoder(mt, func(body io.Reader, _ http.Header, schema *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
			raw, err := io.ReadAll(body)
			if err != nil {
				return nil, err
			}
			var s *openapi3.Schema
			if schema != nil {
				s = schema.Value
			}
			return server.XMLValue(raw, s)
		})
	}
}

func specRouters(t testing.TB) []routers.Router {
	t.Helper()
	var out []routers.Router
	for _, name := range openapi.Families {
		spec, err := openapi.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		spec.Servers = nil // match any host: the test server's port is random
		r, err := gorillamux.NewRouter(spec)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// validatingTransport fails the test when a response does not match the operation's declared
// responses: undeclared status, wrong content type, or a body that breaks the schema.
type validatingTransport struct {
	t       testing.TB
	next    http.RoundTripper
	routers []routers.Router
}

func (v *validatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := v.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	route, params := v.find(req)
	if route == nil {
		return resp, nil // not an API route (docs, health) or an unknown path
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		v.t.Errorf("response to %s %s breaks the spec (status %d, body %s): %v", req.Method, req.URL.Path, resp.StatusCode, truncate(body), err)
	}
	return resp, nil
}

func (v *validatingTransport) find(req *http.Request) (*routers.Route, map[string]string) {
	for _, r := range v.routers {
		if route, params, err := r.FindRoute(req); err == nil {
			return route, params
		}
	}
	return nil, nil
}

func truncate(b []byte) string {
	if len(b) > 500 {
		return string(b[:500]) + "..."
	}
	return string(b)
}
