package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/deletesvc/deletesvc/gen/upbooks"
	"github.com/deletesvc/deletesvc/openapi"
	"github.com/deletesvc/deletesvc/server"
	"github.com/deletesvc/deletesvc/server/auth"
	"github.com/deletesvc/deletesvc/server/servertest"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/identity"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// fixture is a running server with two tenants.
type fixture struct {
	env              *servertest.Env
	alice, bob       identity.User
	aliceOrg, bobOrg identity.Organization
	aliceTok, bobTok string
}

func newFixture(t *testing.T, st *store.DB) fixture {
	env := servertest.Start(t, st)
	alice, aliceOrg := storetest.Tenant(t, st, "alice@example.com")
	bob, bobOrg := storetest.Tenant(t, st, "bob@example.com")
	return fixture{env: env, alice: alice, bob: bob, aliceOrg: aliceOrg, bobOrg: bobOrg,
		aliceTok: env.Token(t, alice, aliceOrg.ID), bobTok: env.Token(t, bob, bobOrg.ID)}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object (%v): %s", err, r.body)
	}
	return m
}

func do(t *testing.T, env *servertest.Env, method, path, contentType, body string, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, env.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := env.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// allFlags is a DeleteSelectiveData body with every flag the spec requires set to value, less except.
func allFlags(value string, except ...string) string {
	spec, err := openapi.Load("upbooks")
	if err != nil {
		panic(err)
	}
	flags := spec.Components.Schemas["DeleteSelectiveDataRequest"].Value.Required
	if len(flags) != 46 {
		panic(fmt.Sprintf("the spec requires %d flags, the seed has 46", len(flags)))
	}
	skip := map[string]bool{}
	for _, e := range except {
		skip[e] = true
	}
	var parts []string
	for _, f := range flags {
		if !skip[f] {
			parts = append(parts, `"`+f+`":`+value)
		}
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func assertUpbooksError(t *testing.T, r response, status int, contains ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	m := r.json(t)
	if m["code"] != itoa(status) {
		t.Fatalf("code %v, want %q: %s", m["code"], itoa(status), r.body)
	}
	msg, _ := m["message"].(string)
	for _, c := range contains {
		if !strings.Contains(msg, c) {
			t.Fatalf("message %q does not mention %q", msg, c)
		}
	}
	if len(m) != 2 {
		t.Fatalf("Upbooks errors are exactly {code, message}: %s", r.body)
	}
}

func assertInvxError(t *testing.T, r response, status int, code string, contains ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	m := r.json(t)
	errObj, _ := m["error"].(map[string]any)
	if m["status"] != "0" || m["data"] != nil || errObj == nil || errObj["message"] != code || errObj["type"] != "ClientError" {
		t.Fatalf("want invx envelope with status \"0\" and error %q: %s", code, r.body)
	}
	args, _ := errObj["args"].(map[string]any)
	text, _ := json.Marshal(args)
	for _, c := range contains {
		if !strings.Contains(string(text), c) {
			t.Fatalf("args %s do not mention %q", text, c)
		}
	}
}

func assertModelState(t *testing.T, r response, keys ...string) map[string][]string {
	t.Helper()
	if r.status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400: %s", r.status, r.body)
	}
	var body struct {
		Message    string
		ModelState map[string][]string
	}
	if err := json.Unmarshal(r.body, &body); err != nil || body.Message != "The request is invalid." {
		t.Fatalf("want ASP.NET ModelState error: %s", r.body)
	}
	for _, k := range keys {
		if len(body.ModelState[k]) == 0 {
			t.Fatalf("ModelState lacks %q: %s", k, r.body)
		}
	}
	return body.ModelState
}

func itoa(n int) string { return jsonNum(n) }

func jsonNum(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestUpbooksLoginAndDetail(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.DB) {
		f := newFixture(t, st)
		c, err := upbooks.NewClientWithResponses(f.env.URL, upbooks.WithHTTPClient(f.env.HTTP))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		login, err := c.LoginWithResponse(ctx, upbooks.LoginJSONRequestBody{Username: "alice@example.com", Password: "password123"})
		if err != nil || login.JSON200 == nil {
			t.Fatalf("login: %v %s", err, login.Body)
		}
		if login.JSON200.Data.SelectedOrganization != f.aliceOrg.ID {
			t.Fatalf("selected org %q, want %q", login.JSON200.Data.SelectedOrganization, f.aliceOrg.ID)
		}
		detail, err := c.GetOrganizationDetailWithResponse(ctx, f.aliceOrg.ID, nil, servertest.Bearer(login.JSON200.Data.Token))
		if err != nil || detail.JSON200 == nil {
			t.Fatalf("detail: %v %d %s", err, detail.StatusCode(), detail.Body)
		}
		if detail.JSON200.Data.OrganizationId != f.aliceOrg.Code || detail.JSON200.Data.Settings.Invoice.Prefix != "INV-" {
			t.Fatalf("organization document: %+v", detail.JSON200.Data)
		}

		wrong, err := c.LoginWithResponse(ctx, upbooks.LoginJSONRequestBody{Username: "alice@example.com", Password: "nope"})
		if err != nil || wrong.JSON401 == nil {
			t.Fatalf("wrong password must be 401: %v %s", err, wrong.Body)
		}
		foreign := f.bobOrg.Code
		sel, err := c.LoginWithResponse(ctx, upbooks.LoginJSONRequestBody{Username: "alice@example.com", Password: "password123", OrganizationId: &foreign})
		if err != nil || sel.JSON403 == nil {
			t.Fatalf("selecting a foreign organization must be 403: %v %s", err, sel.Body)
		}

		created, err := c.AddOrganizationWithResponse(ctx, nil, upbooks.AddOrganizationJSONRequestBody{Name: "Second Co", Location: "Pune", State: "Maharashtra"}, servertest.Bearer(f.aliceTok))
		if err != nil || created.JSON201 == nil {
			t.Fatalf("add organization: %v %s", err, created.Body)
		}
		list, err := c.GetOrganizationsWithResponse(ctx, nil, servertest.Bearer(f.aliceTok))
		if err != nil || list.JSON200 == nil || list.JSON200.TotalCount != 2 {
			t.Fatalf("alice lists her two organizations: %v %s", err, list.Body)
		}
	})
}

func TestValidationErrorsInEachFamilyShape(t *testing.T) {
	t.Parallel()
	onSQLite(t, func(t *testing.T, st *store.DB) {
		f := newFixture(t, st)
		env, org := f.env, f.aliceOrg.ID
		up := "/api/v1/organization/" + org + "/selective"
		bearer := []string{"Authorization", "Bearer " + f.aliceTok}

		t.Run("upbooks missing field", func(t *testing.T) {
			r := do(t, env, "DELETE", up, "application/json", allFlags("true", "clients"), bearer...)
			assertUpbooksError(t, r, 400, "clients", "missing")
		})
		t.Run("upbooks wrong type", func(t *testing.T) {
			r := do(t, env, "DELETE", up, "application/json", strings.Replace(allFlags("true"), `"taxes":true`, `"taxes":"yes"`, 1), bearer...)
			assertUpbooksError(t, r, 400, "taxes", "boolean")
		})
		t.Run("upbooks extra property", func(t *testing.T) {
			r := do(t, env, "DELETE", up, "application/json", strings.Replace(allFlags("true"), "{", `{"everything":true,`, 1), bearer...)
			assertUpbooksError(t, r, 400, "everything", "unsupported")
		})
		t.Run("upbooks bad query", func(t *testing.T) {
			r := do(t, env, "DELETE", up+"?dryRun=maybe", "application/json", allFlags("false"), bearer...)
			assertUpbooksError(t, r, 400, "dryRun")
		})

		// A percent-encoded path is matched escaped (echo.GetPath) and validated decoded.
		t.Run("upbooks escaped path parameter", func(t *testing.T) {
			r := do(t, env, "GET", "/api/v1/organization/"+fmt.Sprintf("%%%02X", org[0])+org[1:], "", "", bearer...)
			if r.status != 200 {
				t.Errorf("the organization's id with its first character escaped: %d %s", r.status, r.body)
			}
			r = do(t, env, "GET", "/api/v1/organization/"+org[:23]+"%7A", "", "", bearer...)
			assertUpbooksError(t, r, 400, "id", "regular expression")
		})

		invx := "/invx/apis/v1/orgs/" + org + "/document"
		tok := []string{"X-FLYNN-N-USER-TOKEN", f.aliceTok}
		t.Run("invx unknown enum", func(t *testing.T) {
			r := do(t, env, "PATCH", invx+"/bulk", "application/json", `[{"docId":"c3b993f2-81ab-41d4-b54e-e32a79bb7c64","action":"purge"}]`, tok...)
			assertInvxError(t, r, 400, "err-validation", "[0].action", "allowed values")
		})
		t.Run("invx missing field", func(t *testing.T) {
			r := do(t, env, "PATCH", invx+"/bulk", "application/json", `[{"action":"del"}]`, tok...)
			assertInvxError(t, r, 400, "err-validation", "docId")
		})
		t.Run("invx extra property", func(t *testing.T) {
			r := do(t, env, "PATCH", invx, "application/json", `{"docId":"c3b993f2-81ab-41d4-b54e-e32a79bb7c64","action":"del","force":true}`, tok...)
			assertInvxError(t, r, 400, "err-validation", "force")
		})
		t.Run("invx too many items", func(t *testing.T) {
			items := make([]string, 1001)
			for i := range items {
				items[i] = `{"docId":"c3b993f2-81ab-41d4-b54e-e32a79bb7c64","action":"del"}`
			}
			r := do(t, env, "PATCH", invx+"/bulk", "application/json", "["+strings.Join(items, ",")+"]", tok...)
			assertInvxError(t, r, 400, "err-validation", "1000")
		})
		t.Run("invx bad GSTIN", func(t *testing.T) {
			body := invxCreateBody("27AAAPI3182M002", "NOT-A-GSTIN")
			r := do(t, env, "POST", invx, "application/json", body, tok...)
			assertInvxError(t, r, 400, "err-validation", "BuyerDtls.Gstin")
		})

		del := "/api/Purchase/DeletePurchaseInvoice"
		t.Run("ultrabiz empty required query", func(t *testing.T) {
			// Missing altogether it matches no action (404, server/ultrabiz); present but empty it is
			// ASP.NET's model-state 400.
			r := do(t, env, "DELETE", del+"?invoiceId=1&userId=", "", "", bearer...)
			assertModelState(t, r, "userId")
		})
		t.Run("ultrabiz wrong type", func(t *testing.T) {
			r := do(t, env, "DELETE", del+"?invoiceId=abc&userId=1", "", "", bearer...)
			assertModelState(t, r, "invoiceId")
		})
		t.Run("ultrabiz body errors alike in JSON and XML", func(t *testing.T) {
			jsonBody := `[{"ProductId":"P-1","QtyPack":-2,"Colour":"red"}]`
			xmlBody := `<ArrayOfPurchasesBody xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/Ultrabiz_ERP_API.Models"><PurchasesBody><ProductId>P-1</ProductId><QtyPack>-2</QtyPack><Colour>red</Colour></PurchasesBody></ArrayOfPurchasesBody>`
			var states []map[string][]string
			for _, ct := range []string{"application/json", "text/json", "application/xml", "text/xml"} {
				body := jsonBody
				if strings.Contains(ct, "xml") {
					body = xmlBody
				}
				// Accept JSON: an XML body would otherwise answer in XML (server/negotiate).
				r := do(t, env, "DELETE", del+"?invoiceId=1&userId=1", ct, body, append([]string{"Accept", "application/json"}, bearer...)...)
				// Colour is no property of PurchasesBody: ignored, as ASP.NET ignores it.
				states = append(states, assertModelState(t, r, "purchasesBody[0].QtyPack"))
			}
			for i := 1; i < len(states); i++ {
				a, _ := json.Marshal(states[0])
				b, _ := json.Marshal(states[i])
				if string(a) != string(b) {
					t.Fatalf("JSON and XML bodies must validate alike:\n%s\n%s", a, b)
				}
			}
		})
		t.Run("ultrabiz malformed XML", func(t *testing.T) {
			r := do(t, env, "DELETE", del+"?invoiceId=1&userId=1", "application/xml", "<ArrayOfPurchasesBody><PurchasesBody>", append([]string{"Accept", "application/json"}, bearer...)...)
			assertModelState(t, r)
		})
	})
}

func invxCreateBody(seller, buyer string) string {
	return `{"Version":"1.1","TranDtls":{"TaxSch":"GST","SupTyp":"B2B"},"DocDtls":{"Typ":"INV","No":"HBF54C87462494AA","Dt":"23/01/2023"},
"SellerDtls":{"Gstin":"` + seller + `","LglNm":"Seller","Addr1":"1 Road","Loc":"Pune","Pin":411001,"Stcd":"27"},
"BuyerDtls":{"Gstin":"` + buyer + `","LglNm":"Buyer","Pos":"27","Addr1":"2 Road","Loc":"Mumbai","Pin":400001,"Stcd":"27"},
"ItemList":[{"SlNo":"1","IsServc":"N","HsnCd":"1001","UnitPrice":100,"TotAmt":100,"AssAmt":100,"GstRt":0,"TotItemVal":100}],
"ValDtls":{"AssVal":100,"TotInvVal":100}}`
}

func TestAuthRefusals(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.DB) {
		f := newFixture(t, st)
		env := f.env
		expired, _, err := auth.NewTokens(servertest.Secret, -time.Minute).Issue(f.alice, f.aliceOrg.ID, -time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		wrongKey, _, err := auth.NewTokens([]byte("another-secret-another-secret-xx"), time.Hour).Issue(f.alice, f.aliceOrg.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		tokens := map[string]string{
			"none":      "",
			"malformed": "not.a.jwt",
			"expired":   expired,
			"wrong key": wrongKey,
			"alg none":  algNone(f.alice, f.aliceOrg.ID),
		}
		up := "/api/v1/organization/" + f.aliceOrg.ID
		invx := "/invx/apis/v1/orgs/" + f.aliceOrg.ID + "/document/c3b993f2-81ab-41d4-b54e-e32a79bb7c64"
		ub := "/api/Vendor/GetVendor?vendorId=1"
		for name, tok := range tokens {
			t.Run(name, func(t *testing.T) {
				var hdr []string
				if tok != "" {
					hdr = []string{"Authorization", "Bearer " + tok}
				}
				assertUpbooksError(t, do(t, env, "GET", up, "", "", hdr...), 401)

				var invxHdr []string
				if tok != "" {
					invxHdr = []string{"X-FLYNN-N-USER-TOKEN", tok}
				}
				r := do(t, env, "GET", invx, "", "", invxHdr...)
				switch name {
				case "none":
					assertInvxError(t, r, 401, "err-missing-token")
				case "expired":
					assertInvxError(t, r, 403, "err-expired-token")
				default:
					assertInvxError(t, r, 403, "err-invalid-token")
				}

				r = do(t, env, "GET", ub, "", "", hdr...)
				if r.status != 401 || r.json(t)["Message"] != "Authorization has been denied for this request." {
					t.Fatalf("ultrabiz: %d %s", r.status, r.body)
				}
			})
		}
	})
}

// algNone forges an unsigned token, which must never be accepted.
func algNone(u identity.User, org string) string {
	claims := auth.Claims{UserNumber: u.Number, OrgID: org, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: "deletesvc", Subject: u.ID, ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))}}
	s, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		panic(err)
	}
	return s
}

