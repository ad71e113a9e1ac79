package upbooks_test

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
	"github.com/deletesvc/deletesvc/store/upbooks"
)

// figureStatement matches the statements that recompute a stored figure from its inputs: each
// joins its table to an input table on a reference column.
var figureStatement = regexp.MustCompile(`^UPDATE (ub_\w+) SET \w+ = x\.v\s+FROM \(SELECT t\.`)

// A small organization beside a large one that the planner's statistics know (and they know
// nothing of the small one) used to have its figures recomputed by nested loops that read an
// input table's rows of the organization once per row of the figure's table: 30 s for 10,000
// rows (issue 13). Every figure statement must be planned so that its cost stays linear: on
// PostgreSQL without a nested loop, on SQLite probing the input by its reference column.
func TestFiguresOfAnOrganizationTheStatisticsDoNotKnowArePlannedLinear(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := upbooks.New(db)
		_, large := storetest.Tenant(t, db, "large@example.com")
		if err := s.Seed(ctx, storetest.Identity(db), large.ID, 10_000, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.Exec(ctx, "ANALYZE"); err != nil {
			t.Fatal(err)
		}
		_, small := storetest.Tenant(t, db, "small@example.com")
		if err := s.Seed(ctx, storetest.Identity(db), small.ID, 1_000, nil); err != nil {
			t.Fatal(err)
		}
		explain := "EXPLAIN "
		if db.DialectName() == "sqlite" {
			explain = "EXPLAIN QUERY PLAN "
		}
		plans, err := s.ExplainFigures(ctx, small.ID, explain)
		if err != nil {
			t.Fatal(err)
		}
		// The outstanding amounts are computed within their row: nothing to join.
		maps.DeleteFunc(plans, func(sql, _ string) bool { return !figureStatement.MatchString(sql) })
		if len(plans) < 8 {
			t.Fatalf("explained %d figure statements, want every one of the 8", len(plans))
		}
		for sql, plan := range plans {
			if db.DialectName() == "sqlite" {
				// SQLite joins by nested loops only. The input (alias i) must be searched by its
				// reference column; of the table and x (its grouped rows), the inner loop must find
				// one row by key (the table by primary key, or x by an automatic index on id), not
				// read the organization's rows, or all of x, once per row of the outer.
				target := figureStatement.FindStringSubmatch(sql)[1]
				if !regexp.MustCompile(`SEARCH i USING (COVERING )?INDEX \w+ \(\w+_id=\?\)`).MatchString(plan) {
					t.Errorf("%s\nis planned\n%s\nwithout searching its input by the reference column", sql, plan)
				}
				lines := strings.Split(plan, "\n")
				outer := func(table string) int {
					return slices.IndexFunc(lines, func(l string) bool {
						return strings.HasPrefix(l, "SCAN "+table) || strings.HasPrefix(l, "SEARCH "+table+" ")
					})
				}
				byKey := regexp.MustCompile(`^SEARCH ` + target + ` USING .*\(organization_id=\? AND id=\?\)`)
				inner := lines[max(outer(target), outer("x"))]
				if outer("x") < outer(target) && !byKey.MatchString(inner) || outer(target) < outer("x") && !regexp.MustCompile(`^SEARCH x USING AUTOMATIC .*\bid=\?`).MatchString(inner) {
					t.Errorf("%s\nis planned\n%s\nwith an inner loop that does not find one row by key", sql, plan)
				}
				continue
			}
			if strings.Contains(plan, "Nested Loop") {
				t.Errorf("%s\nis planned with a nested loop:\n%s", sql, plan)
			}
		}
	})
}
