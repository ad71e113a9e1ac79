package storetest

import (
	"context"
	"fmt"
	neturl "net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// CitusURL creates an empty database on the Citus coordinator named by TEST_CITUS_URL, with the
// extension and the cluster's nodes registered in it, and returns its URL; it is dropped when the
// test ends. Without TEST_CITUS_URL the test is skipped (failed with REQUIRE_CITUS=1).
func CitusURL(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("TEST_CITUS_URL")
	if admin == "" {
		if os.Getenv("REQUIRE_CITUS") == "1" {
			t.Fatal("Citus required (REQUIRE_CITUS=1) but TEST_CITUS_URL is not set (scripts/citus/cluster start prints it)")
		}
		t.Skip("Citus SKIPPED: TEST_CITUS_URL is not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to the Citus coordinator: %v", err)
	}
	defer conn.Close(ctx)
	type node struct {
		host string
		port int
		role string
	}
	rows, err := conn.Query(ctx, "SELECT nodename, nodeport, noderole::text FROM pg_dist_node WHERE groupid <> 0 OR noderole = 'primary' ORDER BY groupid")
	if err != nil {
		t.Fatalf("list Citus nodes: %v", err)
	}
	var nodes []node
	for rows.Next() {
		var n node
		if err := rows.Scan(&n.host, &n.port, &n.role); err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, n)
	}
	rows.Close()
	var coordHost string
	var coordPort int
	if err := conn.QueryRow(ctx, "SELECT nodename, nodeport FROM pg_dist_node WHERE groupid = 0").Scan(&coordHost, &coordPort); err != nil {
		t.Fatalf("the coordinator is not registered in %s: %v", redact(admin), err)
	}
	name := "dscitus_" + randomHex(6)
	// citus.enable_create_database_propagation (set by scripts/citus/cluster) creates it on the workers too.
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s on Citus: %v", name, err)
	}
	onWorker := func(n node, database string) string {
		wu, _ := neturl.Parse(withDatabase(admin, database))
		wu.Host = fmt.Sprintf("%s:%d", n.host, n.port)
		return wu.String()
	}
	var workers []node
	for _, n := range nodes {
		if n.port != coordPort {
			workers = append(workers, n)
		}
	}
	t.Cleanup(func() {
		// The drop reaches the workers' copies too, but a worker's Citus maintenance daemon can
		// still be connected there ("being accessed by other users"); a copy left behind keeps a
		// background worker busy on that node for good, so each copy is dropped until it is gone.
		if err := retryCitus(func() error { return adminExec(admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") }); err != nil {
			t.Logf("drop Citus database %s: %v", name, err)
		}
		for _, n := range workers {
			if err := retryCitus(func() error {
				return adminExec(onWorker(n, "postgres"), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			}); err != nil {
				t.Logf("drop Citus database %s on worker %s:%d: %v", name, n.host, n.port, err)
			}
		}
	})
	// Each worker's copy of the database needs the extension before it can join.
	for _, n := range workers {
		if err := adminExec(onWorker(n, name), "CREATE EXTENSION IF NOT EXISTS citus"); err != nil {
			t.Fatalf("citus extension on worker %s:%d: %v", n.host, n.port, err)
		}
	}
	url := withDatabase(admin, name)
	db, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	stmts := []string{"CREATE EXTENSION IF NOT EXISTS citus", fmt.Sprintf("SELECT citus_set_coordinator_host('%s', %d)", coordHost, coordPort)}
	for _, n := range workers {
		stmts = append(stmts, fmt.Sprintf("SELECT citus_add_node('%s', %d)", n.host, n.port))
	}
	for _, s := range stmts {
		// Adding a node syncs the metadata to it over connections that fail whole when the worker
		// is short of a connection or background worker for a moment; each statement is safe to
		// repeat (an added node is returned as it is).
		if err := retryCitus(func() error { _, err := db.Exec(ctx, s); return err }); err != nil {
			t.Fatalf("prepare Citus database %s: %s: %v", name, s, err)
		}
	}
	return url
}

// retryCitus runs fn up to four times, a little apart, while it fails: for the cluster
// administration steps around a test database, never for what a test checks.
func retryCitus(fn func() error) error {
	var err error
	for attempt := range 4 {
		if err = fn(); err == nil {
			return nil
		}
		time.Sleep(time.Duration(attempt+1) * 250 * time.Millisecond)
	}
	return err
}

// citusMigrated is a Citus database at the latest schema, distributed by the production
// migrations, where a statement touching more than one shard is an error.
func citusMigrated(t testing.TB) string {
	t.Helper()
	url := CitusURL(t)
	if err := migrate(url); err != nil {
		t.Fatalf("migrate Citus database: %v", err)
	}
	u, _ := neturl.Parse(url)
	name := strings.TrimPrefix(u.Path, "/")
	if err := adminExec(os.Getenv("TEST_CITUS_URL"), "ALTER DATABASE "+name+" SET citus.multi_task_query_log_level = 'error'"); err != nil {
		t.Fatalf("forbid multi-shard statements: %v", err)
	}
	return url
}