func TestCrossOrganizationRefusal(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.DB) {
		f := newFixture(t, st)
		env := f.env
		alice := []string{"Authorization", "Bearer " + f.aliceTok}

		// Upbooks never reveals another tenant's organization.
		assertUpbooksError(t, do(t, env, "GET", "/api/v1/organization/"+f.bobOrg.ID, "", "", alice...), 404, "not found")
		assertUpbooksError(t, do(t, env, "DELETE", "/api/v1/organization/"+f.bobOrg.ID+"/selective", "application/json", allFlags("true"), alice...), 404)
		assertUpbooksError(t, do(t, env, "GET", "/api/v1/organization/"+strings.Repeat("0", 24), "", "", alice...), 404)
		// The ORGANIZATION-ID header must name the same organization as the path.
		assertUpbooksError(t, do(t, env, "GET", "/api/v1/organization/"+f.aliceOrg.ID, "", "", append(alice, "ORGANIZATION-ID", f.bobOrg.Code)...), 403)
		if r := do(t, env, "GET", "/api/v1/organization/"+f.aliceOrg.ID, "", "", append(alice, "ORGANIZATION-ID", f.aliceOrg.Code)...); r.status != 200 {
			t.Fatalf("matching ORGANIZATION-ID: %d %s", r.status, r.body)
		}

		assertInvxError(t, do(t, env, "PATCH", "/invx/apis/v1/orgs/"+f.bobOrg.ID+"/document/bulk", "application/json",
			`[{"docId":"c3b993f2-81ab-41d4-b54e-e32a79bb7c64","action":"del"}]`, "X-FLYNN-N-USER-TOKEN", f.aliceTok), 403, "err-invalid-org")

		// Ultrabiz acts in the token's organization: a token naming one the user left is refused.
		stale := env.Token(t, f.alice, f.bobOrg.ID)
		r := do(t, env, "GET", "/api/Vendor/GetVendor?vendorId=1", "", "", "Authorization", "Bearer "+stale)
		if r.status != 403 || r.json(t)["Message"] == nil {
			t.Fatalf("ultrabiz foreign organization: %d %s", r.status, r.body)
		}
	})
}

