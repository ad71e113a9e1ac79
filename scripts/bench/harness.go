package main

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

// testingInit registers the testing flags, which storetest's helpers read (testing.Verbose), and
// makes testing.Benchmark run its function exactly once: each workload times itself.
func testingInit() {
	testing.Init()
	if err := flag.Set("test.benchtime", "1x"); err != nil {
		panic(err)
	}
}

// tb is the testing.TB the workloads and storetest's helpers get: a failure is printed (testing.Benchmark
// outside `go test` discards its log) and ends the program.
type tb struct{ *testing.B }

func (t tb) Fatal(args ...any) { t.fail(fmt.Sprint(args...)) }
func (t tb) Fatalf(format string, args ...any) {
	t.fail(fmt.Sprintf(format, args...))
}
func (t tb) Error(args ...any) { t.fail(fmt.Sprint(args...)) }
func (t tb) Errorf(format string, args ...any) {
	t.fail(fmt.Sprintf(format, args...))
}
func (t tb) Skip(args ...any) { t.fail("skipped: " + fmt.Sprint(args...)) }
func (t tb) Skipf(format string, args ...any) {
	t.fail("skipped: " + fmt.Sprintf(format, args...))
}

func (t tb) fail(msg string) {
	fmt.Fprintln(os.Stderr, "bench:", msg)
	t.FailNow()
}

// measure runs fn once with a testing.TB whose cleanups run when fn returns, and exits on failure.
func measure(name string, fn func(t tb)) {
	res := testing.Benchmark(func(b *testing.B) {
		b.StopTimer()
		fn(tb{b})
	})
	if res.N == 0 {
		fmt.Fprintf(os.Stderr, "bench: %s failed\n", name)
		os.Exit(1)
	}
}
