package store

import (
	"context"
	"database/sql/driver"
	"fmt"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// Decimal is an exact number for money, quantities and rates. PostgreSQL stores it as numeric(p,s);
// SQLite has no exact numeric type (NUMERIC is REAL there), so it stores the decimal's text and
// does arithmetic through the dec_* functions of store/internal/dialect.
type Decimal struct{ decimal.Decimal }

// NewDecimal wraps a shopspring decimal.
func NewDecimal(d decimal.Decimal) Decimal { return Decimal{d} }

// MustDecimal parses s and panics on malformed input; for literals in code and tests.
func MustDecimal(s string) Decimal { return Decimal{decimal.RequireFromString(s)} }

// DecimalFromInt is n as a Decimal.
func DecimalFromInt(n int64) Decimal { return Decimal{decimal.NewFromInt(n)} }

// Value stores the canonical decimal text; numeric columns on PostgreSQL parse it exactly.
func (d Decimal) Value() (driver.Value, error) { return d.Decimal.String(), nil }

// Scan reads numeric (PostgreSQL) or text (SQLite) columns.
func (d *Decimal) Scan(v any) error {
	if i, ok := v.(int64); ok {
		d.Decimal = decimal.NewFromInt(i)
		return nil
	}
	return d.Decimal.Scan(v)
}

// ScanNumeric reads a PostgreSQL numeric that pgx decoded (a Batch's rows), straight from its
// integer and exponent: through Scan pgx wrote the number as text and decimal parsed it back, a
// twentieth of an Ultrabiz insert+delete cycle's allocations (issue 13). NULL, NaN and infinities
// take Scan's path, errors included; the result is Scan's, to the exponent
// (TestScanNumericIsScans).
func (d *Decimal) ScanNumeric(v pgtype.Numeric) error {
	if !v.Valid || v.NaN || v.InfinityModifier != pgtype.Finite || v.Int == nil {
		text, err := v.Value()
		if err != nil {
			return err
		}
		return d.Scan(text)
	}
	d.Decimal = decimal.NewFromBigInt(v.Int, v.Exp)
	if v.Exp > 0 { // the text of a whole number has all its digits: exponent 0
		d.Decimal = d.Round(0)
	}
	return nil
}

// GormDataType names the logical type for GORM's migrator.
func (Decimal) GormDataType() string { return "decimal" }

// GormDBDataType picks numeric(p,s) on PostgreSQL (precision/scale tags, default 20,4) and text on SQLite.
func (Decimal) GormDBDataType(db *gorm.DB, field *schema.Field) string {
	if db.Dialector.Name() == "sqlite" {
		return "text"
	}
	precision, scale := field.Precision, field.Scale
	if precision == 0 {
		precision, scale = 20, 4
	}
	return fmt.Sprintf("numeric(%d,%d)", precision, scale)
}

// GormValue keeps the parameter typed as text so both drivers bind it the same way.
func (d Decimal) GormValue(_ context.Context, _ *gorm.DB) clause.Expr {
	return clause.Expr{SQL: "?", Vars: []any{d.Bound()}}
}

// Bound is what a Decimal is sent to the database as: its canonical text.
func (d Decimal) Bound() string { return d.Decimal.String() }
