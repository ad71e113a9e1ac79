package invx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	gen "github.com/deletesvc/deletesvc/gen/invx"
	"github.com/deletesvc/deletesvc/server/servertest"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/identity"
	invxstore "github.com/deletesvc/deletesvc/store/invx"
	"github.com/deletesvc/deletesvc/store/storetest"
)

const v1 = gen.IridessaVersionV1

// invoiceJSON is the spec's CreateDocument example with number no.
func invoiceJSON(no string) string {
	return `{"Version":"1.1","TranDtls":{"TaxSch":"GST","SupTyp":"B2B"},
	"DocDtls":{"Typ":"INV","No":"` + no + `","Dt":"23/01/2023"},
	"SellerDtls":{"Gstin":"27AAAPI3182M002","LglNm":"Mumbai Consulting Services","Addr1":"12 Nariman Point","Loc":"Mumbai","Pin":400021,"Stcd":"27"},
	"BuyerDtls":{"Gstin":"27ACBPN2353E1ZX","LglNm":"Pune Trading Co","Pos":"27","Addr1":"7 FC Road","Loc":"Pune","Pin":411004,"Stcd":"27"},
	"ItemList":[{"SlNo":"1","PrdDesc":"Accounting advisory, January 2023","IsServc":"Y","HsnCd":"998222","Qty":1,"UnitPrice":84.74,"TotAmt":84.74,"AssAmt":84.74,"GstRt":18,"CgstAmt":7.63,"SgstAmt":7.63,"TotItemVal":100.00}],
	"ValDtls":{"AssVal":84.74,"CgstVal":7.63,"SgstVal":7.63,"TotInvVal":100.00}}`
}

// onSQLite runs fn on a fresh SQLite database, for tests of HTTP shapes (status codes, envelopes,
// validation) whose store beneath the store tests cover on every backend.
func onSQLite(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	fn(t, storetest.DB(t, storetest.SQLite))
}

type fixture struct {
	env    *servertest.Env
	client *gen.ClientWithResponses
	auth   gen.RequestEditorFn
	user   identity.User
	org    identity.Organization
}

func setup(t *testing.T, db *store.DB) fixture {
	env := servertest.Start(t, db)
	client, err := gen.NewClientWithResponses(env.URL, gen.WithHTTPClient(env.HTTP))
	if err != nil {
		t.Fatal(err)
	}
	u, org := storetest.Tenant(t, db, "buyer.ops@example.com")
	return fixture{env: env, client: client, auth: servertest.Bearer(env.Token(t, u, org.ID)), user: u, org: org}
}

func (f fixture) create(t *testing.T, no string) gen.Document {
	t.Helper()
	res, err := f.client.CreateDocumentWithBodyWithResponse(context.Background(), v1, f.org.ID, nil, "application/json", strings.NewReader(invoiceJSON(no)), f.auth)
	if err != nil {
		t.Fatal(err)
	}
	if res.JSON201 == nil {
		t.Fatalf("create %s: %d %s", no, res.StatusCode(), res.Body)
	}
	return res.JSON201.Data
}

func (f fixture) bulk(t *testing.T, body string) *gen.UpdateDocumentBulkResponse {
	t.Helper()
	res, err := f.client.UpdateDocumentBulkWithBodyWithResponse(context.Background(), v1, f.org.ID, nil, "application/json", strings.NewReader(body), f.auth)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// decode parses a body into generic JSON, so tests compare exactly what a client sees.
func decode(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	return m
}

func jsonEqual(t *testing.T, what string, got any, want string) {
	t.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	g, _ := json.Marshal(got)
	wb, _ := json.Marshal(w)
	if !bytes.Equal(g, wb) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, wb)
	}
}

