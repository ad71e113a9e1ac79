package server

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/labstack/echo/v4"

	"github.com/deletesvc/deletesvc/server/auth"
	"github.com/deletesvc/deletesvc/store"
)

// kind is what went wrong, independent of how a family words it.
type kind int

const (
	kindInternal kind = iota
	kindValidation
	kindUnauthenticated // no credentials
	kindTokenInvalid
	kindTokenExpired
	kindForbidden
	kindNotFound
	kindRouteNotFound
	kindMethodNotAllowed
	kindTooLarge
	kindUnsupportedMedia
)

// apiError is an error on its way to a family's renderer.
type apiError struct {
	kind    kind
	status  int
	message string       // safe to show
	fields  []fieldError // for kindValidation
	cause   error        // logged, never shown
}

func (e *apiError) Error() string {
	if e.cause != nil {
		return e.message + ": " + e.cause.Error()
	}
	return e.message
}

func (e *apiError) Unwrap() error { return e.cause }

// fieldError names one offending input.
type fieldError struct {
	in     string   // "body", "query", "path" or "header"
	name   string   // parameter name, empty for the body
	path   []string // JSON path inside the body
	reason string
}

// pointer is the field as a dotted path with array indexes: "clients", "[0].action", "ListBody[2].QtyPack".
func (f fieldError) pointer() string {
	var b strings.Builder
	b.WriteString(f.name)
	for _, p := range f.path {
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

// describe renders fields as "a: reason; b: reason".
func describe(fields []fieldError) string {
	parts := make([]string, 0, len(fields))
	for _, f := range fields {
		if p := f.pointer(); p != "" {
			parts = append(parts, p+": "+f.reason)
		} else {
			parts = append(parts, f.reason)
		}
	}
	return strings.Join(parts, "; ")
}

var propertyInReason = regexp.MustCompile(`property "([^"]+)"`)

// fromValidation turns what kin-openapi reports into an apiError; security failures win over
// shape failures because an anonymous caller should learn nothing about the shape.
func fromValidation(err error) *apiError {
	var me openapi3.MultiError
	if !errors.As(err, &me) {
		me = openapi3.MultiError{err}
	}
	var fields []fieldError
	for _, e := range me {
		var sre *openapi3filter.SecurityRequirementsError
		if errors.As(e, &sre) {
			return fromSecurity(sre)
		}
		var re *openapi3filter.RequestError
		if errors.As(e, &re) {
			if re.RequestBody != nil && strings.HasPrefix(re.Reason, "header Content-Type has unexpected value") {
				return &apiError{kind: kindUnsupportedMedia, status: http.StatusUnsupportedMediaType, message: "unsupported media type", cause: e}
			}
			var pe *openapi3filter.ParseError
			if errors.As(re.Err, &pe) && pe.Kind == openapi3filter.KindUnsupportedFormat {
				return &apiError{kind: kindUnsupportedMedia, status: http.StatusUnsupportedMediaType, message: "unsupported media type", cause: e}
			}
			fields = append(fields, requestErrorFields(re)...)
			continue
		}
		fields = append(fields, fieldError{in: "body", reason: e.Error()})
	}
	return &apiError{kind: kindValidation, status: http.StatusBadRequest, message: describe(fields), fields: fields, cause: err}
}

func requestErrorFields(re *openapi3filter.RequestError) []fieldError {
	base := fieldError{in: "body"}
	if re.Parameter != nil {
		base = fieldError{in: re.Parameter.In, name: re.Parameter.Name}
	}
	var schemaErrs []*openapi3.SchemaError
	var me openapi3.MultiError
	if errors.As(re.Err, &me) {
		for _, e := range me {
			var se *openapi3.SchemaError
			if errors.As(e, &se) {
				schemaErrs = append(schemaErrs, se)
			}
		}
	} else {
		var se *openapi3.SchemaError
		if errors.As(re.Err, &se) {
			schemaErrs = append(schemaErrs, se)
		}
	}
	if len(schemaErrs) == 0 {
		f := base
		f.reason = re.Reason
		if f.reason == "" && re.Err != nil {
			f.reason = re.Err.Error()
		}
		if errors.Is(re.Err, openapi3filter.ErrInvalidRequired) {
			f.reason = "value is required but missing"
		}
		var pe *openapi3filter.ParseError
		if errors.As(re.Err, &pe) {
			f.reason = "malformed: " + pe.Reason
			f.path = jsonPath(pe.Path())
		}
		return []fieldError{f}
	}
	out := make([]fieldError, 0, len(schemaErrs))
	for _, se := range schemaErrs {
		f := base
		f.path = se.JSONPointer()
		f.reason = se.Reason
		// For a missing or unknown property kin-openapi points at the object; name the property itself.
		if strings.HasSuffix(se.Reason, "is missing") || strings.HasSuffix(se.Reason, "is unsupported") {
			if m := propertyInReason.FindStringSubmatch(se.Reason); m != nil && (len(f.path) == 0 || f.path[len(f.path)-1] != m[1]) {
				f.path = append(append([]string(nil), f.path...), m[1])
			}
		}
		out = append(out, f)
	}
	return out
}

func jsonPath(p []any) []string {
	out := make([]string, 0, len(p))
	for _, x := range p {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

func fromSecurity(sre *openapi3filter.SecurityRequirementsError) *apiError {
	// With alternatives (invx accepts either header) report the most specific failure.
	best := &apiError{kind: kindUnauthenticated, status: http.StatusUnauthorized, message: "authentication required", cause: sre}
	for _, e := range sre.Errors {
		switch {
		case errors.Is(e, auth.ErrTokenExpired):
			return &apiError{kind: kindTokenExpired, status: http.StatusUnauthorized, message: "token expired", cause: e}
		case errors.Is(e, auth.ErrTokenInvalid):
			best = &apiError{kind: kindTokenInvalid, status: http.StatusUnauthorized, message: "token invalid", cause: e}
		}
	}
	return best
}

// toAPIError classifies anything a handler, middleware or Echo itself returned.
func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	if store.IsValueOutOfRange(err) {
		return &apiError{kind: kindValidation, status: http.StatusBadRequest, message: "a value is out of the range this service stores",
			fields: []fieldError{{in: "body", reason: "a value is out of the range this service stores"}}, cause: err}
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg := http.StatusText(he.Code)
		switch he.Code {
		case http.StatusNotFound:
			return &apiError{kind: kindRouteNotFound, status: he.Code, message: msg, cause: err}
		case http.StatusMethodNotAllowed:
			return &apiError{kind: kindMethodNotAllowed, status: he.Code, message: msg, cause: err}
		case http.StatusRequestEntityTooLarge:
			return &apiError{kind: kindTooLarge, status: he.Code, message: msg, cause: err}
		case http.StatusUnsupportedMediaType:
			return &apiError{kind: kindUnsupportedMedia, status: he.Code, message: msg, cause: err}
		case http.StatusBadRequest:
			// Binding errors after validation (e.g. a body that is not JSON at all).
			return &apiError{kind: kindValidation, status: he.Code, message: fmt.Sprint(he.Message), fields: []fieldError{{in: "body", reason: fmt.Sprint(he.Message)}}, cause: err}
		}
		if he.Code >= 500 {
			return &apiError{kind: kindInternal, status: http.StatusInternalServerError, message: "internal error", cause: err}
		}
		return &apiError{kind: kindValidation, status: he.Code, message: fmt.Sprint(he.Message), cause: err}
	}
	return &apiError{kind: kindInternal, status: http.StatusInternalServerError, message: "internal error", cause: err}
}

// renderer writes an apiError in one family's shape.
type renderer func(c echo.Context, e *apiError) error

// errorHandler is Echo's one global error handler: it picks the family from the path, so unknown
// routes and wrong methods answer in the family's shape too.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	ae := toAPIError(err)
	log := s.log
	if ae.status >= 500 {
		log.ErrorContext(c.Request().Context(), "request failed", "status", ae.status, "error", err)
	} else {
		log.DebugContext(c.Request().Context(), "request refused", "status", ae.status, "error", err)
	}
	render := s.rendererFor(c.Request().URL.Path)
	if rerr := render(c, ae); rerr != nil {
		log.ErrorContext(c.Request().Context(), "render error", "error", rerr)
	}
}

func (s *Server) rendererFor(path string) renderer {
	for _, f := range s.families {
		for _, p := range f.prefixes {
			if strings.HasPrefix(path, p) {
				return f.render
			}
		}
	}
	return renderPlain
}

// renderPlain serves paths outside the three families (docs, health).
func renderPlain(c echo.Context, e *apiError) error {
	return c.JSON(e.status, map[string]string{"message": e.message})
}

func isNotFound(err error) bool  { return errors.Is(err, store.ErrNotFound) }
func isNotMember(err error) bool { return errors.Is(err, store.ErrNotMember) }
