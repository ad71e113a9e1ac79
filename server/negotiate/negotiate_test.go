package negotiate

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Each case is what ASP.NET Web API 2's DefaultContentNegotiator picks with the JSON and XML
// formatters (ties go to JSON, registered first).
func TestWantsXML(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		accept, contentType string
		xml                 bool
	}{
		{"", "", false},
		{"", "application/json", false},
		{"", "application/xml", true},                                                 // an XML request answers in XML
		{"", "text/xml; charset=utf-8", true},                                         //
		{"text/plain", "text/xml", true},                                              // no Accept match: the request's type
		{"application/json", "text/xml", false},                                       // Accept wins over the request's type
		{"text/xml", "", true},                                                        //
		{"application/json, text/xml", "", false},                                     // equal q: JSON, registered first
		{"text/xml, application/json", "", false},                                     // likewise, whatever the order sent
		{"application/json;q=0.5, application/xml", "", true},                         // q honoured
		{"text/json;q=0.1, application/xml", "", true},                                //
		{"application/xml;q=0.9, */*", "", false},                                     // */* (q=1) goes to JSON
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "", true}, // a browser
		{"application/*", "application/xml", false},                                   // a range match beats the request's type
		{"*/*, application/xml", "", true},                                            // a literal match beats */* at equal q
		{"application/xml;q=0, application/json;q=0.1", "", false},                    // q=0 never matches
		{"application/xml;q=2", "application/xml", true},                              // an invalid q drops the value
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if c.accept != "" {
			r.Header.Set("Accept", c.accept)
		}
		if c.contentType != "" {
			r.Header.Set("Content-Type", c.contentType)
		}
		if got := WantsXML(r); got != c.xml {
			t.Errorf("Accept %q, Content-Type %q: XML %v, want %v", c.accept, c.contentType, got, c.xml)
		}
	}
}
