// Package testdb creates empty throwaway databases for tests: a SQLite file, or a fresh PostgreSQL
// database when the server is reachable (TEST_DATABASE_URL, default the local one). It does not
// import store, so store's own internal tests can use it too.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultPostgresURL is the local server every developer machine and CI runs.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Backend is a database kind a suite runs on.
type Backend string

// The backends.
const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
)

// Backends are all of them, SQLite first.
var Backends = []Backend{SQLite, Postgres}

// NewDatabaseURL creates an empty database on backend b and returns its URL; it is dropped when the
// test ends. It skips (or, with REQUIRE_POSTGRES=1, fails) when PostgreSQL is unreachable.
func NewDatabaseURL(t testing.TB, b Backend) string {
	t.Helper()
	if b == SQLite {
		return "sqlite://" + filepath.Join(t.TempDir(), "test.db")
	}
	admin := adminURL()
	if err := postgresReachable(admin); err != nil {
		if os.Getenv("REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL required (REQUIRE_POSTGRES=1) but unreachable at %s: %v", redact(admin), err)
		}
		t.Skipf("PostgreSQL SKIPPED: unreachable at %s: %v", redact(admin), err)
	}
	name := "dstest_" + randomHex(6)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to PostgreSQL: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0"); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("connect to drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	return u.String()
}

func adminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

var (
	reachOnce sync.Once
	reachErr  error
)

// postgresReachable checks once per test binary, so an absent server costs one timeout, not one per test.
func postgresReachable(admin string) error {
	reachOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			reachErr = err
			return
		}
		reachErr = conn.Ping(ctx)
		_ = conn.Close(ctx)
	})
	return reachErr
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
