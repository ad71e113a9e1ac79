package upbooks

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/deletesvc/deletesvc/store"
)

// The 46 DeleteSelectiveData categories as data. Each category lists the tables it owns, children
// first, so deleting them in that order never leaves a row pointing at a deleted one. Each
// reference from a table to another category's table is declared once, on the referencing table:
//
//   - a plain reference (ref) makes the referencing category a blocker of the referenced one: when
//     the referenced category is chosen and the referencing one kept, the delete is refused (409)
//     unless forced;
//   - a derived reference (derived) says the row exists because of the referenced row (a ledger line
//     posted by an invoice): it is deleted together with the referenced category and never blocks.
//
// The dependency graph of the 409, the delete order and the spec's table all come from this list.

// reference is a foreign-key column of a table pointing into another category's table.
type reference struct {
	column   string
	category string
	derived  bool
}

func ref(column, category string) reference { return reference{column: column, category: category} }
func derived(column, category string) reference {
	return reference{column: column, category: category, derived: true}
}

// tableDef is a table with its references into other categories.
type tableDef struct {
	name string
	refs []reference
	// members marks the memberships table: the caller's and the owner's rows are never deleted.
	members bool
}

// category is one flag of the request.
type category struct {
	name   string
	tables []tableDef // children first
	// settings marks orgSettings, which resets the organization's settings instead of deleting rows.
	settings bool
}

func table(name string, refs ...reference) tableDef { return tableDef{name: name, refs: refs} }

