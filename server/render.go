package server

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/deletesvc/deletesvc/server/negotiate"
	ultrabizh "github.com/deletesvc/deletesvc/server/ultrabiz"
)

// renderUpbooks writes Upbooks' {code, message}.
func renderUpbooks(c echo.Context, e *apiError) error {
	msg := e.message
	switch e.kind {
	case kindValidation:
		msg = "Validation failed: " + e.message
	case kindUnauthenticated:
		msg = "Authorization token is required"
	case kindTokenInvalid:
		msg = "Invalid token"
	case kindTokenExpired:
		msg = "Token expired"
	case kindRouteNotFound:
		msg = fmt.Sprintf("Cannot %s %s", c.Request().Method, c.Request().URL.Path)
	case kindMethodNotAllowed:
		msg = "Method not allowed"
	case kindTooLarge:
		msg = "Request body too large"
	case kindUnsupportedMedia:
		msg = "Unsupported media type: send application/json"
	case kindInternal:
		msg = "Something went wrong"
	}
	return c.JSON(e.status, map[string]string{"code": strconv.Itoa(e.status), "message": msg})
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
func renderInvx(c echo.Context, e *apiError) error {
	status, code, detail := e.status, "", e.message
	switch e.kind {
	case kindValidation:
		code = "err-validation"
	case kindUnauthenticated:
		code, detail = "err-missing-token", "X-FLYNN-N-USER-TOKEN or Authorization: Bearer is required"
	case kindTokenInvalid:
		status, code, detail = http.StatusForbidden, "err-invalid-token", "token is not valid"
	case kindTokenExpired:
		status, code, detail = http.StatusForbidden, "err-expired-token", "token has expired"
	case kindForbidden:
		code = "err-invalid-org"
	case kindNotFound:
		code = "err-resource-not-found"
	case kindRouteNotFound:
		code, detail = "err-resource-not-found", fmt.Sprintf("no route for %s %s", c.Request().Method, c.Request().URL.Path)
	case kindMethodNotAllowed:
		code = "err-method-not-allowed"
	case kindTooLarge:
		code = "err-payload-too-large"
	case kindUnsupportedMedia:
		code, detail = "err-unsupported-media-type", "send application/json"
	default:
		code, detail = "err-internal", "internal error"
	}
	typ := "ClientError"
	if status >= 500 {
		typ = "ServerError"
	}
	args := map[string]any{"message": detail}
	if len(e.fields) > 0 {
		args["field"] = e.fields[0].pointer()
	}
	return c.JSON(status, invxEnvelope{Status: "0", Error: invxErrorBody{Message: code, Type: typ, Args: args}})
}

// renderUltrabiz writes ASP.NET Web API errors, in XML when the client's Accept asks for it.
func renderUltrabiz(c echo.Context, e *apiError) error {
	req := c.Request()
	body := ultrabizh.Error{Message: e.message}
	switch e.kind {
	case kindValidation:
		body.Message = "The request is invalid."
		body.ModelState = map[string][]string{}
		for _, f := range e.fields {
			key := f.pointer()
			if f.in == "body" {
				key = ultrabizBodyName(req.URL.Path) + prefixDot(key)
			}
			body.ModelState[key] = append(body.ModelState[key], f.reason)
		}
	case kindUnauthenticated, kindTokenInvalid, kindTokenExpired:
		body.Message = "Authorization has been denied for this request."
	case kindRouteNotFound:
		body.Message = fmt.Sprintf("No HTTP resource was found that matches the request URI '%s://%s%s'.", c.Scheme(), req.Host, req.URL.RequestURI())
	case kindMethodNotAllowed:
		body.Message = fmt.Sprintf("The requested resource does not support http method '%s'.", req.Method)
	case kindTooLarge:
		body.Message = "The request entity is too large."
	case kindUnsupportedMedia:
		body.Message = fmt.Sprintf("The request entity's media type '%s' is not supported for this resource.", req.Header.Get(echo.HeaderContentType))
	case kindInternal:
		body.Message = "An error has occurred."
	}
	if negotiate.WantsXML(req) {
		return c.XML(e.status, body)
	}
	return c.JSON(e.status, body)
}

// ultrabizBodyName is the C# parameter name ASP.NET uses as the ModelState key of a body.
func ultrabizBodyName(path string) string {
	if strings.HasSuffix(path, "/InsertPurchaseInvoice") {
		return "purchase"
	}
	return "purchasesBody"
}

func prefixDot(key string) string {
	if key == "" || strings.HasPrefix(key, "[") {
		return key
	}
	return "." + key
}
