package store

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestInvxNext checks every (state, action) pair against the spec's table, written out here
// independently of invxTable.
func TestInvxNext(t *testing.T) {
	want := map[InvxAction]map[InvxStatus]InvxStatus{
		InvxAccept:  {"200": "210", "210": "210", "220": "210", "230": "210"},
		InvxDeny:    {"200": "220", "210": "220", "220": "220", "230": "220"},
		InvxDispute: {"200": "230", "210": "230", "220": "230", "230": "230"},
		InvxDelete:  {"100": "260", "120": "260", "200": "260", "210": "260", "220": "260", "230": "260", "240": "260"},
	}
	pairs := 0
	for _, a := range InvxActions {
		for _, st := range InvxStatuses {
			pairs++
			got, err := InvxNext(st, a)
			to, allowed := want[a][st]
			if allowed {
				if err != nil || got != to {
					t.Errorf("%s on %s = %q, %v; want %s", a, st, got, err, to)
				}
				continue
			}
			var ae *InvxActionError
			if !errors.As(err, &ae) || !errors.Is(err, ErrConflict) {
				t.Errorf("%s on %s: err %v, want *InvxActionError wrapping ErrConflict", a, st, err)
				continue
			}
			if msg := "action " + string(a) + " on state " + string(st); err.Error() != msg {
				t.Errorf("message %q, want %q", err.Error(), msg)
			}
		}
	}
	if pairs != 36 {
		t.Fatalf("checked %d pairs, want 4 actions x 9 states", pairs)
	}
	for _, st := range []InvxStatus{InvxFrozen, InvxDeleted} {
		for _, a := range InvxActions {
			if _, err := InvxNext(st, a); err == nil {
				t.Errorf("%s left terminal state %s", a, st)
			}
		}
	}
	if _, err := InvxNext(InvxCreated, "xyz"); err == nil {
		t.Error("an unknown action was allowed")
	}
}

func TestPlanInvxBatch(t *testing.T) {
	items := []InvxActionItem{
		{DocID: "a", Action: InvxDelete}, {DocID: "b", Action: InvxAccept},
		{DocID: "a", Action: InvxAccept}, {DocID: "c", Action: InvxDelete}, {DocID: "b", Action: InvxAccept},
	}
	p := planInvxBatch(items)
	if got := p.apply; len(got) != 3 || got[0] != 0 || got[1] != 1 || got[2] != 3 {
		t.Fatalf("apply = %v, want [0 1 3]", got)
	}
	for i, first := range map[int]int{2: 0, 4: 1} {
		var de *InvxDuplicateItemError
		if !errors.As(p.results[i].Err, &de) || de.FirstIndex != first || de.DocID != items[i].DocID {
			t.Errorf("item %d: %v, want duplicate of index %d", i, p.results[i].Err, first)
		}
	}
}

func TestInvxUpdateSQL(t *testing.T) {
	c := "ok"
	now := time.UnixMilli(1674449632009)
	t.Run("one action has no CASE", func(t *testing.T) {
		q, args := invxUpdateSQL(sqliteIDsIn, "org", "user", []InvxActionItem{{DocID: "a", Action: InvxDelete}, {DocID: "b", Action: InvxDelete}}, now)
		set, _, _ := strings.Cut(q, " WHERE ")
		if strings.Contains(set, "CASE") || strings.Contains(set, "comments") {
			t.Errorf("delete-only update touches more than status: %s", q)
		}
		if args[0] != InvxDeleted || !strings.HasSuffix(q, "RETURNING "+invxViewColumns) || strings.Contains(invxViewColumns, "body") {
			t.Errorf("query %s args %v", q, args)
		}
	})
	t.Run("mixed actions", func(t *testing.T) {
		q, args := invxUpdateSQL(sqliteIDsIn, "org", "user", []InvxActionItem{
			{DocID: "a", Action: InvxDelete}, {DocID: "b", Action: InvxAccept, Comments: &c}, {DocID: "d", Action: InvxAccept},
		}, now)
		for _, part := range []string{"status = CASE WHEN id IN ? THEN ? WHEN id IN ? THEN ? END", "acceptance_comments = CASE WHEN id IN ? THEN NULL WHEN id = ? THEN ? ELSE acceptance_comments END", "(id IN ? AND status IN ?) OR (id IN ? AND status IN ?)"} {
			if !strings.Contains(q, part) {
				t.Errorf("query lacks %q: %s", part, q)
			}
		}
		if set, _, _ := strings.Cut(q, " WHERE "); strings.Contains(set, "denial_comments") || strings.Contains(set, "dispute_comments") {
			t.Errorf("query touches comments of actions not in the batch: %s", q)
		}
		if n := strings.Count(q, "?"); n != len(args) {
			t.Errorf("%d placeholders, %d args", n, len(args))
		}
	})
}

// sqliteIDsIn is Store.invxIDsIn on SQLite.
func sqliteIDsIn(ids []string) (string, any) { return (&Store{sqlite: true}).invxIDsIn(ids) }

func TestPgTextArray(t *testing.T) {
	v, err := pgTextArray{"a", `b"c`, `d\e`}.Value()
	if want := `{"a","b\"c","d\\e"}`; err != nil || v != want {
		t.Errorf("Value = %v, %v; want %s", v, err, want)
	}
}
