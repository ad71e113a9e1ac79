package server

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"

	"github.com/deletesvc/deletesvc/server/api"
)

// aspnetRouting routes an ASP.NET-style family's requests as ASP.NET Web API 2 does, before Echo's
// (case-sensitive) router sees them: paths and query parameter names match their spec spelling
// ignoring case, a trailing slash is tolerated, and a request without one of the operation's
// required query parameters matches no action, so it is the family's 404 for an unknown route
// ("No HTTP resource was found that matches the request URI '...'"), answered before
// authentication as ASP.NET selects the action before its filters run. Query names that differ only
// in case are the same parameter given twice, refused as such by validation.
func aspnetRouting(f api.Family) echo.MiddlewareFunc {
	type operation struct {
		names    map[string]string // lower-case name -> spec name
		required []string
	}
	paths := map[string]string{}                 // lower-case path -> spec path
	ops := map[string]map[string]operation{}     // spec path -> method -> operation
	for path, item := range f.Spec.Paths.Map() { // the Ultrabiz paths hold no templates
		paths[strings.ToLower(path)] = path
		ops[path] = map[string]operation{}
		for method, op := range item.Operations() {
			o := operation{names: map[string]string{}}
			for _, ref := range append(append([]*openapi3.ParameterRef(nil), item.Parameters...), op.Parameters...) {
				if p := ref.Value; p != nil && p.In == "query" {
					o.names[strings.ToLower(p.Name)] = p.Name
					if p.Required {
						o.required = append(o.required, p.Name)
					}
				}
			}
			ops[path][method] = o
		}
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			p := req.URL.Path
			if len(p) > 1 {
				p = strings.TrimSuffix(p, "/")
			}
			path, ok := paths[strings.ToLower(p)]
			if !ok {
				return next(c)
			}
			o, ok := ops[path][req.Method]
			if !ok {
				return next(c) // Echo answers 405 in the family's shape
			}
			query := req.URL.Query()
			renamed := make(url.Values, len(query))
			for name, values := range query {
				if spec, ok := o.names[strings.ToLower(name)]; ok {
					name = spec
				}
				renamed[name] = append(renamed[name], values...)
			}
			for _, name := range o.required {
				if _, ok := renamed[name]; !ok {
					return &api.Error{Kind: api.KindRouteNotFound, Status: http.StatusNotFound, Message: "no action matches: query parameter " + name + " is missing"}
				}
			}
			if path != req.URL.Path {
				req.URL.Path, req.URL.RawPath = path, ""
			}
			if len(renamed) != len(query) || !sameNames(renamed, query) {
				req.URL.RawQuery = renamed.Encode()
			}
			return next(c)
		}
	}
}

func sameNames(a, b url.Values) bool {
	for name := range a {
		if _, ok := b[name]; !ok {
			return false
		}
	}
	return true
}
