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

	"github.com/deletesvc/deletesvc/server/api"
	"github.com/deletesvc/deletesvc/server/auth"
	"github.com/deletesvc/deletesvc/store"
)

// unboundParameter is how oapi-codegen's generated Echo wrappers word a parameter they cannot bind.
var unboundParameter = regexp.MustCompile(`^Invalid format for parameter ([A-Za-z0-9_.-]+): (.*)$`)

var propertyInReason = regexp.MustCompile(`property "([^"]+)"`)

// fromValidation turns what kin-openapi reports into an apiError; security failures win over
// shape failures because an anonymous caller should learn nothing about the shape.
func fromValidation(err error) *api.Error {
	var me openapi3.MultiError
	if !errors.As(err, &me) {
		me = openapi3.MultiError{err}
	}
	var fields []api.FieldError
	for _, e := range me {
		var sre *openapi3filter.SecurityRequirementsError
		if errors.As(e, &sre) {
			return fromSecurity(sre)
		}
		var re *openapi3filter.RequestError
		if errors.As(e, &re) {
			if re.RequestBody != nil && strings.HasPrefix(re.Reason, "header Content-Type has unexpected value") {
				return &api.Error{Kind: api.KindUnsupportedMedia, Status: http.StatusUnsupportedMediaType, Message: "unsupported media type", Cause: e}
			}
			var pe *openapi3filter.ParseError
			if errors.As(re.Err, &pe) && pe.Kind == openapi3filter.KindUnsupportedFormat {
				return &api.Error{Kind: api.KindUnsupportedMedia, Status: http.StatusUnsupportedMediaType, Message: "unsupported media type", Cause: e}
			}
			fields = append(fields, requestErrorFields(re)...)
			continue
		}
		fields = append(fields, api.FieldError{In: "body", Reason: e.Error()})
	}
	return &api.Error{Kind: api.KindValidation, Status: http.StatusBadRequest, Message: api.Describe(fields), Fields: fields, Cause: err}
}

