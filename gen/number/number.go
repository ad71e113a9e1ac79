// Package number holds Decimal, the type the generated SDKs use for every decimal in the specs.
// The specs carry decimals as JSON numbers; shopspring/decimal writes them as JSON strings unless
// the process-wide decimal.MarshalJSONWithoutQuotes is set, which a library must not ask of its
// users. Decimal writes a JSON number itself, so the SDKs need no global. Hand-written: the only
// package in gen/ that oapi-codegen does not produce.
package number

import "github.com/shopspring/decimal"

// Decimal is an exact decimal that marshals as a JSON number. The embedded shopspring decimal
// gives it the arithmetic (Add, Cmp, String, ...).
type Decimal struct{ decimal.Decimal }

// New wraps a shopspring decimal.
func New(d decimal.Decimal) Decimal { return Decimal{d} }

// Parse reads a decimal from its text ("12.5", "-0.0001", "1e3").
func Parse(s string) (Decimal, error) {
	d, err := decimal.NewFromString(s)
	return Decimal{d}, err
}

// MustParse is Parse for literals; it panics on malformed input.
func MustParse(s string) Decimal { return Decimal{decimal.RequireFromString(s)} }

// FromInt is n as a Decimal.
func FromInt(n int64) Decimal { return Decimal{decimal.NewFromInt(n)} }

// MarshalJSON writes the exact decimal as a JSON number (no exponent, no quotes).
func (d Decimal) MarshalJSON() ([]byte, error) { return []byte(d.Decimal.String()), nil }

// UnmarshalJSON reads a JSON number exactly, without a float64 in between; a quoted number is
// accepted too.
func (d *Decimal) UnmarshalJSON(b []byte) error { return d.Decimal.UnmarshalJSON(b) }
