package store

import (
	"context"
	"database/sql/driver"
	"fmt"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
	"modernc.org/sqlite"
)

// Decimal is an exact number for money, quantities and rates. PostgreSQL stores it as numeric(p,s);
// SQLite has no exact numeric type (NUMERIC is REAL there), so it stores the decimal's text and
// does arithmetic through the dec_* functions registered below.
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
	return clause.Expr{SQL: "?", Vars: []any{d.Decimal.String()}}
}

// SQL helpers that write exact decimal arithmetic for the store's dialect. On PostgreSQL they are
// plain operators; on SQLite they call the Go functions registered in init.

// decAdd returns an SQL expression a + b.
func (s *Store) decAdd(a, b string) string { return s.decOp("dec_add", "+", a, b) }

// decSub returns an SQL expression a - b.
func (s *Store) decSub(a, b string) string { return s.decOp("dec_sub", "-", a, b) }

// decMul returns an SQL expression a * b.
func (s *Store) decMul(a, b string) string { return s.decOp("dec_mul", "*", a, b) }

// decSum returns an SQL aggregate SUM(a) that is 0 over no rows.
func (s *Store) decSum(a string) string {
	if s.sqlite {
		return "dec_sum(" + a + ")"
	}
	return "COALESCE(SUM(" + a + "), 0)"
}

// decCmp returns an SQL expression that is -1, 0 or 1 as a is less than, equal to or greater than b.
func (s *Store) decCmp(a, b string) string {
	if s.sqlite {
		return "dec_cmp(" + a + ", " + b + ")"
	}
	return "SIGN((" + a + ") - (" + b + "))"
}

func (s *Store) decOp(fn, op, a, b string) string {
	if s.sqlite {
		return fn + "(" + a + ", " + b + ")"
	}
	return "((" + a + ") " + op + " (" + b + "))"
}

func init() {
	binary := func(name string, f func(a, b decimal.Decimal) driver.Value) {
		sqlite.MustRegisterDeterministicScalarFunction(name, 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			a, err := decimalArg(args[0])
			if err != nil {
				return nil, err
			}
			b, err := decimalArg(args[1])
			if err != nil {
				return nil, err
			}
			return f(a, b), nil
		})
	}
	binary("dec_add", func(a, b decimal.Decimal) driver.Value { return a.Add(b).String() })
	binary("dec_sub", func(a, b decimal.Decimal) driver.Value { return a.Sub(b).String() })
	binary("dec_mul", func(a, b decimal.Decimal) driver.Value { return a.Mul(b).String() })
	binary("dec_cmp", func(a, b decimal.Decimal) driver.Value { return int64(a.Cmp(b)) })
	sqlite.MustRegisterFunction("dec_sum", &sqlite.FunctionImpl{
		NArgs:         1,
		Deterministic: true,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) { return &decSumAgg{}, nil },
	})
}

func decimalArg(v any) (decimal.Decimal, error) {
	switch x := v.(type) {
	case nil:
		return decimal.Zero, nil
	case int64:
		return decimal.NewFromInt(x), nil
	case float64:
		return decimal.NewFromFloat(x), nil
	case string:
		return decimal.NewFromString(x)
	case []byte:
		return decimal.NewFromString(string(x))
	default:
		return decimal.Zero, fmt.Errorf("dec: unsupported argument %T", v)
	}
}

type decSumAgg struct{ sum decimal.Decimal }

func (a *decSumAgg) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	if args[0] == nil {
		return nil
	}
	d, err := decimalArg(args[0])
	if err != nil {
		return err
	}
	a.sum = a.sum.Add(d)
	return nil
}

func (a *decSumAgg) WindowInverse(_ *sqlite.FunctionContext, args []driver.Value) error {
	d, err := decimalArg(args[0])
	if err != nil {
		return err
	}
	a.sum = a.sum.Sub(d)
	return nil
}

func (a *decSumAgg) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	return a.sum.String(), nil
}

func (a *decSumAgg) Final(*sqlite.FunctionContext) {}
