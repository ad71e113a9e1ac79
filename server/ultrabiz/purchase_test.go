package ultrabiz_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/gen/number"
	gen "github.com/deletesvc/deletesvc/gen/ultrabiz"
	"github.com/deletesvc/deletesvc/server/servertest"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
	ultrabizstore "github.com/deletesvc/deletesvc/store/ultrabiz"
)

// The help page's samples, byte for byte.
var (
	seedJSON = mustRead("testdata/seed_sample.json")
	seedXML  = mustRead("testdata/seed_sample.xml")
)

func mustRead(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// env is a running server with a tenant holding the sample's product ("sample string 2", packing 3
// of 4 units) and one vendor.
type env struct {
	*servertest.Env
	c      *gen.ClientWithResponses
	org    string
	user   int32
	vendor int32
	auth   gen.RequestEditorFn
}

func start(t testing.TB, db *store.DB, validating bool) env {
	t.Helper()
	ctx := context.Background()
	e := servertest.Start(t, db)
	st := e.Ultrabiz
	u, org := storetest.Tenant(t, db, "owner@example.com")
	v, err := st.CreateVendor(ctx, org.ID, "Al-Noor Textiles", store.MustDecimal("15250.5"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateProducts(ctx, org.ID, []ultrabizstore.Product{
		{ID: "sample string 2", Name: "Sample product", Packings: []ultrabizstore.Packing{{ID: 3, Name: "Carton", Multiplier: store.MustDecimal("4")}}},
		{ID: "P-0042", Name: "Lawn cloth 3-piece", Packings: []ultrabizstore.Packing{{ID: 1, Name: "Bundle", Multiplier: store.MustDecimal("0.1")}}},
	}); err != nil {
		t.Fatal(err)
	}
	opts := []gen.ClientOption{}
	if validating {
		opts = append(opts, gen.WithHTTPClient(e.HTTP))
	}
	c, err := gen.NewClientWithResponses(e.URL, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return env{Env: e, c: c, org: org.ID, user: int32(u.Number), vendor: v.ID, auth: servertest.Bearer(e.Token(t, u, org.ID))}
}

func seedLines(t testing.TB) []gen.PurchasesBody {
	t.Helper()
	var lines []gen.PurchasesBody
	if err := json.Unmarshal([]byte(seedJSON), &lines); err != nil {
		t.Fatal(err)
	}
	return lines
}

func (e env) insert(t testing.TB, bill string, pgp bool, net string, mutate func(*gen.Purchase), lines []gen.PurchasesBody) int64 {
	t.Helper()
	p := gen.Purchase{VendorID: e.vendor, BillNo: bill, BillDate: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		NetAmount: number.MustParse(net), ListBody: lines}
	if mutate != nil {
		mutate(&p)
	}
	r, err := e.c.InsertPurchaseInvoiceWithResponse(context.Background(), &gen.InsertPurchaseInvoiceParams{UserId: e.user, IsPGP: &pgp}, p, e.auth)
	if err != nil || r.JSON200 == nil {
		t.Fatalf("insert %s: %v %d %s", bill, err, r.StatusCode(), r.Body)
	}
	return r.JSON200.InvoiceId
}

// stock is the product's total units over all its sizes and colours (GetProductStock's TotalUnits).
func (e env) stock(t testing.TB, product string) string {
	t.Helper()
	r, err := e.c.GetProductStockWithResponse(context.Background(), &gen.GetProductStockParams{ProductId: product}, e.auth)
	if err != nil || r.JSON200 == nil {
		t.Fatalf("stock: %v %s", err, r.Body)
	}
	return r.JSON200.TotalUnits.String()
}

func (e env) balance(t testing.TB) string {
	t.Helper()
	r, err := e.c.GetVendorWithResponse(context.Background(), &gen.GetVendorParams{VendorId: e.vendor}, e.auth)
	if err != nil || r.JSON200 == nil {
		t.Fatalf("vendor: %v %s", err, r.Body)
	}
	return r.JSON200.Balance.String()
}

func (e env) del(t testing.TB, id int64, pgp bool, user int32, contentType, body, accept string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	editors := []gen.RequestEditorFn{e.auth}
	if accept != "" {
		editors = append(editors, func(_ context.Context, req *http.Request) error { req.Header.Set("Accept", accept); return nil })
	}
	r, err := e.c.DeletePurchaseInvoiceWithBodyWithResponse(context.Background(), &gen.DeletePurchaseInvoiceParams{InvoiceId: id, UserId: user, IsPGP: &pgp}, contentType, rd, editors...)
	if err != nil {
		t.Fatal(err)
	}
	return r.StatusCode(), string(r.Body)
}

// SQLite only: an HTTP-layer check (the help page's JSON sample read and answered); store/ultrabiz's tests cover the store on both
// databases.
func TestDeletePurchaseInvoiceSeedSampleJSON(t *testing.T) {
	t.Parallel()
	e := start(t, storetest.DB(t, storetest.SQLite), true)
	stock0, balance0 := e.stock(t, "sample string 2"), e.balance(t)
	id := e.insert(t, "INV-2026-0311", false, "3587.2", nil, seedLines(t))
	if got := e.stock(t, "sample string 2"); got != "66" {
		t.Fatalf("stock after insert = %s, want 66 (2 x (5x4+6+7))", got)
	}
	if got := e.balance(t); got != "18837.7" {
		t.Fatalf("balance after insert = %s, want 18837.7", got)
	}
	inv, err := e.c.GetPurchaseInvoiceWithResponse(context.Background(), &gen.GetPurchaseInvoiceParams{InvoiceId: id}, e.auth)
	if err != nil || inv.JSON200 == nil || len(inv.JSON200.ListBody) != 2 || *inv.JSON200.ListBody[0].PurchaseId != int32(id) ||
		*inv.JSON200.ListBody[0].BarCode != "sample string 31" || inv.JSON200.ListBody[1].TTITax.String() != "21" {
		t.Fatalf("read invoice: %v %s", err, inv.Body)
	}

	status, body := e.del(t, id, false, e.user, "application/json", seedJSON, "")
	if status != http.StatusOK {
		t.Fatalf("delete: %d %s", status, body)
	}
	want := fmt.Sprintf(`{"InvoiceId":%d,"LinesReversed":2,"Message":"Purchase invoice %d deleted.","UnitsReversed":66}`, id, id)
	if strings.TrimSpace(body) != want {
		t.Fatalf("body %s, want %s", body, want)
	}
	if got := e.stock(t, "sample string 2"); got != stock0 {
		t.Fatalf("stock after delete = %s, want %s", got, stock0)
	}
	if got := e.balance(t); got != balance0 {
		t.Fatalf("balance after delete = %s, want %s", got, balance0)
	}
	inv, err = e.c.GetPurchaseInvoiceWithResponse(context.Background(), &gen.GetPurchaseInvoiceParams{InvoiceId: id}, e.auth)
	if err != nil || inv.StatusCode() != http.StatusNotFound {
		t.Fatalf("read after delete: %v %d", err, inv.StatusCode())
	}
}

// SQLite only: an HTTP-layer check (XML bodies and negotiation); store/ultrabiz's tests cover the store on both
// databases.
func TestDeletePurchaseInvoiceSeedSampleXML(t *testing.T) {
	t.Parallel()
	e := start(t, storetest.DB(t, storetest.SQLite), true)
	balance0 := e.balance(t)
	id := e.insert(t, "INV-X", true, "0.3", nil, seedLines(t))
	status, body := e.del(t, id, true, e.user, "application/xml", seedXML, "application/xml")
	want := fmt.Sprintf(`<DeletePurchaseInvoiceResult xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/Ultrabiz_ERP_API.Models">`+
		`<InvoiceId>%d</InvoiceId><LinesReversed>2</LinesReversed><Message>Purchase invoice %d deleted.</Message><UnitsReversed>66</UnitsReversed></DeletePurchaseInvoiceResult>`, id, id)
	if status != http.StatusOK || body != want {
		t.Fatalf("delete: %d %s\nwant %s", status, body, want)
	}
	if got := e.stock(t, "sample string 2"); got != "0" {
		t.Fatalf("stock after delete = %s, want 0", got)
	}
	if got := e.balance(t); got != balance0 {
		t.Fatalf("balance after delete = %s, want %s", got, balance0)
	}
	// text/xml in, Accept JSON: the same rules, JSON answer; a second delete is 404 in XML.
	id = e.insert(t, "INV-Y", true, "1", nil, seedLines(t))
	if status, body := e.del(t, id, true, e.user, "text/xml", seedXML, "application/json"); status != http.StatusOK || !strings.HasPrefix(body, `{"InvoiceId"`) {
		t.Fatalf("text/xml delete: %d %s", status, body)
	}
	status, body = e.del(t, id, true, e.user, "text/xml", seedXML, "text/xml")
	if want := fmt.Sprintf(xmlDecl+"<Error><Message>Purchase invoice %d was not found.</Message></Error>", id); status != http.StatusNotFound || body != want {
		t.Fatalf("second delete: %d %s, want 404 %s", status, body, want)
	}
}

// SQLite only: an HTTP-layer check (refusals as statuses and ASP.NET messages); store/ultrabiz's tests cover the store on both
// databases.
func TestDeletePurchaseInvoiceRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := start(t, storetest.DB(t, storetest.SQLite), true)
	id := e.insert(t, "B-1", false, "100.05", nil, seedLines(t))
	paid := e.insert(t, "B-paid", false, "10", func(p *gen.Purchase) { p.PaidAmount = ptr(number.MustParse("5")) }, seedLines(t)[:1])
	final := e.insert(t, "B-final", false, "10", func(p *gen.Purchase) { p.IsFinalized = ptr(true) }, seedLines(t)[:1])
	// A second invoice of the other product, whose goods are then sold, for the stock refusal.
	sold := e.insert(t, "B-sold", false, "7", nil, []gen.PurchasesBody{{ProductId: ptr("P-0042"), PackingId: ptr(int32(1)), QtyPack: ptr(int32(3))}})
	if err := e.Ultrabiz.TakeStock(ctx, e.org, "P-0042", 0, store.Decimal{}, store.MustDecimal("0.2")); err != nil {
		t.Fatal(err)
	}
	stock, stock2, balance := e.stock(t, "sample string 2"), e.stock(t, "P-0042"), e.balance(t)

	stale := seedLines(t)
	stale[1].QtyLose = ptr(int32(5))
	staleJSON, _ := json.Marshal(stale)
	oneJSON, _ := json.Marshal(seedLines(t)[:1])
	for _, c := range []struct {
		name        string
		id          int64
		pgp         bool
		user        int32
		body        string
		status      int
		wantMessage string
	}{
		{"someone else's userId", id, false, e.user + 1, "", 403, fmt.Sprintf("userId %d is not the caller's user number.", e.user+1)},
		{"unknown invoice", 99999, false, e.user, "", 404, "Purchase invoice 99999 was not found."},
		{"other book", id, true, e.user, "", 404, fmt.Sprintf("Purchase invoice %d was not found.", id)},
		{"finalized", final, false, e.user, "", 409, fmt.Sprintf("Purchase invoice %d is finalized and cannot be deleted.", final)},
		{"payments", paid, false, e.user, "", 409, fmt.Sprintf("Purchase invoice %d has payments and cannot be deleted.", paid)},
		{"stale quantities", id, false, e.user, string(staleJSON), 409, fmt.Sprintf("The lines sent do not match the stored lines of purchase invoice %d.", id)},
		{"line missing", id, false, e.user, string(oneJSON), 409, fmt.Sprintf("The lines sent do not match the stored lines of purchase invoice %d.", id)},
		{"goods sold", sold, false, e.user, "", 409, fmt.Sprintf("Deleting purchase invoice %d would leave product 'P-0042' (size 0, colour 0) 0.2 units short.", sold)},
	} {
		status, body := e.del(t, c.id, c.pgp, c.user, "application/json", c.body, "")
		var got gen.AspNetError
		_ = json.Unmarshal([]byte(body), &got)
		if status != c.status || got.Message != c.wantMessage {
			t.Errorf("%s: %d %s, want %d %q", c.name, status, body, c.status, c.wantMessage)
		}
	}
	if s, s2, b := e.stock(t, "sample string 2"), e.stock(t, "P-0042"), e.balance(t); s != stock || s2 != stock2 || b != balance {
		t.Fatalf("refusals changed state: stock %s/%s balance %s, was %s/%s %s", s, s2, b, stock, stock2, balance)
	}
	// Invalid input is the ASP.NET model-state 400, in XML too when asked.
	status, body := e.del(t, id, false, e.user, "application/json", `[{"QtyPack": -1}]`, "")
	if status != http.StatusBadRequest || !strings.Contains(body, `"Message":"The request is invalid."`) || !strings.Contains(body, `purchasesBody[0].QtyPack`) {
		t.Fatalf("invalid body: %d %s", status, body)
	}
	// An empty array means "as stored".
	if status, body := e.del(t, id, false, e.user, "application/json", "[]", ""); status != http.StatusOK {
		t.Fatalf("delete as stored: %d %s", status, body)
	}
}

// SQLite only: an HTTP-layer check (decimals in JSON bodies); store/ultrabiz's tests cover the store on both
// databases.
func TestDeletePurchaseInvoiceExactDecimals(t *testing.T) {
	t.Parallel()
	e := start(t, storetest.DB(t, storetest.SQLite), true)
	line := gen.PurchasesBody{ProductId: ptr("P-0042"), PackingId: ptr(int32(1)), Multiplier: ptr(number.MustParse("0.1")),
		QtyPack: ptr(int32(3)), PricePack: ptr(number.MustParse("0.1")), STaxRatio: ptr(number.MustParse("0.2")),
		NetVal: ptr(number.MustParse("0.3"))}
	var ids []int64
	for i := range 10 {
		ids = append(ids, e.insert(t, fmt.Sprintf("D-%d", i), false, "0.1", func(p *gen.Purchase) { p.STaxAmount = ptr(number.MustParse("0.2")) }, []gen.PurchasesBody{line}))
	}
	// Ten times 0.1 + 0.1 + 0.1 units, and ten times 0.1 on the balance: exact, not 2.9999999999999996.
	if got := e.stock(t, "P-0042"); got != "3" {
		t.Fatalf("stock = %s, want 3", got)
	}
	if got := e.balance(t); got != "15251.5" {
		t.Fatalf("balance = %s, want 15251.5", got)
	}
	inv, err := e.c.GetPurchaseInvoiceWithResponse(context.Background(), &gen.GetPurchaseInvoiceParams{InvoiceId: ids[0]}, e.auth)
	if err != nil || inv.JSON200 == nil || inv.JSON200.STaxAmount.String() != "0.2" || inv.JSON200.ListBody[0].NetVal.String() != "0.3" {
		t.Fatalf("read: %v %s", err, inv.Body)
	}
	for _, id := range ids[:7] {
		if status, body := e.del(t, id, false, e.user, "", "", ""); status != http.StatusOK || !strings.Contains(body, `"UnitsReversed":0.3}`) {
			t.Fatalf("delete %d: %d %s", id, status, body)
		}
	}
	if got := e.stock(t, "P-0042"); got != "0.9" {
		t.Fatalf("stock = %s, want 0.9", got)
	}
	if got := e.balance(t); got != "15250.8" {
		t.Fatalf("balance = %s, want 15250.8", got)
	}
}

func TestDeletePurchaseInvoiceConcurrent(t *testing.T) {
	t.Parallel()
	storetest.OnlyPostgres(t, func(t *testing.T, db *store.DB) {
		e := start(t, db, false)
		balance0 := e.balance(t)
		id := e.insert(t, "C-1", false, "1234.56", nil, seedLines(t))
		statuses := make([]int, 20)
		var wg sync.WaitGroup
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i], _ = e.del(t, id, false, e.user, "application/json", seedJSON, "")
			}()
		}
		wg.Wait()
		count := map[int]int{}
		for _, s := range statuses {
			count[s]++
		}
		if count[http.StatusOK] != 1 || count[http.StatusNotFound] != 19 {
			t.Fatalf("statuses %v, want one 200 and nineteen 404", count)
		}
		if got := e.stock(t, "sample string 2"); got != "0" {
			t.Fatalf("stock = %s, want 0", got)
		}
		if got := e.balance(t); got != balance0 {
			t.Fatalf("balance = %s, want %s", got, balance0)
		}
	})
}

