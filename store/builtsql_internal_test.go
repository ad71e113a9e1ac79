package store

import (
	"context"
	"database/sql"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// A statement built from the cache is, text and parameters, what GORM's Raw builds for the same
// arguments, on the first call and on the later ones; arguments of another shape than the cached
// one (a list, other names) are built by GORM again. Only the text is compared, so no server is
// needed: PostgreSQL's dialect without a connection.
func TestBuiltStatementsAreGORMs(t *testing.T) {
	t.Parallel()
	tx := dryRunPostgres(t)
	note, none := "note", (*string)(nil)
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	type call struct {
		query  string
		vars   []any
		cached bool // the parameters come from the cache
	}
	named := func(m map[string]any) []any { return []any{m} }
	for _, c := range []call{
		{"UPDATE t SET a = @a WHERE org = @org AND id = @id AND (x = @org)", named(map[string]any{"org": "o1", "id": int64(7), "a": decimal.RequireFromString("1.50")}), true},
		{"UPDATE t SET a = @a WHERE org = @org AND id = @id AND (x = @org)", named(map[string]any{"org": "o2", "id": int64(8), "a": decimal.RequireFromString("2")}), true},
		{"SELECT * FROM t WHERE org = @org AND n IN (@n)", named(map[string]any{"org": "o1", "n": 3, "unused": true}), true},
		{"SELECT * FROM t WHERE org = @org AND n IN (@n)", named(map[string]any{"org": "o1", "n": []int{1, 2, 3}, "unused": true}), true}, // a length of its own
		{"SELECT * FROM t WHERE org = @org AND n IN (@n)", named(map[string]any{"org": "o2", "n": []int{4, 5, 6}, "unused": false}), true},
		{"SELECT * FROM t WHERE org = @org AND n IN (@n)", named(map[string]any{"org": "o2", "n": []any{"x", nil, &note, at}, "unused": 1}), true},
		{"SELECT * FROM t WHERE org = @org AND n IN (@n)", named(map[string]any{"org": "o2", "n": []string{}, "unused": 1}), false}, // GORM binds NULL
		{"SELECT * FROM t WHERE org = @org AND n IN @n", named(map[string]any{"org": "o2", "n": []string{}, "unused": 1}), true},    // GORM writes (NULL)
		{"SELECT * FROM t WHERE org = @org AND n IN @n AND m IN @m", named(map[string]any{"org": "o2", "n": [2]int64{7, 8}, "m": []decimal.Decimal{decimal.New(1, -2)}}), true},
		{"SELECT * FROM t WHERE org = @org AND n IN @n AND m IN @m", named(map[string]any{"org": "o3", "m": [2]int64{7, 8}, "n": []decimal.Decimal{decimal.New(1, -2)}}), true},
		{"SELECT * FROM t WHERE org = @org AND n IN @n AND m IN @m", named(map[string]any{"org": "o3", "m": []any{[]byte("x")}, "n": []int{1}}), false},
		{"SELECT * FROM t WHERE org = @org AND n IN @n AND m IN @m", named(map[string]any{"org": "o3", "m": []any{1, []int{2}}, "n": []int{1}}), false}, // values and lists mixed
		{"SELECT * FROM t WHERE org = @org AND n IN (@n)", named(map[string]any{"org": "o1", "n": 4}), true},                                            // other names: a shape of its own
		{"SELECT @org, @missing", named(map[string]any{"org": "o1"}), true},
		{"SELECT @org, @missing", named(map[string]any{"org": nil}), true},
		{"SELECT @org, @n, @other", named(map[string]any{"org": "o1", "n": 1, "unused": 2}), true},
		{"SELECT @org, @n, @other", named(map[string]any{"org": "o1", "n": 1, "other": 2}), false}, // the same count of other names
		{"INSERT INTO t VALUES (?, ?, ?, ?, ?)", []any{"a", nil, &note, none, at}, true},
		{"INSERT INTO t VALUES (?, ?, ?, ?, ?)", []any{"b", 1, none, &note, at.Add(time.Hour)}, true},
		{"INSERT INTO t VALUES (?, ?, ?, ?, ?)", []any{"c", []byte("raw"), none, &note, at}, false},
		{"SELECT ? WHERE n IN (?)", []any{"a", []string{"x", "y"}}, true},
		{"SELECT ? WHERE n IN (?)", []any{"b", []string{"z", "y"}}, true},
		{"SELECT ? WHERE n IN (?)", []any{"b", []string{"z"}}, true},
		{"INSERT INTO t (a, b) VALUES ?", []any{[][]any{{1, "x"}, {2, nil}}}, true},
		{"INSERT INTO t (a, b) VALUES ?", []any{[][]any{{3, "y"}, {4, &note}}}, true},
		{"INSERT INTO t (a, b) VALUES ?", []any{[][]any{{3, "y"}, {4, &note}, {5, none}}}, true},
		{"INSERT INTO t (a, b) VALUES ?", []any{[][]any{{3, "y"}, {4}}}, true}, // rows of other lengths
		{"INSERT INTO t (a, b) VALUES ?", []any{[][]any{{3}, {4, "y"}}}, true},
		{"INSERT INTO t (a, b) VALUES ?", []any{[][]any{{3, "y"}, {4, []byte("raw")}}}, false},
		{"INSERT INTO t (a, b) VALUES (?), (?)", []any{[]any{1, "x"}, []string{"y", "z"}}, true},
		{"SELECT ?", []any{"a", "extra"}, true},
		{"SELECT @Name, ?", []any{struct{ Name string }{"x"}}, false}, // positional: GORM names its fields
		{"SELECT ? WHERE a = @Valid", []any{sql.NullString{String: "x", Valid: true}}, false},
		{"SELECT @s", named(map[string]any{"s": struct{ A int }{1}}), false},
		{"SELECT @t, @d", named(map[string]any{"t": &at, "d": (*decimal.Decimal)(nil)}), true},
	} {
		got := builtAsGORM(t, tx, c.query, c.vars)
		fromCache := cachedAs(c.query, c.vars, got)
		if fromCache != c.cached {
			t.Errorf("%s %v: from the cache %v, want %v", c.query, c.vars, fromCache, c.cached)
		}
	}
}

// dryRunPostgres is GORM on PostgreSQL's dialect without a connection: statements are built, not run.
func dryRunPostgres(t testing.TB) *gorm.DB {
	tx, err := gorm.Open(postgres.New(postgres.Config{DSN: "postgres://nowhere.invalid/none"}), &gorm.Config{DisableAutomaticPing: true, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// builtAsGORM builds query with vars and checks that its text and parameters are what GORM's Raw
// builds; it returns the text.
func builtAsGORM(t *testing.T, tx *gorm.DB, query string, vars []any) string {
	t.Helper()
	want, wantVars, err := gormBuild(tx, query, vars)
	if err != nil {
		t.Fatal(err)
	}
	got, gotVars, err := buildStatement(tx, query, vars)
	if err != nil {
		t.Fatal(err)
	}
	if got != want || !reflect.DeepEqual(gotVars, wantVars) {
		t.Errorf("%s %v:\n built %s %v\n GORM  %s %v", query, vars, got, gotVars, want, wantVars)
	}
	return got
}

// cachedAs tells whether the cache holds query built as text for the shape of vars.
func cachedAs(query string, vars []any, text string) bool {
	named, isNamed := namedArgs(vars)
	key, ok := keyOf("postgres", query, named, isNamed, vars)
	if !ok {
		return false
	}
	cached, ok := builtStatements.Load(key)
	if !ok || cached.(*builtStatement).sql != text {
		return false
	}
	_, ok = cached.(*builtStatement).bind(named, vars)
	return ok
}

// Each length of a query's lists is a statement of its own, so a query keeps at most
// maxListShapes of them: built beyond that, its text is still GORM's, from GORM.
func TestBuiltStatementsKeepFewLengthsOfAList(t *testing.T) {
	t.Parallel()
	tx := dryRunPostgres(t)
	const query = "SELECT id FROM lengths WHERE org = @org AND id IN @ids"
	for n := 1; n <= maxListShapes+3; n++ {
		for range 2 {
			vars := []any{map[string]any{"org": "o1", "ids": make([]int, n)}}
			got := builtAsGORM(t, tx, query, vars)
			if cached := cachedAs(query, vars, got); cached != (n <= maxListShapes) {
				t.Errorf("%d ids: from the cache %v", n, cached)
			}
		}
	}
	// Arguments of more than maxCachedValues values and lists in all are GORM's every time: the
	// organization, the list and its ids; or as many values each an argument of its own.
	for _, n := range []int{maxCachedValues - 2, maxCachedValues - 1} {
		const query = "SELECT id FROM long WHERE org = @org AND id IN @ids"
		vars := []any{map[string]any{"org": "o1", "ids": make([]int, n)}}
		if cached := cachedAs(query, vars, builtAsGORM(t, tx, query, vars)); cached != (n+2 <= maxCachedValues) {
			t.Errorf("%d ids: from the cache %v", n, cached)
		}
	}
	for _, n := range []int{maxCachedValues, maxCachedValues + 1} {
		query := "SELECT id FROM many WHERE id IN (?" + strings.Repeat(",?", n-1) + ")"
		vars := make([]any, n)
		for i := range vars {
			vars[i] = i
		}
		if cached := cachedAs(query, vars, builtAsGORM(t, tx, query, vars)); cached != (n <= maxCachedValues) {
			t.Errorf("%d arguments: from the cache %v", n, cached)
		}
	}
}

// upper is a value GORM spells with its GormValue: in a list too, so such a list is GORM's.
type upper string

func (u upper) GormValue(context.Context, *gorm.DB) clause.Expr {
	return clause.Expr{SQL: "upper(?)", Vars: []any{string(u)}}
}

// Lists whose shapes could be spelled alike, and lists GORM spells by their values' methods, are
// built as GORM builds them.
func TestBuiltStatementsTellListsApart(t *testing.T) {
	t.Parallel()
	tx := dryRunPostgres(t)
	named := func(m map[string]any) []any { return []any{m} }
	for _, vars := range [][]any{
		// A name holding another's spelling: "a=1;c" is no list's shape but its own.
		named(map[string]any{"a": []int{1}, "c": []int{1, 2}, "a=1;c": 0}),
		named(map[string]any{"a": "xy", "c": 0, "a=1;c": []int{1, 2}}),
		named(map[string]any{"a": []upper{"x", "y"}, "c": 1, "a=1;c": 2}),
		// Positional lists trading lengths.
		{[]string{"p"}, []int{1, 2}, []upper{"z"}},
		{[]string{"p", "q"}, []int{1}, []upper{"z"}},
	} {
		query := "SELECT * FROM t WHERE a IN @a AND c IN (@c) AND x = @a=1;c"
		if _, isNamed := namedArgs(vars); !isNamed {
			query = "SELECT * FROM t WHERE a IN ? AND c IN (?) AND u IN ?"
		}
		for range 2 {
			builtAsGORM(t, tx, query, vars)
		}
	}
}

// BenchmarkBuildStatement: batched statements built by GORM every time ("gorm") against the cache
// ("cached"): one of scalars ("values"), and Ultrabiz's check of an invoice's vendor and products
// ("lists", its two lists written a parameter per element). Run:
// go test -run '^$' -bench BuildStatement ./store/
func BenchmarkBuildStatement(b *testing.B) {
	tx := dryRunPostgres(b)
	for _, s := range []struct {
		name, query string
		vars        []any
	}{{"values", `UPDATE ultrabiz_purchase_invoices SET deleted_at = @now, deleted_by = @by
		WHERE organization_id = @org AND id = @id AND is_pgp = @pgp AND deleted_at IS NULL
		RETURNING organization_id, id, is_pgp, vendor_id, bill_no, net_amount, paid_amount`,
		[]any{map[string]any{"org": "6b0eb5147d5030649c8083bc", "id": int64(42), "pgp": false, "by": int64(7), "now": time.Now()}}},
		{"lists", `SELECT 'vendor' AS kind, '' AS product_id, id, 0 AS multiplier FROM ultrabiz_vendors WHERE organization_id = @org AND id IN @vendors
		UNION ALL
		SELECT 'product', id, 0, 0 FROM ultrabiz_products WHERE organization_id = @org AND id IN @products
		UNION ALL
		SELECT 'packing', product_id, id, multiplier FROM ultrabiz_packings WHERE organization_id = @org AND product_id IN @products`,
			[]any{map[string]any{"org": "6b0eb5147d5030649c8083bc", "vendors": []int32{3}, "products": []string{"sample string 2", "P-0042"}}}},
	} {
		for _, c := range []struct {
			name  string
			build func(*gorm.DB, string, []any) (string, []any, error)
		}{{"gorm", gormBuild}, {"cached", buildStatement}} {
			b.Run(s.name+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, _, err := c.build(tx, s.query, s.vars); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
