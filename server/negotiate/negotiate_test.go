package negotiate

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWantsXML(t *testing.T) {
	for accept, want := range map[string]string{
		"":                                 "",
		"text/xml":                         "text/xml",
		"application/xml;q=0.9, */*":       "application/xml",
		"application/json, text/xml":       "",
		"text/html, text/xml;q=0.5":        "text/xml",
		"text/json;q=0.1, application/xml": "",
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept", accept)
		if got := WantsXML(r); got != (want != "") {
			t.Errorf("Accept %q: %v, want %v", accept, got, want != "")
		}
	}
}
