package ultrabiz

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"github.com/deletesvc/deletesvc/server/negotiate"
	ultrabizstore "github.com/deletesvc/deletesvc/store/ultrabiz"
)

// The XML error document, escaping included, is pinned as literal bytes; the global renderer writes
// the same Error type with Echo's c.XML, so both writers are checked against the one document.
func TestErrorXML(t *testing.T) {
	t.Parallel()
	msg := `Product 'a<b>&"c"' was not found.`
	want := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Message>Product &#39;a&lt;b&gt;&amp;&#34;c&#34;&#39; was not found.</Message></Error>"
	got, err := ErrorXML(msg)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("ErrorXML:\n%s\nwant\n%s", got, want)
	}
	rec := httptest.NewRecorder()
	c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec)
	if err := c.XML(http.StatusNotFound, Error{Message: msg}); err != nil {
		t.Fatal(err)
	}
	if rec.Body.String() != want || rec.Header().Get("Content-Type") != negotiate.XMLContentType {
		t.Fatalf("c.XML: %q (%s)\nwant %q (%s)", rec.Body.String(), rec.Header().Get("Content-Type"), want, negotiate.XMLContentType)
	}
}

// ModelState in XML is what HttpError's WriteXml writes: keys through XmlConvert.EncodeLocalName,
// a key's messages joined by spaces.
func TestModelStateXML(t *testing.T) {
	t.Parallel()
	got, err := xml.Marshal(Error{Message: "The request is invalid.", ModelState: map[string][]string{
		"purchasesBody[0].QtyPack": {"number must be at least 0", "second"},
		"invoiceId":                {"value 'abc' <bad>"},
		"1st:_x0041_":              {"x"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := "<Error><Message>The request is invalid.</Message><ModelState>" +
		"<_x0031_st_x003A__x005F_x0041_>x</_x0031_st_x003A__x005F_x0041_>" +
		"<invoiceId>value &#39;abc&#39; &lt;bad&gt;</invoiceId>" +
		"<purchasesBody_x005B_0_x005D_.QtyPack>number must be at least 0 second</purchasesBody_x005B_0_x005D_.QtyPack>" +
		"</ModelState></Error>"
	if string(got) != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// Each store refusal has its exact ASP.NET wording and status (openapi/ultrabiz.yaml's examples).
func TestRefusalWording(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err    error
		status int
		want   string
	}{
		{ultrabizstore.UserMismatchError{UserID: 13}, 403, "userId 13 is not the caller's user number."},
		{ultrabizstore.VendorNotFoundError{VendorID: 7}, 404, "Vendor 7 was not found."},
		{ultrabizstore.ProductNotFoundError{ProductID: "P-0042"}, 404, "Product 'P-0042' was not found."},
		{ultrabizstore.PackingNotFoundError{ProductID: "P-0042", PackingID: 3}, 404, "Packing 3 of product 'P-0042' was not found."},
		{ultrabizstore.InvoiceNotFoundError{InvoiceID: 1024}, 404, "Purchase invoice 1024 was not found."},
		{ultrabizstore.BillTakenError{BillNo: "INV-2026-0311", VendorID: 7}, 409, "Bill number 'INV-2026-0311' is already used for vendor 7."},
		{ultrabizstore.InvoiceLockedError{InvoiceID: 1024, Reason: ultrabizstore.Finalized}, 409, "Purchase invoice 1024 is finalized and cannot be deleted."},
		{ultrabizstore.InvoiceLockedError{InvoiceID: 1024, Reason: ultrabizstore.Paid}, 409, "Purchase invoice 1024 has payments and cannot be deleted."},
		{ultrabizstore.LinesMismatchError{InvoiceID: 1024}, 409, "The lines sent do not match the stored lines of purchase invoice 1024."},
		{ultrabizstore.ShortfallError{InvoiceID: 1024, ProductID: "P-0042", SizeID: 35, ColorID: decimal.RequireFromString("37"), Short: decimal.RequireFromString("12")},
			409, "Deleting purchase invoice 1024 would leave product 'P-0042' (size 35, colour 37) 12 units short."},
	} {
		// Wrapped as the store returns them.
		status, body := refusal(fmt.Errorf("delete purchase invoice 1024: %w", c.err))
		if status != c.status || body.Message != c.want {
			t.Errorf("%T: %d %q, want %d %q", c.err, status, body.Message, c.status, c.want)
		}
	}
	if status, _ := refusal(fmt.Errorf("lock invoice: %w", http.ErrHandlerTimeout)); status != 0 {
		t.Errorf("an unknown error is a refusal with status %d; want 0 (a logged 500)", status)
	}
}
