package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/deletesvc/deletesvc/openapi"
)

// BenchmarkBodyChecks runs what a JSON body passes before its handler, the family's input checks
// then Validation, with a handler that does nothing: what the passes over the body cost one request
// (issue 13). "ultrabiz-insert" is the benchmark's 5-line invoice as the generated client sends it
// (aspnetBodyChecks: the Json.NET binding); "invx-bulk-1000" a bulk delete of 1000 documents
// (rejectUnsafeInput).
func BenchmarkBodyChecks(b *testing.B) {
	b.Run("ultrabiz-insert", func(b *testing.B) {
		const path = "/api/Purchase/InsertPurchaseInvoice"
		line := func(product, packing, mult, pack, lose, bns, size, color string) string {
			return `{"BnsLose":` + bns + `,"ColorID":` + color + `,"Multiplier":` + mult + `,"NetVal":717.44,"PackingId":` + packing +
				`,"PricePack":640.00,"ProductId":"` + product + `","QtyLose":` + lose + `,"QtyPack":` + pack + `,"STaxRatio":18,"SizeID":` + size + `}`
		}
		body := `{"BillDate":"2026-11-20T00:00:00Z","BillNo":"BENCH-0","ListBody":[` + strings.Join([]string{
			line("sample string 2", "3", "4", "5", "6", "7", "35", "37"),
			line("sample string 2", "3", "4", "1", "0", "0", "35", "37"),
			line("sample string 2", "3", "4", "2", "1", "0", "36", "37"),
			line("P-0042", "1", "0.1", "10", "0", "0", "0", "0"),
			line("P-0042", "1", "0.1", "3", "2", "1", "0", "0"),
		}, ",") + `],"NetAmount":3587.2,"VendorID":1}`
		benchBodyChecks(b, "ultrabiz", true, http.MethodPost, path, path+"?userId=1&IsPGP=false", body)
	})
	b.Run("invx-bulk-1000", func(b *testing.B) {
		items := make([]string, 1000)
		for i := range items {
			items[i] = fmt.Sprintf(`{"action":"del","docId":"%08x-0000-4000-8000-000000000000"}`, i)
		}
		const path = "/invx/apis/:iridessa-version/orgs/:org-id/document/bulk"
		benchBodyChecks(b, "invx", false, http.MethodPatch, path, "/invx/apis/v1/orgs/0123456789abcdef01234567/document/bulk", "["+strings.Join(items, ",")+"]")
	})
}

// benchBodyChecks sends body to the family's operation method path (an Echo route) at target
// through familyInputChecks then Validation, as familyRouter.add chains them; aspnet is the
// family's api.Family.ASPNET.
func benchBodyChecks(b *testing.B, family string, aspnet bool, method, path, target, body string) {
	spec, err := openapi.Load(family)
	if err != nil {
		b.Fatal(err)
	}
	// The body takes the fast path a client following the spec gets: the compiled check accepts it.
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	if check := compileBodyCheck(spec, specOperation(spec, method, path)); check == nil || !check.accepts(req) {
		b.Fatal("the compiled check does not accept the body: the benchmark would time another case than the client's")
	}
	e := echo.New()
	reached := 0
	e.Add(method, path, func(echo.Context) error { reached++; return nil }, append(familyInputChecks(spec, aspnet, method, path),
		Validation(spec, method, path, func(echo.Context) bool { return true }))...)
	var unexpected error
	e.HTTPErrorHandler = func(err error, _ echo.Context) { unexpected = err }
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
		e.ServeHTTP(httptest.NewRecorder(), req)
		if unexpected != nil {
			b.Fatal(unexpected)
		}
	}
	if reached != b.N {
		b.Fatalf("the handler ran %d times of %d", reached, b.N)
	}
}
