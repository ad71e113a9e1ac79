package store_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// TestScanNumericIsScans: a numeric pgx decodes reads into the Decimal that Scan makes of its text
// (the path before ScanNumeric), to the coefficient and exponent, for typed, untyped and computed
// numerics; NULL and NaN are refused as Scan refuses them.
func TestScanNumericIsScans(t *testing.T) {
	t.Parallel()
	conn, err := pgx.Connect(context.Background(), storetest.URL(t, storetest.Postgres))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), `SELECT v::numeric(20,4), v, v * 3, sum(v) OVER (), v / 7, round(v, 2), v::numeric(30,10)
		FROM unnest('{717.44,0,-3.3,50.3,1e10,0.0001,123456789012.1234,-0.5,100,3587.2,1e-10,99999999999999.9999}'::numeric[]) v`)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for rows.Next() {
		vals := make([]pgtype.Numeric, len(rows.FieldDescriptions()))
		dest := make([]any, len(vals))
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		for _, n := range vals {
			text, err := n.Value()
			if err != nil {
				t.Fatal(err)
			}
			var want, got store.Decimal
			if err := want.Scan(text); err != nil {
				t.Fatal(err)
			}
			if err := got.ScanNumeric(n); err != nil {
				t.Fatal(err)
			}
			if got.Exponent() != want.Exponent() || got.Coefficient().Cmp(want.Coefficient()) != 0 {
				t.Errorf("%s: ScanNumeric %s (exponent %d), Scan %s (exponent %d)", text, got, got.Exponent(), want, want.Exponent())
			}
			checked++
		}
	}
	if err := rows.Err(); err != nil || checked == 0 {
		t.Fatalf("%d checked: %v", checked, err)
	}
	var d store.Decimal
	if err := d.ScanNumeric(pgtype.Numeric{}); err == nil {
		t.Error("NULL read into a Decimal")
	}
	if err := d.ScanNumeric(pgtype.Numeric{NaN: true, Valid: true}); err == nil {
		t.Error("NaN read into a Decimal")
	}
	// pgx's own rows (a Batch's) scan a numeric column into a Decimal (by ScanNumeric) as before.
	var via store.Decimal
	if err := conn.QueryRow(context.Background(), `SELECT 3587.2000::numeric(20,4)`).Scan(&via); err != nil || via.String() != "3587.2" || via.Exponent() != -4 {
		t.Errorf("scanned %s (exponent %d): %v", via, via.Exponent(), err)
	}
}