// SQLite only: an HTTP-layer check (XML negotiation of reads); store/ultrabiz's tests cover the store on both
// databases.
func TestReadsInXML(t *testing.T) {
	t.Parallel()
	e := start(t, storetest.DB(t, storetest.SQLite), true)
	e.insert(t, "R-1", false, "1", nil, seedLines(t)[:1])
	req, _ := http.NewRequest(http.MethodGet, e.URL+"/api/Product/GetProductStock?productId=sample%20string%202", nil)
	req.Header.Set("Accept", "text/xml")
	_ = e.auth(context.Background(), req)
	resp, err := e.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	want := `<ProductStock xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/Ultrabiz_ERP_API.Models">` +
		`<ProductId>sample string 2</ProductId><ProductName>Sample product</ProductName>` +
		`<Stock><StockLine><ColorID>37</ColorID><SizeID>35</SizeID><Units>33</Units></StockLine></Stock><TotalUnits>33</TotalUnits></ProductStock>`
	if resp.StatusCode != http.StatusOK || string(body) != want || resp.Header.Get("Content-Type") != "application/xml; charset=UTF-8" {
		t.Fatalf("%d %s %s\nwant %s", resp.StatusCode, resp.Header.Get("Content-Type"), body, want)
	}
}

func ptr[T any](v T) *T { return &v }