// categories in the request body's order.
var categories = []category{
	{name: "clients", tables: []tableDef{table("ub_clients")}},
	{name: "vendors", tables: []tableDef{table("ub_vendors")}},
	{name: "assets", tables: []tableDef{table("ub_assets", ref("employee_id", "employees"), ref("branch_id", "branch"))}},
	{name: "employees", tables: []tableDef{
		table("ub_employee_salary_components", ref("salary_component_id", "salaryComponents")),
		table("ub_employees", ref("branch_id", "branch")),
	}},
	{name: "expenses", tables: []tableDef{
		table("ub_expenses", ref("vendor_id", "vendors"), ref("expense_category_id", "expenseCategories"),
			ref("project_id", "projects"), ref("tax_id", "taxes"), ref("purchase_order_id", "purchaseOrders")),
		table("ub_recurring_expenses", ref("vendor_id", "vendors"), ref("expense_category_id", "expenseCategories")),
	}},
	{name: "products", tables: []tableDef{
		table("ub_inventory_ledgers", ref("warehouse_id", "warehouse")),
		table("ub_products", ref("tax_id", "taxes")),
		table("ub_brands"),
		table("ub_product_categories"),
	}},
	{name: "services", tables: []tableDef{table("ub_services", ref("tax_id", "taxes"))}},
	{name: "orders", tables: []tableDef{
		table("ub_order_items", ref("item_id", "items"), ref("tax_id", "taxes"), ref("discount_id", "discounts")),
		table("ub_orders", ref("client_id", "clients"), ref("proposal_id", "proposals"), ref("warehouse_id", "warehouse")),
	}},
	{name: "payments", tables: []tableDef{
		table("ub_payment_allocations", ref("invoice_id", "invoice")),
		table("ub_payments", ref("client_id", "clients"), ref("account_id", "account")),
	}},
	{name: "settlements", tables: []tableDef{table("ub_settlements", ref("payment_id", "payments"), ref("bank_account_id", "bankAccounts"))}},
	{name: "invoice", tables: []tableDef{
		table("ub_invoice_items", ref("item_id", "items"), ref("tax_id", "taxes"), ref("discount_id", "discounts")),
		table("ub_invoices", ref("client_id", "clients"), ref("order_id", "orders"), ref("project_id", "projects"), ref("branch_id", "branch")),
		table("ub_recurring_invoices", ref("client_id", "clients")),
	}},
	{name: "taxes", tables: []tableDef{table("ub_taxes")}},
	{name: "discounts", tables: []tableDef{table("ub_discounts")}},
	{name: "users", tables: []tableDef{table("ub_user_invites"), {name: "memberships", members: true}}},
	{name: "items", tables: []tableDef{table("ub_items", ref("product_id", "products"), ref("service_id", "services"), ref("tax_id", "taxes"))}},
	{name: "proposals", tables: []tableDef{
		table("ub_proposal_items", ref("item_id", "items"), ref("tax_id", "taxes"), ref("discount_id", "discounts")),
		table("ub_proposals", ref("client_id", "clients"), ref("deal_id", "deals")),
	}},
	{name: "purchaseOrders", tables: []tableDef{
		table("ub_purchase_order_items", ref("item_id", "items"), ref("tax_id", "taxes"), ref("discount_id", "discounts")),
		table("ub_purchase_orders", ref("vendor_id", "vendors"), ref("warehouse_id", "warehouse")),
	}},
	{name: "documents", tables: []tableDef{table("ub_documents")}},
	{name: "projects", tables: []tableDef{table("ub_projects", ref("client_id", "clients"))}},
	{name: "tasks", tables: []tableDef{table("ub_tasks", ref("project_id", "projects"))}},
	{name: "payroll", tables: []tableDef{
		table("ub_payslips", ref("employee_id", "employees")),
		table("ub_payrolls", ref("account_id", "account")),
	}},
	{name: "account", tables: []tableDef{table("ub_accounts")}},
	{name: "enquiry", tables: []tableDef{table("ub_enquiries", ref("lead_id", "leads"))}},
	{name: "outwardPayments", tables: []tableDef{
		table("ub_outward_payment_allocations", ref("expense_id", "expenses")),
		table("ub_outward_payments", ref("vendor_id", "vendors"), ref("account_id", "account")),
	}},
	{name: "creditNotes", tables: []tableDef{
		table("ub_credit_note_items", ref("item_id", "items"), ref("tax_id", "taxes"), ref("discount_id", "discounts")),
		table("ub_credit_notes", ref("client_id", "clients"), ref("invoice_id", "invoice")),
	}},
	{name: "platformSubscriptions", tables: []tableDef{table("ub_platform_payments"), table("ub_platform_subscriptions")}},
	{name: "employeeLeaves", tables: []tableDef{
		table("ub_leave_applications", ref("employee_id", "employees"), ref("leave_policy_id", "leavePolicies")),
		table("ub_leave_allocations", ref("employee_id", "employees"), ref("leave_policy_id", "leavePolicies")),
	}},
	{name: "fileImports", tables: []tableDef{table("ub_file_import_errors"), table("ub_file_imports")}},
	{name: "activityLogs", tables: []tableDef{table("ub_activity_logs")}},
	{name: "orgSettings", settings: true},
	{name: "organizationBackups", tables: []tableDef{table("ub_backup_restores"), table("ub_organization_backups")}},
	{name: "leavePolicies", tables: []tableDef{table("ub_leave_policies")}},
	{name: "bankAccounts", tables: []tableDef{table("ub_bank_accounts", ref("account_id", "account"))}},
	{name: "accountLedger", tables: []tableDef{
		table("ub_account_ledgers", derived("account_id", "account"), derived("invoice_id", "invoice"),
			derived("payment_id", "payments"), derived("expense_id", "expenses"),
			derived("outward_payment_id", "outwardPayments"), derived("transfer_id", "accountTransfer"),
			derived("payroll_id", "payroll")),
	}},
	{name: "accountTransfer", tables: []tableDef{table("ub_account_transfers", ref("from_account_id", "account"), ref("to_account_id", "account"))}},
	{name: "clientLedger", tables: []tableDef{
		table("ub_client_ledgers", derived("client_id", "clients"), derived("invoice_id", "invoice"),
			derived("payment_id", "payments"), derived("credit_note_id", "creditNotes")),
	}},
	{name: "salaryComponents", tables: []tableDef{table("ub_salary_components")}},
	{name: "leads", tables: []tableDef{table("ub_leads")}},
	{name: "leadActivities", tables: []tableDef{table("ub_lead_activities", ref("lead_id", "leads"))}},
	{name: "deals", tables: []tableDef{table("ub_deals", ref("lead_id", "leads"), ref("client_id", "clients"))}},
	{name: "debitNotes", tables: []tableDef{
		table("ub_debit_note_items", ref("item_id", "items"), ref("tax_id", "taxes"), ref("discount_id", "discounts")),
		table("ub_debit_notes", ref("vendor_id", "vendors"), ref("expense_id", "expenses")),
	}},
	{name: "expenseCategories", tables: []tableDef{table("ub_expense_categories")}},
	{name: "warehouse", tables: []tableDef{table("ub_warehouses", ref("branch_id", "branch"))}},
	{name: "branch", tables: []tableDef{table("ub_branches")}},
	{name: "contracts", tables: []tableDef{table("ub_contracts", ref("client_id", "clients"), ref("vendor_id", "vendors"))}},
	{name: "employeeSpends", tables: []tableDef{table("ub_employee_spends", ref("employee_id", "employees"), ref("expense_category_id", "expenseCategories"))}},
}