func TestRoutingErrorsInFamilyShape(t *testing.T) {
	t.Parallel()
	onSQLite(t, func(t *testing.T, st *store.DB) {
		f := newFixture(t, st)
		env := f.env
		assertUpbooksError(t, do(t, env, "GET", "/api/v1/nothing", "", ""), 404, "Cannot GET /api/v1/nothing")
		assertUpbooksError(t, do(t, env, "PUT", "/api/v1/auth/token/bearer", "", ""), 405)
		assertInvxError(t, do(t, env, "GET", "/invx/apis/v1/nothing", "", ""), 404, "err-resource-not-found")
		// An empty path segment names no route, as in Express, even where Echo's ":id" matches it.
		assertUpbooksError(t, do(t, env, "GET", "/api/v1/organization//activityLog", "", "", "Authorization", "Bearer "+f.aliceTok), 404, "Cannot GET /api/v1/organization//activityLog")
		assertInvxError(t, do(t, env, "PATCH", "/invx/apis/v1/orgs//document/bulk", "application/json", "[]", "X-FLYNN-N-USER-TOKEN", f.aliceTok), 404, "err-resource-not-found")
		assertInvxError(t, do(t, env, "PUT", "/theodore/apis/v1/authtokens", "", ""), 405, "err-method-not-allowed")

		r := do(t, env, "GET", "/api/Purchase/Nope", "", "")
		if r.status != 404 || !strings.HasPrefix(r.json(t)["Message"].(string), "No HTTP resource was found that matches the request URI") {
			t.Fatalf("ultrabiz 404: %d %s", r.status, r.body)
		}
		r = do(t, env, "GET", "/api/Purchase/Nope", "", "", "Accept", "application/xml")
		if r.status != 404 || !strings.Contains(string(r.body), "<Error><Message>No HTTP resource was found") {
			t.Fatalf("ultrabiz XML 404: %d %s", r.status, r.body)
		}
		r = do(t, env, "PUT", "/api/Purchase/DeletePurchaseInvoice", "", "")
		if r.status != 405 || !strings.Contains(r.json(t)["Message"].(string), "does not support http method 'PUT'") {
			t.Fatalf("ultrabiz 405: %d %s", r.status, r.body)
		}

		// 413 and 415 in each family's shape.
		big := `{"username":"` + strings.Repeat("a", 3<<20) + `","password":"x"}`
		assertUpbooksError(t, do(t, env, "POST", "/api/v1/auth/token/bearer", "application/json", big), 413)
		assertUpbooksError(t, do(t, env, "POST", "/api/v1/auth/token/bearer", "text/plain", "hello"), 415)
		assertInvxError(t, do(t, env, "POST", "/theodore/apis/v1/authtokens", "text/plain", "hello"), 415, "err-unsupported-media-type")
		r = do(t, env, "DELETE", "/api/Purchase/DeletePurchaseInvoice?invoiceId=1&userId=1", "text/csv", "a,b", "Authorization", "Bearer "+f.aliceTok)
		if r.status != 415 {
			t.Fatalf("ultrabiz 415: %d %s", r.status, r.body)
		}
	})
}

