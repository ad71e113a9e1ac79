// Package storetest gives each test a fresh, migrated database on every backend: SQLite always,
// PostgreSQL when reachable (TEST_DATABASE_URL, default the local server). With REQUIRE_POSTGRES=1
// (CI sets it) an unreachable PostgreSQL fails the test instead of skipping it.
//
// Databases are cloned from a template that the production migrations made once: a file copy on
// SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL. The template is named after a hash of the
// migration files, so it is reused across test binaries and runs until the migrations change. Old
// templates are left in place (another checkout on the same server may still use one); `make
// clean-test-databases` drops them all.
package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/identity"
	"github.com/deletesvc/deletesvc/store/migrations"
)

// DefaultPostgresURL is the local server every developer machine and CI runs.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Backend is a database kind a suite runs on.
type Backend string

// The backends.
const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
	// Citus is a real Citus cluster whose coordinator TEST_CITUS_URL names; databases there are
	// distributed by the production migrations, and any statement that would run on more than one
	// shard fails, so every test that passes there proves its paths single-shard.
	Citus Backend = "citus"
)

// Backends are those a suite runs on: SQLite, PostgreSQL, and Citus when TEST_CITUS_URL is set;
// TEST_BACKENDS (a comma-separated list, e.g. "citus") narrows them.
var Backends = backends()

func backends() []Backend {
	all := []Backend{SQLite, Postgres}
	if os.Getenv("TEST_CITUS_URL") != "" {
		all = append(all, Citus)
	}
	only := os.Getenv("TEST_BACKENDS")
	if only == "" {
		return all
	}
	var out []Backend
	for _, b := range all {
		if slices.Contains(strings.Split(only, ","), string(b)) {
			out = append(out, b)
		}
	}
	return out
}

// Each runs fn as one parallel subtest per backend, each with its own fresh migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, b := range Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			fn(t, DB(t, b))
		})
	}
}

// OnlyPostgres runs fn on a fresh PostgreSQL database (and Citus, when set): for locking and
// concurrency tests that SQLite's single writer would pass trivially, and for what only the
// PostgreSQL schema has.
func OnlyPostgres(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, b := range Backends {
		if b == SQLite {
			continue
		}
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			fn(t, DB(t, b))
		})
	}
}

// DB returns a fresh migrated database on backend b, closed and dropped when the test ends.
func DB(t testing.TB, b Backend) *store.DB {
	t.Helper()
	return Open(t, URL(t, b))
}

// Open opens the database at url (made by URL) for a test: quiet logs, statements counted for
// CountStatements, closed when the test ends.
func Open(t testing.TB, url string) *store.DB {
	t.Helper()
	opts := Options()
	opts.Tracer = statementTracer{}
	db, err := store.Open(context.Background(), url, opts)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := registerStatementCounter(db.Gorm(context.Background())); err != nil {
		t.Fatal(err)
	}
	return db
}

// Options are the store options tests use: quiet logs.
func Options() store.Options {
	return store.Options{Logger: Logger()}
}

// Logger discards everything.
func Logger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Identity is the identity store on db with cheap password hashing.
func Identity(db *store.DB) *identity.Store {
	return identity.New(db, identity.Options{BcryptCost: bcrypt.MinCost})
}

// Tenant creates a user who owns a fresh organization, with password "password123".
func Tenant(t testing.TB, db *store.DB, email string) (identity.User, identity.Organization) {
	t.Helper()
	ctx := context.Background()
	ids := Identity(db)
	u, err := ids.CreateUser(ctx, identity.NewUser{Email: email, Name: "Test " + email, Password: "password123"})
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	org, err := ids.CreateOrganization(ctx, identity.NewOrganization{Name: fmt.Sprintf("Org of %s", email), Location: "Pune", State: "Maharashtra", OwnerUserID: u.ID})
	if err != nil {
		t.Fatalf("create organization: %v", err)
	}
	return u, org
}

