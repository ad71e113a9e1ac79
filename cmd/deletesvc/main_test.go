package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
	"github.com/deletesvc/deletesvc/store/upbooks"
)

// lockedBuffer collects the service's log lines from its goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServeShutsDownGracefully runs the service in-process on a fresh SQLite file: it must migrate,
// become ready and answer; when its context ends (what SIGINT/SIGTERM do in main) a request in
// flight still completes, then the server stops, the database closes and run returns nil.
func TestServeShutsDownGracefully(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	dbURL := "sqlite://" + filepath.Join(t.TempDir(), "svc.db")
	var logs lockedBuffer
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-port", fmt.Sprint(port), "-database-url", dbURL, "-demo", "true"}, &logs)
	}()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitReady(t, base+"/readyz", done, &logs)

	// A request whose body arrives after the shutdown began must still be answered.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/auth/token/bearer", pr)
	req.Header.Set("Content-Type", "application/json")
	answer := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answer <- -1
			return
		}
		resp.Body.Close()
		answer <- resp.StatusCode
	}()
	_, _ = pw.Write([]byte(`{"username":"demo@example.com",`))
	time.Sleep(100 * time.Millisecond) // the request is in flight before the shutdown starts
	stop()
	waitLog(t, &logs, `"msg":"shutting down: finishing in-flight requests"`)
	_, _ = pw.Write([]byte(`"password":"demo12345"}`))
	_ = pw.Close()
	if code := <-answer; code != http.StatusOK {
		t.Fatalf("in-flight login answered %d during shutdown, want 200\n%s", code, logs.String())
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v after shutdown\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no return within 30s of shutdown\n%s", logs.String())
	}
	all := logs.String()
	for _, want := range []string{`"msg":"demo ready"`, `"msg":"database closed"`} {
		if !strings.Contains(all, want) {
			t.Fatalf("log lacks %s:\n%s", want, all)
		}
	}
	if strings.Index(all, "shutting down") > strings.Index(all, "database closed") {
		t.Fatal("the database must close after the server stops")
	}
}

func waitReady(t *testing.T, url string, done chan error, logs *lockedBuffer) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-done:
			t.Fatalf("service exited before ready: %v\n%s", err, logs.String())
		default:
		}
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("service not ready: %v\n%s", err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func waitLog(t *testing.T, logs *lockedBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(logs.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("log never showed %s:\n%s", want, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Slow clients are cut off: headers never finished (read-header timeout), a body never finished
// (read timeout), an idle kept-alive connection (idle timeout) (issue 10, defect 4).
func TestSlowClientsAreDisconnected(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	dbURL := "sqlite://" + filepath.Join(t.TempDir(), "svc.db")
	var logs lockedBuffer
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-port", fmt.Sprint(port), "-database-url", dbURL, "-demo", "false",
			"-read-header-timeout", "300ms", "-read-timeout", "600ms", "-idle-timeout", "300ms"}, &logs)
	}()
	defer func() { stop(); <-done }()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	waitReady(t, "http://"+addr+"/readyz", done, &logs)
	for name, send := range map[string]string{
		"slow headers": "GET /healthz HTTP/1.1\r\nHost: x\r\n",
		"slow body":    "POST /api/v1/auth/token/bearer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"user",
		"idle":         "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
	} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Write([]byte(send)); err != nil {
			t.Fatal(err)
		}
		// The server must close the connection well before this deadline; io.ReadAll returns at EOF.
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		start := time.Now()
		_, err = io.ReadAll(conn)
		conn.Close()
		if err != nil {
			t.Errorf("%s: the server held the connection: %v", name, err)
		} else if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: closed only after %v", name, d)
		}
	}
}

