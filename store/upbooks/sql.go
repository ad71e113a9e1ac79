package upbooks

import (
	"strings"

	"github.com/deletesvc/deletesvc/store/internal/dialect"
)

// The family's set-based SQL, in one place. Each statement touches every matching row of one
// table of one organization (organization_id is bound on every table, so it routes to one Citus
// shard); none is issued per row. Table and column names come from the category declarations,
// never from a request. What PostgreSQL and SQLite write differently is asked of the Dialect, and
// the statements are built once per store.

// statements are the ones that differ by dialect, built for one.
type statements struct {
	// figures recompute every stored figure, in the order of figureDefs.
	figures [][]string
}

func newStatements(d dialect.Dialect) statements {
	q := statements{figures: make([][]string, len(figureDefs))}
	for i, f := range figureDefs {
		q.figures[i] = f.sql(d)
	}
	return q
}

// Selective delete: blockers, derived rows, a category's own tables.

// countBlockingSQL counts, one column per edge, the rows of the edge's table that point into its
// target category through any of its columns. Bound: organization_id per edge.
func countBlockingSQL(edges []edge) string {
	cols := make([]string, len(edges))
	for i, e := range edges {
		cols[i] = "(SELECT count(*) FROM " + e.table + " WHERE organization_id = ? AND (" + strings.Join(e.columns, " IS NOT NULL OR ") + " IS NOT NULL))"
	}
	return "SELECT " + strings.Join(cols, ", ")
}

// stepWhere is the condition of a plan step. Bound: organization_id, and for memberships the two
// user ids kept.
func stepWhere(st step) string {
	switch {
	case st.members:
		return "organization_id = ? AND user_id NOT IN (?, ?)"
	case st.cond != "":
		return "organization_id = ? AND " + st.cond
	}
	return "organization_id = ?"
}

// stepArgs are the values stepWhere binds.
func stepArgs(st step, orgID string, keep []string) []any {
	if st.members {
		return []any{orgID, keep[0], keep[1]}
	}
	return []any{orgID}
}

// deleteStepSQL runs a plan step.
func deleteStepSQL(st step) string { return "DELETE FROM " + st.table + " WHERE " + stepWhere(st) }

// countCategoriesSQL counts, in one statement, the rows each category's steps would delete: one
// column per category, in the order given.
func countCategoriesSQL(categories [][]step) string {
	cols := make([]string, len(categories))
	for i, steps := range categories {
		parts := make([]string, len(steps))
		for j, st := range steps {
			parts[j] = "(SELECT count(*) FROM " + st.table + " WHERE " + stepWhere(st) + ")"
		}
		cols[i] = "(" + strings.Join(parts, " + ") + ")"
	}
	return "SELECT " + strings.Join(cols, ", ")
}

// holdsRowsSQL asks, in one statement, whether each table still holds rows of the organization:
// one column per table, 0 or 1. Bound: organization_id per table.
func holdsRowsSQL(tables []string) string {
	cols := make([]string, len(tables))
	for i, t := range tables {
		cols[i] = "(SELECT count(*) FROM (SELECT 1 FROM " + t + " WHERE organization_id = ? LIMIT 1) x)"
	}
	return "SELECT " + strings.Join(cols, ", ")
}

// deleteAllSQL empties table for one organization. Bound: organization_id.
func deleteAllSQL(table string) string {
	return "DELETE FROM " + table + " WHERE organization_id = ?"
}

// Stored figures, recomputed from what remains.

// figureDef is a stored figure derived from other rows, with the statements that recompute it
// from its inputs. It is the one definition of that figure: the seeder uses it too.
type figureDef struct {
	name   string
	target string   // the table whose rows store the figure
	inputs []string // tables whose rows the figure sums
	sql    func(d dialect.Dialect) []string
}

