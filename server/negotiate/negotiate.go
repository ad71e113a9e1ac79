// Package negotiate holds Ultrabiz's ASP.NET-style content negotiation and XML error body, shared by
// the global error renderer (server/render.go) and the Ultrabiz strict middleware, so errors look the
// same whichever of the two writes them.
package negotiate

import (
	"encoding/xml"
	"net/http"
	"strings"
)

// XMLContentType is the Content-Type of every XML answer, errors included (Echo's c.XML writes the
// same); the spec declares application/xml whichever XML type the client asked for.
const XMLContentType = "application/xml; charset=UTF-8"

// WantsXML follows ASP.NET Web API's negotiation: XML when Accept names an XML type before any
// JSON one; no preference means JSON.
func WantsXML(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		switch strings.TrimSpace(strings.SplitN(part, ";", 2)[0]) {
		case "application/xml", "text/xml":
			return true
		case "application/json", "text/json":
			return false
		}
	}
	return false
}

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
