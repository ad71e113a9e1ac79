package upbooks

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

func TestCategoriesAreTheSpecFlags(t *testing.T) {
	t.Parallel()
	names := CategoryNames()
	if len(names) != 46 {
		t.Fatalf("%d categories, want 46", len(names))
	}
	spec, err := os.ReadFile("../../openapi/upbooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The request schema's required list names each flag once as "        - <name>".
	for _, n := range names {
		if !strings.Contains(string(spec), "\n        - "+n+"\n") {
			t.Errorf("category %s is not a required flag of the spec", n)
		}
	}
	for _, c := range categories {
		if len(c.tables) == 0 && !c.settings {
			t.Errorf("category %s deletes nothing", c.name)
		}
	}
}

// Every foreign key the migrations create between Upbooks tables must be declared in the category
// table, either inside one category (ordered by the table list) or as a ref/derived edge: otherwise
// a delete would hit the database's constraint instead of a 409. The keys are read from the
// migrated database, on both backends.
func TestEveryForeignKeyIsDeclared(t *testing.T) {
	t.Parallel()
	owner := map[string]string{}
	position := map[string]int{}
	declared := map[string]reference{}
	for _, c := range categories {
		for i, tb := range c.tables {
			if tb.members {
				continue // memberships is the identity table, not an Upbooks table
			}
			owner[tb.name], position[tb.name] = c.name, i
			for _, r := range tb.refs {
				declared[tb.name+"."+r.column] = r
			}
		}
	}
	for _, tb := range derivedTables {
		owner[tb.name] = ""
		for _, r := range tb.refs {
			declared[tb.name+"."+r.column] = r
		}
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// One row per foreign key between ub_ tables: the referencing column other than
		// organization_id (every key is composite with it) and the referenced table.
		q := `SELECT m.name AS tbl, f."from" AS col, f."table" AS target FROM sqlite_master m, pragma_foreign_key_list(m.name) f
			   WHERE m.type = 'table' AND m.name LIKE 'ub\_%' ESCAPE '\' AND f."table" LIKE 'ub\_%' ESCAPE '\' AND f."from" <> 'organization_id'`
		if db.DialectName() == "postgres" {
			q = `SELECT c.conrelid::regclass::text AS tbl, a.attname AS col, c.confrelid::regclass::text AS target
			       FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
			      WHERE c.contype = 'f' AND c.conrelid::regclass::text LIKE 'ub\_%' AND c.confrelid::regclass::text LIKE 'ub\_%'
			        AND a.attname <> 'organization_id'`
		}
		var keys []struct{ Tbl, Col, Target string }
		if err := db.Gorm(context.Background()).Raw(q).Scan(&keys).Error; err != nil {
			t.Fatal(err)
		}
		if len(keys) < 50 {
			t.Fatalf("only %d foreign keys between Upbooks tables: the query is wrong", len(keys))
		}
		seen := map[string]bool{}
		for _, k := range keys {
			seen[k.Tbl] = true
			if _, ok := owner[k.Tbl]; !ok {
				t.Errorf("table %s belongs to no category", k.Tbl)
				continue
			}
			key := k.Tbl + "." + k.Col
			if r, ok := declared[key]; ok {
				if !slices.ContainsFunc(categories, func(c category) bool {
					return c.name == r.category && slices.ContainsFunc(c.tables, func(x tableDef) bool { return x.name == k.Target })
				}) {
					t.Errorf("%s is declared to point into %s, but points to %s", key, r.category, k.Target)
				}
				continue
			}
			if owner[k.Target] != owner[k.Tbl] || owner[k.Target] == "" {
				t.Errorf("%s -> %s crosses categories (%s -> %s) but is not declared", key, k.Target, owner[k.Tbl], owner[k.Target])
			} else if position[k.Target] < position[k.Tbl] {
				t.Errorf("%s -> %s: the parent is listed before its child in %s", key, k.Target, owner[k.Target])
			}
		}
		tablesQ := `SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'ub\_%' ESCAPE '\'`
		if db.DialectName() == "postgres" {
			tablesQ = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'ub\_%'`
		}
		var tables []string
		if err := db.Gorm(context.Background()).Raw(tablesQ).Scan(&tables).Error; err != nil {
			t.Fatal(err)
		}
		for _, tb := range tables {
			if _, ok := owner[tb]; !ok {
				t.Errorf("table %s belongs to no category", tb)
			}
		}
		for tb := range owner {
			if !slices.Contains(tables, tb) {
				t.Errorf("declared table %s is not in the schema", tb)
			}
		}
	})
}

func TestDeleteOrderRespectsEveryReference(t *testing.T) {
	t.Parallel()
	pos := map[string]int{}
	for i, n := range deps.order {
		pos[n] = i
	}
	if len(pos) != 46 {
		t.Fatalf("order has %d categories", len(pos))
	}
	for _, e := range deps.edges {
		if pos[e.from] > pos[e.to] {
			t.Errorf("%s is deleted after %s, which it references", e.from, e.to)
		}
	}
	for _, c := range deps.cascades {
		if c.owner != "" && pos[c.owner] > pos[c.to] {
			t.Errorf("%s is deleted after %s, which it references", c.owner, c.to)
		}
	}
}

func TestGraphRejectsCyclesAndUnknownNames(t *testing.T) {
	t.Parallel()
	_, err := newGraph([]category{
		{name: "a", tables: []tableDef{table("ta", ref("b_id", "b"))}},
		{name: "b", tables: []tableDef{table("tb", ref("a_id", "a"))}},
	}, nil)
	if err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("cycle: got %v", err)
	}
	_, err = newGraph([]category{{name: "a", tables: []tableDef{table("ta", ref("x_id", "x"))}}}, nil)
	if err == nil {
		t.Error("unknown category accepted")
	}
	if _, err := deps.checkChoice([]string{"invoice", "nope"}); err == nil {
		t.Error("unknown flag accepted")
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	// counts: rows of each edge's table blocking its target; edges not listed have none.
	counts := map[string]int64{
		"payments->invoice": 31, "creditNotes->invoice": 4, "invoice->clients": 40, "payments->clients": 31,
		"settlements->payments": 8,
	}
	count := func(edges []edge) ([]int64, error) {
		out := make([]int64, len(edges))
		for i, e := range edges {
			out[i] = counts[e.from+"->"+e.to]
		}
		return out, nil
	}
	set := func(names ...string) map[string]bool {
		m := map[string]bool{}
		for _, n := range names {
			m[n] = true
		}
		return m
	}
	tests := []struct {
		name       string
		chosen     []string
		force      bool
		wantSet    []string
		wantForced []string
		blockers   []Blocker
	}{
		{name: "nothing chosen", chosen: nil, wantSet: nil},
		{name: "leaf category", chosen: []string{"settlements"}, wantSet: []string{"settlements"}},
		{name: "whole chain chosen", chosen: []string{"invoice", "payments", "creditNotes", "settlements"}, wantSet: []string{"invoice", "payments", "creditNotes", "settlements"}},
		{name: "payments and credit notes kept", chosen: []string{"invoice"},
			blockers: []Blocker{{Category: "creditNotes", Blocks: "invoice", Rows: 4}, {Category: "payments", Blocks: "invoice", Rows: 31}}},
		{name: "every blocker of every chosen category", chosen: []string{"invoice", "clients"},
			blockers: []Blocker{{Category: "payments", Blocks: "clients", Rows: 31}, {Category: "creditNotes", Blocks: "invoice", Rows: 4}, {Category: "payments", Blocks: "invoice", Rows: 31}}},
		{name: "force deletes blockers transitively", chosen: []string{"invoice"}, force: true,
			wantSet: []string{"invoice", "payments", "creditNotes", "settlements"}, wantForced: []string{"payments", "creditNotes", "settlements"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, forced, err := deps.resolve(set(tt.chosen...), tt.force, count)
			if tt.blockers != nil {
				var de *DependencyError
				if !errors.As(err, &de) || !errors.Is(err, store.ErrConflict) {
					t.Fatalf("err %v, want a dependency conflict", err)
				}
				if !slices.Equal(de.Blockers, tt.blockers) {
					t.Fatalf("blockers %+v, want %+v", de.Blockers, tt.blockers)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !mapsEqualSet(got, set(tt.wantSet...)) || !mapsEqualSet(forced, set(tt.wantForced...)) {
				t.Fatalf("set %v forced %v, want %v %v", got, forced, tt.wantSet, tt.wantForced)
			}
		})
	}
}

func mapsEqualSet(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// The spec's "## Dependency graph" table is generated from the declarations; this keeps them equal.
// UPDATE_SPEC=1 prints the table to paste.
func TestSpecDependencyTable(t *testing.T) {
	t.Parallel()
	want := dependencyTable()
	if os.Getenv("UPDATE_SPEC") == "1" {
		t.Log("\n" + want)
	}
	spec, err := os.ReadFile("../../openapi/upbooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(want), "\n") {
		lines = append(lines, "        "+l)
	}
	if !strings.Contains(string(spec), strings.Join(lines, "\n")) {
		t.Fatal("openapi/upbooks.yaml's dependency table differs from the declarations: run UPDATE_SPEC=1 go test ./store/upbooks -run TestSpecDependencyTable -v and paste it")
	}
}
