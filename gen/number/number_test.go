package number_test

import (
	"encoding/json"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/deletesvc/deletesvc/gen/number"
)

// Decimals go out as JSON numbers and come back exactly, whatever the process-wide
// shopspring switch says.
func TestDecimalJSONRoundTrip(t *testing.T) {
	for _, global := range []bool{false, true} {
		decimal.MarshalJSONWithoutQuotes = global
		for _, s := range []string{"0", "12.5", "-0.0001", "999999999999.9999", "123456789012345678901234567890.123456789", "1e3"} {
			type body struct {
				A number.Decimal  `json:"a"`
				B *number.Decimal `json:"b,omitempty"`
			}
			in := body{A: number.MustParse(s), B: ptr(number.MustParse(s))}
			b, err := json.Marshal(in)
			if err != nil {
				t.Fatal(err)
			}
			want := `{"a":` + in.A.String() + `,"b":` + in.A.String() + `}`
			if string(b) != want {
				t.Fatalf("global=%v %s: got %s, want %s", global, s, b, want)
			}
			var out body
			if err := json.Unmarshal(b, &out); err != nil {
				t.Fatal(err)
			}
			if !out.A.Equal(in.A.Decimal) || out.A.String() != in.A.String() || !out.B.Equal(in.A.Decimal) {
				t.Fatalf("global=%v %s: round trip gave %s, %s", global, s, out.A, out.B)
			}
		}
	}
	decimal.MarshalJSONWithoutQuotes = false
	var quoted number.Decimal
	if err := json.Unmarshal([]byte(`"1.25"`), &quoted); err != nil || quoted.String() != "1.25" {
		t.Fatalf("quoted: %v %s", err, quoted)
	}
}

func ptr[T any](v T) *T { return &v }
