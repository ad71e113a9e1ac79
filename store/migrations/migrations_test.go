package migrations_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/demo"
	"github.com/deletesvc/deletesvc/store/migrations"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// each runs fn per backend on an empty database, with a runner on it.
func each(t *testing.T, fn func(t *testing.T, db *store.DB, sqlDB *sql.DB, r *migrations.Runner)) {
	for _, b := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			db, err := store.Open(context.Background(), storetest.EmptyURL(t, b), storetest.Options())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			sqlDB, err := db.SQL()
			if err != nil {
				t.Fatal(err)
			}
			r, err := migrations.New(sqlDB, db.DialectName())
			if err != nil {
				t.Fatal(err)
			}
			fn(t, db, sqlDB, r)
		})
	}
}

func catalog(t *testing.T, db *store.DB, sqlDB *sql.DB) string {
	t.Helper()
	c, err := storetest.Catalog(context.Background(), sqlDB, db.DialectName())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Migration 1 must make exactly the schema that GORM's AutoMigrate made before versioned migrations
// existed (testdata holds that catalog, captured from the last release that used AutoMigrate), so
// databases made either way are the same.
func TestMigration1IsTheAutoMigrateSchema(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB, sqlDB *sql.DB, r *migrations.Runner) {
		if err := r.UpTo(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile("testdata/automigrate-catalog." + db.DialectName() + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		if got := catalog(t, db, sqlDB); got != string(want) {
			t.Fatalf("migration 1 differs from the AutoMigrate schema:\n%s", lineDiff(string(want), got))
		}
		if n := strings.Count(string(want), "\n"); n < 1000 {
			t.Fatalf("the reference catalog has only %d lines; it should describe all 76 tables", n)
		}
	})
}

// Every migration can be rolled back: down to nothing leaves no table, and up again gives the
// same schema as the first time.
func TestDownThenUpRestoresTheSchema(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB, sqlDB *sql.DB, r *migrations.Runner) {
		ctx := context.Background()
		if _, err := r.Up(ctx, nil); err != nil {
			t.Fatal(err)
		}
		first := catalog(t, db, sqlDB)
		for v, _ := r.Version(ctx); v > 0; v, _ = r.Version(ctx) {
			if _, err := r.Down(ctx); err != nil {
				t.Fatalf("down from %d: %v", v, err)
			}
		}
		if left := catalog(t, db, sqlDB); strings.TrimSpace(left) != "" {
			t.Fatalf("after rolling everything back the schema still has:\n%s", left)
		}
		applied, err := r.Up(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		// Versions are reserved per branch, so they need not be consecutive: compare with the list.
		all, err := r.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != len(all) || applied[len(applied)-1] != r.Latest() {
			t.Fatalf("up after down applied %v, want all %d up to %d", applied, len(all), r.Latest())
		}
		if again := catalog(t, db, sqlDB); again != first {
			t.Fatalf("up, down, up gave another schema:\n%s", lineDiff(first, again))
		}
	})
}

// organizationColumns are the organization document's columns, as version 1 kept them all in
// organizations; organizationDocuments reads them at any version (from version 3 the mutable ones
// are in organization_state).
const organizationColumns = "id, code, name, location, state, logo, owner_user_id, regional_setting, tax_settings, settings, from_email, fiscal_year, business_settings, is_deactivated, platform_credits, registration_source, organization_type, phone, version, created_at, updated_at"

func organizationDocuments(version int64) string {
	if version < 3 {
		return "SELECT " + organizationColumns + " FROM organizations"
	}
	return "SELECT " + organizationColumns + " FROM organizations JOIN organization_state ON organization_id = id"
}

