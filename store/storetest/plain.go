package storetest

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
)

// PlainDB opens a plain database/sql handle on the database at url: no GORM, no hooks. Benchmarks
// time the raw SQL baselines on it (the physical floor beside the service).
func PlainDB(t testing.TB, b Backend, url string) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", url
	if b == SQLite {
		driver, dsn = "sqlite", "file:"+strings.TrimPrefix(url, "sqlite://")+"?_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
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
