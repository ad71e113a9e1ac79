package dialect_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/internal/dialect"
	"github.com/deletesvc/deletesvc/store/storetest"
)

func TestNullTextArray(t *testing.T) {
	t.Parallel()
	c := `x"y`
	v, err := dialect.NullTextArray{&c, nil}.Value()
	if want := `{"x\"y",NULL}`; err != nil || v != want {
		t.Errorf("Value = %v, %v; want %s", v, err, want)
	}
}

func TestTextArray(t *testing.T) {
	t.Parallel()
	v, err := dialect.TextArray{"a", `b"c`, `d\e`}.Value()
	if want := `{"a","b\"c","d\\e"}`; err != nil || v != want {
		t.Errorf("Value = %v, %v; want %s", v, err, want)
	}
}

// InList binds any list as one parameter on both databases and matches exactly its members, quotes,
// backslashes and commas included; an empty list matches nothing.
func TestInListMatchesExactlyTheValues(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		g := db.Gorm(ctx)
		if err := g.Exec("CREATE TABLE words (w varchar(20) PRIMARY KEY)").Error; err != nil {
			t.Fatal(err)
		}
		all := []string{"plain", `quo"te`, `back\slash`, "com,ma", "{brace}", "NULL"}
		for _, w := range all {
			if err := g.Exec("INSERT INTO words (w) VALUES (?)", w).Error; err != nil {
				t.Fatal(err)
			}
		}
		for _, want := range [][]string{all, {`quo"te`, "com,ma"}, {"NULL"}, {}} {
			cond, arg := db.Dialect().InList("w", want)
			var got []string
			if err := g.Raw("SELECT w FROM words WHERE "+cond, arg).Scan(&got).Error; err != nil {
				t.Fatalf("%s: %v", cond, err)
			}
			slices.Sort(got)
			w := slices.Clone(want)
			slices.Sort(w)
			if !slices.Equal(got, w) {
				t.Errorf("%s with %q matched %q", cond, want, got)
			}
		}
	})
}

// The arrays reach PostgreSQL element for element, NULLs, empty strings and quoting characters
// included, and an empty or nil TextArray is an empty array, not NULL.
func TestTextArraysRoundTrip(t *testing.T) {
	t.Parallel()
	storetest.OnlyPostgres(t, func(t *testing.T, db *store.DB) {
		g := db.Gorm(context.Background())
		words := []string{"plain", `quo"te`, `back\slash`, "com,ma", "{brace}", "NULL", "", " space "}
		for _, arg := range []any{dialect.TextArray(words), dialect.TextArray{}, dialect.TextArray(nil)} {
			var got []string
			if err := g.Raw("SELECT x FROM unnest(?::text[]) WITH ORDINALITY AS u(x, n) ORDER BY n", arg).Scan(&got).Error; err != nil {
				t.Fatal(err)
			}
			var isNull bool
			if err := g.Raw("SELECT ?::text[] IS NULL", arg).Scan(&isNull).Error; err != nil {
				t.Fatal(err)
			}
			if want := []string(arg.(dialect.TextArray)); !slices.Equal(got, want) || isNull {
				t.Errorf("%q came back as %q (NULL: %v)", want, got, isNull)
			}
		}
		a, b := `x"y`, ""
		var got []string
		if err := g.Raw("SELECT coalesce(x, '<null>') FROM unnest(?::text[]) WITH ORDINALITY AS u(x, n) ORDER BY n", dialect.NullTextArray{&a, nil, &b}).Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		if want := []string{a, "<null>", ""}; !slices.Equal(got, want) {
			t.Errorf("NullTextArray came back as %q, want %q", got, want)
		}
	})
}

// JSONArray's text is json.Marshal's, for plain ids and for strings that need escaping alike.
func TestJSONArrayIsJSON(t *testing.T) {
	t.Parallel()
	for _, a := range []dialect.JSONArray{nil, {}, {"c3b993f2-81ab-41d4-b54e-e32a79bb7c64", "x"}, {"a", `b"c`}, {`d\e`}, {"<&>"}, {"é"}, {"tab\t"}, {""}} {
		got, err := a.Value()
		want, _ := json.Marshal([]string(a))
		if a == nil {
			want = []byte("[]")
		}
		if err != nil || got != string(want) {
			t.Errorf("%q: Value = %v, %v; want %s", []string(a), got, err, want)
		}
	}
}