// TestSeedExchange replays the seed page: a PRE document deleted in bulk comes back in the
// seed's shape with status "260"; then dpt on it answers the seed's error body. It checks wire
// shapes only, so it runs on SQLite; the store's actions are covered on both databases by
// store/invx's TestEveryPair and TestMixedBulk.
func TestSeedExchange(t *testing.T) {
	t.Parallel()
	onSQLite(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		doc := f.create(t, "HBF54C87462494AA")
		if doc.Status != gen.StatusCreated || doc.IrdDocType != "PRE" || doc.DocType != gen.DocTypeInvoice || doc.LastUpdatedByUserId != nil {
			t.Errorf("created %+v", doc)
		}
		id := doc.Id.String()
		res := f.bulk(t, `[{"docId":"`+id+`","action":"del"}]`)
		if res.StatusCode() != http.StatusOK || res.JSON200 == nil {
			t.Fatalf("bulk delete: %d %s", res.StatusCode(), res.Body)
		}
		m := decode(t, res.Body)
		item := m["data"].([]any)[0].(map[string]any)
		data := item["itemData"].(map[string]any)
		// Times and the updater are the run's own; everything else is the seed's sample.
		if data["lastUpdated"].(float64) < data["createdOn"].(float64) || data["lastUpdatedByUserId"] != f.user.ID || data["createdByUserId"] != f.user.ID {
			t.Errorf("audit fields %v", data)
		}
		for _, k := range []string{"createdOn", "lastUpdated", "lastUpdatedByUserId", "createdByUserId"} {
			delete(data, k)
		}
		jsonEqual(t, "bulk delete response", m, `{"status":"1","data":[{"itemStatus":"1","itemData":{
			"id":"`+id+`","docNumber":"HBF54C87462494AA","docType":"100","docDate":"23/01/2023",
			"sellerGstin":"27AAAPI3182M002","buyerGstin":"27ACBPN2353E1ZX","irdDocType":"PRE","amount":100,
			"acceptanceComments":null,"denialComments":null,"disputeComments":null,"status":"260","annotations":[]},
			"itemErrors":null,"itemInfo":null,"itemKey":"`+id+`"}],"error":null,"info":null}`)

		one, err := f.client.UpdateDocumentWithBodyWithResponse(context.Background(), v1, f.org.ID, nil, "application/json", strings.NewReader(`{"docId":"`+id+`","action":"dpt"}`), f.auth)
		if err != nil {
			t.Fatal(err)
		}
		if one.StatusCode() != http.StatusBadRequest {
			t.Fatalf("dpt on deleted: %d %s", one.StatusCode(), one.Body)
		}
		jsonEqual(t, "dpt on a deleted document", decode(t, one.Body), `{"status":"0","data":null,"error":{"message":"err-incorrect-update-action","type":"ClientError","args":{"message":"action dpt on state 260"}},"info":null}`)

		// Deletion is soft: the document still reads back, as deleted.
		got, err := f.client.GetDocumentWithResponse(context.Background(), v1, f.org.ID, doc.Id, f.auth)
		if err != nil {
			t.Fatal(err)
		}
		if got.JSON200 == nil || got.JSON200.Data.Status != gen.StatusDeleted || got.JSON200.Data.DocNumber != "HBF54C87462494AA" {
			t.Errorf("read after delete: %d %s", got.StatusCode(), got.Body)
		}
	})
}

func TestDocumentCreateReadUpdate(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		doc := f.create(t, "INV-2023/001")
		dup, err := f.client.CreateDocumentWithBodyWithResponse(ctx, v1, f.org.ID, nil, "application/json", strings.NewReader(invoiceJSON("INV-2023/001")), f.auth)
		if err != nil {
			t.Fatal(err)
		}
		if d := dup.JSON409; d == nil || d.Error.Message != "err-duplicate-document" || d.Error.Args.Message != "document INV-2023/001 already exists for seller 27AAAPI3182M002" ||
			d.Error.Args.Field == nil || *d.Error.Args.Field != "/DocDtls/No" {
			t.Errorf("duplicate number: %d %s", dup.StatusCode(), dup.Body)
		}
		// An amount past the IRP's limit is a validation error on both databases, not a numeric overflow.
		huge := strings.Replace(invoiceJSON("HUGE1"), `"TotInvVal":100.00`, `"TotInvVal":123456789012345678901234`, 1)
		big, err := f.client.CreateDocumentWithBodyWithResponse(ctx, v1, f.org.ID, nil, "application/json", strings.NewReader(huge), f.auth)
		if err != nil {
			t.Fatal(err)
		}
		if big.JSON400 == nil || big.JSON400.Error.Message != "err-validation" {
			t.Errorf("huge amount: %d %s", big.StatusCode(), big.Body)
		}
		stranger, strangerOrg := storetest.Tenant(t, db, "stranger@example.com")
		strangerAuth := servertest.Bearer(f.env.Token(t, stranger, strangerOrg.ID))
		// Another organization's member cannot see the document, nor tell it from a missing one.
		for _, id := range []uuid.UUID{doc.Id, uuid.New()} {
			res, err := f.client.GetDocumentWithResponse(ctx, v1, strangerOrg.ID, id, strangerAuth)
			if err != nil {
				t.Fatal(err)
			}
			if res.JSON404 == nil || res.JSON404.Error.Message != "err-resource-not-found" || res.JSON404.Error.Args.Message != "document "+id.String()+" not found" {
				t.Errorf("foreign or unknown read: %d %s", res.StatusCode(), res.Body)
			}
			upd, err := f.client.UpdateDocumentWithResponse(ctx, v1, strangerOrg.ID, nil, gen.DocumentAction{DocId: id, Action: gen.ActionDelete}, strangerAuth)
			if err != nil {
				t.Fatal(err)
			}
			if upd.JSON404 == nil {
				t.Errorf("foreign or unknown update: %d %s", upd.StatusCode(), upd.Body)
			}
		}
		// And the stranger may not act in the owner's organization at all.
		res, err := f.client.GetDocumentWithResponse(ctx, v1, f.org.ID, doc.Id, strangerAuth)
		if err != nil {
			t.Fatal(err)
		}
		if res.JSON403 == nil || res.JSON403.Error.Message != "err-invalid-org" {
			t.Errorf("non-member: %d %s", res.StatusCode(), res.Body)
		}

		note := "Goods received in full."
		acc, err := f.client.UpdateDocumentWithResponse(ctx, v1, f.org.ID, nil, gen.DocumentAction{DocId: doc.Id, Action: gen.ActionAccept, Comments: &note}, f.auth)
		if err != nil {
			t.Fatal(err)
		}
		if acc.JSON200 == nil || acc.JSON200.Data.Status != gen.StatusAccepted || acc.JSON200.Data.AcceptanceComments == nil || *acc.JSON200.Data.AcceptanceComments != note {
			t.Fatalf("accept: %d %s", acc.StatusCode(), acc.Body)
		}
		// The buyer changes its answer: deny keeps the acceptance comments and adds none of its own.
		dny, err := f.client.UpdateDocumentWithResponse(ctx, v1, f.org.ID, nil, gen.DocumentAction{DocId: doc.Id, Action: gen.ActionDeny}, f.auth)
		if err != nil {
			t.Fatal(err)
		}
		if d := dny.JSON200; d == nil || d.Data.Status != gen.StatusDenied || d.Data.DenialComments != nil || d.Data.AcceptanceComments == nil {
			t.Fatalf("deny: %d %s", dny.StatusCode(), dny.Body)
		}
	})
}