// URL creates a fresh database on backend b at the latest schema version and returns its URL; it is
// dropped when the test ends.
func URL(t testing.TB, b Backend) string {
	t.Helper()
	if b == SQLite {
		tpl, err := sqliteTemplate()
		if err != nil {
			t.Fatalf("sqlite template: %v", err)
		}
		path := filepath.Join(t.TempDir(), "test.db")
		if err := copyFile(tpl, path); err != nil {
			t.Fatalf("copy sqlite template: %v", err)
		}
		return "sqlite://" + path
	}
	if b == Citus {
		return citusMigrated(t)
	}
	admin := requirePostgres(t)
	tpl, err := postgresTemplate(admin)
	if err != nil {
		t.Fatalf("postgres template: %v", err)
	}
	return createPostgres(t, admin, tpl)
}

// EmptyURL creates a fresh database with no schema at all, for migration tests.
func EmptyURL(t testing.TB, b Backend) string {
	t.Helper()
	if b == SQLite {
		return "sqlite://" + filepath.Join(t.TempDir(), "test.db")
	}
	return createPostgres(t, requirePostgres(t), "template0")
}

// UnprivilegedURL creates a fresh PostgreSQL database as URL does and returns its URL for a role
// that may use its tables and nothing more: not a superuser, so without SET on
// session_replication_role, and the bulk deletes keep the database's row-by-row foreign-key
// checks, as in a deployment that did not grant it.
func UnprivilegedURL(t testing.TB) string {
	t.Helper()
	dbURL := URL(t, Postgres)
	admin := requirePostgres(t)
	u, _ := url.Parse(dbURL)
	name := strings.TrimPrefix(u.Path, "/")
	role := name + "_app"
	if err := adminExec(admin, "CREATE ROLE "+role+" LOGIN NOSUPERUSER"); err != nil {
		t.Fatalf("create role %s: %v", role, err)
	}
	// Before the database's drop (cleanups run last first): the grants go with the role.
	t.Cleanup(func() {
		if err := adminExec(dbURL, "DROP OWNED BY "+role); err != nil {
			t.Errorf("drop the grants of %s: %v", role, err)
		}
		if err := adminExec(admin, "DROP ROLE IF EXISTS "+role); err != nil {
			t.Errorf("drop role %s: %v", role, err)
		}
	})
	for _, grant := range []string{"GRANT USAGE ON SCHEMA public TO ", "GRANT ALL ON ALL TABLES IN SCHEMA public TO ", "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "} {
		if err := adminExec(dbURL, grant+role); err != nil {
			t.Fatalf("%s%s: %v", grant, role, err)
		}
	}
	return WithDatabase(admin, name, role)
}

// AdminURL is the URL of the test PostgreSQL's maintenance database (skipping the test, or failing
// it under REQUIRE_POSTGRES=1, when PostgreSQL is unreachable), for tests that manage databases
// and roles themselves; WithDatabase points it at another database.
func AdminURL(t testing.TB) string { t.Helper(); return requirePostgres(t) }

// WithDatabase is admin with its database (and, when user is not empty, its user) replaced.
func WithDatabase(admin, name, user string) string {
	u, _ := url.Parse(withDatabase(admin, name))
	if user != "" {
		u.User = url.User(user)
	}
	return u.String()
}

// AdminExec runs one statement on admin.
func AdminExec(admin, sql string) error { return adminExec(admin, sql) }

func requirePostgres(t testing.TB) string {
	t.Helper()
	admin := adminURL()
	if err := postgresReachable(admin); err != nil {
		if os.Getenv("REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL required (REQUIRE_POSTGRES=1) but unreachable at %s: %v", redact(admin), err)
		}
		t.Skipf("PostgreSQL SKIPPED: unreachable at %s: %v", redact(admin), err)
	}
	return admin
}

