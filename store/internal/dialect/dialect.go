// Package dialect holds what differs between PostgreSQL and SQLite in the SQL the stores write, so
// family code asks a Dialect instead of testing which database it is on.
package dialect

import (
	"database/sql/driver"
	"encoding/json"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"
)

// Dialect writes the database-specific parts of set-based statements.
type Dialect interface {
	// Name is "postgres" or "sqlite", as GORM names the dialector.
	Name() string
	// DecAdd, DecSub and DecMul are exact decimal arithmetic on two SQL expressions.
	DecAdd(a, b string) string
	DecSub(a, b string) string
	DecMul(a, b string) string
	// DecSum is an aggregate exact SUM(a) that is 0 over no rows.
	DecSum(a string) string
	// DecCmp is -1, 0 or 1 as a is less than, equal to or greater than b.
	DecCmp(a, b string) string
	// InList is a condition "column IN (the values)" with the values bound as one parameter where the
	// database can take an array, so a statement's text does not grow with the list.
	InList(column string, values []string) (cond string, arg any)
}

// For returns the dialect GORM names name.
func For(name string) Dialect {
	if name == "sqlite" {
		return SQLite{}
	}
	return Postgres{}
}

// Postgres is PostgreSQL: numeric arithmetic is exact, arrays bind as one parameter.
type Postgres struct{}

// Name implements Dialect.
func (Postgres) Name() string { return "postgres" }

// DecAdd implements Dialect.
func (Postgres) DecAdd(a, b string) string { return op(a, "+", b) }

// DecSub implements Dialect.
func (Postgres) DecSub(a, b string) string { return op(a, "-", b) }

// DecMul implements Dialect.
func (Postgres) DecMul(a, b string) string { return op(a, "*", b) }

// DecSum implements Dialect.
func (Postgres) DecSum(a string) string { return "COALESCE(SUM(" + a + "), 0)" }

// DecCmp implements Dialect.
func (Postgres) DecCmp(a, b string) string { return "SIGN((" + a + ") - (" + b + "))" }

// InList implements Dialect with = ANY(text[]).
func (Postgres) InList(column string, values []string) (string, any) {
	return column + " = ANY(?::text[])", TextArray(values)
}

func op(a, operator, b string) string { return "((" + a + ") " + operator + " (" + b + "))" }

// SQLite stores decimals as text and computes on them with the Go functions registered in sqlite.go.
type SQLite struct{}

// Name implements Dialect.
func (SQLite) Name() string { return "sqlite" }

// DecAdd implements Dialect.
func (SQLite) DecAdd(a, b string) string { return "dec_add(" + a + ", " + b + ")" }

// DecSub implements Dialect.
func (SQLite) DecSub(a, b string) string { return "dec_sub(" + a + ", " + b + ")" }

// DecMul implements Dialect.
func (SQLite) DecMul(a, b string) string { return "dec_mul(" + a + ", " + b + ")" }

// DecSum implements Dialect.
func (SQLite) DecSum(a string) string { return "dec_sum(" + a + ")" }

// DecCmp implements Dialect.
func (SQLite) DecCmp(a, b string) string { return "dec_cmp(" + a + ", " + b + ")" }

// InList implements Dialect with json_each over one JSON array parameter.
func (SQLite) InList(column string, values []string) (string, any) {
	return column + " IN (SELECT value FROM json_each(?))", JSONArray(values)
}

// TextArray binds a Go string slice as one PostgreSQL text[] parameter.
type TextArray []string

// Value implements driver.Valuer.
func (a TextArray) Value() (driver.Value, error) {
	p := make(NullTextArray, len(a))
	for i := range a {
		p[i] = &a[i]
	}
	return p.Value()
}

// Dimensions, Index and IndexType make TextArray a pgtype.ArrayGetter, which pgx encodes as a
// binary text[] itself; Value's text form, which pgx would parse back into an array, cost 1.8 ms
// of a 1000-id statement (issue 13). Value stays for other drivers. A nil TextArray is '{}'.
func (a TextArray) Dimensions() []pgtype.ArrayDimension { return dimensions(len(a)) }

// Index implements pgtype.ArrayGetter; a pointer, so the element is not copied into an interface.
func (a TextArray) Index(i int) any { return (*textElem)(&a[i]) }

// IndexType implements pgtype.ArrayGetter.
func (TextArray) IndexType() any { return new(textElem) }

// textElem is an element of TextArray or NullTextArray as pgx encodes it: a pgtype.TextValuer, which
// pgx's text codec writes as it is. A *string went through pgx's reflective dereference, which
// copied every element into an interface: an allocation per id of a 1000-id statement.
type textElem string

// TextValue implements pgtype.TextValuer.
func (t *textElem) TextValue() (pgtype.Text, error) {
	return pgtype.Text{String: string(*t), Valid: true}, nil
}

// NullTextArray binds a slice of optional strings as one PostgreSQL text[] parameter; nil is NULL.
type NullTextArray []*string

// Dimensions implements pgtype.ArrayGetter, as TextArray does.
func (a NullTextArray) Dimensions() []pgtype.ArrayDimension { return dimensions(len(a)) }

// Index implements pgtype.ArrayGetter: a nil element is NULL.
func (a NullTextArray) Index(i int) any { return (*textElem)(a[i]) }

// IndexType implements pgtype.ArrayGetter.
func (NullTextArray) IndexType() any { return new(textElem) }

// dimensions is the shape of a one-dimensional array of n elements, never NULL.
func dimensions(n int) []pgtype.ArrayDimension {
	return []pgtype.ArrayDimension{{Length: int32(n), LowerBound: 1}}
}

var arrayEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// Value implements driver.Valuer, quoting every element but NULL.
func (a NullTextArray) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		if s == nil {
			b.WriteString("NULL")
			continue
		}
		b.WriteByte('"')
		b.WriteString(arrayEscaper.Replace(*s))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}

// JSONArray binds a Go string slice as one JSON array text, for SQLite's json_each.
type JSONArray []string

// Value implements driver.Valuer. Strings of printable ASCII without quotes or backslashes (ids)
// are written as they are; json.Marshal, which reflected over 1000 ids for a bulk request, takes
// the rest.
func (a JSONArray) Value() (driver.Value, error) {
	if a == nil {
		return "[]", nil
	}
	n := 2
	for _, s := range a {
		if !plainJSON(s) {
			b, err := json.Marshal([]string(a))
			return string(b), err
		}
		n += len(s) + 3
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteByte('[')
	for i, s := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
	}
	b.WriteByte(']')
	return b.String(), nil
}

// plainJSON reports whether s is its own JSON string body: printable ASCII, no quote, backslash or
// character json.Marshal escapes for HTML.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}
