package ultrabiz_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	gen "github.com/deletesvc/deletesvc/gen/ultrabiz"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// Bodies below are byte for byte what a .NET client sends: HttpClient with Json.NET's
// JsonConvert.SerializeObject (PascalCase, or camelCase with CamelCasePropertyNamesContractResolver;
// unset strings as null; DateTime of unspecified kind without a zone), or a form body. HTTP shapes
// only: SQLite; store/ultrabiz's tests cover the store on both databases.

// send makes one request with the env's token; headers are name, value pairs.
func (e env) send(t testing.TB, method, uri, contentType, body string, headers ...string) (int, http.Header, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.URL+uri, rd)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	_ = e.auth(context.Background(), req)
	resp, err := e.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// A camelCase Json.NET client's insert: numbers and booleans as strings, null strings, an unknown
// property, a zone-less DateTime. It binds, and the invoice reads back with the values meant.
func TestJSONNETBindingInsertAndDelete(t *testing.T) {
	t.Parallel()
	e := start(t, storetest.DB(t, storetest.SQLite), true)
	body := fmt.Sprintf(`{"vendorID":"%d","billNo":"JN-1","billDate":"2026-11-20T00:00:00","remarks":null,"grossAmount":"12.5","discAmount":0.0,`+
		`"sTaxAmount":0.0,"fTaxAmount":0.0,"iTaxAmount":0.0,"netAmount":"12.5","paidAmount":0.0,"isPosted":"false","isFinalized":false,"clientVersion":"4.2.1",`+
		`"listBody":[{"purchaseId":0,"productId":"sample string 2","packingId":"3","multiplier":4.0,"qtyPack":"2","qtyLose":1,"bnsLose":0,"pricePack":6.25,`+
		`"isValueB4Ratio":"True","customerId":null,"barCode":null,"sizeID":0,"colorID":0.0,"lineNote":"extra"}]}`, e.vendor)
	status, _, resp := e.send(t, http.MethodPost, fmt.Sprintf("/api/Purchase/InsertPurchaseInvoice?userId=%d", e.user), "application/json; charset=utf-8", body)
	if status != http.StatusOK {
		t.Fatalf("insert: %d %s", status, resp)
	}
	inv, err := e.c.GetPurchaseInvoiceWithResponse(context.Background(), &gen.GetPurchaseInvoiceParams{InvoiceId: 1}, e.auth)
	if err != nil || inv.JSON200 == nil {
		t.Fatalf("read: %v %s", err, inv.Body)
	}
	got := inv.JSON200
	if got.VendorID != e.vendor || got.BillDate.Format("2006-01-02T15:04:05Z07:00") != "2026-11-20T00:00:00Z" || got.Remarks != nil ||
		got.NetAmount.String() != "12.5" || got.IsPosted || len(got.ListBody) != 1 || *got.ListBody[0].QtyPack != 2 ||
		!*got.ListBody[0].IsValueB4Ratio || got.ListBody[0].CustomerId != nil {
		t.Fatalf("read back %s", inv.Body)
	}
	if s := e.stock(t, "sample string 2"); s != "9" {
		t.Fatalf("stock %s, want 9 (2 x 4 + 1)", s)
	}
	// The same line, PascalCase and camelCase mixed as two clients would write it, deletes it.
	del := `[{"PurchaseId":1,"productId":"sample string 2","PackingId":3,"Multiplier":4.0,"qtyPack":2,"QtyLose":"1","BnsLose":0,` +
		`"CustomerId":null,"BarCode":null,"SizeID":0,"ColorID":0.0,"IsDeleted":false,"Unknown":{"nested":[1,2]}}]`
	status, _, resp = e.send(t, http.MethodDelete, fmt.Sprintf("/api/Purchase/DeletePurchaseInvoice?invoiceId=1&userId=%d", e.user), "application/json", del)
	if status != http.StatusOK || !strings.Contains(resp, `"UnitsReversed":9`) {
		t.Fatalf("delete: %d %s", status, resp)
	}
}

func TestJSONNETBindingRefusals(t *testing.T) {
	t.Parallel()
	e := start(t, storetest.DB(t, storetest.SQLite), true)
	id := e.insert(t, "JN-2", false, "1", nil, seedLines(t)[:1])
	uri := fmt.Sprintf("/api/Purchase/DeletePurchaseInvoice?invoiceId=%d&userId=%d", id, e.user)
	for _, c := range []struct{ name, body, want string }{
		{"names differing only in case", `[{"QtyPack":5,"qtyPack":6}]`,
			`{"Message":"The request is invalid.","ModelState":{"purchasesBody[0].QtyPack":["duplicate key in object (\"QtyPack\" and \"qtyPack\" differ only in case)"]}}`},
		{"null for a number", `[{"QtyPack":null}]`, `"purchasesBody[0].QtyPack"`},
		{"a string that is no number", `[{"QtyPack":"five"}]`, `"purchasesBody[0].QtyPack"`},
	} {
		status, _, body := e.send(t, http.MethodDelete, uri, "application/json", c.body)
		if status != http.StatusBadRequest || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s, want 400 with %s", c.name, status, body, c.want)
		}
	}
	// A null body is the empty collection: the invoice as stored.
	if status, _, body := e.send(t, http.MethodDelete, uri, "application/json", "null"); status != http.StatusOK {
		t.Fatalf("null body: %d %s", status, body)
	}
}