// derivedTables belong to no flag: every row was posted by a row of another category and goes
// with it (a vendor's statement has no flag of its own in the API).
var derivedTables = []tableDef{
	table("ub_vendor_ledgers", derived("vendor_id", "vendors"), derived("expense_id", "expenses"),
		derived("outward_payment_id", "outwardPayments"), derived("debit_note_id", "debitNotes")),
}

// CategoryNames lists the 46 categories in the request body's order.
func CategoryNames() []string {
	out := make([]string, len(categories))
	for i, c := range categories {
		out[i] = c.name
	}
	return out
}

// edge is one blocking dependency: rows of table (owned by category from) whose columns point to
// rows of category to. A row blocks when any of the columns is set.
type edge struct {
	from, to string
	table    string
	columns  []string
}

// cascade is a derived reference: rows of table whose column points to rows of category to are
// deleted with it. owner is the table's category, "" for derivedTables.
type cascade struct {
	owner, to string
	table     string
	column    string
}

// graph is the dependency graph derived from categories.
type graph struct {
	byName   map[string]*category
	order    []string // delete order: a category comes before every category it references
	edges    []edge
	cascades []cascade
	tables   []string // every table in a safe delete order (children first)
}

var deps = mustGraph(categories, derivedTables)

func mustGraph(cats []category, derivedTables []tableDef) *graph {
	g, err := newGraph(cats, derivedTables)
	if err != nil {
		panic(err)
	}
	return g
}

