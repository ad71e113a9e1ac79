package store_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// withQueryProbe gives db the table query_probe with two rows.
func withQueryProbe(t *testing.T, db *store.DB) {
	t.Helper()
	g := db.Gorm(context.Background())
	for _, s := range []string{"CREATE TABLE query_probe (k text PRIMARY KEY, n integer, at timestamp)",
		"INSERT INTO query_probe VALUES ('a', 1, '2026-12-01 10:00:00'), ('b', 2, NULL)"} {
		if err := g.Exec(s).Error; err != nil {
			t.Fatal(err)
		}
	}
}

// kind is a named string type, as identity.Role is.
type kind string

// QueryRow reads what GORM's Raw(...).Row().Scan reads, in one statement, and reports no row as
// sql.ErrNoRows. On PostgreSQL it reads through pgx: GORM sends nothing.
func TestQueryRowReadsWhatGORMReads(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, statements := storetest.CountStatements(context.Background())
		ctx, sentByGORM := storetest.CountGORMStatements(ctx)
		withQueryProbe(t, db)
		var named kind
		if err := db.QueryRow(ctx, []any{&named}, "SELECT k FROM query_probe WHERE n = ?", 2); err != nil || named != "b" {
			t.Errorf("into a named string type: %q, %v", named, err)
		}
		if n := statements(); n != 1 {
			t.Errorf("the read took %d statements, want 1", n)
		}
		if n, want := sentByGORM(), map[string]int64{"postgres": 0, "sqlite": 1}[db.DialectName()]; n != want {
			t.Errorf("GORM sent %d statements for the read, want %d", n, want)
		}
		const q = "SELECT k, n, at FROM query_probe WHERE k = ? AND n >= ? LIMIT 1"
		for _, k := range []string{"a", "b", "a"} { // "a" again: the second use of a prepared text
			var got, want struct {
				k  string
				n  int64
				at *time.Time
			}
			if err := db.QueryRow(ctx, []any{&got.k, &got.n, &got.at}, q, k, 0); err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			if err := db.Gorm(ctx).Raw(q, k, 0).Row().Scan(&want.k, &want.n, &want.at); err != nil {
				t.Fatal(err)
			}
			if got.k != want.k || got.n != want.n || (got.at == nil) != (want.at == nil) || got.at != nil && !got.at.Equal(*want.at) {
				t.Errorf("%s: QueryRow read %+v, GORM %+v", k, got, want)
			}
		}
		var n int64
		if err := db.QueryRow(ctx, []any{&n}, "SELECT n FROM query_probe WHERE k = ?", "none"); !errors.Is(err, sql.ErrNoRows) {
			t.Errorf("no row: %v, want sql.ErrNoRows", err)
		}
		if err := db.QueryRow(ctx, []any{&n}, "SELECT n FROM no_such_table WHERE k = ?", "a"); err == nil {
			t.Error("a failing statement: no error")
		}
	})
}

// On SQLite QueryRow's statement is prepared once and kept for the next request
// (preparedSession); on PostgreSQL GORM keeps none (pgx keeps its own), and none is kept from
// inside a request's transaction, whose end would close it.
func TestQueryRowKeepsItsStatementPrepared(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		withQueryProbe(t, db)
		const q = "SELECT n FROM query_probe WHERE k = ?"
		kept := func() []string {
			pool, ok := db.Gorm(context.Background()).Session(&gorm.Session{PrepareStmt: true}).Statement.ConnPool.(*gorm.PreparedStmtDB)
			if !ok {
				t.Fatal("GORM's prepared-statement pool is not a PreparedStmtDB")
			}
			return pool.Stmts.Keys()
		}
		k := store.IdempotencyKey{OrgID: "org-a", CallerID: "u1", Key: "k", Fingerprint: "request-1", TTL: time.Hour}
		if _, _, err := db.Idempotent(context.Background(), k, func(ctx context.Context) (store.StoredResponse, bool, error) {
			var n int64
			return store.StoredResponse{Status: 500}, false, db.QueryRow(ctx, []any{&n}, q+" AND n > 0", "a")
		}); err != nil {
			t.Fatal(err)
		}
		if got := kept(); len(got) != 0 {
			t.Fatalf("kept from inside a request's transaction: %q", got)
		}
		for _, key := range []string{"a", "b"} {
			var n int64
			if err := db.QueryRow(context.Background(), []any{&n}, q, key); err != nil {
				t.Fatal(err)
			}
		}
		want := map[string][]string{"postgres": nil, "sqlite": {q}}[db.DialectName()]
		if got := kept(); !slices.Equal(got, want) {
			t.Errorf("prepared statements kept: %q, want %q", got, want)
		}
	})
}

// Inside an Idempotent request QueryRow reads in the request's transaction: it sees what the
// request wrote and has not committed.
func TestQueryRowInsideAnIdempotentRequest(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		withQueryProbe(t, db)
		k := store.IdempotencyKey{OrgID: "org-a", CallerID: "u1", Key: "k", Fingerprint: "request-1", TTL: time.Hour}
		var seen int64
		_, _, err := db.Idempotent(context.Background(), k, func(ctx context.Context) (store.StoredResponse, bool, error) {
			if err := db.Gorm(ctx).Exec("INSERT INTO query_probe VALUES ('c', 3, NULL)").Error; err != nil {
				return store.StoredResponse{}, false, err
			}
			err := db.QueryRow(ctx, []any{&seen}, "SELECT n FROM query_probe WHERE k = ?", "c")
			return store.StoredResponse{Status: 500}, false, err // not kept: rolled back
		})
		if err != nil || seen != 3 {
			t.Fatalf("read inside the request: %d, %v (want 3)", seen, err)
		}
		var n int64
		if err := db.QueryRow(context.Background(), []any{&n}, "SELECT n FROM query_probe WHERE k = ?", "c"); !errors.Is(err, sql.ErrNoRows) {
			t.Errorf("after the request rolled back: %d, %v (want sql.ErrNoRows)", n, err)
		}
	})
}

// A pooled connection whose backend was terminated is not used again: the read sent on it fails
// (the statement had left, so it is not retried), and the next ones are answered on a live
// connection.
func TestQueryRowAfterAKilledConnection(t *testing.T) {
	t.Parallel()
	storetest.OnlyPostgres(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		withQueryProbe(t, db)
		var pid int64
		if err := db.QueryRow(ctx, []any{&pid}, "SELECT pg_backend_pid()"); err != nil {
			t.Fatal(err)
		}
		plain := storetest.PlainDB(t, storetest.Postgres, db.URL())
		var killed bool
		if err := plain.QueryRow("SELECT pg_terminate_backend($1::int)", pid).Scan(&killed); err != nil || !killed {
			t.Fatalf("terminate %d: %v %v", pid, killed, err)
		}
		failures := 0
		for range 3 {
			var n int64
			if err := db.QueryRow(ctx, []any{&n}, "SELECT n FROM query_probe WHERE k = ?", "a"); err != nil {
				failures++
				continue
			}
			if n != 1 {
				t.Fatalf("read %d, want 1", n)
			}
		}
		t.Logf("%d of 3 reads failed after the kill", failures)
		if failures > 1 {
			t.Errorf("%d of 3 reads failed after the kill, want at most 1", failures)
		}
	})
}
