package invx

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/internal/dialect"
)

// TestNext checks every (state, action) pair against the spec's table, written out here
// independently of transitions.
func TestNext(t *testing.T) {
	t.Parallel()
	want := map[Action]map[Status]Status{
		Accept:  {"200": "210", "210": "210", "220": "210", "230": "210"},
		Deny:    {"200": "220", "210": "220", "220": "220", "230": "220"},
		Dispute: {"200": "230", "210": "230", "220": "230", "230": "230"},
		Delete:  {"100": "260", "120": "260", "200": "260", "210": "260", "220": "260", "230": "260", "240": "260"},
	}
	// Every allowed pair of the written-out table must be reached through Actions and
	// Statuses, so a state or action missing from those lists cannot go unchecked.
	allowedSeen, allowedWant := 0, 0
	for _, m := range want {
		allowedWant += len(m)
	}
	for _, a := range Actions {
		for _, st := range Statuses {
			got, err := Next(st, a)
			to, allowed := want[a][st]
			if allowed {
				allowedSeen++
				if err != nil || got != to {
					t.Errorf("%s on %s = %q, %v; want %s", a, st, got, err, to)
				}
				continue
			}
			var ae *ActionError
			if !errors.As(err, &ae) || !errors.Is(err, store.ErrConflict) {
				t.Errorf("%s on %s: err %v, want *ActionError wrapping store.ErrConflict", a, st, err)
				continue
			}
			if *ae != (ActionError{Action: a, From: st}) {
				t.Errorf("%s on %s: error %+v", a, st, *ae)
			}
		}
	}
	if allowedSeen != allowedWant {
		t.Fatalf("reached %d of the table's %d allowed pairs", allowedSeen, allowedWant)
	}
	for _, st := range []Status{Frozen, Deleted} {
		for _, a := range Actions {
			if _, err := Next(st, a); err == nil {
				t.Errorf("%s left terminal state %s", a, st)
			}
		}
	}
	if _, err := Next(Created, "xyz"); err == nil {
		t.Error("an unknown action was allowed")
	}
}

func TestPlanBatch(t *testing.T) {
	t.Parallel()
	items := []ActionItem{
		{DocID: "a", Action: Delete}, {DocID: "b", Action: Accept},
		{DocID: "a", Action: Accept}, {DocID: "c", Action: Delete}, {DocID: "b", Action: Accept},
	}
	p := planBatch(items)
	if got := p.apply; len(got) != 3 || got[0] != 0 || got[1] != 1 || got[2] != 3 {
		t.Fatalf("apply = %v, want [0 1 3]", got)
	}
	for i, first := range map[int]int{2: 0, 4: 1} {
		var de *DuplicateItemError
		if !errors.As(p.results[i].Err, &de) || de.FirstIndex != first || de.DocID != items[i].DocID {
			t.Errorf("item %d: %v, want duplicate of index %d", i, p.results[i].Err, first)
		}
	}
}

func TestApplySQL(t *testing.T) {
	t.Parallel()
	c := "ok"
	now := time.UnixMilli(1674449632009)
	sqlite, pg := newStatements(dialect.SQLite{}), newStatements(dialect.Postgres{})
	both := map[string]statements{"sqlite": sqlite, "postgres": pg}
	t.Run("one action has no CASE", func(t *testing.T) {
		for name, st := range both {
			q, args := st.apply("org", "user", []ActionItem{{DocID: "a", Action: Delete}, {DocID: "b", Action: Delete}}, now)
			set, _, _ := strings.Cut(q, "WHERE")
			if strings.Contains(set, "CASE") || strings.Contains(set, "comments") || strings.Contains(q, "v.doc_id") {
				t.Errorf("%s: delete-only update touches more than status, or joins the items: %s", name, q)
			}
			if args[0] != Deleted || !strings.Contains(q, "RETURNING") || strings.Contains(q, "body") {
				t.Errorf("%s: query %s args %v", name, q, args)
			}
			if n := strings.Count(q, "?"); n != len(args) {
				t.Errorf("%s: %d placeholders, %d args", name, n, len(args))
			}
		}
	})
	mixed := func(n int) []ActionItem {
		items := []ActionItem{{DocID: "a", Action: Delete}, {DocID: "d", Action: Accept}}
		for i := range n {
			items = append(items, ActionItem{DocID: fmt.Sprintf("b%d", i), Action: Accept, Comments: &c})
		}
		return items
	}
	t.Run("mixed actions", func(t *testing.T) {
		for name, st := range both {
			q, args := st.apply("org", "user", mixed(1), now)
			for _, part := range []string{"status = CASE WHEN v.act = ? THEN ? WHEN v.act = ? THEN ? ELSE status END",
				"acceptance_comments = CASE WHEN v.act = ? THEN v.note ELSE acceptance_comments END",
				"(v.act = ? AND invx_documents.status IN ?) OR (v.act = ? AND invx_documents.status IN ?)"} {
				if !strings.Contains(q, part) {
					t.Errorf("%s: query lacks %q: %s", name, part, q)
				}
			}
			if set, _, _ := strings.Cut(q, "WHERE"); strings.Contains(set, "denial_comments") || strings.Contains(set, "dispute_comments") {
				t.Errorf("%s: query touches comments of actions not in the batch: %s", name, q)
			}
			if n := strings.Count(q, "?"); n != len(args) {
				t.Errorf("%s: %d placeholders, %d args", name, n, len(args))
			}
		}
	})
	// On PostgreSQL the statement is the same text with the same number of binds for 3 or 1002
	// items, however many carry comments: no per-item WHEN.
	t.Run("postgres does not grow", func(t *testing.T) {
		q3, a3 := pg.apply("org", "user", mixed(1), now)
		q1002, a1002 := pg.apply("org", "user", mixed(1000), now)
		if q3 != q1002 || len(a3) != len(a1002) || strings.Contains(q3, "WHEN id = ?") {
			t.Errorf("3 items: %d binds %s\n1002 items: %d binds %s", len(a3), q3, len(a1002), q1002)
		}
	})
}

