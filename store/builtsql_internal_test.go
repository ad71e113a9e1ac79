package store

import (
	"database/sql"
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// A statement built from the cache is, text and parameters, what GORM's Raw builds for the same
// arguments, on the first call and on the later ones; arguments of another shape than the cached
// one (a list, other names) are built by GORM again. Only the text is compared, so no server is
// needed: PostgreSQL's dialect without a connection.
func TestBuiltStatementsAreGORMs(t *testing.T) {
	t.Parallel()
	tx, err := gorm.Open(postgres.New(postgres.Config{DSN: "postgres://nowhere.invalid/none"}), &gorm.Config{DisableAutomaticPing: true, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
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
		{"SELECT * FROM t WHERE org = @org AND n IN (@n)", named(map[string]any{"org": "o1", "n": []int{1, 2, 3}, "unused": true}), false},
		{"SELECT * FROM t WHERE org = @org AND n IN (@n)", named(map[string]any{"org": "o1", "n": 4}), true}, // other names: a shape of its own
		{"SELECT @org, @missing", named(map[string]any{"org": "o1"}), true},
		{"SELECT @org, @missing", named(map[string]any{"org": nil}), true},
		{"SELECT @org, @n, @other", named(map[string]any{"org": "o1", "n": 1, "unused": 2}), true},
		{"SELECT @org, @n, @other", named(map[string]any{"org": "o1", "n": 1, "other": 2}), false}, // the same count of other names
		{"INSERT INTO t VALUES (?, ?, ?, ?, ?)", []any{"a", nil, &note, none, at}, true},
		{"INSERT INTO t VALUES (?, ?, ?, ?, ?)", []any{"b", 1, none, &note, at.Add(time.Hour)}, true},
		{"INSERT INTO t VALUES (?, ?, ?, ?, ?)", []any{"c", []byte("raw"), none, &note, at}, false},
		{"SELECT ? WHERE n IN (?)", []any{"a", []string{"x", "y"}}, false},
		{"SELECT ?", []any{"a", "extra"}, true},
		{"SELECT @Name, ?", []any{struct{ Name string }{"x"}}, false}, // positional: GORM names its fields
		{"SELECT ? WHERE a = @Valid", []any{sql.NullString{String: "x", Valid: true}}, false},
		{"SELECT @s", named(map[string]any{"s": struct{ A int }{1}}), false},
		{"SELECT @t, @d", named(map[string]any{"t": &at, "d": (*decimal.Decimal)(nil)}), true},
	} {
		want, wantVars, err := gormBuild(tx, c.query, c.vars)
		if err != nil {
			t.Fatal(err)
		}
		got, gotVars, err := buildStatement(tx, c.query, c.vars)
		if err != nil {
			t.Fatal(err)
		}
		if got != want || !reflect.DeepEqual(gotVars, wantVars) {
			t.Errorf("%s %v:\n built %s %v\n GORM  %s %v", c.query, c.vars, got, gotVars, want, wantVars)
		}
		named, isNamed := namedArgs(c.vars)
		key := statementKey{dialect: "postgres", query: c.query, named: isNamed, args: len(c.vars)}
		if isNamed {
			key.args = len(named)
		}
		cached, ok := builtStatements.Load(key)
		fromCache := ok && cached.(*builtStatement).sql == got
		if fromCache {
			_, fromCache = cached.(*builtStatement).bind(named, c.vars)
		}
		if fromCache != c.cached {
			t.Errorf("%s %v: from the cache %v, want %v", c.query, c.vars, fromCache, c.cached)
		}
	}
}

// BenchmarkBuildStatement: a batched statement built by GORM every time ("gorm") against the cache
// ("cached"). Run: go test -run '^$' -bench BuildStatement ./store/
func BenchmarkBuildStatement(b *testing.B) {
	tx, err := gorm.Open(postgres.New(postgres.Config{DSN: "postgres://nowhere.invalid/none"}), &gorm.Config{DisableAutomaticPing: true, DryRun: true})
	if err != nil {
		b.Fatal(err)
	}
	const query = `UPDATE ultrabiz_purchase_invoices SET deleted_at = @now, deleted_by = @by
		WHERE organization_id = @org AND id = @id AND is_pgp = @pgp AND deleted_at IS NULL
		RETURNING organization_id, id, is_pgp, vendor_id, bill_no, net_amount, paid_amount`
	vars := []any{map[string]any{"org": "6b0eb5147d5030649c8083bc", "id": int64(42), "pgp": false, "by": int64(7), "now": time.Now()}}
	for _, c := range []struct {
		name  string
		build func(*gorm.DB, string, []any) (string, []any, error)
	}{{"gorm", gormBuild}, {"cached", buildStatement}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := c.build(tx, query, vars); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