func TestDocsSpecsHealthAndRequestID(t *testing.T) {
	t.Parallel()
	onSQLite(t, func(t *testing.T, st *store.DB) {
		env := servertest.Start(t, st)
		r := do(t, env, "GET", "/docs/", "", "")
		if r.status != 200 || !strings.Contains(string(r.body), "swagger-ui") {
			t.Fatalf("Swagger UI: %d", r.status)
		}
		for _, fam := range []string{"upbooks", "invx", "ultrabiz"} {
			if !strings.Contains(string(r.body), "/openapi/"+fam+".yaml") {
				t.Fatalf("Swagger UI does not list %s", fam)
			}
			want, err := os.ReadFile("../openapi/" + fam + ".yaml")
			if err != nil {
				t.Fatal(err)
			}
			spec := do(t, env, "GET", "/openapi/"+fam+".yaml", "", "")
			if spec.status != 200 || string(spec.body) != string(want) {
				t.Fatalf("/openapi/%s.yaml must serve the file as written (status %d)", fam, spec.status)
			}
		}
		asset := do(t, env, "GET", "/docs/swagger-ui-bundle.js", "", "")
		if asset.status != 200 || len(asset.body) < 100_000 {
			t.Fatalf("Swagger UI assets must be embedded: %d, %d bytes", asset.status, len(asset.body))
		}
		if r := do(t, env, "GET", "/healthz", "", ""); r.status != 200 {
			t.Fatalf("healthz %d", r.status)
		}
		if r := do(t, env, "GET", "/readyz", "", ""); r.status != 200 || r.json(t)["database"] != st.DialectName() {
			t.Fatalf("readyz %d %s", r.status, r.body)
		}
		if r := do(t, env, "GET", "/metrics", "", ""); r.status != 200 || !strings.Contains(string(r.body), "deletesvc_http_requests_total") {
			t.Fatalf("metrics %d", r.status)
		}
		r = do(t, env, "GET", "/healthz", "", "")
		if id := r.header.Get("X-Request-Id"); len(id) < 16 {
			t.Fatalf("X-Request-Id %q", id)
		}
	})
}

