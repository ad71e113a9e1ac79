// Package storetest gives each test a fresh, migrated database on every backend: SQLite always,
// PostgreSQL when reachable (TEST_DATABASE_URL, default the local server). With REQUIRE_POSTGRES=1
// (CI sets it) an unreachable PostgreSQL fails the test instead of skipping it.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/deletesvc/deletesvc/store"
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

// Each runs fn as one subtest per backend, each with its own fresh database.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, b := range []Backend{SQLite, Postgres} {
		t.Run(string(b), func(t *testing.T) {
			fn(t, Open(t, b))
		})
	}
}

// OnlyPostgres runs fn on a fresh PostgreSQL database: for locking and concurrency tests that
// SQLite's single writer would pass trivially.
func OnlyPostgres(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run(string(Postgres), func(t *testing.T) { fn(t, Open(t, Postgres)) })
}

// Open returns a fresh migrated store on backend b, closed and dropped when the test ends.
func Open(t testing.TB, b Backend) *store.Store {
	t.Helper()
	dbURL := NewDatabaseURL(t, b)
	s, err := store.Open(context.Background(), dbURL, Options())
	if err != nil {
		t.Fatalf("open %s store: %v", b, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Options are the store options tests use: cheap password hashing and quiet logs.
func Options() store.Options {
	return store.Options{BcryptCost: bcrypt.MinCost, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

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

// Tenant creates a user who owns a fresh organization, with password "password123".
func Tenant(t testing.TB, s *store.Store, email string) (store.User, store.Organization) {
	t.Helper()
	ctx := context.Background()
	u, err := s.CreateUser(ctx, store.NewUser{Email: email, Name: "Test " + email, Password: "password123"})
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	org, err := s.CreateOrganization(ctx, store.NewOrganization{Name: fmt.Sprintf("Org of %s", email), Location: "Pune", State: "Maharashtra", OwnerUserID: u.ID})
	if err != nil {
		t.Fatalf("create organization: %v", err)
	}
	return u, org
}