// The body a client entered (no Multiplier: the packing's applies) deletes the invoice when sent back.
// SQLite only: an HTTP-layer check (the body-to-line conversion); store/ultrabiz's tests cover the store on both
// databases.
func TestDeletePurchaseInvoiceSameBodyAsInsert(t *testing.T) {
	t.Parallel()
	e := start(t, storetest.DB(t, storetest.SQLite), true)
	lines := []gen.PurchasesBody{{ProductId: ptr("sample string 2"), PackingId: ptr(int32(3)), QtyPack: ptr(int32(3))}}
	id := e.insert(t, "M-1", false, "1", nil, lines)
	body, _ := json.Marshal(lines)
	status, resp := e.del(t, id, false, e.user, "application/json", string(body), "")
	if status != http.StatusOK || !strings.Contains(resp, `"UnitsReversed":12}`) {
		t.Fatalf("delete with the inserted body: %d %s, want 200 with 12 units", status, resp)
	}
	if got := e.stock(t, "sample string 2"); got != "0" {
		t.Fatalf("stock after delete = %s, want 0", got)
	}
}

// Values the numeric(20,4) and varchar(50) columns cannot hold are the ASP.NET model-state 400
// (PostgreSQL would otherwise overflow with a 500 and SQLite store them). SQLite only: the spec's
// bounds refuse them before the store is reached, whatever the database.
func TestInsertPurchaseInvoiceOutOfRange(t *testing.T) {
	t.Parallel()
	e := start(t, storetest.DB(t, storetest.SQLite), true)
	post := func(body string) (int, string) {
		r, err := e.c.InsertPurchaseInvoiceWithBodyWithResponse(context.Background(), &gen.InsertPurchaseInvoiceParams{UserId: e.user},
			"application/json", strings.NewReader(body), e.auth)
		if err != nil {
			t.Fatal(err)
		}
		return r.StatusCode(), string(r.Body)
	}
	header := fmt.Sprintf(`"VendorID":%d,"BillNo":"B-1","BillDate":"2026-11-20T00:00:00Z"`, e.vendor)
	line := `{"ProductId":"sample string 2","PackingId":3,"QtyPack":1}`
	for _, c := range []struct{ name, body, field string }{
		{"NetAmount 1e17", fmt.Sprintf(`{%s,"NetAmount":1e17,"ListBody":[%s]}`, header, line), "purchase.NetAmount"},
		{"60-char BarCode", fmt.Sprintf(`{%s,"NetAmount":1,"ListBody":[{"ProductId":"sample string 2","BarCode":"%s"}]}`, header, strings.Repeat("7", 60)), "purchase.ListBody[0].BarCode"},
		{"QtyPack x Multiplier too large", fmt.Sprintf(`{%s,"NetAmount":1,"ListBody":[{"ProductId":"sample string 2","Multiplier":1e12,"QtyPack":2000000000}]}`, header), "purchase.ListBody[0]."},
	} {
		status, body := post(c.body)
		if status != http.StatusBadRequest || !strings.Contains(body, `"Message":"The request is invalid."`) || !strings.Contains(body, `"ModelState":{"`+c.field) {
			t.Errorf("%s: %d %s, want 400 with ModelState %s", c.name, status, body, c.field)
		}
	}
	if got := e.balance(t); got != "15250.5" {
		t.Fatalf("balance = %s, want 15250.5 (nothing entered)", got)
	}
}