// TestCheckIntegrityReportsOrphans runs `deletesvc check-integrity` on a consistent database (exit
// 0), then on one where an invoice was deleted with the foreign-key checks off, leaving its lines
// behind: it must fail and name the broken key with the number of orphaned lines.
func TestCheckIntegrityReportsOrphans(t *testing.T) {
	t.Parallel()
	for _, backend := range storetest.Backends {
		t.Run(string(backend), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			url := storetest.URL(t, backend)
			db, err := store.Open(ctx, url, storetest.Options())
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			_, org := storetest.Tenant(t, db, "integrity@example.com")
			if err := upbooks.New(db).Seed(ctx, storetest.Identity(db), org.ID, 300, nil); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := run(ctx, []string{"check-integrity", "-database-url", url}, &out); err != nil {
				t.Fatalf("consistent database: %v\n%s", err, out.String())
			}
			// Every foreign key of the schema, as the catalog counts them, is checked.
			catalog := "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
			if db.DialectName() == "sqlite" {
				catalog = "SELECT count(*) FROM sqlite_master m, pragma_foreign_key_list(m.name) k WHERE m.type = 'table' AND k.seq = 0"
			}
			var keys int64
			if err := db.Gorm(ctx).Raw(catalog).Scan(&keys).Error; err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("ok  %d foreign keys, no orphans\n", keys); keys < 100 || !strings.Contains(out.String(), want) {
				t.Fatalf("output %q, want %q (the catalog's %d keys)", out.String(), want, keys)
			}

			var invoice string
			var lines int64
			if err := db.Gorm(ctx).Raw("SELECT invoice_id FROM ub_invoice_items WHERE organization_id = ? ORDER BY id LIMIT 1", org.ID).Scan(&invoice).Error; err != nil {
				t.Fatal(err)
			}
			if err := db.Gorm(ctx).Raw("SELECT count(*) FROM ub_invoice_items WHERE organization_id = ? AND invoice_id = ?", org.ID, invoice).Scan(&lines).Error; err != nil {
				t.Fatal(err)
			}
			// The ids are the store's own hex ids, safe to quote.
			deleteWithoutChecks(t, db, fmt.Sprintf("DELETE FROM ub_invoices WHERE organization_id = '%s' AND id = '%s'", org.ID, invoice))
			out.Reset()
			err = run(ctx, []string{"check-integrity", "-database-url", url}, &out)
			if err == nil {
				t.Fatalf("an orphaned invoice line went unreported:\n%s", out.String())
			}
			want := fmt.Sprintf("orphans  %d rows  ub_invoice_items(organization_id, invoice_id) -> ub_invoices(organization_id, id)", lines)
			if !strings.Contains(out.String(), want) {
				t.Errorf("output does not say %q:\n%s", want, out.String())
			}
		})
	}
}

// `deletesvc migrate` creates a missing PostgreSQL database (the README's recipe); a start with
// -migrate=false does not, and says what to run (issue 14, item 12).
func TestMigrateCreatesMissingPostgresDatabase(t *testing.T) {
	t.Parallel()
	admin := storetest.AdminURL(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "dstest_cmd_" + hex.EncodeToString(b)
	t.Cleanup(func() { _ = storetest.AdminExec(admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	dbURL := storetest.WithDatabase(admin, name, "")
	ctx := context.Background()
	err := run(ctx, []string{"-database-url", dbURL, "-migrate=false", "-port", fmt.Sprint(freePort(t))}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "deletesvc migrate up") {
		t.Fatalf("serve -migrate=false on a missing database: %v", err)
	}
	var out lockedBuffer
	if err := run(ctx, []string{"migrate", "-database-url", dbURL}, &out); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out.String())
	}
	for _, want := range []string{`"msg":"created database"`, `"msg":"schema up to date"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("migrate log lacks %s:\n%s", want, out.String())
		}
	}
}

// The pool's knobs reach the store from flags and their environment variables; unset,
// the connection counts are zero, which the store reads as its per-dialect defaults (issue 10,
// defect 10).
func TestPoolSettingsFromFlagsAndEnvironment(t *testing.T) {
	t.Setenv("DB_MAX_IDLE_CONNS", "6")
	t.Setenv("DB_CONN_MAX_IDLE_TIME", "42s")
	_, _, c, err := parse([]string{"-db-max-open-conns", "7", "-db-conn-max-lifetime", "3m"})
	if err != nil {
		t.Fatal(err)
	}
	want := store.Pool{MaxOpen: 7, MaxIdle: 6, MaxLifetime: 3 * time.Minute, MaxIdleTime: 42 * time.Second}
	if c.pool != want {
		t.Errorf("pool %+v, want %+v", c.pool, want)
	}
	t.Setenv("DB_MAX_IDLE_CONNS", "")
	if _, _, _, err := parse(nil); err == nil {
		t.Error("an empty DB_MAX_IDLE_CONNS was accepted")
	}
}

// deleteWithoutChecks runs statement on one connection with the foreign-key checks off, as a bug
// or a hand-made change could: the service never turns them off on SQLite, and on PostgreSQL it
// proves what it wrote before it commits.
func deleteWithoutChecks(t *testing.T, db *store.DB, statement string) {
	t.Helper()
	ctx := context.Background()
	conn := storetest.Conn(t, db)
	// Discarded rather than returned to the pool with its checks off.
	defer func() { _ = conn.Raw(func(any) error { return driver.ErrBadConn }); _ = conn.Close() }()
	off := "SET session_replication_role = replica"
	if db.DialectName() == "sqlite" {
		off = "PRAGMA foreign_keys = OFF"
	}
	for _, q := range []string{off, statement} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}