// TestBulkMixed checks exact per-item results for a request mixing a valid item, a wrong state,
// an unknown id, another organization's document and a repeated docId.
func TestBulkMixed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		a, b := f.create(t, "A1"), f.create(t, "A2")
		frozen, err := f.env.Invx.SeedDocuments(ctx, f.org.ID, 1, []invxstore.Status{invxstore.Frozen}, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, otherOrg := storetest.Tenant(t, db, "seller2@example.com")
		foreign, err := f.env.Invx.SeedDocuments(ctx, otherOrg.ID, 1, []invxstore.Status{invxstore.Created}, nil)
		if err != nil {
			t.Fatal(err)
		}
		unknown := uuid.NewString()
		upperA := strings.ToUpper(a.Id.String())
		body := fmt.Sprintf(`[{"docId":"%s","action":"del"},{"docId":"%s","action":"dpt","comments":"late"},{"docId":"%s","action":"acc"},{"docId":"%s","action":"del"},{"docId":"%s","action":"dny"},{"docId":"%s","action":"acc","comments":"ok"}]`,
			a.Id, frozen[0], unknown, foreign[0], upperA, b.Id)
		res := f.bulk(t, body)
		if res.JSON200 == nil {
			t.Fatalf("bulk: %d %s", res.StatusCode(), res.Body)
		}
		top := decode(t, res.Body)
		if top["status"] != "1" || top["error"] != nil {
			t.Errorf("some items applied, yet the top level is status %v error %v", top["status"], top["error"])
		}
		items := top["data"].([]any)
		if len(items) != 6 {
			t.Fatalf("%d results", len(items))
		}
		status := func(i int) string { return items[i].(map[string]any)["itemData"].(map[string]any)["status"].(string) }
		if r := items[0].(map[string]any); r["itemStatus"] != "1" || status(0) != "260" || r["itemErrors"] != nil {
			t.Errorf("item 0: %v", r)
		}
		failed := func(i int, key, code, message, field string) {
			t.Helper()
			args := `{"message":"` + message + `"}`
			if field != "" {
				args = `{"message":"` + message + `","field":"` + field + `"}`
			}
			jsonEqual(t, fmt.Sprintf("item %d", i), items[i], `{"itemStatus":"0","itemData":null,"itemErrors":[{"message":"`+code+`","type":"ClientError","args":`+args+`}],"itemInfo":null,"itemKey":"`+key+`"}`)
		}
		failed(1, frozen[0], "err-incorrect-update-action", "action dpt on state 250", "")
		failed(2, unknown, "err-resource-not-found", "document "+unknown+" not found", "")
		failed(3, foreign[0], "err-resource-not-found", "document "+foreign[0]+" not found", "")
		// An id in capitals is the same document: a repeat of item 0.
		failed(4, a.Id.String(), "err-duplicate-item", "docId "+a.Id.String()+" already appears at index 0", "/4/docId")
		if r := items[5].(map[string]any); r["itemStatus"] != "1" || status(5) != "210" || r["itemData"].(map[string]any)["acceptanceComments"] != "ok" {
			t.Errorf("item 5: %v", r)
		}
		if d, _ := f.env.Invx.GetDocument(ctx, otherOrg.ID, foreign[0]); d.Status != invxstore.Created {
			t.Errorf("foreign document changed to %s", d.Status)
		}
		if d, _ := f.env.Invx.GetDocument(ctx, f.org.ID, frozen[0]); d.Status != invxstore.Frozen || d.DisputeComments != nil {
			t.Errorf("frozen document changed: %+v", d)
		}
	})
}