// Routes and query names as ASP.NET matches them: any case, a trailing slash; a missing required
// query parameter matches no action (404 in ASP.NET's words, the URI as sent), even without a token.
func TestRoutingLikeASPNET(t *testing.T) {
	t.Parallel()
	e := start(t, storetest.DB(t, storetest.SQLite), true)
	id := e.insert(t, "RT-1", false, "1", nil, seedLines(t)[:1])
	status, _, body := e.send(t, http.MethodGet, fmt.Sprintf("/API/purchase/getpurchaseinvoice/?InvoiceID=%d&ISPGP=false", id), "", "")
	if status != http.StatusOK || !strings.Contains(body, `"BillNo":"RT-1"`) {
		t.Fatalf("read with other casing: %d %s", status, body)
	}
	status, _, body = e.send(t, http.MethodDelete, fmt.Sprintf("/api/purchase/deletepurchaseinvoice?InvoiceId=%d&USERID=%d", id, e.user), "", "")
	if status != http.StatusOK {
		t.Fatalf("delete with other casing: %d %s", status, body)
	}
	// invoiceId given twice, once in each casing, is one parameter given twice.
	status, _, body = e.send(t, http.MethodGet, fmt.Sprintf("/api/Purchase/GetPurchaseInvoice?invoiceId=%d&InvoiceId=%d", id, id), "", "")
	if status != http.StatusBadRequest || !strings.Contains(body, `"invoiceId":["multiple values`) {
		t.Fatalf("repeated in two casings: %d %s", status, body)
	}
	for _, uri := range []string{
		fmt.Sprintf("/api/Purchase/DeletePurchaseInvoice?invoiceId=%d", id),
		fmt.Sprintf("/api/purchase/deletepurchaseinvoice/?userid=%d", e.user),
	} {
		want := fmt.Sprintf(`{"Message":"No HTTP resource was found that matches the request URI '%s%s'."}`, e.URL, uri)
		for _, token := range []bool{true, false} {
			req, _ := http.NewRequest(http.MethodDelete, e.URL+uri, nil)
			if token {
				_ = e.auth(context.Background(), req)
			}
			resp, err := e.HTTP.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound || strings.TrimSpace(string(b)) != want || resp.Header.Get("X-Request-Id") == "" {
				t.Errorf("%s (token %v): %d %s, want 404 %s with a request id", uri, token, resp.StatusCode, b, want)
			}
		}
	}
}

// An XML request with no Accept (HttpClient with an XML StringContent) answers in XML, errors with
// their ModelState included; Accept q-values decide over the body's format.
func TestNegotiationLikeASPNET(t *testing.T) {
	t.Parallel()
	e := start(t, storetest.DB(t, storetest.SQLite), true)
	id := e.insert(t, "NG-1", false, "1", nil, seedLines(t))
	uri := fmt.Sprintf("/api/Purchase/DeletePurchaseInvoice?invoiceId=%d&userId=%d", id, e.user)
	bad := `<ArrayOfPurchasesBody xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/Ultrabiz_ERP_API.Models">` +
		`<PurchasesBody><QtyPack>-1</QtyPack></PurchasesBody></ArrayOfPurchasesBody>`
	status, h, body := e.send(t, http.MethodDelete, uri, "application/xml; charset=utf-8", bad)
	want := xmlDecl + `<Error><Message>The request is invalid.</Message><ModelState>` +
		`<purchasesBody_x005B_0_x005D_.QtyPack>number must be at least 0</purchasesBody_x005B_0_x005D_.QtyPack></ModelState></Error>`
	if status != http.StatusBadRequest || body != want || h.Get("Content-Type") != "application/xml; charset=UTF-8" {
		t.Fatalf("400: %d %s %s\nwant %s", status, h.Get("Content-Type"), body, want)
	}
	// Accept prefers JSON by q: JSON, though the body is XML.
	status, h, body = e.send(t, http.MethodDelete, uri, "text/xml", bad, "Accept", "application/xml;q=0.5, application/json")
	if status != http.StatusBadRequest || !strings.HasPrefix(body, `{"Message":"The request is invalid."`) {
		t.Fatalf("Accept JSON by q: %d %s %s", status, h.Get("Content-Type"), body)
	}
	status, h, body = e.send(t, http.MethodDelete, uri, "text/xml", seedXML)
	if status != http.StatusOK || !strings.HasPrefix(body, "<DeletePurchaseInvoiceResult ") || h.Get("Content-Type") != "application/xml; charset=UTF-8" {
		t.Fatalf("delete: %d %s %s", status, h.Get("Content-Type"), body)
	}
	// JSON body, Accept naming XML at a higher q than JSON: XML.
	status, _, body = e.send(t, http.MethodDelete, uri, "application/json", "[]", "Accept", "application/json;q=0.8, text/xml")
	if want := fmt.Sprintf(xmlDecl+"<Error><Message>Purchase invoice %d was not found.</Message></Error>", id); status != http.StatusNotFound || body != want {
		t.Fatalf("second delete: %d %s, want %s", status, body, want)
	}
}

