package upbooks

import (
	"fmt"
	"testing"

	gen "github.com/deletesvc/deletesvc/gen/upbooks"
	upbooksstore "github.com/deletesvc/deletesvc/store/upbooks"
)

// A delete refused because rows written while it ran point at what it deleted (the store's proof,
// store/upbooks TestInsertWhileDeleteLeavesNoOrphans) is a 409 the caller may retry, in the
// declared Conflict shape, not a 500.
func TestOrphansRefusalIsAConflict(t *testing.T) {
	res, err := selectiveError(fmt.Errorf("3 rows of ub_services would point at deleted rows: %w", upbooksstore.ErrOrphans))
	if err != nil {
		t.Fatalf("answered as an error (500): %v", err)
	}
	c, ok := res.(gen.DeleteSelectiveData409JSONResponse)
	if !ok || c.Code != "409" || c.Message != msgChangedDuringDelete || c.Blockers == nil {
		t.Fatalf("answer %#v, want the 409 Conflict body", res)
	}
}
