package dialect

import (
	"database/sql/driver"
	"fmt"

	"github.com/shopspring/decimal"
	"modernc.org/sqlite"
)

// SQLite has no exact numeric type, so decimals are text there and these Go functions do the
// arithmetic the SQLite dialect writes. They are registered for every connection of the process.
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
