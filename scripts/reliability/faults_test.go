package reliability

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/store/demo"
)

// dbTimeout is the service's database deadline in the fault tests: every answer while the
// database is down or frozen must come within it (plus slack for the machine), as a 503.
const (
	dbTimeout = 3 * time.Second
	slack     = 3 * time.Second
)

// cluster is a throwaway PostgreSQL of the suite's own on a free loopback port.
type cluster struct {
	t    *testing.T
	bin  string
	dir  string
	port int
}

// pgBin is the newest installed PostgreSQL's bin directory.
func pgBin(t *testing.T) string {
	t.Helper()
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	if len(dirs) == 0 {
		t.Fatal("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
	}
	return dirs[len(dirs)-1]
}

// asPostgres runs a server binary: as the postgres user when the suite runs as root (initdb and
// the server refuse root), else as the current user.
func asPostgres(name string, args ...string) *exec.Cmd {
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	return exec.Command(name, args...)
}

// newCluster initdbs and starts a cluster, stopped and removed when the test ends.
func newCluster(t *testing.T) *cluster {
	t.Helper()
	dir, err := os.MkdirTemp("", "deletesvc-reliability-pg")
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v %s", err, out)
		}
	}
	c := &cluster{t: t, bin: pgBin(t), dir: dir, port: freePort(t)}
	if out, err := asPostgres(filepath.Join(c.bin, "initdb"), "-D", c.data(), "-A", "trust", "-U", "postgres", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	conf := fmt.Sprintf("port = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nfsync = off\nfull_page_writes = off\n", c.port, dir)
	f, err := os.OpenFile(filepath.Join(c.data(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(conf)
	_ = f.Close()
	c.start()
	t.Cleanup(func() {
		c.signalAll(syscall.SIGCONT)
		_ = asPostgres(filepath.Join(c.bin, "pg_ctl"), "-D", c.data(), "-m", "immediate", "-w", "stop").Run()
		_ = os.RemoveAll(dir)
	})
	return c
}

func (c *cluster) data() string { return filepath.Join(c.dir, "data") }

func (c *cluster) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/deletesvc?sslmode=disable", c.port)
}

func (c *cluster) start() {
	c.t.Helper()
	if out, err := asPostgres(filepath.Join(c.bin, "pg_ctl"), "-D", c.data(), "-l", filepath.Join(c.dir, "log"), "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		c.t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
}

// stopImmediate is a crash: no checkpoint, connections cut.
func (c *cluster) stopImmediate() error {
	if out, err := asPostgres(filepath.Join(c.bin, "pg_ctl"), "-D", c.data(), "-m", "immediate", "-w", "stop").CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	return nil
}

// signalAll sends sig to the postmaster and every backend (SIGSTOP freezes the database: TCP
// connects still succeed, nothing answers).
func (c *cluster) signalAll(sig syscall.Signal) int {
	raw, err := os.ReadFile(filepath.Join(c.data(), "postmaster.pid"))
	if err != nil {
		return 0
	}
	pm, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(raw), "\n", 2)[0]))
	if err != nil {
		return 0
	}
	pids := []int{pm}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, s := range stats {
		b, err := os.ReadFile(s)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pm) {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(s)))
			pids = append(pids, pid)
		}
	}
	for _, pid := range pids {
		_ = syscall.Kill(pid, sig)
	}
	return len(pids)
}

// outcome is one request of the fault test.
type outcome struct {
	op         string
	status     int
	retryAfter string
	took       time.Duration
	problem    string
}

