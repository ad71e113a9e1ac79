package server_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// An anonymous request is refused before its body is read: the body here never finishes, so a
// server that read (or parsed) it before authenticating would not answer at all (issue 10, defect
// 1: three unauthenticated 2 MB bodies of nested XML took the process to 1.3 GB).
func TestBodiesAreNotReadBeforeAuthentication(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.DB) {
		f := newFixture(t, st)
		ub := "/api/Purchase/DeletePurchaseInvoice?invoiceId=1&userId=" + jsonNum(int(f.alice.Number))
		for _, tc := range []struct {
			name, method, path, contentType, start, want string
			header                                       []string
		}{
			{"Upbooks JSON", "DELETE", "/api/v1/organization/" + f.aliceOrg.ID + "/selective", "application/json", `{"clients":[[[[[[`,
				`{"code":"401","message":"Authorization token is required"}`, nil},
			{"invx JSON", "PATCH", "/invx/apis/v1/orgs/" + f.aliceOrg.ID + "/document/bulk", "application/json", `[[[[[[[[`,
				`"message":"err-missing-token"`, nil},
			{"invx JSON, bad token", "PATCH", "/invx/apis/v1/orgs/" + f.aliceOrg.ID + "/document/bulk", "application/json", `[[[[[[[[`,
				`"message":"err-invalid-token"`, []string{"X-FLYNN-N-USER-TOKEN", "not.a.token"}},
			{"Ultrabiz XML", "DELETE", ub, "application/xml", `<ArrayOfPurchasesBody>` + strings.Repeat("<a>", 1000),
				`{"Message":"Authorization has been denied for this request."}`, nil},
			{"Ultrabiz JSON", "DELETE", ub, "text/json", `[[[[[[[[`,
				`{"Message":"Authorization has been denied for this request."}`, []string{"Authorization", "Bearer expired.or.forged"}},
		} {
			pr, pw := io.Pipe()
			go func() { _, _ = pw.Write([]byte(tc.start)) }() // and never the rest
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			// The transport waits for the body's writer before giving up: end the body with the wait.
			context.AfterFunc(ctx, func() { _ = pw.CloseWithError(errors.New("gave up")) })
			req, _ := http.NewRequestWithContext(ctx, tc.method, f.env.URL+tc.path, pr)
			req.ContentLength = 2_000_000
			req.Header.Set("Content-Type", tc.contentType)
			req.Header.Set("Accept", "application/json")
			for i := 0; i+1 < len(tc.header); i += 2 {
				req.Header.Set(tc.header[i], tc.header[i+1])
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Errorf("%s: no answer while the body was unfinished: %v", tc.name, err)
				cancel()
				continue
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			cancel()
			if (resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden) || !strings.Contains(string(b), tc.want) {
				t.Errorf("%s: %d %s, want %s", tc.name, resp.StatusCode, b, tc.want)
			}
		}
	})
}

// A body that cannot be decoded is refused with a reason that names the problem, never an empty
// "malformed: " (issue 10, defect 1).
func TestMalformedBodiesNameTheProblem(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.DB) {
		f := newFixture(t, st)
		auth := []string{"Authorization", "Bearer " + f.aliceTok, "Accept", "application/json"}
		ub := "/api/Purchase/DeletePurchaseInvoice?invoiceId=1&userId=" + jsonNum(int(f.alice.Number))
		for _, tc := range []struct{ name, method, path, contentType, body, want string }{
			{"Upbooks truncated JSON", "DELETE", "/api/v1/organization/" + f.aliceOrg.ID + "/selective", "application/json", `{"clients":`,
				`{"code":"400","message":"Validation failed: malformed: unexpected EOF"}`},
			{"invx not JSON", "PATCH", "/invx/apis/v1/orgs/" + f.aliceOrg.ID + "/document/bulk", "application/json", `[{"docId":}]`,
				`"message":"malformed: invalid character '}' looking for beginning of value"`},
			{"Ultrabiz truncated JSON", "DELETE", ub, "application/json", `[{"QtyPack":1`,
				`{"Message":"The request is invalid.","ModelState":{"purchasesBody":["malformed: unexpected EOF"]}}`},
			{"Ultrabiz unclosed XML", "DELETE", ub, "application/xml", `<ArrayOfPurchasesBody><PurchasesBody>`,
				`{"Message":"The request is invalid.","ModelState":{"purchasesBody":["malformed XML: XML syntax error on line 1: unexpected EOF"]}}`},
			{"Ultrabiz XML with mismatched tags", "DELETE", ub, "application/xml", `<ArrayOfPurchasesBody></PurchasesBody>`,
				`{"Message":"The request is invalid.","ModelState":{"purchasesBody":["malformed XML: XML syntax error on line 1: element \u003cArrayOfPurchasesBody\u003e closed by \u003c/PurchasesBody\u003e"]}}`},
		} {
			r := do(t, f.env, tc.method, tc.path, tc.contentType, tc.body, auth...)
			if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), tc.want) {
				t.Errorf("%s: %d %s, want 400 with %s", tc.name, r.status, r.body, tc.want)
			}
		}
	})
}
