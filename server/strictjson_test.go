package server

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/labstack/echo/v4"

	"github.com/deletesvc/deletesvc/openapi"
	"github.com/deletesvc/deletesvc/server/api"
)

// TestReadBodyAfterRewind: a body put back by rewindBody is read again whole by readBody, and
// also by any other reader, from the start; once something has read part of it, readBody returns
// the rest, as it would of any body.
func TestReadBodyAfterRewind(t *testing.T) {
	req := httptest.NewRequest("POST", "/", strings.NewReader(`{"a":1}`))
	first, err := readBody(req)
	if err != nil || string(first) != `{"a":1}` {
		t.Fatalf("first read: %q %v", first, err)
	}
	rewindBody(req, first)
	again, err := readBody(req)
	if err != nil || string(again) != `{"a":1}` {
		t.Fatalf("read after rewind: %q %v", again, err)
	}
	rewindBody(req, again)
	all, err := io.ReadAll(req.Body)
	if err != nil || string(all) != `{"a":1}` {
		t.Fatalf("io.ReadAll after rewind: %q %v", all, err)
	}
	rewindBody(req, all)
	head := make([]byte, 3)
	if _, err := io.ReadFull(req.Body, head); err != nil {
		t.Fatal(err)
	}
	rest, err := readBody(req)
	if err != nil || string(rest) != `":1}` {
		t.Fatalf("read after a partial read: %q %v, want the rest", rest, err)
	}
}

// TestValidationHandsOnTheBodyUncopied: once the compiled check has accepted a body, the validator
// runs without it and the handler reads the very bytes a middleware put back, not a copy of a copy
// (kin-openapi's security step reads and replaces any body it is given); security still applies.
func TestValidationHandsOnTheBodyUncopied(t *testing.T) {
	spec, err := openapi.Load("invx")
	if err != nil {
		t.Fatal(err)
	}
	const path = "/invx/apis/:iridessa-version/orgs/:org-id/document/bulk"
	body := []byte(`[{"docId":"0b8c1f2e-3d4a-4b5c-8d6e-7f8091a2b3c4","action":"del"}]`)
	for _, authenticated := range []bool{true, false} {
		e := echo.New()
		var handed []byte
		var refused error
		e.HTTPErrorHandler = func(err error, c echo.Context) {
			refused = err
			_ = c.NoContent(http.StatusTeapot)
		}
		e.PATCH(path, func(c echo.Context) error {
			got, err := readBody(c.Request())
			if err != nil {
				return err
			}
			handed = got
			return c.NoContent(http.StatusNoContent)
		}, func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				rewindBody(c.Request(), body)
				return next(c)
			}
		}, Validation(spec, http.MethodPatch, path, func(echo.Context) bool { return authenticated }))
		req := httptest.NewRequest(http.MethodPatch, "/invx/apis/v1/orgs/6543a1f2c9e77b0012ab34cd/document/bulk", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if !authenticated {
			var refusal *api.Error
			if !errors.As(refused, &refusal) || refusal.Status != http.StatusUnauthorized || handed != nil {
				t.Fatalf("unauthenticated: %v, handler ran: %v; want a 401 before the handler", refused, handed != nil)
			}
			continue
		}
		if rec.Code != http.StatusNoContent {
			t.Fatalf("authenticated: %d %s", rec.Code, rec.Body)
		}
		if !bytes.Equal(handed, body) || &handed[0] != &body[0] {
			t.Fatalf("the handler read %q at %p, want the bytes put back (%p) themselves", handed, &handed[0], &body[0])
		}
	}
}

// TestInputChecksReturnABodyReadError: a body whose reading fails (a client gone, a read timeout)
// stops the request with that error; no check reads what arrived as if it were the whole body.
func TestInputChecksReturnABodyReadError(t *testing.T) {
	for _, family := range []struct {
		name, method, path string
		aspnet             bool
	}{
		{"invx", http.MethodPatch, "/invx/apis/:iridessa-version/orgs/:org-id/document/bulk", false},
		{"ultrabiz", http.MethodPost, "/api/Purchase/InsertPurchaseInvoice", true},
	} {
		spec, err := openapi.Load(family.name)
		if err != nil {
			t.Fatal(err)
		}
		cut := errors.New("connection reset")
		var reached bool
		h := func(echo.Context) error { reached = true; return nil }
		checks := familyInputChecks(spec, family.aspnet, family.method, family.path)
		for i := len(checks) - 1; i >= 0; i-- {
			h = checks[i](h)
		}
		for _, length := range []int64{-1, 64} { // chunked, and a Content-Length the body falls short of
			reached = false
			req := httptest.NewRequest(family.method, "/", io.MultiReader(strings.NewReader(`[]`), iotest.ErrReader(cut)))
			req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
			req.ContentLength = length
			if err := h(echo.New().NewContext(req, httptest.NewRecorder())); !errors.Is(err, cut) || reached {
				t.Errorf("%s, Content-Length %d: a body cut short by %v: got %v, handler reached %v", family.name, length, cut, err, reached)
			}
		}
	}
}

// TestValidationAloneKeepsABodyReadError: where Validation is the first to read a body (the
// bench's validated floors), a read error reaches kin-openapi's own read, so a valid body cut
// short is not taken for the whole of it.
func TestValidationAloneKeepsABodyReadError(t *testing.T) {
	spec, err := openapi.Load("invx")
	if err != nil {
		t.Fatal(err)
	}
	const path = "/invx/apis/:iridessa-version/orgs/:org-id/document/bulk"
	e := echo.New()
	reached := false
	e.PATCH(path, func(echo.Context) error { reached = true; return nil }, Validation(spec, http.MethodPatch, path, func(echo.Context) bool { return true }))
	valid := `[{"action":"del","docId":"00000000-0000-4000-8000-000000000000"}]`
	for _, cut := range []bool{false, true} {
		reached = false
		var body io.Reader = strings.NewReader(valid)
		if cut {
			body = io.MultiReader(body, iotest.ErrReader(errors.New("connection reset")))
		}
		req := httptest.NewRequest(http.MethodPatch, "/invx/apis/v1/orgs/0123456789abcdef01234567/document/bulk", body)
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if reached == cut {
			t.Errorf("cut %v: the handler reached %v (status %d %s)", cut, reached, rec.Code, rec.Body)
		}
	}
}
