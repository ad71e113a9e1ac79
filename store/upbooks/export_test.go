package upbooks

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// Test-only access to Upbooks internals for the store_test suites and benchmarks.

// Exec runs raw SQL, e.g. to install a failure-injecting trigger.
func (s *Store) Exec(ctx context.Context, sql string, args ...any) error {
	return s.db.Gorm(ctx).Exec(sql, args...).Error
}

// RefInfo is a declared reference.
type RefInfo struct {
	Column, Category string
	Derived          bool
}

// TableInfo is a declared table; Category is "" for the vendor ledger.
type TableInfo struct {
	Name, Category string
	Members        bool
	Refs           []RefInfo
}

// Tables lists every declared table in delete order, memberships last.
func Tables() []TableInfo {
	info := func(cat string, t tableDef) TableInfo {
		ti := TableInfo{Name: t.name, Category: cat, Members: t.members}
		for _, r := range t.refs {
			ti.Refs = append(ti.Refs, RefInfo{Column: r.column, Category: r.category, Derived: r.derived})
		}
		return ti
	}
	var out []TableInfo
	for _, t := range derivedTables {
		out = append(out, info("", t))
	}
	var members TableInfo
	for _, name := range deps.order {
		for _, t := range deps.byName[name].tables {
			if t.members {
				members = info(name, t)
				continue
			}
			out = append(out, info(name, t))
		}
	}
	return append(out, members)
}

// Rows returns every row of orgID in every declared table (memberships included), each as
// a column map, ordered by id.
func (s *Store) Rows(ctx context.Context, orgID string) (map[string][]map[string]any, error) {
	out := map[string][]map[string]any{}
	for _, t := range Tables() {
		order := "id"
		if t.Members {
			order = "user_id"
		}
		var rows []map[string]any
		if err := s.db.Gorm(ctx).Table(t.Name).Where("organization_id = ?", orgID).Order(order).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("read %s: %w", t.Name, err)
		}
		out[t.Name] = rows
	}
	var org []map[string]any
	if err := s.db.Gorm(ctx).Table("organizations").Where("id = ?", orgID).Find(&org).Error; err != nil {
		return nil, err
	}
	out["organizations"] = org
	return out, nil
}

