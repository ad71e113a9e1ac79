// Package reliability is the live half of the reliability suite (issue 10): it builds the service
// once, runs the real binary on SQLite and PostgreSQL (and on a PostgreSQL cluster of its own that
// it stops, freezes and restarts), and attacks it from outside: spec-driven fuzzing, a cross-tenant
// matrix, database faults, and kill -9 during a large delete. It runs only with RELIABILITY=1
// (scripts/reliability/run, `make reliability`), so `go test ./...` stays fast.
//
// Each area prints one line `RELIABILITY-FIGURES area=... backend=... attempts=N failures=M
// seconds=S` per backend, which scripts/reliability/run sums into its summary.
package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/store/demo"
)

// binary is the service built once for the whole run.
var binary string

func TestMain(m *testing.M) {
	if os.Getenv("RELIABILITY") != "1" {
		fmt.Println("reliability: skipped (set RELIABILITY=1, or run `make reliability`)")
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "deletesvc-reliability-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "deletesvc")
	build := exec.Command("go", "build", "-o", binary, "./cmd/deletesvc")
	build.Dir = "../.."
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build the service: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// tokenSecret signs tokens of every service the suite starts, so a token survives a restart.
const tokenSecret = "reliability-secret-reliability-secret"

// figures prints an area's figures for the run script and fails the test when any attempt failed.
func figures(t *testing.T, area, backend string, attempts, failures int, took time.Duration) {
	t.Helper()
	fmt.Printf("RELIABILITY-FIGURES area=%q backend=%s attempts=%d failures=%d seconds=%.1f\n", area, backend, attempts, failures, took.Seconds())
	if failures > 0 {
		t.Errorf("%s on %s: %d of %d attempts failed", area, backend, failures, attempts)
	}
	if attempts == 0 {
		t.Errorf("%s on %s: no attempts", area, backend)
	}
}

// failures counts failed attempts and logs the first few of them in full.
type failures struct {
	mu    sync.Mutex
	t     *testing.T
	n     int
	shown int
}

func (f *failures) add(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	if f.shown < 25 {
		f.shown++
		f.t.Logf("FAIL: "+format, args...)
	}
}

func (f *failures) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

// logBuffer keeps the service's output for failure messages.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// matching is the log lines holding s (at most 20), for the ones a failure is about that the tail
// has already lost.
func (l *logBuffer) matching(s string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range strings.Split(l.b.String(), "\n") {
		if strings.Contains(line, s) && len(out) < 20 {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func (l *logBuffer) tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	if len(s) > 4000 {
		s = s[len(s)-4000:]
	}
	return s
}

// service is the real binary serving one database.
type service struct {
	t     *testing.T
	dbURL string
	env   []string
	port  int
	base  string
	cmd   *exec.Cmd
	done  chan error
	logs  *logBuffer
}

// startService runs the binary on dbURL with rate limits off (the suite sends thousands of requests
// from one address) and env's extra settings, and waits until /readyz answers 200.
func startService(t *testing.T, dbURL string, env ...string) *service {
	t.Helper()
	// Backups (the fuzzing calls AddOrganizationBackup) go to the test's own directory, not to the
	// default ./data/backups beside the tests, where they were left in the work tree.
	env = append([]string{"BACKUP_URL=file://" + t.TempDir()}, env...)
	s := &service{t: t, dbURL: dbURL, env: env, port: freePort(t)}
	s.base = fmt.Sprintf("http://127.0.0.1:%d", s.port)
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *service) start() {
	s.t.Helper()
	s.logs = &logBuffer{}
	s.cmd = exec.Command(binary)
	s.cmd.Env = append(os.Environ(), "PORT="+fmt.Sprint(s.port), "DATABASE_URL="+s.dbURL, "TOKEN_SECRET="+tokenSecret,
		"RATE_LIMIT_UPBOOKS=off", "RATE_LIMIT_INVX=off", "RATE_LIMIT_ULTRABIZ=off", "LOG_LEVEL=warn", "DEMO=true")
	s.cmd.Env = append(s.cmd.Env, s.env...)
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("start service: %v", err)
	}
	s.done = make(chan error, 1)
	go func(c *exec.Cmd, done chan error) { done <- c.Wait() }(s.cmd, s.done)
	deadline := time.Now().Add(120 * time.Second)
	for {
		select {
		case err := <-s.done:
			s.t.Fatalf("service exited before ready: %v\n%s", err, s.logs.tail())
		default:
		}
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("service not ready after 120s: %v\n%s", err, s.logs.tail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill9 kills the process without letting it finish anything.
func (s *service) kill9() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
	s.cmd = nil
}

// stop ends the service gracefully (SIGTERM), or kills it after 30 s.
func (s *service) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Signal(syscall.SIGKILL)
		<-s.done
	}
	s.cmd = nil
}

// login returns a bearer token of email in organization org ("" for the user's own).
func (s *service) login(email, password, org string) string {
	s.t.Helper()
	body := map[string]string{"username": email, "password": password}
	if org != "" {
		body["organizationId"] = org
	}
	raw, _ := json.Marshal(body)
	resp, err := http.Post(s.base+"/api/v1/auth/token/bearer", "application/json", bytes.NewReader(raw))
	if err != nil {
		s.t.Fatalf("login: %v", err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			Token string `json:"token"`
		} `json:"data"`
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &out) != nil || out.Data.Token == "" {
		s.t.Fatalf("login %s: %d %s", email, resp.StatusCode, b)
	}
	return out.Data.Token
}

func (s *service) demoToken() string { return s.login(demo.Email, demo.Password, "") }

// run runs a subcommand of the binary (seed, check-integrity) on the service's database.
func (s *service) run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+s.dbURL, "LOG_LEVEL=warn")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// client has a timeout so that a hang is a failure, never a stuck suite.
var client = &http.Client{Timeout: 30 * time.Second}

func short(b []byte) string {
	s := strings.ToValidUTF8(string(b), "?")
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}
