package servertest

import (
	"syscall"
	"time"
)

// CPUTime is the CPU this process has used so far, user and system: the benchmarks' measure of
// what a request costs, which a shared machine's load changes less than wall time.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