// TestSplitSeparated cuts the text of SQLite's separated rows: NULL and non-NULL nullable columns
// and empty texts, leaving the id the scanner set (its own column, here holding the separator)
// untouched; a row with one separator too many is ambiguous, whatever text holds it. Bytes split
// as strings do.
func TestSplitSeparated(t *testing.T) {
	row := func(texts ...string) string { return strings.Join(texts, "\x1f") }
	withID := func(id string) *documentTexts {
		var d documentTexts
		d.text[1] = id
		return &d
	}
	// organization_id, then documentColumns without id.
	texts := []string{"org", "", "100", "01/01/2024", "S", "B", "PRE", "1.5", "-", "+", "+-", "260", "u", "1", "+me", "2", "[]"}
	got := withID("id\x1f1")
	if err := splitSeparated(row(texts...), got); err != nil {
		t.Fatal(err)
	}
	want := documentTexts{text: [len(documentColumns)]string{"org", "id\x1f1", "", "100", "01/01/2024", "S", "B", "PRE", "1.5",
		"", "", "-", "260", "u", "1", "me", "2", "[]"}}
	want.null[9] = true
	if *got != want {
		t.Errorf("got %+v\nwant %+v", *got, want)
	}
	// The benchmark's bytes split alike; a NULL is nil there, and an empty text is not.
	textBytes, null := make([][]byte, len(documentColumns)), make([]bool, len(documentColumns))
	if err := SplitSeparated([]byte("id\x1f1"), []byte(row(texts...)), textBytes, null); err != nil {
		t.Fatal(err)
	}
	for i, b := range textBytes {
		if string(b) != want.text[i] || null[i] != want.null[i] || (b == nil) != want.null[i] {
			t.Errorf("bytes: column %d: %q (nil %t, null %t), want %q (null %t)", i, b, b == nil, null[i], want.text[i], want.null[i])
		}
	}
	for _, bad := range []string{
		row(append(slices.Clone(texts[:2]), append([]string{"a\x1fb"}, texts[3:]...)...)...),
		row(append(slices.Clone(texts), "extra")...),
	} {
		var amb *ambiguousRow
		if err := splitSeparated(bad, withID("id")); !errors.As(err, &amb) || amb.id != "id" {
			t.Errorf("%q: %v, want ambiguous document id", bad, err)
		}
		if err := SplitSeparated([]byte("id"), []byte(bad), textBytes, null); !errors.As(err, &amb) || amb.id != "id" {
			t.Errorf("bytes %q: %v, want ambiguous document id", bad, err)
		}
	}
	for _, bad := range []string{"", "x", row(texts[:16]...), row(append(slices.Clone(texts[:8]), append([]string{"null"}, texts[9:]...)...)...)} {
		var amb *ambiguousRow
		if err := splitSeparated(bad, withID("id")); err == nil || errors.As(err, &amb) {
			t.Errorf("%q: %v, want a malformed row", bad, err)
		}
		if err := SplitSeparated([]byte("id"), []byte(bad), textBytes, null); err == nil || errors.As(err, &amb) {
			t.Errorf("bytes %q: %v, want a malformed row", bad, err)
		}
	}
}

// TestDeletedDocumentSize: a document with the longest number, id and GSTIN the API accepts takes
// DeletedDocumentSize bytes of the details after the first, so a buffer sized with it holds them;
// DeletesDetails makes the stored text with one allocation. Not parallel: AllocsPerRun counts every
// goroutine's allocations.
func TestDeletedDocumentSize(t *testing.T) {
	const number, id, gstin = "A/-0123456789ABC", "0b8c1f2e-3d4a-4b5c-8d6e-7f8091a2b3c4", "27AAAPI3182M002"
	first := AppendDeletedDocument(nil, number, id, gstin)
	both := AppendDeletedDocument(first, number, id, gstin)
	if got := len(both) - len(first); got != DeletedDocumentSize {
		t.Errorf("a second document took %d bytes, DeletedDocumentSize is %d", got, DeletedDocumentSize)
	}
	want := `{"count":2,"documents":[` + string(both) + `]}`
	if got := DeletesDetails(2, both); got != want {
		t.Errorf("DeletesDetails = %s, want %s", got, want)
	}
	if n := testing.AllocsPerRun(100, func() { _ = DeletesDetails(2, both) }); n != 1 {
		t.Errorf("DeletesDetails made %v allocations, want 1", n)
	}
}