func TestEveryLogLineCarriesTheRequestID(t *testing.T) {
	t.Parallel()
	st := storetest.DB(t, storetest.SQLite)
	var buf strings.Builder
	var mu sync.Mutex
	log := slog.New(server.LogHandler{Handler: slog.NewJSONHandler(lockedWriter{&buf, &mu}, &slog.HandlerOptions{Level: slog.LevelDebug})})
	srv, err := server.New(st, storetest.Identity(st), server.Config{TokenSecret: servertest.Secret, TokenTTL: time.Hour, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/api/v1/organization/" + strings.Repeat("a", 24)) // 401, logged twice
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Header.Get("X-Request-Id")
	mu.Lock()
	defer mu.Unlock()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) < 2 {
		t.Fatalf("want the refusal and the access line, got %q", lines)
	}
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil || rec["request_id"] != id {
			t.Fatalf("log line without request id %q: %s", id, l)
		}
	}
}

type lockedWriter struct {
	b  *strings.Builder
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// onSQLite runs a test of HTTP shapes (status codes, error bodies, routing) on SQLite only: the
// stores beneath are tested on both databases in store/, and the shapes do not depend on which.
func onSQLite(t *testing.T, fn func(t *testing.T, st *store.DB)) {
	fn(t, storetest.DB(t, storetest.SQLite))
}

// /metrics does not grow with unknown URLs or Host headers: they share one series per status; and
// it carries the Go runtime and process collectors (issue 10, defect 11). HTTP shape: SQLite.
func TestMetricsSeriesAreBounded(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t, storetest.DB(t, storetest.SQLite))
	series := func() int {
		resp, err := http.Get(env.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if !strings.Contains(string(b), "go_goroutines") || !strings.Contains(string(b), "process_resident_memory_bytes") {
			t.Fatalf("runtime and process collectors missing:\n%s", b)
		}
		n := 0
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "deletesvc_http_") {
				n++
			}
		}
		return n
	}
	hit := func(i int) {
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/no/such/path/%d", env.URL, i), nil)
		req.Host = fmt.Sprintf("host-%d.example", i)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	hit(0)
	series() // /metrics counts itself after it answers: the second read has its series too
	before := series()
	for i := 1; i <= 6; i++ {
		hit(i)
	}
	if after := series(); after != before {
		t.Fatalf("six more unknown URLs and hosts grew /metrics from %d to %d series lines", before, after)
	}
}

