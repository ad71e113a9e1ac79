package migrations_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/demo"
	"github.com/deletesvc/deletesvc/store/migrations"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// On a Citus coordinator the production migrations distribute the schema: users, organizations and
// memberships become reference tables, every other table is distributed by organization_id in one
// colocation group, and the foreign keys are all still there. A second run changes nothing, and
// the demo seed (every family's write paths) works on the distributed tables.
func TestMigrationsDistributeOnCitus(t *testing.T) {
	t.Parallel()
	url := storetest.CitusURL(t)
	ctx := context.Background()
	db, err := store.Open(ctx, url, storetest.Options())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sqlDB, _ := db.SQL()
	r, err := migrations.New(sqlDB, db.DialectName())
	if err != nil {
		t.Fatal(err)
	}
	// Version 1 first, then the rest: a table a later migration adds (organization_locks, version
	// 2) is distributed by the run that creates it.
	if err := r.UpTo(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Up(ctx, nil); err != nil {
		t.Fatal(err)
	}
	dist, err := r.Distribution(ctx)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, d := range dist {
		counts[d.Kind]++
		want := "distributed"
		switch d.Table {
		case "users", "organizations", "memberships":
			want = "reference"
		case "goose_db_version":
			want = "local"
		}
		if strings.HasPrefix(d.Table, "river_") {
			want = "local" // the job queue, on the coordinator
		}
		if d.Kind != want {
			t.Errorf("table %s is %s on Citus, want %s", d.Table, d.Kind, want)
		}
	}
	if !slices.Contains(dist, migrations.TableDistribution{Table: "organization_locks", Kind: "distributed"}) {
		t.Errorf("organization_locks, added by migration 2, is not distributed: %v", dist)
	}
	if counts["distributed"] < 70 {
		t.Fatalf("only %d distributed tables: %v", counts["distributed"], counts)
	}
	var groups int
	// rate_limits is keyed by client, not tenant data: distributed by its key, in a group of its own.
	if err := sqlDB.QueryRow("SELECT count(DISTINCT colocationid) FROM pg_dist_partition WHERE partmethod = 'h' AND logicalrelid <> 'rate_limits'::regclass").Scan(&groups); err != nil || groups != 1 {
		t.Fatalf("tenant tables in %d colocation groups (%v), want 1", groups, err)
	}
	var rateKey string
	if err := sqlDB.QueryRow("SELECT column_to_column_name(logicalrelid, partkey) FROM pg_dist_partition WHERE logicalrelid = 'rate_limits'::regclass").Scan(&rateKey); err != nil || rateKey != "key" {
		t.Fatalf("rate_limits is distributed by %q (%v), want key", rateKey, err)
	}
	keysBefore := foreignKeys(t, sqlDB, true)
	plain := storetest.DB(t, storetest.Postgres)
	plainSQL, _ := plain.SQL()
	if keysPlain := foreignKeys(t, plainSQL, false); keysBefore != keysPlain {
		t.Fatalf("foreign keys differ between Citus and plain PostgreSQL:\n%s", lineDiff(keysPlain, keysBefore))
	}
	if _, err := r.Up(ctx, nil); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if keysAfter := foreignKeys(t, sqlDB, true); keysAfter != keysBefore {
		t.Fatalf("a second run changed the foreign keys:\n%s", lineDiff(keysBefore, keysAfter))
	}
	if _, _, err := demo.New(db, storetest.Identity(db)).EnsureDemo(ctx); err != nil {
		t.Fatalf("demo seed on Citus: %v", err)
	}
}

// foreignKeys lists every foreign key of the schema with its definition, one per line, sorted.
// On Citus the coordinator's own placements of reference tables (shards) are left out.
func foreignKeys(t *testing.T, db *sql.DB, citus bool) string {
	t.Helper()
	q := `SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
		FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace`
	if citus {
		q += " AND pg_catalog.citus_table_is_visible(conrelid)"
	}
	rows, err := db.Query(q + " ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		t.Fatal("no foreign keys at all")
	}
	return strings.Join(out, "\n")
}