// RawDelete deletes every Upbooks row of orgID with one plain DELETE per table, children
// first, in one transaction: the baseline the benchmark compares the selective delete with.
func (s *Store) RawDelete(ctx context.Context, orgID string) error {
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		for _, t := range deps.tables {
			if err := tx.Exec(deleteAllSQL(t), orgID).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// DropOrganizationIndexes drops the index on organization_id alone from every tenant table
// (migration 12): the benchmark's schema without it.
func (s *Store) DropOrganizationIndexes(ctx context.Context) error {
	for _, t := range deps.tables {
		if err := s.Exec(ctx, "DROP INDEX idx_"+t+"_organization_id"); err != nil {
			return err
		}
	}
	return nil
}

// SetRowsAside copies every tenant table's rows into a plain table (aside_<table>, no key, no
// index) and empties the tenant tables, for InsertRowsSetAside.
func (s *Store) SetRowsAside(ctx context.Context) error {
	for _, t := range deps.tables {
		if err := s.Exec(ctx, "CREATE TABLE aside_"+t+" AS SELECT * FROM "+t); err != nil {
			return err
		}
	}
	if s.db.DialectName() == "sqlite" {
		for _, t := range deps.tables {
			if err := s.Exec(ctx, "DELETE FROM "+t); err != nil {
				return err
			}
		}
		return nil
	}
	return s.Exec(ctx, "TRUNCATE "+strings.Join(deps.tables, ", "))
}

// InsertRowsSetAside inserts the rows SetRowsAside kept back into their tables, parents first, in
// one transaction with the foreign keys checked: the write cost of the schema's indexes.
func (s *Store) InsertRowsSetAside(ctx context.Context) error {
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		for _, t := range slices.Backward(deps.tables) {
			if err := tx.Exec("INSERT INTO " + t + " SELECT * FROM aside_" + t).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// DropForeignKeys removes the foreign keys of every table (PostgreSQL) or turns them off on the
// store's one connection (SQLite): the floor of the delete benchmark.
func (s *Store) DropForeignKeys(ctx context.Context) error {
	if s.db.DialectName() == "sqlite" {
		sqlDB, err := s.db.SQL()
		if err != nil {
			return err
		}
		sqlDB.SetMaxOpenConns(1)
		return s.Exec(ctx, "PRAGMA foreign_keys = OFF")
	}
	keys, err := s.db.ForeignKeys(ctx)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := s.Exec(ctx, "ALTER TABLE "+k.Table+" DROP CONSTRAINT "+k.Name); err != nil {
			return err
		}
	}
	return nil
}

// WarmUp does what the store does once per process before its first delete (read the schema's
// foreign keys, ask what the connection may do), so a benchmark times the delete alone.
func (s *Store) WarmUp(ctx context.Context) error {
	if _, err := s.foreignKeys(ctx); err != nil {
		return err
	}
	return s.db.UncheckedTx(ctx, func(*gorm.DB, bool) error { return nil })
}

// Orphans runs the anti-join of every foreign key between tenant tables over orgID's rows and
// describes the keys some row breaks; n is how many keys it checked.
func (s *Store) Orphans(ctx context.Context, orgID string) (broken []string, n int, err error) {
	keys, err := s.foreignKeys(ctx)
	if err != nil {
		return nil, 0, err
	}
	for _, k := range keys {
		var rows int64
		if err := s.db.Gorm(ctx).Raw(store.OrphanCountSQL([]store.ForeignKey{k}, true), orgID).Scan(&rows).Error; err != nil {
			return nil, 0, err
		}
		if rows > 0 {
			broken = append(broken, fmt.Sprintf("%d rows of %s point at no row", rows, k))
		}
	}
	return broken, len(keys), nil
}

// CheckFigures recomputes, in Go from the remaining rows, every stored figure of orgID
// and returns the ones that differ.
func (s *Store) CheckFigures(ctx context.Context, orgID string) ([]string, error) {
	db := s.db.Gorm(ctx).Where("organization_id = ?", orgID)
	var bad []string
	sums := func(rows int, key func(i int) *string, val func(i int) decimal.Decimal) map[string]decimal.Decimal {
		m := map[string]decimal.Decimal{}
		for i := range rows {
			if k := key(i); k != nil {
				m[*k] = m[*k].Add(val(i))
			}
		}
		return m
	}
	check := func(what, id string, got store.Decimal, want decimal.Decimal) {
		if !got.Equal(want) {
			bad = append(bad, fmt.Sprintf("%s %s: stored %s, recomputed %s", what, id, got, want))
		}
	}
	var (
		invoices []ubInvoice
		allocs   []ubPaymentAllocation
		cns      []ubCreditNote
		expenses []ubExpense
		oallocs  []ubOutwardPaymentAllocation
		dns      []ubDebitNote
		clients  []ubClient
		cl       []ubClientLedger
		vendors  []ubVendor
		vl       []ubVendorLedger
		accounts []ubAccount
		al       []ubAccountLedger
		products []ubProduct
		il       []ubInventoryLedger
	)
	for _, dst := range []any{&invoices, &allocs, &cns, &expenses, &oallocs, &dns, &clients, &cl, &vendors, &vl, &accounts, &al, &products, &il} {
		if err := db.Session(&gorm.Session{}).Find(dst).Error; err != nil {
			return nil, err
		}
	}
	paid := sums(len(allocs), func(i int) *string { return &allocs[i].InvoiceID }, func(i int) decimal.Decimal { return allocs[i].Amount.Decimal })
	credited := sums(len(cns), func(i int) *string { return cns[i].InvoiceID }, func(i int) decimal.Decimal { return cns[i].Total.Decimal })
	for _, x := range invoices {
		check("invoice amountPaid", x.ID, x.AmountPaid, paid[x.ID])
		check("invoice amountCredited", x.ID, x.AmountCredited, credited[x.ID])
		check("invoice outstanding", x.ID, x.Outstanding, x.Total.Sub(paid[x.ID]).Sub(credited[x.ID]))
	}
	opaid := sums(len(oallocs), func(i int) *string { return &oallocs[i].ExpenseID }, func(i int) decimal.Decimal { return oallocs[i].Amount.Decimal })
	debited := sums(len(dns), func(i int) *string { return dns[i].ExpenseID }, func(i int) decimal.Decimal { return dns[i].Total.Decimal })
	for _, x := range expenses {
		check("expense amountPaid", x.ID, x.AmountPaid, opaid[x.ID])
		check("expense outstanding", x.ID, x.Outstanding, x.Total.Sub(opaid[x.ID]).Sub(debited[x.ID]))
	}
	cbal := sums(len(cl), func(i int) *string { return &cl[i].ClientID }, func(i int) decimal.Decimal { return cl[i].Debit.Sub(cl[i].Credit.Decimal) })
	for _, x := range clients {
		check("client balance", x.ID, x.Balance, cbal[x.ID])
	}
	vbal := sums(len(vl), func(i int) *string { return &vl[i].VendorID }, func(i int) decimal.Decimal { return vl[i].Credit.Sub(vl[i].Debit.Decimal) })
	for _, x := range vendors {
		check("vendor balance", x.ID, x.Balance, vbal[x.ID])
	}
	abal := sums(len(al), func(i int) *string { return &al[i].AccountID }, func(i int) decimal.Decimal { return al[i].Debit.Sub(al[i].Credit.Decimal) })
	for _, x := range accounts {
		check("account balance", x.ID, x.Balance, abal[x.ID])
	}
	stock := sums(len(il), func(i int) *string { return &il[i].ProductID }, func(i int) decimal.Decimal { return il[i].Quantity.Decimal })
	for _, x := range products {
		check("product stock", x.ID, x.StockOnHand, stock[x.ID])
	}
	return bad, nil
}

// DryRunCounts are the two statements a dry run of every category counts with (side by side on
// PostgreSQL), each with its arguments (the caller and the owner are the members kept) and how many
// columns it returns: the benchmark runs them bare, as the floor of counting.
func DryRunCounts(orgID, userID, ownerID string) (queries [2]string, args [2][]any, columns [2]int) {
	set := map[string]bool{}
	for _, c := range categories {
		set[c.name] = true
	}
	for i, c := range countPlan(set, orgID, []string{userID, ownerID}) {
		queries[i], args[i], columns[i] = c.query, c.args, len(c.names)
	}
	return queries, args, columns
}

// RecomputeFigures recomputes every stored figure of orgID in one transaction.
func (s *Store) RecomputeFigures(ctx context.Context, orgID string) error {
	return s.db.Tx(ctx, func(tx *gorm.DB) error { return s.recompute(tx, orgID, nil, nil) })
}

// ExplainFigures runs explain (EXPLAIN, or SQLite's EXPLAIN QUERY PLAN) on every statement that
// recomputes a stored figure over orgID's rows, in one transaction under the settings recompute
// runs them with (figurePlanning), and returns each statement's plan, a line per row.
func (s *Store) ExplainFigures(ctx context.Context, orgID, explain string) (map[string]string, error) {
	plans := map[string]string{}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		return s.figurePlanning(tx, func() error {
			for _, qs := range s.q.figures {
				for _, q := range qs {
					plan, err := planLines(tx, explain+q, map[string]any{"org": orgID})
					if err != nil {
						return fmt.Errorf("explain %s: %w", q, err)
					}
					plans[q] = plan
				}
			}
			return nil
		})
	})
	return plans, err
}

// planLines is the last column of every row query returns (a plan's text), one line per row.
func planLines(tx *gorm.DB, query string, vars ...any) (string, error) {
	rows, err := tx.Raw(query, vars...).Rows()
	if err != nil {
		return "", err
	}
	all, err := storetest.ScanAll(rows)
	var lines []string
	for _, vals := range all {
		switch v := vals[len(vals)-1].(type) {
		case string:
			lines = append(lines, v)
		case []byte:
			lines = append(lines, string(v))
		}
	}
	return strings.Join(lines, "\n"), err
}
