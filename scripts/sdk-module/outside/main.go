// Command outside is what a user of the Go SDK writes in their own module: scripts/sdk-module/check
// copies it into a fresh module outside the repository, which gets the SDK with
// `go get github.com/deletesvc/deletesvc/gen@<version>` from a module proxy, as a user would.
// It sends decimals through the generated client and reads them back, with shopspring's
// process-wide MarshalJSONWithoutQuotes left alone, and exits non-zero on any difference.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/deletesvc/deletesvc/gen/number"
	"github.com/deletesvc/deletesvc/gen/ultrabiz"
)

// Decimals a float64 would not carry exactly.
const (
	netAmount = "0.1"
	pricePack = "123456789012.3456"
	balance   = "12345678901234567890.1234"
)

// sent is the invoice body as the stub server received it.
var sent map[string]any

func main() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/Purchase/InsertPurchaseInvoice":
			b, _ := io.ReadAll(r.Body)
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.UseNumber()
			if err := dec.Decode(&sent); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			fmt.Fprint(w, `{"InvoiceId":7,"Message":"ok"}`)
		case "/api/Vendor/GetVendor":
			fmt.Fprintf(w, `{"VendorID":1,"VendorName":"V","Balance":%s}`, balance)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	if err := run(context.Background(), srv.URL); err != nil {
		log.Fatal(err)
	}
	fmt.Println("outside module: decimals sent as JSON numbers and read back exactly")
}

func run(ctx context.Context, url string) error {
	c, err := ultrabiz.NewClientWithResponses(url)
	if err != nil {
		return err
	}
	price := number.MustParse(pricePack)
	_, err = c.InsertPurchaseInvoiceWithResponse(ctx, &ultrabiz.InsertPurchaseInvoiceParams{UserId: 1}, ultrabiz.InsertPurchaseInvoiceJSONRequestBody{
		VendorID: 1, BillNo: "B-1", BillDate: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), NetAmount: number.MustParse(netAmount),
		ListBody: []ultrabiz.PurchasesBody{{PricePack: &price}},
	})
	if err != nil {
		return err
	}
	// A JSON string would decode as string, a number as json.Number holding the exact text.
	if n, ok := sent["NetAmount"].(json.Number); !ok || n.String() != netAmount {
		return fmt.Errorf("NetAmount went out as %#v, want the JSON number %s", sent["NetAmount"], netAmount)
	}
	line, _ := sent["ListBody"].([]any)
	if len(line) != 1 {
		return fmt.Errorf("ListBody went out as %#v", sent["ListBody"])
	}
	if n, ok := line[0].(map[string]any)["PricePack"].(json.Number); !ok || n.String() != pricePack {
		return fmt.Errorf("PricePack went out as %#v, want the JSON number %s", line[0].(map[string]any)["PricePack"], pricePack)
	}
	v, err := c.GetVendorWithResponse(ctx, &ultrabiz.GetVendorParams{VendorId: 1})
	if err != nil {
		return err
	}
	if v.JSON200 == nil || v.JSON200.Balance.String() != balance {
		return fmt.Errorf("vendor Balance read back as %v, want %s", v.JSON200, balance)
	}
	return nil
}