// A body sent without Content-Length (chunked) past the limit is a 413 in the family's shape, with
// or without credentials; a chunked body within the limit is read as usual (issue 10, defect 8).
// HTTP shape: SQLite.
func TestChunkedBodiesAreHeldToTheLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, storetest.DB(t, storetest.SQLite))
	chunked := func(method, path, body string, headers ...string) (int, string) {
		// A reader of unknown length makes net/http send the body chunked.
		req, _ := http.NewRequest(method, f.env.URL+path, io.MultiReader(strings.NewReader(body)))
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if req.ContentLength != 0 && req.TransferEncoding == nil && len(body) > 0 {
			t.Fatalf("the request was not chunked")
		}
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	huge := `{"x":"` + strings.Repeat("a", 3<<20) + `"}`
	for _, tc := range []struct {
		method, path, want string
		auth               bool
	}{
		{"POST", "/api/v1/auth/token/bearer", `"code":"413"`, false},
		{"DELETE", "/api/v1/organization/" + f.aliceOrg.ID + "/selective", `"code":"413"`, false},
		{"DELETE", "/api/v1/organization/" + f.aliceOrg.ID + "/selective", `"code":"413"`, true},
		{"PATCH", "/invx/apis/v1/orgs/" + f.aliceOrg.ID + "/document/bulk", `err-payload-too-large`, false},
		{"DELETE", "/api/Purchase/DeletePurchaseInvoice?invoiceId=1&userId=1", `The request entity is too large.`, false},
	} {
		var headers []string
		if tc.auth {
			headers = []string{"Authorization", "Bearer " + f.aliceTok}
		}
		status, body := chunked(tc.method, tc.path, huge, headers...)
		if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, tc.want) {
			t.Errorf("%s %s (auth %v): %d %.200s, want 413 with %s", tc.method, tc.path, tc.auth, status, body, tc.want)
		}
	}
	status, body := chunked("POST", "/api/v1/auth/token/bearer", `{"username":"alice@example.com","password":"password123"}`)
	if status != http.StatusOK {
		t.Fatalf("a small chunked login: %d %s", status, body)
	}
}

// A JSON object that names a member twice is refused before anything acts on it: Go would keep the
// last value, so {"clients":false,"clients":true} deleted clients (issue 10, defect 9). HTTP shape:
// SQLite.
func TestDuplicateJSONKeysAreRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, storetest.DB(t, storetest.SQLite))
	auth := []string{"Authorization", "Bearer " + f.aliceTok}
	r := do(t, f.env, "DELETE", "/api/v1/organization/"+f.aliceOrg.ID+"/selective", "application/json", `{"clients":false,"clients":true}`, auth...)
	if body := r.json(t); r.status != http.StatusBadRequest || body["message"] != "Validation failed: clients: duplicate key in object" {
		t.Errorf("Upbooks: %d %s", r.status, r.body)
	}
	r = do(t, f.env, "PATCH", "/invx/apis/v1/orgs/"+f.aliceOrg.ID+"/document/bulk", "application/json", `[{"docId":"d1","action":"acc","action":"del"}]`, auth...)
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `"field":"[0].action"`) {
		t.Errorf("invx: %d %s", r.status, r.body)
	}
	r = do(t, f.env, "DELETE", "/api/Purchase/DeletePurchaseInvoice?invoiceId=1&userId="+jsonNum(int(f.alice.Number)), "application/json", `[{"QtyPack":1,"QtyPack":2}]`, auth...)
	if want := `{"Message":"The request is invalid.","ModelState":{"purchasesBody[0].QtyPack":["duplicate key in object"]}}`; r.status != http.StatusBadRequest || strings.TrimSpace(string(r.body)) != want {
		t.Errorf("Ultrabiz: %d %s, want %s", r.status, r.body, want)
	}
}

