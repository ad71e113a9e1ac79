package server

import (
	"os"
	"runtime/debug"
)

// GCPercent is the garbage collector's target the service runs with when GOGC is not set. A
// request makes mostly short-lived garbage over a live heap of a few tens of MB (an invx bulk of
// 1000 documents, 2.4 MB), so Go's default of 100 collects every few such requests, and on two
// cores the collector's marking competes with the request and its database for CPU. At 400 the
// heap may grow to five times what is live between collections: the invx bulk went from 1.57-1.60x
// to 1.37-1.45x of its raw statement on PostgreSQL (scripts/bench -only invx, issue 13).
// GOMEMLIMIT, when set, still caps the heap.
const GCPercent = 400

// TuneGC applies GCPercent unless the environment chose a target (GOGC). The binary calls it when
// it serves, and the benchmarks that time the service in process call it too.
func TuneGC() {
	if _, chosen := os.LookupEnv("GOGC"); !chosen {
		debug.SetGCPercent(GCPercent)
	}
}
