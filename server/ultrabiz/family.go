package ultrabiz

import (
	"fmt"
	"strings"

	"github.com/labstack/echo/v4"

	gen "github.com/deletesvc/deletesvc/gen/ultrabiz"
	"github.com/deletesvc/deletesvc/openapi"
	"github.com/deletesvc/deletesvc/server/api"
	"github.com/deletesvc/deletesvc/server/auth"
	"github.com/deletesvc/deletesvc/server/negotiate"
	ultrabizstore "github.com/deletesvc/deletesvc/store/ultrabiz"
)

// Family describes the Ultrabiz API to the server. Calls act in the organization the token names.
func Family(d api.Deps) (api.Family, error) {
	spec, err := openapi.Load("ultrabiz")
	if err != nil {
		return api.Family{}, err
	}
	h := New(d.Identity, ultrabizstore.New(d.DB))
	return api.Family{
		Name: "ultrabiz", Prefixes: []string{"/api/"}, Spec: spec, Render: render,
		OrgOf:  func(_ echo.Context, caller auth.Caller) string { return caller.SelectedOrgID },
		Guard:  api.MemberGuard(d.Identity),
		ASPNET: true,
		Register: func(r api.Router) {
			gen.RegisterHandlers(r, gen.NewStrictHandler(h, StrictMiddlewares()))
		},
	}, nil
}

// renderUltrabiz writes ASP.NET Web API errors, in XML when the client's Accept asks for it.
func render(c echo.Context, e *api.Error) error {
	req := c.Request()
	body := Error{Message: e.Message}
	switch e.Kind {
	case api.KindValidation:
		body.Message = "The request is invalid."
		body.ModelState = map[string][]string{}
		for _, f := range e.Fields {
			key := f.Pointer()
			if f.In == "body" {
				key = ultrabizBodyName(req.URL.Path) + prefixDot(key)
			}
			body.ModelState[key] = append(body.ModelState[key], f.Reason)
		}
	case api.KindUnauthenticated, api.KindTokenInvalid, api.KindTokenExpired:
		body.Message = "Authorization has been denied for this request."
	case api.KindRouteNotFound:
		body.Message = fmt.Sprintf("No HTTP resource was found that matches the request URI '%s://%s%s'.", c.Scheme(), req.Host, req.URL.RequestURI())
	case api.KindMethodNotAllowed:
		body.Message = fmt.Sprintf("The requested resource does not support http method '%s'.", req.Method)
	case api.KindTooLarge:
		body.Message = "The request entity is too large."
	case api.KindUnsupportedMedia:
		body.Message = fmt.Sprintf("The request entity's media type '%s' is not supported for this resource.", req.Header.Get(echo.HeaderContentType))
	case api.KindUnavailable:
		body.Message = "The service is temporarily unavailable. Please retry later."
	case api.KindInternal:
		body.Message = "An error has occurred."
	}
	if negotiate.WantsXML(req) {
		return c.XML(e.Status, body)
	}
	return c.JSON(e.Status, body)
}

// ultrabizBodyName is the C# parameter name ASP.NET uses as the ModelState key of a body (the
// spec's x-aspnet-body-name, which the form reader uses too).
func ultrabizBodyName(path string) string {
	switch {
	case strings.HasSuffix(path, "/InsertPurchaseInvoice"):
		return "purchase"
	case strings.HasSuffix(path, "/InsertPurchaseReturn"):
		return "purchaseReturn"
	}
	return "purchasesBody"
}

func prefixDot(key string) string {
	if key == "" || strings.HasPrefix(key, "[") {
		return key
	}
	return "." + key
}