func newGraph(cats []category, derivedTables []tableDef) (*graph, error) {
	g := &graph{byName: map[string]*category{}}
	for i := range cats {
		if _, dup := g.byName[cats[i].name]; dup {
			return nil, fmt.Errorf("category %s declared twice", cats[i].name)
		}
		g.byName[cats[i].name] = &cats[i]
	}
	after := map[string]map[string]bool{} // after[b][a]: a must be deleted before b
	need := func(a, b string) {
		if after[b] == nil {
			after[b] = map[string]bool{}
		}
		after[b][a] = true
	}
	addRefs := func(owner string, t tableDef) error {
		blocking := map[string][]string{}
		var targets []string
		for _, r := range t.refs {
			if _, ok := g.byName[r.category]; !ok {
				return fmt.Errorf("%s.%s points to unknown category %s", t.name, r.column, r.category)
			}
			if r.category == owner {
				return fmt.Errorf("%s.%s points into its own category %s: list the table order instead", t.name, r.column, owner)
			}
			if r.derived {
				g.cascades = append(g.cascades, cascade{owner: owner, to: r.category, table: t.name, column: r.column})
			} else {
				if _, seen := blocking[r.category]; !seen {
					targets = append(targets, r.category)
				}
				blocking[r.category] = append(blocking[r.category], r.column)
			}
			if owner != "" {
				need(owner, r.category)
			}
		}
		for _, to := range targets {
			g.edges = append(g.edges, edge{from: owner, to: to, table: t.name, columns: blocking[to]})
		}
		return nil
	}
	for _, c := range cats {
		for _, t := range c.tables {
			if err := addRefs(c.name, t); err != nil {
				return nil, err
			}
		}
	}
	for _, t := range derivedTables {
		for _, r := range t.refs {
			if !r.derived {
				return nil, fmt.Errorf("%s has no category, so its reference %s must be derived", t.name, r.column)
			}
		}
		if err := addRefs("", t); err != nil {
			return nil, err
		}
	}
	// Kahn's algorithm, taking ready categories in declaration order so the order is stable.
	done := map[string]bool{}
	for len(g.order) < len(cats) {
		progressed := false
		for _, c := range cats {
			if done[c.name] {
				continue
			}
			ready := true
			for a := range after[c.name] {
				if !done[a] {
					ready = false
					break
				}
			}
			if ready {
				done[c.name] = true
				g.order = append(g.order, c.name)
				progressed = true
			}
		}
		if !progressed {
			var left []string
			for _, c := range cats {
				if !done[c.name] {
					left = append(left, c.name)
				}
			}
			return nil, fmt.Errorf("reference cycle among categories %v", left)
		}
	}
	// Derived-only tables are emptied before anything they point to.
	for _, t := range derivedTables {
		g.tables = append(g.tables, t.name)
	}
	for _, name := range g.order {
		for _, t := range g.byName[name].tables {
			if !t.members {
				g.tables = append(g.tables, t.name)
			}
		}
	}
	return g, nil
}

// step is one set-based delete of a selective delete's plan: the rows of table matching cond (on
// top of organization_id), counted to category.
type step struct {
	category string
	table    string
	cond     string // "" for every row
	members  bool   // memberships: all but the caller's and the owner's
	derived  string // the column of a derived-rows step: its rows point into category through it
}

// plan lists the deletes that empty the categories of set, in an order that deletes referencing
// rows before the rows they reference. Each row matches one step only: a derived row pointing into
// two chosen categories goes with the first in the order, and the later step excludes it by its
// condition, so the steps can be counted without running them (a dry run) and count exactly what
// running them deletes.
func (g *graph) plan(set map[string]bool) []step {
	var out []step
	taken := map[string][]string{} // per derived table, the columns of the steps already planned
	for _, name := range g.order {
		if !set[name] {
			continue
		}
		for _, c := range g.cascades {
			if c.to != name || (c.owner != "" && set[c.owner]) {
				continue // an owner being deleted too was emptied earlier: it comes first in the order
			}
			cond := c.column + " IS NOT NULL"
			for _, col := range taken[c.table] {
				cond += " AND " + col + " IS NULL"
			}
			taken[c.table] = append(taken[c.table], c.column)
			out = append(out, step{category: name, table: c.table, cond: cond, derived: c.column})
		}
		for _, t := range g.byName[name].tables {
			out = append(out, step{category: name, table: t.name, members: t.members})
		}
	}
	return out
}

// Blocker is a kept category whose rows point to rows of a category chosen for deletion.
type Blocker struct {
	Category string // the kept category holding the rows
	Blocks   string // the chosen category they point to
	Rows     int64
}

// DependencyError refuses a selective delete that would leave kept rows pointing at deleted
// ones. It is a store.ErrConflict.
type DependencyError struct{ Blockers []Blocker }

func (e *DependencyError) Error() string {
	parts := make([]string, len(e.Blockers))
	for i, b := range e.Blockers {
		parts[i] = fmt.Sprintf("%d %s rows point to %s", b.Rows, b.Category, b.Blocks)
	}
	return "kept data depends on data chosen for deletion: " + strings.Join(parts, "; ")
}

