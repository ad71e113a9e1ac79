package ultrabiz_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/deletesvc/deletesvc/store/storetest"
)

// A query parameter given twice is refused under its own name in ModelState, not under the body's
// (issue 10, defect 13). HTTP shape only: SQLite.
func TestRepeatedQueryParameterIsNamed(t *testing.T) {
	t.Parallel()
	e := start(t, storetest.DB(t, storetest.SQLite), true)
	url := fmt.Sprintf("%s/api/Purchase/DeletePurchaseInvoice?invoiceId=1&userId=%d&userId=%d", e.URL, e.user, e.user+1)
	req, _ := http.NewRequest(http.MethodDelete, url, strings.NewReader("[]"))
	req.Header.Set("Content-Type", "application/json")
	_ = e.auth(req.Context(), req)
	resp, err := e.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	want := `{"Message":"The request is invalid.","ModelState":{"userId":["multiple values for single value parameter 'userId'"]}}`
	if resp.StatusCode != http.StatusBadRequest || strings.TrimSpace(string(body)) != want {
		t.Fatalf("got %d %s, want 400 %s", resp.StatusCode, body, want)
	}
}
