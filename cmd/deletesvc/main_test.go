package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeShutsDownGracefullyOnSIGTERM runs the real binary on a fresh SQLite file: it must become
// ready, answer, and on SIGTERM stop serving, close the database and exit 0.
func TestServeShutsDownGracefullyOnSIGTERM(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "deletesvc")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	port := freePort(t)
	dir := t.TempDir()
	cmd := exec.Command(bin, "-port", fmt.Sprint(port), "-database-url", "sqlite://"+filepath.Join(dir, "svc.db"))
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LOG_LEVEL=info"}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	url := fmt.Sprintf("http://127.0.0.1:%d/readyz", port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("service not ready: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var log []string
	for l := range lines {
		log = append(log, l)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, strings.Join(log, "\n"))
		}
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		t.Fatal("no exit within 20s of SIGTERM")
	}
	all := strings.Join(log, "\n")
	for _, want := range []string{`"msg":"demo ready"`, `"msg":"shutting down: finishing in-flight requests"`, `"msg":"database closed"`} {
		if !strings.Contains(all, want) {
			t.Fatalf("log lacks %s:\n%s", want, all)
		}
	}
	if strings.Index(all, "shutting down") > strings.Index(all, "database closed") {
		t.Fatal("the database must close after the server stops")
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
