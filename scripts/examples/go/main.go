// Command go is the main flow of each family through the generated Go clients: log in, create
// what will be deleted, delete it, read the result. Run: go run ./scripts/examples/go -url http://localhost:8080
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/deletesvc/deletesvc/gen/invx"
	"github.com/deletesvc/deletesvc/gen/number"
	"github.com/deletesvc/deletesvc/gen/ultrabiz"
	"github.com/deletesvc/deletesvc/gen/upbooks"
)

func main() {
	url := flag.String("url", "http://localhost:8080", "service base URL")
	email := flag.String("email", "demo@example.com", "user")
	password := flag.String("password", "demo12345", "password")
	flag.Parse()
	if err := run(context.Background(), *url, *email, *password); err != nil {
		log.Fatal(err)
	}
}

// fromJSON builds a generated type from a JSON literal: handy for the 46-flag body.
func fromJSON[T any](v any) T {
	var out T
	b, _ := json.Marshal(v)
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func bearer(token string) func(context.Context, *http.Request) error {
	return func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+token)
		return nil
	}
}

func run(ctx context.Context, url, email, password string) error {
	// Upbooks: log in, create an organization, erase everything selectable in it, read it back.
	up, err := upbooks.NewClientWithResponses(url)
	if err != nil {
		return err
	}
	login, err := up.LoginWithResponse(ctx, upbooks.LoginJSONRequestBody{Username: openapi_types.Email(email), Password: password})
	if err != nil || login.JSON200 == nil {
		return fmt.Errorf("login: %v %s", err, login.Body)
	}
	token, orgID, userNumber := login.JSON200.Data.Token, login.JSON200.Data.SelectedOrganization, login.JSON200.Data.User.UserNumber
	org, err := up.AddOrganizationWithResponse(ctx, nil, upbooks.AddOrganizationJSONRequestBody{Name: "Scratch Books", Location: "Pune", State: "Maharashtra"}, bearer(token))
	if err != nil || org.JSON201 == nil {
		return fmt.Errorf("add organization: %v %s", err, org.Body)
	}
	all := map[string]bool{}
	for _, f := range []string{"clients", "vendors", "assets", "employees", "expenses", "products", "services", "orders", "payments", "settlements", "invoice", "taxes", "discounts", "users", "items", "proposals", "purchaseOrders", "documents", "projects", "tasks", "payroll", "account", "enquiry", "outwardPayments", "creditNotes", "platformSubscriptions", "employeeLeaves", "fileImports", "activityLogs", "orgSettings", "organizationBackups", "leavePolicies", "bankAccounts", "accountLedger", "accountTransfer", "clientLedger", "salaryComponents", "leads", "leadActivities", "deals", "debitNotes", "expenseCategories", "warehouse", "branch", "contracts", "employeeSpends"} {
		all[f] = true
	}
	// An Idempotency-Key makes the erase safe to retry: the repeat gets the first answer, replayed.
	erase := &upbooks.DeleteSelectiveDataParams{IdempotencyKey: ptr(fmt.Sprintf("erase-%d", time.Now().UnixNano()))}
	erased, err := up.DeleteSelectiveDataWithResponse(ctx, org.JSON201.Data.ID, erase, fromJSON[upbooks.DeleteSelectiveDataJSONRequestBody](all), bearer(token))
	if err != nil || erased.JSON200 == nil {
		return fmt.Errorf("delete selective data: %v %s", err, erased.Body)
	}
	retried, err := up.DeleteSelectiveDataWithResponse(ctx, org.JSON201.Data.ID, erase, fromJSON[upbooks.DeleteSelectiveDataJSONRequestBody](all), bearer(token))
	if err != nil || retried.JSON200 == nil || retried.HTTPResponse.Header.Get("Idempotent-Replayed") != "true" || string(retried.Body) != string(erased.Body) {
		return fmt.Errorf("retried delete selective data was not replayed: %v %s", err, retried.Body)
	}
	detail, err := up.GetOrganizationDetailWithResponse(ctx, org.JSON201.Data.ID, nil, bearer(token))
	if err != nil || detail.JSON200 == nil {
		return fmt.Errorf("read organization: %v %s", err, detail.Body)
	}
	fmt.Printf("upbooks: organization %s kept after erasing %d categories\n", detail.JSON200.Data.Name, len(erased.JSON200.Deleted))

	// invx: token, create a document, delete it in bulk, read it (status 260).
	iv, err := invx.NewClientWithResponses(url)
	if err != nil {
		return err
	}
	tok, err := iv.CreateAuthTokenWithResponse(ctx, invx.CreateAuthTokenJSONRequestBody{Handle: email, Password: password, HandleType: "email"})
	if err != nil || tok.JSON200 == nil {
		return fmt.Errorf("auth token: %v %s", err, tok.Body)
	}
	user := func(_ context.Context, r *http.Request) error {
		r.Header.Set("X-FLYNN-N-USER-TOKEN", tok.JSON200.Data.Token)
		return nil
	}
	body := fromJSON[invx.CreateDocumentJSONRequestBody](map[string]any{
		"Version": "1.1", "TranDtls": map[string]any{"TaxSch": "GST", "SupTyp": "B2B"},
		"DocDtls":    map[string]any{"Typ": "INV", "No": fmt.Sprintf("GO%d", time.Now().UnixMilli()%1e12), "Dt": "23/01/2023"},
		"SellerDtls": map[string]any{"Gstin": "27AAAPI3182M002", "LglNm": "Seller Pvt Ltd", "Addr1": "1 MG Road", "Loc": "Pune", "Pin": 411001, "Stcd": "27"},
		"BuyerDtls":  map[string]any{"Gstin": "27ACBPN2353E1ZX", "LglNm": "Buyer Traders", "Pos": "27", "Addr1": "2 Link Road", "Loc": "Mumbai", "Pin": 400001, "Stcd": "27"},
		"ItemList":   []any{map[string]any{"SlNo": "1", "IsServc": "N", "HsnCd": "1001", "UnitPrice": 100, "TotAmt": 100, "AssAmt": 100, "GstRt": 0, "TotItemVal": 100}},
		"ValDtls":    map[string]any{"AssVal": 100, "TotInvVal": 100},
	})
	doc, err := iv.CreateDocumentWithResponse(ctx, "v1", orgID, nil, body, user)
	if err != nil || doc.JSON201 == nil {
		return fmt.Errorf("create document: %v %s", err, doc.Body)
	}
	bulk, err := iv.UpdateDocumentBulkWithResponse(ctx, "v1", orgID, nil, invx.UpdateDocumentBulkJSONRequestBody{{DocId: doc.JSON201.Data.Id, Action: "del"}}, user)
	if err != nil || bulk.JSON200 == nil {
		return fmt.Errorf("bulk delete: %v %s", err, bulk.Body)
	}
	read, err := iv.GetDocumentWithResponse(ctx, "v1", orgID, doc.JSON201.Data.Id, user)
	if err != nil || read.JSON200 == nil || read.JSON200.Data.Status != "260" {
		return fmt.Errorf("read document: %v %s", err, read.Body)
	}
	fmt.Printf("invx: document %s is now status %s\n", read.JSON200.Data.DocNumber, read.JSON200.Data.Status)

	// Ultrabiz: enter a purchase invoice, delete it, see the stock come back.
	ub, err := ultrabiz.NewClientWithResponses(url)
	if err != nil {
		return err
	}
	stock := func() (number.Decimal, error) {
		r, err := ub.GetProductStockWithResponse(ctx, &ultrabiz.GetProductStockParams{ProductId: "P-00001"}, bearer(token))
		if err != nil || r.JSON200 == nil {
			return number.Decimal{}, fmt.Errorf("stock: %v %s", err, r.Body)
		}
		return r.JSON200.TotalUnits, nil
	}
	before, err := stock()
	if err != nil {
		return err
	}
	line := fromJSON[ultrabiz.PurchasesBody](map[string]any{"ProductId": "P-00001", "PackingId": 1, "QtyPack": 2, "QtyLose": 1, "PricePack": 120.5, "NetVal": 241})
	ins, err := ub.InsertPurchaseInvoiceWithResponse(ctx, &ultrabiz.InsertPurchaseInvoiceParams{UserId: ultrabiz.UserId(userNumber)},
		fromJSON[ultrabiz.InsertPurchaseInvoiceJSONRequestBody](map[string]any{"VendorID": 1, "BillNo": fmt.Sprintf("GO-%d", time.Now().UnixNano()), "BillDate": time.Now().UTC(), "NetAmount": 241, "ListBody": []any{line}}),
		bearer(token))
	if err != nil || ins.JSON200 == nil {
		return fmt.Errorf("insert invoice: %v %s", err, ins.Body)
	}
	// The delete body is the caller's view of the invoice (a stale view is refused with 409).
	view, err := ub.GetPurchaseInvoiceWithResponse(ctx, &ultrabiz.GetPurchaseInvoiceParams{InvoiceId: ins.JSON200.InvoiceId}, bearer(token))
	if err != nil || view.JSON200 == nil {
		return fmt.Errorf("read invoice: %v %s", err, view.Body)
	}
	del, err := ub.DeletePurchaseInvoiceWithResponse(ctx, &ultrabiz.DeletePurchaseInvoiceParams{InvoiceId: ins.JSON200.InvoiceId, UserId: ultrabiz.UserId(userNumber)},
		view.JSON200.ListBody, bearer(token))
	if err != nil || del.JSON200 == nil {
		return fmt.Errorf("delete invoice: %v %s", err, del.Body)
	}
	after, err := stock()
	if err != nil {
		return err
	}
	if !after.Equal(before.Decimal) {
		return fmt.Errorf("stock %s is not back to %s", after, before)
	}
	fmt.Printf("ultrabiz: invoice %d deleted; P-00001 stock back to %s\n", del.JSON200.InvoiceId, after)
	return nil
}
