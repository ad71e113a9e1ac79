package ultrabiz_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	gen "github.com/deletesvc/deletesvc/gen/ultrabiz"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// returnJSON is a PurchaseReturn as Json.NET writes it from the C# model: PascalCase, every
// property, unset strings null, a DateTime without a zone.
func returnJSON(vendor int32, no string, lines string) string {
	return fmt.Sprintf(`{"VendorID":%d,"ReturnNo":"%s","ReturnDate":"2026-11-22T00:00:00","Remarks":null,"GrossAmount":40.0,"DiscAmount":0.0,`+
		`"STaxAmount":0.0,"FTaxAmount":0.0,"ITaxAmount":0.0,"NetAmount":40.5,"IsPosted":false,"IsFinalized":false,"ListBody":[%s]}`, vendor, no, lines)
}

const returnLineJSON = `{"PurchaseId":0,"ProductId":"sample string 2","PackingId":3,"Multiplier":4.0,"QtyPack":5,"QtyLose":6,"BnsLose":7,` +
	`"PricePack":8.0,"CustomerId":null,"BarCode":null,"SizeID":35,"ColorID":37.0,"IsDeleted":false}`

// insertReturn enters a return of one seed-sample line (33 units) through the API.
func (e env) insertReturn(t testing.TB, no string) int64 {
	t.Helper()
	status, _, body := e.send(t, http.MethodPost, fmt.Sprintf("/api/Purchase/InsertPurchaseReturn?userId=%d", e.user), "application/json; charset=utf-8",
		returnJSON(e.vendor, no, returnLineJSON))
	var res gen.InsertPurchaseReturnResult
	if err := json.Unmarshal([]byte(body), &res); status != http.StatusOK || err != nil || res.Message != fmt.Sprintf("Purchase return %d saved.", res.ReturnId) {
		t.Fatalf("insert return %s: %d %s", no, status, body)
	}
	return res.ReturnId
}

