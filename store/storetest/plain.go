package storetest

import (
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/deletesvc/deletesvc/store"
)

// PlainDB opens a plain database/sql handle on the database at url: no GORM, no hooks, and on SQLite
// the service's own connection settings (store.SQLiteDSN). Benchmarks time the raw SQL baselines on
// it (the physical floor beside the service).
func PlainDB(t testing.TB, b Backend, url string) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", url
	if b == SQLite {
		driver, dsn = "sqlite", store.SQLiteDSN(strings.TrimPrefix(url, "sqlite://"))
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// CustomPlans is a PostgreSQL url whose sessions set plan_cache_mode = force_custom_plan, as the
// service's large invx batch does for its transaction (store/invx: tuneLarge): a raw baseline's
// cached statement is then planned with its values every time, instead of PostgreSQL switching to
// the generic plan after five runs (the raw UPDATE of 1000 documents then took 7.0 ms instead of
// 5.1-5.5 in scripts/bench, 2026-12-02). A floor is the least the work costs. SQLite urls come back
// unchanged.
func CustomPlans(t testing.TB, b Backend, dsn string) string {
	t.Helper()
	if b == SQLite {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("options", strings.TrimSpace(q.Get("options")+" -c plan_cache_mode=force_custom_plan"))
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20") // pgx reads a + as itself, not a space
	return u.String()
}

// Rebind turns ? placeholders into PostgreSQL's $n, for statements sent through PlainDB.
func Rebind(b Backend, q string) string {
	if b == SQLite {
		return q
	}
	var sb strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&sb, "$%d", n)
			continue
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// ScanAll reads every row of rows, each as its columns' values as the driver gives them, and
// closes rows: for tests that read catalogs and plans whose columns they do not declare.
func ScanAll(rows *sql.Rows) ([][]any, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}