func createPostgres(t testing.TB, admin, template string) string {
	t.Helper()
	name := "dstest_" + randomHex(6)
	if err := adminExec(admin, "CREATE DATABASE "+name+" TEMPLATE "+template); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := adminExec(admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return withDatabase(admin, name)
}

var (
	pgTemplateOnce sync.Once
	pgTemplate     string
	pgTemplateErr  error
)

// postgresTemplate makes (or finds) the migrated template database of this version of the
// migrations. It is built under a temporary name and renamed when complete, so a concurrent test
// binary never clones a half-migrated one.
func postgresTemplate(admin string) (string, error) {
	pgTemplateOnce.Do(func() {
		name := "dstpl_" + migrationsHash()
		pgTemplate = name
		exists, err := adminQueryBool(admin, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name)
		if err != nil || exists {
			pgTemplateErr = err
			return
		}
		tmp := name + "_" + randomHex(4)
		if pgTemplateErr = adminExec(admin, "CREATE DATABASE "+tmp+" TEMPLATE template0"); pgTemplateErr != nil {
			return
		}
		if pgTemplateErr = migrate(withDatabase(admin, tmp)); pgTemplateErr != nil {
			_ = adminExec(admin, "DROP DATABASE IF EXISTS "+tmp+" WITH (FORCE)")
			return
		}
		if err := adminExec(admin, "ALTER DATABASE "+tmp+" RENAME TO "+name); err != nil {
			// Another binary published the same template first; use that one.
			_ = adminExec(admin, "DROP DATABASE IF EXISTS "+tmp+" WITH (FORCE)")
		}
	})
	return pgTemplate, pgTemplateErr
}

var (
	sqliteTemplateOnce sync.Once
	sqliteTemplatePath string
	sqliteTemplateErr  error
)

// sqliteTemplate makes (or finds) a migrated SQLite file for this version of the migrations in the
// system's temporary directory, written under a temporary name and renamed when complete.
func sqliteTemplate() (string, error) {
	sqliteTemplateOnce.Do(func() {
		path := filepath.Join(os.TempDir(), "deletesvc-template-"+migrationsHash()+".db")
		sqliteTemplatePath = path
		if _, err := os.Stat(path); err == nil {
			return
		}
		dir, err := os.MkdirTemp("", "deletesvc-template-")
		if err != nil {
			sqliteTemplateErr = err
			return
		}
		defer os.RemoveAll(dir)
		tmp := filepath.Join(dir, "t.db")
		if sqliteTemplateErr = migrate("sqlite://" + tmp); sqliteTemplateErr != nil {
			return
		}
		sqliteTemplateErr = os.Rename(tmp, path)
	})
	return sqliteTemplatePath, sqliteTemplateErr
}

// migrate brings the database at dbURL to the latest version and closes it (on SQLite, closing
// checkpoints the WAL into the main file, which is then complete on its own).
func migrate(dbURL string) error {
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL, Options())
	if err != nil {
		return err
	}
	defer db.Close()
	sqlDB, err := db.SQL()
	if err != nil {
		return err
	}
	r, err := migrations.New(sqlDB, db.DialectName())
	if err != nil {
		return err
	}
	_, err = r.Up(ctx, nil)
	return err
}

var (
	hashOnce sync.Once
	hashText string
)

// migrationsHash identifies the migration files' content.
func migrationsHash() string {
	hashOnce.Do(func() {
		h := sha256.New()
		_ = fs.WalkDir(migrations.Files, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(migrations.Files, path)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
			h.Write(b)
			return nil
		})
		hashText = hex.EncodeToString(h.Sum(nil))[:16]
	})
	return hashText
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func adminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

func withDatabase(admin, name string) string {
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	return u.String()
}

func adminExec(admin, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

func adminQueryBool(admin, sql string, args ...any) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return false, err
	}
	defer conn.Close(ctx)
	var v bool
	err = conn.QueryRow(ctx, sql, args...).Scan(&v)
	return v, err
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

// Clone copies the database at from (made by URL on backend b and closed) into a new one and returns
// its URL and a function that drops it; benchmarks clone one seeded database per round so that every
// round starts from the same bytes.
func Clone(t testing.TB, b Backend, from string) (string, func()) {
	t.Helper()
	if b == SQLite {
		path := filepath.Join(t.TempDir(), "clone.db")
		if err := copyFile(strings.TrimPrefix(from, "sqlite://"), path); err != nil {
			t.Fatalf("copy %s: %v", from, err)
		}
		return "sqlite://" + path, func() { _ = os.Remove(path) }
	}
	admin := requirePostgres(t)
	u, err := url.Parse(from)
	if err != nil {
		t.Fatal(err)
	}
	name := "dstest_" + randomHex(6)
	if err := adminExec(admin, "CREATE DATABASE "+name+" TEMPLATE "+strings.TrimPrefix(u.Path, "/")); err != nil {
		t.Fatalf("clone %s: %v", from, err)
	}
	return withDatabase(admin, name), func() {
		if err := adminExec(admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	}
}
