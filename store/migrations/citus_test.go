package migrations_test

import (
	"context"
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
	var keysBefore int
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
		if d.Kind != want {
			t.Errorf("table %s is %s on Citus, want %s", d.Table, d.Kind, want)
		}
	}
	if counts["distributed"] < 70 {
		t.Fatalf("only %d distributed tables: %v", counts["distributed"], counts)
	}
	var groups int
	if err := sqlDB.QueryRow("SELECT count(DISTINCT colocationid) FROM pg_dist_partition WHERE partmethod = 'h'").Scan(&groups); err != nil || groups != 1 {
		t.Fatalf("tenant tables in %d colocation groups (%v), want 1", groups, err)
	}
	if err := sqlDB.QueryRow("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace").Scan(&keysBefore); err != nil {
		t.Fatal(err)
	}
	plain := storetest.DB(t, storetest.Postgres)
	plainSQL, _ := plain.SQL()
	var keysPlain int
	if err := plainSQL.QueryRow("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace").Scan(&keysPlain); err != nil {
		t.Fatal(err)
	}
	if keysBefore != keysPlain || keysPlain == 0 {
		t.Fatalf("%d foreign keys on Citus after distributing, %d on plain PostgreSQL", keysBefore, keysPlain)
	}
	if _, err := r.Up(ctx, nil); err != nil {
		t.Fatalf("second run: %v", err)
	}
	var keysAfter int
	if err := sqlDB.QueryRow("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace").Scan(&keysAfter); err != nil || keysAfter != keysBefore {
		t.Fatalf("foreign keys %d after a second run, %d before (%v)", keysAfter, keysBefore, err)
	}
	if _, _, err := demo.New(db, storetest.Identity(db)).EnsureDemo(ctx); err != nil {
		t.Fatalf("demo seed on Citus: %v", err)
	}
}
