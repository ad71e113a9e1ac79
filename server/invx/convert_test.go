package invx

import (
	"testing"

	"github.com/google/uuid"

	gen "github.com/deletesvc/deletesvc/gen/invx"
	invxstore "github.com/deletesvc/deletesvc/store/invx"
)

// TestActionsInSpellIDsAsUUIDString: each item keeps its action and comments, in request order,
// and its id is spelled exactly as uuid's String spells it (the stored form), whatever its bytes.
func TestActionsInSpellIDsAsUUIDString(t *testing.T) {
	comment := "seen"
	// Between them every hex digit appears.
	ids := []uuid.UUID{uuid.Nil, uuid.Max, uuid.MustParse("0A1B2C3D-4E5F-6A7B-8C9D-AEBFC0D1E2F3"), uuid.MustParse("f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f")}
	var actions []gen.DocumentAction
	for i, id := range ids {
		a := gen.DocumentAction{DocId: id, Action: gen.ActionDelete}
		if i%2 == 1 {
			a.Action, a.Comments = gen.ActionAccept, &comment
		}
		actions = append(actions, a)
	}
	items := actionsIn(actions)
	if len(items) != len(ids) {
		t.Fatalf("%d items for %d actions", len(items), len(ids))
	}
	for i, it := range items {
		if it.DocID != ids[i].String() {
			t.Errorf("item %d: id %q, want %q", i, it.DocID, ids[i].String())
		}
		if it.Action != invxstore.Action(actions[i].Action) || it.Comments != actions[i].Comments {
			t.Errorf("item %d: %+v, from %+v", i, it, actions[i])
		}
	}
}
