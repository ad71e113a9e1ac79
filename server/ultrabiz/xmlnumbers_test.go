package ultrabiz_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/deletesvc/deletesvc/gen/number"
	gen "github.com/deletesvc/deletesvc/gen/ultrabiz"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// XML numbers are read by XML Schema's lexical rules, as .NET's DataContractSerializer reads them: a
// sign and leading zeros are fine, an int has no fraction, and a decimal has no NaN, infinity, digit
// separators or exponent. Numbers JSON cannot spell are still read exactly (the delete takes back
// the units they name) or refused by name, never a 500 and never a silent 404.
// SQLite only: this checks how bodies are read and answered; the delete beneath is covered on both
// databases by store/ultrabiz's tests.
func TestXMLNumbersFollowXMLSchema(t *testing.T) {
	t.Parallel()
	e := start(t, storetest.DB(t, storetest.SQLite), true)
	view := func(spelled string) string {
		return `<ArrayOfPurchasesBody xmlns="http://schemas.datacontract.org/2004/07/Ultrabiz_ERP_API.Models"><PurchasesBody>` +
			`<Multiplier>` + spelled + `</Multiplier><PackingId>3</PackingId><ProductId>sample string 2</ProductId><QtyPack>` + spelled + `</QtyPack>` +
			`</PurchasesBody></ArrayOfPurchasesBody>`
	}
	for _, c := range []struct {
		spelled string
		n       int32
		units   string
	}{{"+5", 5, "25"}, {"007", 7, "49"}} {
		id := e.insert(t, "X"+c.spelled, false, "1", nil, []gen.PurchasesBody{{ProductId: ptr("sample string 2"), PackingId: ptr(int32(3)),
			Multiplier: ptr(number.FromInt(int64(c.n))), QtyPack: ptr(c.n)}})
		status, body := e.del(t, id, false, e.user, "application/xml", view(c.spelled), "application/json")
		want := fmt.Sprintf(`{"InvoiceId":%d,"LinesReversed":1,"Message":"Purchase invoice %d deleted.","UnitsReversed":%s}`, id, id, c.units)
		if status != http.StatusOK || strings.TrimSpace(body) != want {
			t.Errorf("%q: %d %s, want 200 %s", c.spelled, status, body, want)
		}
	}
	const both = `{"Message":"The request is invalid.","ModelState":{"purchasesBody[0].Multiplier":["value must be a number"],"purchasesBody[0].QtyPack":["value must be an integer"]}}`
	for spelled, want := range map[string]string{
		".5":       `{"Message":"The request is invalid.","ModelState":{"purchasesBody[0].QtyPack":["value must be an integer"]}}`, // a decimal, not an int
		"NaN":      both,
		"Inf":      both,
		"1_0":      both,
		"5e999999": both,
	} {
		status, body := e.del(t, 999, false, e.user, "application/xml", view(spelled), "application/json")
		if status != http.StatusBadRequest || strings.TrimSpace(body) != want {
			t.Errorf("%q: %d %s, want 400 %s", spelled, status, body, want)
		}
	}
}
