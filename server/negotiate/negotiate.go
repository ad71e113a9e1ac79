// Package negotiate holds Ultrabiz's ASP.NET-style content negotiation, shared by the global error
// renderer (server/render.go) and the Ultrabiz strict middleware, so both pick the same format.
package negotiate

import (
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