// XML bodies are refused when they could mean two things or cost unbounded work: a second root
// element, a DTD, nesting past a well-formed body's depth (issue 10, defects 1 and 9). HTTP shape:
// SQLite.
func TestHostileXMLIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, storetest.DB(t, storetest.SQLite))
	path := "/api/Purchase/DeletePurchaseInvoice?invoiceId=1&userId=" + jsonNum(int(f.alice.Number))
	const ns = `xmlns="http://schemas.datacontract.org/2004/07/Ultrabiz_ERP_API.Models"`
	for name, tc := range map[string]struct{ body, reason string }{
		"two roots": {`<ArrayOfPurchasesBody ` + ns + `></ArrayOfPurchasesBody><ArrayOfPurchasesBody ` + ns + `></ArrayOfPurchasesBody>`, "more than one root element"},
		"DTD":       {`<!DOCTYPE x [<!ENTITY a "b">]><ArrayOfPurchasesBody ` + ns + `></ArrayOfPurchasesBody>`, "DTDs (DOCTYPE declarations) are not accepted"},
		"deep":      {strings.Repeat("<a>", 200_000) + strings.Repeat("</a>", 200_000), "elements nested deeper than 8 levels"},
	} {
		start := time.Now()
		r := do(t, f.env, "DELETE", path, "application/xml", tc.body, "Authorization", "Bearer "+f.aliceTok, "Accept", "application/json")
		want := `{"Message":"The request is invalid.","ModelState":{"purchasesBody":["malformed XML: ` + tc.reason + `"]}}`
		if r.status != http.StatusBadRequest || strings.TrimSpace(string(r.body)) != want {
			t.Errorf("%s: %d %s, want %s", name, r.status, r.body, want)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: refused after %v", name, d)
		}
	}
}

// A NUL character in any string, or bytes that are not UTF-8, is a 400 in the family's shape before
// anything reaches the database: PostgreSQL refused NUL with a 500, and Go stored invalid bytes as
// U+FFFD (issue 10, defect 3). Both databases, since the 500 was PostgreSQL's.
func TestNULAndInvalidUTF8AreRefused(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.DB) {
		f := newFixture(t, st)
		auth := []string{"Authorization", "Bearer " + f.aliceTok}
		for _, tc := range []struct {
			name, method, path, contentType, body, want string
			headers                                     []string
		}{
			{"login username", "POST", "/api/v1/auth/token/bearer", "application/json", `{"username":"alice@example.com\u0000","password":"password123"}`,
				`{"code":"400","message":"Validation failed: username: a string holds a NUL character"}`, nil},
			{"invalid UTF-8", "POST", "/api/v1/auth/token/bearer", "application/json", "{\"username\":\"al\xffice@example.com\",\"password\":\"password123\"}",
				`{"code":"400","message":"Validation failed: the body is not valid UTF-8"}`, nil},
			{"organization name", "POST", "/api/v1/organization", "application/json", `{"name":"A\u0000B","location":"Pune","state":"Maharashtra"}`,
				`{"code":"400","message":"Validation failed: name: a string holds a NUL character"}`, auth},
			{"invx comments", "PATCH", "/invx/apis/v1/orgs/" + f.aliceOrg.ID + "/document/bulk", "application/json", `[{"docId":"d1","action":"acc","comments":"ok\u0000"}]`,
				`"field":"[0].comments"`, auth},
			{"query parameter", "GET", "/api/Product/GetProductStock?productId=P%00", "", "",
				`{"Message":"The request is invalid.","ModelState":{"productId":["holds a NUL character or bytes that are not UTF-8"]}}`, auth},
			// Ultrabiz bodies in each of the three ways ASP.NET binds them.
			{"Ultrabiz BillNo (JSON)", "POST", "/api/Purchase/InsertPurchaseInvoice?userId=" + fmt.Sprint(f.alice.Number), "application/json",
				`{"VendorID":1,"BillNo":"B\u0000-1","BillDate":"2026-11-20T00:00:00Z","NetAmount":1,"ListBody":[{"ProductId":"P-1","PackingId":1,"QtyPack":1}]}`,
				`"ModelState":{"purchase.BillNo":`, auth},
			{"Ultrabiz BillNo (JSON, invalid UTF-8)", "POST", "/api/Purchase/InsertPurchaseInvoice?userId=" + fmt.Sprint(f.alice.Number), "application/json",
				"{\"VendorID\":1,\"BillNo\":\"B\xff-1\",\"BillDate\":\"2026-11-20T00:00:00Z\",\"NetAmount\":1,\"ListBody\":[{\"ProductId\":\"P-1\",\"PackingId\":1,\"QtyPack\":1}]}",
				`"ModelState":{"purchase":["the body is not valid UTF-8"]}`, auth},
			{"Ultrabiz Remarks (form)", "POST", "/api/Purchase/InsertPurchaseInvoice?userId=" + fmt.Sprint(f.alice.Number), "application/x-www-form-urlencoded",
				"VendorID=1&BillNo=B-1&BillDate=2026-11-20T00:00:00Z&NetAmount=1&Remarks=r%00&ListBody[0].ProductId=P-1&ListBody[0].PackingId=1&ListBody[0].QtyPack=1",
				`"ModelState":{"purchase.Remarks":`, auth},
			{"Ultrabiz ProductId (XML, invalid UTF-8)", "POST", "/api/Purchase/InsertPurchaseInvoice?userId=" + fmt.Sprint(f.alice.Number), "application/xml",
				"<Purchase><VendorID>1</VendorID><BillNo>B-1</BillNo><BillDate>2026-11-20T00:00:00Z</BillDate><NetAmount>1</NetAmount><ListBody><PurchaseLine><ProductId>P\xff1</ProductId><PackingId>1</PackingId><QtyPack>1</QtyPack></PurchaseLine></ListBody></Purchase>",
				`"ModelState":{"purchase":["malformed XML: XML syntax error on line 1: invalid UTF-8"]}`, auth},
		} {
			r := do(t, f.env, tc.method, tc.path, tc.contentType, tc.body, append(tc.headers, "Accept", "application/json")...)
			if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), tc.want) {
				t.Errorf("%s: %d %s, want 400 with %s", tc.name, r.status, r.body, tc.want)
			}
		}
		orgs, total, err := f.env.Identity.ListOrganizations(context.Background(), f.alice.ID, identity.OrganizationPage{PageNo: 1, PageSize: 10})
		if err != nil || total != 1 || len(orgs) != 1 {
			t.Errorf("a refused AddOrganization stored something: %d organizations (%v)", total, err)
		}
	})
}