// Unwrap makes the error a store.ErrConflict.
func (e *DependencyError) Unwrap() error { return store.ErrConflict }

// checkChoice validates category names and returns them as a set.
func (g *graph) checkChoice(names []string) (map[string]bool, error) {
	set := map[string]bool{}
	for _, n := range names {
		if _, ok := g.byName[n]; !ok {
			return nil, fmt.Errorf("unknown category %q", n)
		}
		set[n] = true
	}
	return set, nil
}

// resolve decides what a request deletes. count returns how many rows of each edge's table block
// (point to its target). Without force any blocker refuses the request with every blocker of the
// chosen set; with force the blocking categories are deleted too, repeatedly, until nothing kept
// points into the set. It returns the categories to delete and, of those, the ones force added.
// It asks count once per round, for every edge from a kept into a deleted category, never per row.
func (g *graph) resolve(chosen map[string]bool, force bool, count func([]edge) ([]int64, error)) (set, forced map[string]bool, err error) {
	set = map[string]bool{}
	for n := range chosen {
		set[n] = true
	}
	forced = map[string]bool{}
	for {
		var edges []edge
		for _, e := range g.edges {
			if !set[e.from] && set[e.to] {
				edges = append(edges, e)
			}
		}
		var counts []int64
		if len(edges) > 0 {
			if counts, err = count(edges); err != nil {
				return nil, nil, err
			}
		}
		rows := map[[2]string]int64{}
		var keys [][2]string
		for i, e := range edges {
			n := counts[i]
			if n == 0 {
				continue
			}
			k := [2]string{e.from, e.to}
			if _, seen := rows[k]; !seen {
				keys = append(keys, k)
			}
			rows[k] += n
		}
		if len(keys) == 0 {
			return set, forced, nil
		}
		if !force {
			blockers := make([]Blocker, len(keys))
			for i, k := range keys {
				blockers[i] = Blocker{Category: k[0], Blocks: k[1], Rows: rows[k]}
			}
			sort.SliceStable(blockers, func(i, j int) bool {
				if blockers[i].Blocks != blockers[j].Blocks {
					return blockers[i].Blocks < blockers[j].Blocks
				}
				return blockers[i].Category < blockers[j].Category
			})
			return nil, nil, &DependencyError{Blockers: blockers}
		}
		for _, k := range keys {
			set[k[0]] = true
			forced[k[0]] = true
		}
	}
}

// dependencyTable renders the dependency graph as the Markdown table of the spec's
// DeleteSelectiveData description; a test keeps the two equal.
func dependencyTable() string {
	var b strings.Builder
	b.WriteString("| category | tables (deleted in this order) | blocked by (kept category: column) | also deletes (derived rows) |\n")
	b.WriteString("|---|---|---|---|\n")
	for _, c := range categories {
		var tables []string
		for _, t := range c.tables {
			name := t.name
			if t.members {
				name = "memberships (not the caller's or owner's)"
			}
			tables = append(tables, "`"+name+"`")
		}
		if c.settings {
			tables = []string{"resets `settings` of the organization"}
		}
		var blockedBy []string
		for _, e := range deps.edges {
			if e.to == c.name {
				blockedBy = append(blockedBy, fmt.Sprintf("%s: `%s.%s`", e.from, e.table, strings.Join(e.columns, "`/`")))
			}
		}
		var alsoDeletes []string
		for _, cs := range deps.cascades {
			if cs.to == c.name {
				alsoDeletes = append(alsoDeletes, fmt.Sprintf("`%s` where `%s` is set", cs.table, cs.column))
			}
		}
		slices.Sort(blockedBy)
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", c.name, strings.Join(tables, ", "), orDash(blockedBy), orDash(alsoDeletes))
	}
	return b.String()
}

func orDash(xs []string) string {
	if len(xs) == 0 {
		return "-"
	}
	return strings.Join(xs, "; ")
}