func requestErrorFields(re *openapi3filter.RequestError) []api.FieldError {
	base := api.FieldError{In: "body"}
	if re.Parameter != nil {
		base = api.FieldError{In: re.Parameter.In, Name: re.Parameter.Name}
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
		f.Reason = re.Reason
		if f.Reason == "" && re.Err != nil {
			f.Reason = re.Err.Error()
		}
		if errors.Is(re.Err, openapi3filter.ErrInvalidRequired) {
			f.Reason = "value is required but missing"
		}
		var pe *openapi3filter.ParseError
		if errors.As(re.Err, &pe) {
			// kin-openapi leaves Reason empty when a decoder's own error is the cause (a body
			// that is not JSON): name that instead of an empty "malformed: ".
			reason := pe.Reason
			if reason == "" && pe.RootCause() != nil {
				reason = pe.RootCause().Error()
			}
			if reason == "" {
				reason = "cannot be decoded"
			}
			f.Reason = "malformed: " + reason
			f.Path = jsonPath(pe.Path())
		}
		return []api.FieldError{f}
	}
	out := make([]api.FieldError, 0, len(schemaErrs))
	for _, se := range schemaErrs {
		f := base
		f.Path = se.JSONPointer()
		f.Reason = se.Reason
		// For a missing or unknown property kin-openapi points at the object; name the property itself.
		if strings.HasSuffix(se.Reason, "is missing") || strings.HasSuffix(se.Reason, "is unsupported") {
			if m := propertyInReason.FindStringSubmatch(se.Reason); m != nil && (len(f.Path) == 0 || f.Path[len(f.Path)-1] != m[1]) {
				f.Path = append(append([]string(nil), f.Path...), m[1])
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

func fromSecurity(sre *openapi3filter.SecurityRequirementsError) *api.Error {
	// With alternatives (invx accepts either header) report the most specific failure.
	best := &api.Error{Kind: api.KindUnauthenticated, Status: http.StatusUnauthorized, Message: "authentication required", Cause: sre}
	for _, e := range sre.Errors {
		switch {
		case errors.Is(e, auth.ErrTokenExpired):
			return &api.Error{Kind: api.KindTokenExpired, Status: http.StatusUnauthorized, Message: "token expired", Cause: e}
		case errors.Is(e, auth.ErrTokenInvalid):
			best = &api.Error{Kind: api.KindTokenInvalid, Status: http.StatusUnauthorized, Message: "token invalid", Cause: e}
		}
	}
	return best
}

// toAPIError classifies anything a handler, middleware or Echo itself returned.
func toAPIError(err error) *api.Error {
	var ae *api.Error
	if errors.As(err, &ae) {
		return ae
	}
	if store.IsUnavailable(err) {
		return &api.Error{Kind: api.KindUnavailable, Status: http.StatusServiceUnavailable, Message: "service unavailable", Cause: err}
	}
	if errors.Is(err, store.ErrIdempotencyInFlight) {
		return &api.Error{Kind: api.KindIdempotencyInFlight, Status: http.StatusConflict,
			Message: "A request with this Idempotency-Key is still being processed; retry later.", Cause: err}
	}
	if errors.Is(err, store.ErrIdempotencyMismatch) {
		return &api.Error{Kind: api.KindIdempotencyMismatch, Status: http.StatusUnprocessableEntity,
			Message: "This Idempotency-Key was used for a different request.", Cause: err}
	}
	if errors.Is(err, store.ErrUnknownUser) {
		// The token is genuine but its user was deleted since: it is no longer a valid credential.
		return &api.Error{Kind: api.KindTokenInvalid, Status: http.StatusUnauthorized, Message: "token invalid", Cause: err}
	}
	if store.IsValueOutOfRange(err) {
		return &api.Error{Kind: api.KindValidation, Status: http.StatusBadRequest, Message: "a value is out of the range this service stores",
			Fields: []api.FieldError{{In: "body", Reason: "a value is out of the range this service stores"}}, Cause: err}
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg := http.StatusText(he.Code)
		switch he.Code {
		case http.StatusNotFound:
			return &api.Error{Kind: api.KindRouteNotFound, Status: he.Code, Message: msg, Cause: err}
		case http.StatusMethodNotAllowed:
			return &api.Error{Kind: api.KindMethodNotAllowed, Status: he.Code, Message: msg, Cause: err}
		case http.StatusRequestEntityTooLarge:
			return &api.Error{Kind: api.KindTooLarge, Status: he.Code, Message: msg, Cause: err}
		case http.StatusUnsupportedMediaType:
			return &api.Error{Kind: api.KindUnsupportedMedia, Status: he.Code, Message: msg, Cause: err}
		case http.StatusBadRequest:
			// Binding errors after validation: a body that is not JSON at all, or a parameter the
			// generated wrapper could not bind (a single-valued query parameter given twice passes
			// kin-openapi, which reads the first value); the latter is named as the parameter.
			msg := fmt.Sprint(he.Message)
			field := api.FieldError{In: "body", Reason: msg}
			if m := unboundParameter.FindStringSubmatch(msg); m != nil {
				field = api.FieldError{In: "query", Name: m[1], Reason: m[2]}
			}
			return &api.Error{Kind: api.KindValidation, Status: he.Code, Message: msg, Fields: []api.FieldError{field}, Cause: err}
		}
		if he.Code >= 500 {
			return &api.Error{Kind: api.KindInternal, Status: http.StatusInternalServerError, Message: "internal error", Cause: err}
		}
		return &api.Error{Kind: api.KindValidation, Status: he.Code, Message: fmt.Sprint(he.Message), Cause: err}
	}
	return &api.Error{Kind: api.KindInternal, Status: http.StatusInternalServerError, Message: "internal error", Cause: err}
}

// RetryAfter is the Retry-After of every 503, in seconds: long enough for a restarted database or
// a released lock, short enough that clients do not give up.
const RetryAfter = "5"

// errorHandler is Echo's one global error handler: it picks the family from the path, so unknown
// routes and wrong methods answer in the family's shape too.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	ae := toAPIError(err)
	log := s.log
	if ae.Status >= 500 {
		log.ErrorContext(c.Request().Context(), "request failed", "status", ae.Status, "error", err)
	} else {
		log.DebugContext(c.Request().Context(), "request refused", "status", ae.Status, "error", err)
	}
	if ae.Status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", RetryAfter)
	}
	render := s.rendererFor(c.Request().URL.Path)
	if rerr := render(c, ae); rerr != nil {
		log.ErrorContext(c.Request().Context(), "render error", "error", rerr)
	}
}

// rendererFor is the renderer of the family owning path: the longest matching prefix, so
// "/api/v1/" (Upbooks) wins over "/api/" (Ultrabiz) whatever the registration order.
func (s *Server) rendererFor(path string) api.Renderer {
	render, longest := api.Renderer(renderPlain), 0
	for _, f := range s.families {
		for _, p := range f.Prefixes {
			if strings.HasPrefix(path, p) && len(p) > longest {
				render, longest = f.Render, len(p)
			}
		}
	}
	return render
}

// renderPlain serves paths outside the three families (docs, health).
func renderPlain(c echo.Context, e *api.Error) error {
	return c.JSON(e.Status, map[string]string{"message": e.Message})
}