// Upbooks paging and sorting parameters are also read from headers, as the vendor's pages send
// them; the query wins when both are present, and a bad header value is a 400 naming it (issue 14,
// item 9).
func TestUpbooksPagingHeaders(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.DB) {
		f := newFixture(t, st)
		ctx := context.Background()
		c, err := upbooks.NewClientWithResponses(f.env.URL, upbooks.WithHTTPClient(f.env.HTTP))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"Zeta Co", "Beta Co"} {
			if r, err := c.AddOrganizationWithResponse(ctx, nil, upbooks.AddOrganizationJSONRequestBody{Name: name, Location: "Pune", State: "Maharashtra"}, servertest.Bearer(f.aliceTok)); err != nil || r.JSON201 == nil {
				t.Fatalf("add %s: %v", name, err)
			}
		}
		names := func(r response) []string {
			t.Helper()
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var out []string
			for _, o := range r.json(t)["data"].([]any) {
				out = append(out, o.(map[string]any)["name"].(string))
			}
			return out
		}
		bearer := []string{"Authorization", "Bearer " + f.aliceTok}
		all := names(do(t, f.env, "GET", "/api/v1/organization?sortBy=name&sortOrder=1", "", "", bearer...))
		if len(all) != 3 {
			t.Fatalf("alice has %d organizations: %v", len(all), all)
		}
		byHeader := names(do(t, f.env, "GET", "/api/v1/organization", "", "", append(bearer, "pageNo", "2", "pageSize", "1", "sortBy", "name", "sortOrder", "1")...))
		if fmt.Sprint(byHeader) != fmt.Sprint(all[1:2]) {
			t.Errorf("headers pageNo=2 pageSize=1 sortBy=name sortOrder=1: got %v, want %v", byHeader, all[1:2])
		}
		// The query's pageNo and sortOrder win over the headers'; the headers fill what the query lacks.
		mixed := names(do(t, f.env, "GET", "/api/v1/organization?pageNo=1&sortOrder=-1", "", "", append(bearer, "pageNo", "3", "pageSize", "1", "sortBy", "name", "sortOrder", "1")...))
		if fmt.Sprint(mixed) != fmt.Sprint(all[2:3]) {
			t.Errorf("query pageNo=1 sortOrder=-1 over headers: got %v, want %v", mixed, all[2:3])
		}
		assertUpbooksError(t, do(t, f.env, "GET", "/api/v1/organization", "", "", append(bearer, "pageSize", "0")...), 400, "PageSize")
		assertUpbooksError(t, do(t, f.env, "GET", "/api/v1/organization", "", "", append(bearer, "sortBy", "password")...), 400, "SortBy")
	})
}
