package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/deletesvc/deletesvc/openapi"
)

// BenchmarkASPNETBodyChecks runs the checks an Ultrabiz insert's JSON body passes before validation
// (aspnetBodyChecks), on the benchmark's 5-line invoice as the generated client sends it, with a
// handler that does nothing: what those passes over the body cost one request (issue 13).
func BenchmarkASPNETBodyChecks(b *testing.B) {
	spec, err := openapi.Load("ultrabiz")
	if err != nil {
		b.Fatal(err)
	}
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
	if schema, _ := bodySchema(spec, http.MethodPost, path); !safeAsSent([]byte(body), schema) {
		b.Fatal("the body takes the slow path: the benchmark would time another case than the client's")
	}
	e := echo.New()
	reached := 0
	h := func(echo.Context) error { reached++; return nil }
	checks := aspnetBodyChecks(spec, http.MethodPost, path)
	for i := len(checks) - 1; i >= 0; i-- {
		h = checks[i](h)
	}
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, path+"?userId=1&IsPGP=false", strings.NewReader(body))
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
		if err := h(e.NewContext(req, httptest.NewRecorder())); err != nil {
			b.Fatal(err)
		}
	}
	if reached != b.N {
		b.Fatalf("the handler ran %d times of %d", reached, b.N)
	}
}