// Form bodies as .NET's FormUrlEncodedContent writes them (brackets percent-encoded, spaces as +),
// in jQuery's and MVC's notations, prefixed or not: each deletes like the JSON body would.
func TestFormBodies(t *testing.T) {
	t.Parallel()
	e := start(t, storetest.DB(t, storetest.SQLite), true)
	line := func(prefix string, jquery bool, i int, field, value string) string {
		key := fmt.Sprintf("%s[%d].%s", prefix, i, field)
		if jquery {
			key = fmt.Sprintf("%s[%d][%s]", prefix, i, field)
		}
		return strings.NewReplacer("[", "%5B", "]", "%5D").Replace(key) + "=" + value
	}
	view := func(prefix string, jquery bool) string {
		var parts []string
		for i := range 2 {
			parts = append(parts, line(prefix, jquery, i, "ProductId", "sample+string+2"), line(prefix, jquery, i, "packingId", "3"),
				line(prefix, jquery, i, "Multiplier", "4.0"), line(prefix, jquery, i, "QtyPack", "5"), line(prefix, jquery, i, "QtyLose", "6"),
				line(prefix, jquery, i, "BnsLose", "7"), line(prefix, jquery, i, "SizeID", "35"), line(prefix, jquery, i, "ColorID", "37"),
				line(prefix, jquery, i, "IsFreeProduct", "true"), line(prefix, jquery, i, "CustomerId", ""))
		}
		return strings.Join(parts, "&")
	}
	for _, c := range []struct {
		name, prefix string
		jquery       bool
	}{{"jQuery", "", true}, {"MVC", "", false}, {"MVC prefixed", "purchasesBody", false}, {"jQuery prefixed", "PurchasesBody", true}} {
		id := e.insert(t, "F-"+c.name, false, "1", nil, seedLines(t))
		uri := fmt.Sprintf("/api/Purchase/DeletePurchaseInvoice?invoiceId=%d&userId=%d", id, e.user)
		// A stale quantity in the same notation is refused: the form was read, not ignored.
		stale := strings.Replace(view(c.prefix, c.jquery), "=6", "=9", 1)
		if status, _, body := e.send(t, http.MethodDelete, uri, "application/x-www-form-urlencoded", stale); status != http.StatusConflict {
			t.Errorf("%s stale: %d %s, want 409", c.name, status, body)
		}
		status, h, body := e.send(t, http.MethodDelete, uri, "application/x-www-form-urlencoded", view(c.prefix, c.jquery))
		if status != http.StatusOK || !strings.Contains(body, `"LinesReversed":2`) || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
			t.Errorf("%s: %d %s %s, want 200 JSON with 2 lines", c.name, status, h.Get("Content-Type"), body)
		}
	}
	// An insert as a form, the ASP.NET model-state 400 for a bad value, a key given twice.
	insert := fmt.Sprintf("VendorID=%d&BillNo=F-INS&BillDate=2026-11-20T00%%3A00%%3A00&NetAmount=10.5&%s&%s&%s", e.vendor,
		line("ListBody", true, 0, "ProductId", "P-0042"), line("ListBody", true, 0, "PackingId", "1"), line("ListBody", true, 0, "QtyPack", "30"))
	status, _, body := e.send(t, http.MethodPost, fmt.Sprintf("/api/Purchase/InsertPurchaseInvoice?userId=%d", e.user), "application/x-www-form-urlencoded", insert)
	if status != http.StatusOK || e.stock(t, "P-0042") != "3" {
		t.Fatalf("form insert: %d %s, stock %s", status, body, e.stock(t, "P-0042"))
	}
	uri := fmt.Sprintf("/api/Purchase/DeletePurchaseInvoice?invoiceId=1&userId=%d", e.user)
	for form, want := range map[string]string{
		line("", false, 0, "QtyPack", "-1"):                                           `{"Message":"The request is invalid.","ModelState":{"purchasesBody[0].QtyPack":["number must be at least 0"]}}`,
		line("", false, 0, "QtyPack", "x"):                                            `{"Message":"The request is invalid.","ModelState":{"purchasesBody[0].QtyPack":["value must be an integer"]}}`,
		line("", false, 0, "QtyPack", "1") + "&" + line("", false, 0, "QtyPack", "2"): `is given more than once`,
	} {
		status, _, body := e.send(t, http.MethodDelete, uri, "application/x-www-form-urlencoded", form)
		if status != http.StatusBadRequest || !strings.Contains(body, want) {
			t.Errorf("%s: %d %s, want 400 %s", form, status, body, want)
		}
	}
}