// A return entered and deleted in each body format a .NET client uses: stock and vendor balance are
// back where they were, and the deleted return is gone. HTTP shapes: SQLite (the store is tested on
// both databases, and TestDeletePurchaseReturnConcurrent runs on both).
func TestPurchaseReturnFormats(t *testing.T) {
	t.Parallel()
	e := start(t, storetest.DB(t, storetest.SQLite), true)
	e.insert(t, "B-1", false, "1000", nil, seedLines(t)) // 66 units
	stock0, balance0 := e.stock(t, "sample string 2"), e.balance(t)
	formLine := "%5B0%5D%5BProductId%5D=sample+string+2&%5B0%5D%5BPackingId%5D=3&%5B0%5D%5BQtyPack%5D=5&%5B0%5D%5BQtyLose%5D=6" +
		"&%5B0%5D%5BBnsLose%5D=7&%5B0%5D%5BSizeID%5D=35&%5B0%5D%5BColorID%5D=37"
	xmlLine := `<ArrayOfPurchasesBody xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/Ultrabiz_ERP_API.Models">` +
		`<PurchasesBody><BarCode i:nil="true"/><BnsLose>7</BnsLose><ColorID>37</ColorID><CustomerId i:nil="true"/><Multiplier>4</Multiplier><PackingId>3</PackingId>` +
		`<ProductId>sample string 2</ProductId><QtyLose>6</QtyLose><QtyPack>5</QtyPack><SizeID>35</SizeID></PurchasesBody></ArrayOfPurchasesBody>`
	for _, c := range []struct{ name, contentType, body, accept, want string }{
		{"JSON", "application/json; charset=utf-8", "[" + returnLineJSON + "]", "", `{"LinesReversed":1,"Message":"Purchase return %d deleted.","ReturnId":%d,"UnitsReversed":33}`},
		{"no body", "", "", "", `{"LinesReversed":1,"Message":"Purchase return %d deleted.","ReturnId":%d,"UnitsReversed":33}`},
		{"form", "application/x-www-form-urlencoded", formLine, "", `{"LinesReversed":1,"Message":"Purchase return %d deleted.","ReturnId":%d,"UnitsReversed":33}`},
		{"XML", "application/xml", xmlLine, "",
			`<DeletePurchaseReturnResult xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/Ultrabiz_ERP_API.Models">` +
				`<LinesReversed>1</LinesReversed><Message>Purchase return %d deleted.</Message><ReturnId>%d</ReturnId><UnitsReversed>33</UnitsReversed></DeletePurchaseReturnResult>`},
	} {
		id := e.insertReturn(t, "R-"+c.name)
		if s, b := e.stock(t, "sample string 2"), e.balance(t); s != "33" || b != "16210" {
			t.Fatalf("%s: after return stock %s balance %s, want 33 and 16210 (15250.5 + 1000 - 40.5)", c.name, s, b)
		}
		uri := fmt.Sprintf("/api/Purchase/DeletePurchaseReturn?returnId=%d&userId=%d", id, e.user)
		status, _, body := e.send(t, http.MethodDelete, uri, c.contentType, c.body)
		if want := fmt.Sprintf(c.want, id, id); status != http.StatusOK || strings.TrimSpace(body) != want {
			t.Fatalf("%s delete: %d %s\nwant %s", c.name, status, body, want)
		}
		if s, b := e.stock(t, "sample string 2"), e.balance(t); s != stock0 || b != balance0 {
			t.Fatalf("%s: after delete stock %s balance %s, want %s %s", c.name, s, b, stock0, balance0)
		}
		status, _, body = e.send(t, http.MethodDelete, uri, "", "")
		if want := fmt.Sprintf(`{"Message":"Purchase return %d was not found."}`, id); status != http.StatusNotFound || strings.TrimSpace(body) != want {
			t.Fatalf("%s second delete: %d %s, want 404 %s", c.name, status, body, want)
		}
	}
	// Refusals in ASP.NET's words; nothing changes.
	id := e.insertReturn(t, "R-keep")
	stock, balance := e.stock(t, "sample string 2"), e.balance(t)
	status, _, body := e.send(t, http.MethodPost, fmt.Sprintf("/api/Purchase/InsertPurchaseReturn?userId=%d", e.user), "application/json",
		returnJSON(e.vendor, "R-big", strings.Replace(returnLineJSON, `"QtyPack":5`, `"QtyPack":50`, 1)))
	if want := `{"Message":"Returning would leave product 'sample string 2' (size 35, colour 37) 180 units short."}`; status != http.StatusConflict || strings.TrimSpace(body) != want {
		t.Errorf("return beyond stock: %d %s, want 409 %s", status, body, want)
	}
	status, _, body = e.send(t, http.MethodDelete, fmt.Sprintf("/api/Purchase/DeletePurchaseReturn?returnId=%d&userId=%d", id, e.user), "application/json",
		"["+strings.Replace(returnLineJSON, `"QtyLose":6`, `"QtyLose":1`, 1)+"]")
	if want := fmt.Sprintf(`{"Message":"The lines sent do not match the stored lines of purchase return %d."}`, id); status != http.StatusConflict || strings.TrimSpace(body) != want {
		t.Errorf("stale view: %d %s, want 409 %s", status, body, want)
	}
	status, _, body = e.send(t, http.MethodDelete, fmt.Sprintf("/api/Purchase/DeletePurchaseReturn?returnId=%d&userId=%d&isPGP=true", id, e.user), "", "")
	if status != http.StatusNotFound {
		t.Errorf("other book: %d %s, want 404", status, body)
	}
	if s, b := e.stock(t, "sample string 2"), e.balance(t); s != stock || b != balance {
		t.Fatalf("refusals changed stock %s->%s balance %s->%s", stock, s, balance, b)
	}
}

// Twenty clients delete one return at once: one 200, nineteen 404, stock and balance put back once.
func TestDeletePurchaseReturnConcurrent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := start(t, db, false)
		e.insert(t, "C-1", false, "1000", nil, seedLines(t))
		stock0, balance0 := e.stock(t, "sample string 2"), e.balance(t)
		id := e.insertReturn(t, "RC-1")
		statuses := make([]int, 20)
		var wg sync.WaitGroup
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := e.c.DeletePurchaseReturnWithBodyWithResponse(context.Background(), &gen.DeletePurchaseReturnParams{ReturnId: id, UserId: e.user},
					"application/json", strings.NewReader("["+returnLineJSON+"]"), e.auth)
				if err == nil {
					statuses[i] = r.StatusCode()
				}
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
		if s, b := e.stock(t, "sample string 2"), e.balance(t); s != stock0 || b != balance0 {
			t.Fatalf("stock %s balance %s, want %s %s", s, b, stock0, balance0)
		}
	})
}
