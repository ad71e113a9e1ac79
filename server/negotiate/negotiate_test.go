package negotiate

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
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

// ErrorXML writes what Echo's c.XML writes for render.go's error struct, escaping included.
func TestErrorXMLMatchesEcho(t *testing.T) {
	type renderError struct {
		XMLName xml.Name `xml:"Error"`
		Message string   `xml:"Message"`
	}
	msg := `Product 'a<b>&"c"' was not found.`
	rec := httptest.NewRecorder()
	c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec)
	if err := c.XML(http.StatusNotFound, renderError{Message: msg}); err != nil {
		t.Fatal(err)
	}
	got, err := ErrorXML(msg)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != rec.Body.String() || rec.Header().Get("Content-Type") != XMLContentType {
		t.Fatalf("ErrorXML %q, Echo %q (%s)", got, rec.Body.String(), rec.Header().Get("Content-Type"))
	}
}