const xmlDecl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

// A 400 (written by the global renderer) and a 404 (a declared refusal) asked for in XML have the
// same declaration, element shape and Content-Type.
// SQLite only: an HTTP-layer check (the two XML error writers); store/ultrabiz's tests cover the store on both
// databases.
func TestErrorsInXMLLookTheSame(t *testing.T) {
	t.Parallel()
	e := start(t, storetest.DB(t, storetest.SQLite), true)
	del := func(body string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodDelete, fmt.Sprintf("%s/api/Purchase/DeletePurchaseInvoice?invoiceId=77&userId=%d", e.URL, e.user), strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "text/xml")
		_ = e.auth(context.Background(), req)
		resp, err := e.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	bad, badBody := del(`[{"QtyPack": -1}]`)
	missing, missingBody := del("")
	if bad.StatusCode != http.StatusBadRequest || badBody != xmlDecl+"<Error><Message>The request is invalid.</Message>"+
		"<ModelState><purchasesBody_x005B_0_x005D_.QtyPack>number must be at least 0</purchasesBody_x005B_0_x005D_.QtyPack></ModelState></Error>" {
		t.Fatalf("400: %d %q", bad.StatusCode, badBody)
	}
	if missing.StatusCode != http.StatusNotFound || missingBody != xmlDecl+"<Error><Message>Purchase invoice 77 was not found.</Message></Error>" {
		t.Fatalf("404: %d %q", missing.StatusCode, missingBody)
	}
	if a, b := bad.Header.Get("Content-Type"), missing.Header.Get("Content-Type"); a != b || a != "application/xml; charset=UTF-8" {
		t.Fatalf("Content-Type 400 %q, 404 %q", a, b)
	}
}