// TestBulkAllFailed: when no item is applied the envelope says so (status "0", err-bulk-failed
// counting the failures by code) and still carries every item's result; HTTP stays 200, as the
// spec's bulk contract has it. Nothing changes in the database.
func TestBulkAllFailed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		frozen, err := f.env.Invx.SeedDocuments(ctx, f.org.ID, 1, []invxstore.Status{invxstore.Frozen}, nil)
		if err != nil {
			t.Fatal(err)
		}
		u1, u2 := uuid.NewString(), uuid.NewString()
		res := f.bulk(t, fmt.Sprintf(`[{"docId":"%s","action":"del"},{"docId":"%s","action":"acc"},{"docId":"%s","action":"dpt"}]`, u1, u2, frozen[0]))
		if res.StatusCode() != http.StatusOK || res.JSON200 == nil {
			t.Fatalf("bulk: %d %s", res.StatusCode(), res.Body)
		}
		top := decode(t, res.Body)
		jsonEqual(t, "error", top["error"], `{"message":"err-bulk-failed","type":"ClientError","args":{"message":"all 3 items failed: 1 err-incorrect-update-action, 2 err-resource-not-found"}}`)
		if top["status"] != "0" || len(top["data"].([]any)) != 3 {
			t.Errorf("status %v, %d items", top["status"], len(top["data"].([]any)))
		}
		for i, it := range top["data"].([]any) {
			if it.(map[string]any)["itemStatus"] != "0" {
				t.Errorf("item %d: %v", i, it)
			}
		}
		if d, _ := f.env.Invx.GetDocument(ctx, f.org.ID, frozen[0]); d.Status != invxstore.Frozen {
			t.Errorf("frozen document changed to %s", d.Status)
		}
		// A single item that is applied keeps status "1".
		doc := f.create(t, "F1")
		one := decode(t, f.bulk(t, `[{"docId":"`+doc.Id.String()+`","action":"del"}]`).Body)
		if one["status"] != "1" || one["error"] != nil {
			t.Errorf("one applied item: status %v error %v", one["status"], one["error"])
		}
	})
}

// TestBulkRequestErrors: a request that is itself invalid answers 4xx with status "0" and
// applies nothing. The validator and auth refuse it before the store, so SQLite is enough.
func TestBulkRequestErrors(t *testing.T) {
	t.Parallel()
	onSQLite(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		doc := f.create(t, "B1")
		items := make([]string, 1001)
		for i := range items {
			items[i] = `{"docId":"` + doc.Id.String() + `","action":"del"}`
		}
		for name, body := range map[string]string{
			"over 1000 items": "[" + strings.Join(items, ",") + "]",
			"empty":           "[]",
			"unknown action":  `[{"docId":"` + doc.Id.String() + `","action":"xyz"}]`,
			"unknown field":   `[{"docId":"` + doc.Id.String() + `","action":"del","force":true}]`,
		} {
			res := f.bulk(t, body)
			if res.JSON400 == nil || res.JSON400.Status != gen.StatusFailure || res.JSON400.Error.Message != "err-validation" {
				t.Errorf("%s: %d %s", name, res.StatusCode(), res.Body)
			}
		}
		res, err := f.client.UpdateDocumentBulkWithBodyWithResponse(ctx, v1, f.org.ID, nil, "application/json", strings.NewReader(`[{"docId":"`+doc.Id.String()+`","action":"del"}]`))
		if err != nil {
			t.Fatal(err)
		}
		if res.JSON401 == nil || res.JSON401.Status != gen.StatusFailure {
			t.Errorf("no token: %d %s", res.StatusCode(), res.Body)
		}
		if d, _ := f.env.Invx.GetDocument(ctx, f.org.ID, doc.Id.String()); d.Status != invxstore.Created {
			t.Errorf("a refused request changed the document to %s", d.Status)
		}
	})
}