// setSumSQL sets {target}.{column} of every row of the organization (@org) to the sum of {expr}
// over the {input} rows whose {fk} points to it, 0 when none do. It is a grouped join, and its
// grouped rows x find their target rows by primary key. Rows whose figure is already right are not
// written (a restore puts most figures back as they were; a rewrite would be a new row version
// each). PostgreSQL plans it without nested loops (recompute), and also filters the target by
// organization so the join reads that organization's rows only. SQLite gets no such filter: with it
// SQLite's planner read the organization's target rows and scanned x for each, quadratic (65,000
// invoices at 1,000,000 rows); keyed by x it searches the primary key once per row of x.
const setSumSQL = `UPDATE {target} SET {column} = x.v
FROM (SELECT t.organization_id AS org, t.id AS id, {sum} AS v
      FROM {target} t
      LEFT JOIN {input} i ON i.organization_id = t.organization_id AND i.{fk} = t.id
      WHERE t.organization_id = @org
      GROUP BY t.organization_id, t.id) x
WHERE {organization}{target}.organization_id = x.org AND {target}.id = x.id AND {changed}`

func setSum(d dialect.Dialect, target, column, input, fk, expr string) string {
	organization := target + ".organization_id = @org AND "
	if d.Name() == "sqlite" {
		organization = ""
	}
	return strings.NewReplacer("{organization}", organization, "{target}", target, "{column}", column, "{input}", input, "{fk}", fk, "{sum}", d.DecSum(expr),
		"{changed}", d.DecCmp(target+"."+column, "x.v")+" <> 0").Replace(setSumSQL)
}

// setOutstandingSQL sets {table}.outstanding to total less what was paid and what was
// credited or debited, where it is not that already.
const setOutstandingSQL = `UPDATE {table} SET outstanding = {outstanding} WHERE organization_id = @org AND {changed}`

func setOutstanding(d dialect.Dialect, table, settledBy string) string {
	outstanding := d.DecSub(d.DecSub("total", "amount_paid"), settledBy)
	return strings.NewReplacer("{table}", table, "{outstanding}", outstanding, "{changed}", d.DecCmp("outstanding", outstanding)+" <> 0").Replace(setOutstandingSQL)
}

var figureDefs = []figureDef{
	{name: "invoice amount paid, credited and outstanding", target: "ub_invoices", inputs: []string{"ub_payment_allocations", "ub_credit_notes"},
		sql: func(d dialect.Dialect) []string {
			return []string{
				setSum(d, "ub_invoices", "amount_paid", "ub_payment_allocations", "invoice_id", "i.amount"),
				setSum(d, "ub_invoices", "amount_credited", "ub_credit_notes", "invoice_id", "i.total"),
				setOutstanding(d, "ub_invoices", "amount_credited"),
			}
		}},
	{name: "expense amount paid, debited and outstanding", target: "ub_expenses", inputs: []string{"ub_outward_payment_allocations", "ub_debit_notes"},
		sql: func(d dialect.Dialect) []string {
			return []string{
				setSum(d, "ub_expenses", "amount_paid", "ub_outward_payment_allocations", "expense_id", "i.amount"),
				setSum(d, "ub_expenses", "amount_debited", "ub_debit_notes", "expense_id", "i.total"),
				setOutstanding(d, "ub_expenses", "amount_debited"),
			}
		}},
	{name: "client balance", target: "ub_clients", inputs: []string{"ub_client_ledgers"},
		sql: func(d dialect.Dialect) []string {
			return []string{setSum(d, "ub_clients", "balance", "ub_client_ledgers", "client_id", d.DecSub("i.debit", "i.credit"))}
		}},
	{name: "vendor balance", target: "ub_vendors", inputs: []string{"ub_vendor_ledgers"},
		sql: func(d dialect.Dialect) []string {
			return []string{setSum(d, "ub_vendors", "balance", "ub_vendor_ledgers", "vendor_id", d.DecSub("i.credit", "i.debit"))}
		}},
	{name: "account balance", target: "ub_accounts", inputs: []string{"ub_account_ledgers"},
		sql: func(d dialect.Dialect) []string {
			return []string{setSum(d, "ub_accounts", "balance", "ub_account_ledgers", "account_id", d.DecSub("i.debit", "i.credit"))}
		}},
	{name: "product stock on hand", target: "ub_products", inputs: []string{"ub_inventory_ledgers"},
		sql: func(d dialect.Dialect) []string {
			return []string{setSum(d, "ub_products", "stock_on_hand", "ub_inventory_ledgers", "product_id", "i.quantity")}
		}},
}
