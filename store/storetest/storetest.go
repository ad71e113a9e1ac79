// Package storetest gives each test a fresh, migrated database on every backend: SQLite always,
// PostgreSQL when reachable (TEST_DATABASE_URL, default the local server). With REQUIRE_POSTGRES=1
// (CI sets it) an unreachable PostgreSQL fails the test instead of skipping it.
package storetest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/testdb"
)

// Backend is a database kind a suite runs on.
type Backend = testdb.Backend

// The backends.
const (
	SQLite   = testdb.SQLite
	Postgres = testdb.Postgres
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

// NewDatabaseURL creates an empty database on backend b; see testdb.NewDatabaseURL.
func NewDatabaseURL(t testing.TB, b Backend) string { return testdb.NewDatabaseURL(t, b) }

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
