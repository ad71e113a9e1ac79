package store_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"testing"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// A missing PostgreSQL database is created by the commands that migrate (two instances at once
// included), and otherwise is one error that names the commands to run, not a driver dump
// (issue 14, item 12).
func TestOpenMissingPostgresDatabase(t *testing.T) {
	t.Parallel()
	admin := storetest.AdminURL(t)
	ctx := context.Background()
	name := randomName("dstest_missing_")
	t.Cleanup(func() { _ = storetest.AdminExec(admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	target := storetest.WithDatabase(admin, name, "")

	_, err := store.Open(ctx, target, store.Options{Logger: storetest.Logger()})
	if err == nil {
		t.Fatal("opening a missing database without CreateDatabase succeeded")
	}
	for _, want := range []string{`database "` + name + `" does not exist`, "deletesvc migrate up", "createdb -h ", " " + name} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}

	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := store.Open(ctx, target, store.Options{Logger: storetest.Logger(), CreateDatabase: true})
			if err == nil {
				err = db.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
	}
	db, err := store.Open(ctx, target, store.Options{Logger: storetest.Logger()})
	if err != nil {
		t.Fatalf("the created database does not open: %v", err)
	}
	_ = db.Close()
}

// A role that may not create databases gets the exact createdb line, with itself as owner.
func TestOpenMissingPostgresDatabaseWithoutCreateDB(t *testing.T) {
	t.Parallel()
	admin := storetest.AdminURL(t)
	role, name := randomName("dstest_role_"), randomName("dstest_missing_")
	if err := storetest.AdminExec(admin, "CREATE ROLE "+role+" LOGIN NOCREATEDB"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = storetest.AdminExec(admin, "DROP ROLE IF EXISTS "+role) })
	_, err := store.Open(context.Background(), storetest.WithDatabase(admin, name, role), store.Options{Logger: storetest.Logger(), CreateDatabase: true})
	if err == nil {
		_ = storetest.AdminExec(admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		t.Fatal("a role without CREATEDB created a database")
	}
	for _, want := range []string{"may not create it", "createdb -h ", "-O " + role + " " + name} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}
