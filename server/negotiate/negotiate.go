// Package negotiate holds Ultrabiz's ASP.NET-style content negotiation and XML error body, shared by
// the global error renderer (server/render.go) and the Ultrabiz strict middleware, so errors look the
// same whichever of the two writes them.
package negotiate

import (
	"encoding/xml"
	"net/http"
	"strings"
)

// XMLErrorContentType is the Content-Type of an XML error body (Echo's c.XML writes the same).
const XMLErrorContentType = "application/xml; charset=UTF-8"

// XMLType is the XML media type the client asked for, or "" for JSON: the first JSON or XML type
// named in Accept wins, as in ASP.NET Web API's negotiation; no preference means JSON.
func XMLType(r *http.Request) string {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		switch mt := strings.TrimSpace(strings.SplitN(part, ";", 2)[0]); mt {
		case "application/xml", "text/xml":
			return mt
		case "application/json", "text/json":
			return ""
		}
	}
	return ""
}

// WantsXML reports whether the client prefers an XML answer (see XMLType).
func WantsXML(r *http.Request) bool { return XMLType(r) != "" }

// aspNetError is ASP.NET Web API's HttpError as XML (ModelState is not rendered in XML).
type aspNetError struct {
	XMLName xml.Name `xml:"Error"`
	Message string   `xml:"Message"`
}

// ErrorXML is ASP.NET's HttpError body in XML, with the XML declaration: the bytes Echo's c.XML
// writes for the same message.
func ErrorXML(message string) ([]byte, error) {
	b, err := xml.Marshal(aspNetError{Message: message})
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), b...), nil
}