// A database made by a release before versioned migrations (the AutoMigrate schema, no version
// table) holding data is adopted at version 1, brought to the latest version, and keeps every row.
// The data is written by today's code and taken down to version 1, so the down migrations carry
// data too.
func TestUnversionedDatabaseWithDataUpgradesWithoutLoss(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB, sqlDB *sql.DB, r *migrations.Runner) {
		ctx := context.Background()
		if _, err := r.Up(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if _, _, err := demo.New(db, storetest.Identity(db)).EnsureDemo(ctx); err != nil {
			t.Fatal(err)
		}
		for v, _ := r.Version(ctx); v > 1; v, _ = r.Version(ctx) {
			if _, err := r.Down(ctx); err != nil {
				t.Fatalf("down from %d: %v", v, err)
			}
		}
		if _, err := sqlDB.ExecContext(ctx, "DROP TABLE goose_db_version"); err != nil {
			t.Fatal(err)
		}
		columns := tableColumns(t, db, sqlDB)
		before := contents(t, sqlDB, columns, organizationDocuments(1))
		if before["upbooks_total"] == "0" {
			t.Fatal("the demo seed wrote no Upbooks rows; the test would prove nothing")
		}
		applied, err := r.Up(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(applied, 1) {
			t.Fatal("migration 1 ran again on a database that already had its tables")
		}
		if v, err := r.Version(ctx); err != nil || v != r.Latest() {
			t.Fatalf("version %d (%v), want %d", v, err, r.Latest())
		}
		after := contents(t, sqlDB, columns, organizationDocuments(r.Latest()))
		for table, sum := range before {
			if after[table] != sum {
				t.Errorf("table %s changed across the upgrade: %s -> %s", table, sum, after[table])
			}
		}
	})
}

// Two instances starting at once against an empty PostgreSQL database both succeed; the advisory
// lock makes one wait for the other instead of both creating the tables.
func TestConcurrentStartsMigrateOnce(t *testing.T) {
	t.Parallel()
	url := storetest.EmptyURL(t, storetest.Postgres)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := store.Open(context.Background(), url, storetest.Options())
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			sqlDB, _ := db.SQL()
			r, err := migrations.New(sqlDB, db.DialectName())
			if err == nil {
				_, err = r.Up(context.Background(), nil)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("start %d: %v", i, err)
		}
	}
}

// contents is a checksum of every table's rows (sorted, so storage order does not matter), plus
// the total row count of the Upbooks tables. The organizations are read with the query given,
// whose rows are the same whichever tables the schema version splits them into.
// tableColumns lists every table's columns (but goose's and organization_state, which migration 3
// made from columns of organizations), so that contents reads, after an upgrade, the columns that
// were there before it: a later migration may add columns, never lose the data of old ones.
func tableColumns(t *testing.T, db *store.DB, sqlDB *sql.DB) map[string][]string {
	t.Helper()
	q := `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()
	        AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE')
	      ORDER BY table_name, ordinal_position`
	if db.DialectName() == "sqlite" {
		q = `SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c
		      WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, c.cid`
	}
	rows, err := sqlDB.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			t.Fatal(err)
		}
		if table != "goose_db_version" && table != "organization_state" {
			out[table] = append(out[table], column)
		}
	}
	return out
}

// contents is a row count and checksum of each table's columns (organizations through the query
// given, which reads them wherever the version keeps them).
func contents(t *testing.T, sqlDB *sql.DB, columns map[string][]string, organizations string) map[string]string {
	t.Helper()
	out := map[string]string{}
	total := 0
	for table, cols := range columns {
		q := "SELECT " + strings.Join(cols, ", ") + " FROM " + table
		if table == "organizations" {
			q = organizations
		}
		lines := queryLines(t, sqlDB, q)
		slices.Sort(lines)
		sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
		out[table] = fmt.Sprintf("%d rows %s", len(lines), hex.EncodeToString(sum[:8]))
		if strings.HasPrefix(table, "ub_") {
			total += len(lines)
		}
	}
	out["upbooks_total"] = fmt.Sprint(total)
	return out
}

func queryLines(t *testing.T, sqlDB *sql.DB, query string) []string {
	t.Helper()
	rows, err := sqlDB.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	all, err := storetest.ScanAll(rows)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, vals := range all {
		out = append(out, fmt.Sprintf("%v", vals))
	}
	return out
}

// lineDiff lists the lines only one side has.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for _, l := range w {
		if !slices.Contains(g, l) {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	return b.String()
}