// TestDatabaseFaults runs the service on a cluster of the suite's own with a 3 s database deadline,
// and sends each family's requests (every operation that reads the database and can be repeated
// with the same answer) without pause while the database is up, stopped (pg_ctl stop -m
// immediate), started again, frozen (SIGSTOP of the postmaster and every backend) and thawed. Up:
// each its own answer. Down or frozen: 503 with Retry-After in the family's shape (validated
// against the operation in the spec), within the deadline, never 500, never a hang. After each
// fault every operation answers as before, without a restart of the service.
func TestDatabaseFaults(t *testing.T) {
	start := time.Now()
	c := newCluster(t)
	// Rate limits on, as deployed (their windows are rows in the same database), but high enough
	// for the traffic below.
	svc := startService(t, c.url(), "DB_TIMEOUT="+dbTimeout.String(),
		"RATE_LIMIT_UPBOOKS=1000000-M", "RATE_LIMIT_INVX=1000000-M", "RATE_LIMIT_ULTRABIZ=1000000-M")
	token := svc.demoToken()
	// Every operation that reads the database and can be repeated without changing what it
	// answers (the deletes as dry runs or of what does not exist, inserts refused by the stock).
	var reqs []*request
	up := map[string]int{} // what each answers while the database is up
	for _, name := range []string{"upbooks.GetOrganizations", "upbooks.GetOrganizationDetail", "upbooks.GetActivityLogs",
		"upbooks.GetAllActivityLogs", "upbooks.DeleteSelectiveData", "invx.GetDocument", "ultrabiz.GetPurchaseInvoice",
		"ultrabiz.GetVendor", "ultrabiz.GetProductStock", "ultrabiz.DeletePurchaseReturn", "ultrabiz.InsertPurchaseReturn"} {
		r := mutate(baseRequest(findOperation(t, name)), "valid", nil)
		switch name {
		case "upbooks.DeleteSelectiveData":
			r.query.Set("dryRun", "true")
		case "invx.GetDocument":
			r.path["doc-id"] = demo.InvxDocumentID
		case "ultrabiz.GetVendor":
			r.query.Set("vendorId", "1")
		case "ultrabiz.GetProductStock":
			r.query.Set("productId", "P-00001")
		}
		a, problem := send(context.Background(), svc.base, token, r)
		if problem != "" || a.status >= 500 {
			t.Fatalf("%s with the database up: %d %s", name, a.status, problem)
		}
		up[name] = a.status
		reqs = append(reqs, r)
	}
	t.Logf("answers with the database up: %v", up)
	fails := &failures{t: t}
	attempts := 0
	// traffic sends every request in a loop, one goroutine each, for d (or, with untilOK, until
	// each has answered as when the database is up, at most d), and returns what each got.
	traffic := func(phase string, d time.Duration, untilOK bool) map[string][]outcome {
		out := map[string][]outcome{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		end := time.Now().Add(d)
		for _, r := range reqs {
			wg.Add(1)
			go func(r *request) {
				defer wg.Done()
				for time.Now().Before(end) {
					t0 := time.Now()
					a, problem := sendAllowing503(svc.base, token, r)
					o := outcome{op: r.op.name(), status: a.status, retryAfter: a.header.Get("Retry-After"), took: time.Since(t0), problem: problem}
					mu.Lock()
					out[o.op] = append(out[o.op], o)
					attempts++
					mu.Unlock()
					if o.problem != "" {
						fails.add("%s: %s", phase, o.problem)
					} else if o.status == 503 && o.retryAfter == "" {
						fails.add("%s: %s answered 503 without Retry-After", phase, o.op)
					} else if o.took > dbTimeout+slack {
						fails.add("%s: %s took %v (status %d), past the %v deadline", phase, o.op, o.took.Round(time.Millisecond), o.status, dbTimeout)
					}
					if untilOK && o.status == up[o.op] {
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
			}(r)
		}
		wg.Wait()
		return out
	}
	expectAll := func(phase string, got map[string][]outcome) {
		for _, r := range reqs {
			name := r.op.name()
			if len(got[name]) == 0 {
				fails.add("%s: %s got no answer", phase, name)
			}
			for _, o := range got[name] {
				if o.status != up[name] {
					fails.add("%s: %s answered %d, want %d", phase, name, o.status, up[name])
				}
			}
		}
	}
	// expectFault: while the database is down or frozen, every operation answers 503 (a request
	// already past the database when the fault came may still get its usual answer).
	expectFault := func(phase string, got map[string][]outcome) {
		for _, r := range reqs {
			name := r.op.name()
			n503 := 0
			for _, o := range got[name] {
				switch o.status {
				case 503:
					n503++
				case up[name]:
				default:
					fails.add("%s: %s answered %d, want 503", phase, name, o.status)
				}
			}
			if n503 == 0 {
				fails.add("%s: %s never answered 503 (%d answers)", phase, name, len(got[name]))
			}
			t.Logf("%s: %s: %d answers, %d of them 503", phase, name, len(got[name]), n503)
		}
	}
	recovered := func(phase string) {
		got := traffic(phase, 60*time.Second, true)
		for _, r := range reqs {
			os := got[r.op.name()]
			if len(os) == 0 || os[len(os)-1].status != up[r.op.name()] {
				fails.add("%s: %s did not recover within 60s (%d answers)", phase, r.op.name(), len(os))
			} else {
				t.Logf("%s: %s answered %d again after %d answers", phase, r.op.name(), up[r.op.name()], len(os))
			}
		}
	}

	expectAll("database up", traffic("database up", 2*time.Second, false))

	// The fault comes under traffic: half a second into the phase.
	go func() {
		time.Sleep(500 * time.Millisecond)
		if err := c.stopImmediate(); err != nil {
			fails.add("%v", err)
		}
	}()
	expectFault("database stopped", traffic("database stopped", 2*dbTimeout, false))
	c.start()
	recovered("database restarted")
	expectAll("database up again", traffic("database up again", 2*time.Second, false))

	go func() {
		time.Sleep(500 * time.Millisecond)
		if n := c.signalAll(syscall.SIGSTOP); n < 2 {
			fails.add("froze only %d processes", n)
		}
	}()
	expectFault("database frozen", traffic("database frozen", 3*dbTimeout, false))
	c.signalAll(syscall.SIGCONT)
	recovered("database thawed")
	expectAll("database up at the end", traffic("database up at the end", 2*time.Second, false))

	if fails.count() > 0 {
		t.Logf("service log, answers of 500:\n%s", svc.logs.matching(`"status":500`))
		t.Logf("service log:\n%s", svc.logs.tail())
	}
	figures(t, "database faults", "postgres (own cluster)", attempts, fails.count(), time.Since(start))
}

// sendAllowing503 is send, where a 503 (what a database fault must give) is checked against the
// spec like any declared answer instead of failing as a 5xx.
func sendAllowing503(base, token string, r *request) (answer, string) {
	r2 := *r
	r2.allow503 = true
	return send(context.Background(), base, token, &r2)
}
