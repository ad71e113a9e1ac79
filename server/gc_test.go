package server

import (
	"os"
	"runtime/debug"
	"testing"
)

// The service collects at GCPercent unless GOGC chose otherwise.
func TestTuneGCKeepsAChosenGOGC(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	t.Setenv("GOGC", "150")
	TuneGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, TuneGC changed the target to %d", got)
	}
	if err := os.Unsetenv("GOGC"); err != nil { // t.Setenv restores it afterwards
		t.Fatal(err)
	}
	TuneGC()
	if got := debug.SetGCPercent(100); got != GCPercent {
		t.Errorf("without GOGC the target is %d, want %d", got, GCPercent)
	}
}
