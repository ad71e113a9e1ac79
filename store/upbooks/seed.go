package upbooks

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/identity"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Seed fills an organization with a consistent Indian SME's books: masters (taxes, accounts,
// branches...), then clients, invoices with lines, payments allocated to invoices, credit notes,
// vendors, expenses, outward payments, debit notes, HR, CRM and housekeeping rows, each posting its
// client, vendor and account ledger lines; balances are then computed by the same statements a
// selective delete recomputes them with. Rows are written in one transaction, in batches.
//
// The data grows in "units" (a client with its share of everything else); the unit count is
// chosen so the total is close to rows, and writing stops at rows, always after the parents of
// whatever was written, so a small seed is a consistent prefix of a large one.
func (s *Store) Seed(ctx context.Context, ids *identity.Store, orgID string, rows int, progress func(done int)) error {
	if progress == nil {
		progress = func(int) {}
	}
	if rows < 1 {
		return fmt.Errorf("rows must be positive")
	}
	var org identity.Organization
	if err := s.db.Gorm(ctx).Where("id = ?", orgID).Take(&org).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("organization %s: %w", orgID, store.ErrNotFound)
		}
		return err
	}
	a, b := seedSizes()
	units := 1
	if per := float64(b-a) / 100; rows > a {
		units = 1 + int(float64(rows-a)/per+0.5)
	}
	// Members are users, shared by all organizations: made before the seed's transaction, which on
	// SQLite holds the only write lock.
	members, err := s.seedMembers(ctx, ids, org)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		w := &seedWriter{tx: tx, budget: rows, batch: 1000, progress: progress}
		if err := generate(w, orgID, units, members); err != nil {
			return err
		}
		// Statistics of tables just filled are stale; the planner would otherwise pick nested
		// loops for the balance computation. ANALYZE inside the transaction sees its rows. Small
		// seeds (tests) skip it: any plan is fast on a few thousand rows, and ANALYZE of every
		// table costs more than the seed itself.
		if s.q.analyze != "" && rows >= analyzeAbove {
			if err := tx.Exec(s.q.analyze).Error; err != nil {
				return fmt.Errorf("analyze: %w", err)
			}
		}
		return s.recompute(tx, orgID, nil)
	})
}

// analyzeAbove is the seed size from which Seed refreshes the planner's statistics.
const analyzeAbove = 20_000

// seedSizes are the rows one unit and 101 units make: rows as a function of units is close to
// linear. They depend on nothing else, so two dry runs measure them once per process.
var seedSizes = sync.OnceValues(func() (int, int) {
	size := func(units int) int {
		w := &seedWriter{budget: 1 << 62}
		_ = generate(w, "", units, nil)
		return w.done
	}
	return size(1), size(101)
})

// seedMembers makes two users members (one admin, one member) of org, reusing them on re-seeds.
func (s *Store) seedMembers(ctx context.Context, ids *identity.Store, org identity.Organization) ([]identity.Membership, error) {
	var out []identity.Membership
	for i, role := range []identity.Role{identity.RoleAdmin, identity.RoleMember} {
		email := fmt.Sprintf("seed-%s-%d@example.com", org.ID, i+1)
		u, err := ids.CreateUser(ctx, identity.NewUser{Email: email, Name: fmt.Sprintf("Seeded %s %d", role, i+1), Password: store.NewObjectID()})
		if errors.Is(err, store.ErrConflict) {
			err = s.db.Gorm(ctx).Where("email = ?", email).Take(&u).Error
		}
		if err != nil {
			return nil, fmt.Errorf("seed member: %w", err)
		}
		out = append(out, identity.Membership{OrganizationID: org.ID, UserID: u.ID, Role: role, CreatedAt: s.db.Now()})
	}
	return out, nil
}

// seedWriter writes rows in batches until its budget is spent; without tx it only counts.
type seedWriter struct {
	tx       *gorm.DB
	budget   int
	done     int
	batch    int
	progress func(done int)
}

// writeRows writes as many of rows as the budget allows and returns those written.
func writeRows[T any](w *seedWriter, rows []T) ([]T, error) {
	n := min(len(rows), w.budget-w.done)
	if n <= 0 {
		return rows[:0], nil
	}
	rows = rows[:n]
	if w.tx == nil {
		w.done += n
		return rows, nil
	}
	for i := 0; i < n; i += w.batch {
		chunk := rows[i:min(i+w.batch, n)]
		if err := w.tx.Omit(clause.Associations).Create(&chunk).Error; err != nil {
			return nil, fmt.Errorf("seed %T: %w", rows[0], err)
		}
		w.done += len(chunk)
		w.progress(w.done)
	}
	return rows, nil
}

func idsOf[T any](rows []T, id func(*T) string) []string {
	out := make([]string, len(rows))
	for i := range rows {
		out[i] = id(&rows[i])
	}
	return out
}

// generate writes units' worth of an organization's data through w, parents before children.
func generate(w *seedWriter, orgID string, units int, members []identity.Membership) (err error) {
	rnd := rand.New(rand.NewPCG(uint64(units), 42))
	start := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
	row := func(i int) Row {
		return Row{OrganizationID: orgID, ID: store.NewObjectID(), CreatedAt: start.Add(time.Duration(i) * time.Minute)}
	}
	day := func(i int) time.Time { return start.AddDate(0, 0, i%365) }
	money := func(minRupees, maxRupees int) store.Decimal {
		return store.NewDecimal(decimal.New(int64(minRupees*100+rnd.IntN((maxRupees-minRupees)*100)), -2))
	}
	half := func(d store.Decimal) store.Decimal { return store.NewDecimal(d.Div(decimal.NewFromInt(2)).Round(2)) }
	tenth := func(d store.Decimal) store.Decimal { return store.NewDecimal(d.Div(decimal.NewFromInt(10)).Round(2)) }
	pick := func(ids []string, i int) string { return ids[i%len(ids)] }
	opt := func(ids []string, i int) *string {
		if len(ids) == 0 {
			return nil
		}
		v := ids[i%len(ids)]
		return &v
	}
	zero := store.Decimal{}
	everyOther := func(id *string, i int) *string {
		if i%2 == 0 {
			return id
		}
		return nil
	}
	put := func(f func() error) {
		if err == nil {
			err = f()
		}
	}
	scale := func(per, div int) int { return units*per/div + 1 }
	var (
		taxes, discounts, expCats, branches, warehouses, accounts, bankAccounts     []string
		prodCats, brands, products, services, items, clients, vendors, leads, deals []string
		proposals, orders, projects, recInvoices, employees, salaryComps, policies  []string
		purchaseOrders, recExpenses, payrollIDs, subscriptions, imports, backups    []string
		invoices                                                                    []ubInvoice
		payments                                                                    []ubPayment
		creditNotes                                                                 []ubCreditNote
		expenses                                                                    []ubExpense
		outPayments                                                                 []ubOutwardPayment
		debitNotes                                                                  []ubDebitNote
		transfers                                                                   []ubAccountTransfer
		payrolls                                                                    []ubPayroll
	)
	line := func(i int) (store.Decimal, store.Decimal, store.Decimal, store.Decimal) { // quantity, rate, tax, amount
		q := store.DecimalFromInt(int64(1 + rnd.IntN(10)))
		r := money(100, 5000)
		net := q.Mul(r.Decimal)
		tax := store.NewDecimal(net.Mul(decimal.NewFromInt(18)).Div(decimal.NewFromInt(100)).Round(2))
		return q, r, tax, store.NewDecimal(net.Add(tax.Decimal))
	}

	// Masters.
	put(func() error {
		rows := []ubTax{}
		for i, r := range []int64{0, 5, 12, 18, 28} {
			rows = append(rows, ubTax{Row: row(i), Name: fmt.Sprintf("GST %d%%", r), Rate: store.DecimalFromInt(r), Kind: "GST"})
		}
		rows, err := writeRows(w, rows)
		taxes = idsOf(rows, func(r *ubTax) string { return r.ID })
		return err
	})
	put(func() error {
		rows := []ubDiscount{}
		for i, p := range []int64{5, 10, 15} {
			rows = append(rows, ubDiscount{Row: row(i), Name: fmt.Sprintf("Trade %d%%", p), Percent: store.DecimalFromInt(p)})
		}
		rows, err := writeRows(w, rows)
		discounts = idsOf(rows, func(r *ubDiscount) string { return r.ID })
		return err
	})
	put(func() error {
		rows := []ubExpenseCategory{}
		for i, n := range []string{"Rent", "Travel", "Office Supplies", "Utilities", "Professional Fees", "Meals"} {
			rows = append(rows, ubExpenseCategory{Row: row(i), Name: n})
		}
		rows, err := writeRows(w, rows)
		expCats = idsOf(rows, func(r *ubExpenseCategory) string { return r.ID })
		return err
	})
	put(func() error {
		rows := []ubBranch{{Row: row(0), Name: "Head Office", City: "Mumbai", GSTIN: "27AAPFU0939F1ZV"}, {Row: row(1), Name: "Pune Branch", City: "Pune", GSTIN: "27AAPFU0939F2ZU"}}
		rows, err := writeRows(w, rows)
		branches = idsOf(rows, func(r *ubBranch) string { return r.ID })
		return err
	})
	put(func() error {
		rows := []ubWarehouse{}
		for i, n := range []string{"Bhiwandi", "Hadapsar", "Andheri"} {
			rows = append(rows, ubWarehouse{Row: row(i), Name: n, BranchID: opt(branches, i)})
		}
		rows, err := writeRows(w, rows)
		warehouses = idsOf(rows, func(r *ubWarehouse) string { return r.ID })
		return err
	})
	put(func() error {
		rows := []ubAccount{}
		for i, a := range [][2]string{{"Cash in Hand", "cash"}, {"HDFC Current Account", "bank"}, {"ICICI Savings Account", "bank"}, {"Sales", "income"}, {"Purchases", "expense"}, {"Salaries", "expense"}, {"GST Payable", "liability"}, {"Petty Cash", "cash"}} {
			rows = append(rows, ubAccount{Row: row(i), Name: a[0], Kind: a[1]})
		}
		rows, err := writeRows(w, rows)
		accounts = idsOf(rows, func(r *ubAccount) string { return r.ID })
		return err
	})
	// Postings need the bank, sales, purchases and salaries accounts: without them (a tiny seed)
	// nothing that posts is written.
	posting := func() bool { return len(accounts) >= 6 }
	put(func() error {
		if !posting() {
			return nil
		}
		rows := []ubBankAccount{
			{Row: row(0), BankName: "HDFC Bank", AccountNumber: "50200012345678", IFSC: "HDFC0000123", AccountID: accounts[1]},
			{Row: row(1), BankName: "ICICI Bank", AccountNumber: "000401234567", IFSC: "ICIC0000004", AccountID: accounts[2]},
		}
		rows, err := writeRows(w, rows)
		bankAccounts = idsOf(rows, func(r *ubBankAccount) string { return r.ID })
		return err
	})
	put(func() error {
		rows := []ubProductCategory{}
		for i, n := range []string{"Electronics", "Stationery", "Hardware", "Packaging"} {
			rows = append(rows, ubProductCategory{Row: row(i), Name: n})
		}
		rows, err := writeRows(w, rows)
		prodCats = idsOf(rows, func(r *ubProductCategory) string { return r.ID })
		return err
	})
	put(func() error {
		rows := []ubBrand{}
		for i, n := range []string{"Havells", "Camlin", "Tata", "Godrej"} {
			rows = append(rows, ubBrand{Row: row(i), Name: n})
		}
		rows, err := writeRows(w, rows)
		brands = idsOf(rows, func(r *ubBrand) string { return r.ID })
		return err
	})
	put(func() error {
		rows := []ubLeavePolicy{{Row: row(0), Name: "Casual Leave", DaysPerYear: 12}, {Row: row(1), Name: "Sick Leave", DaysPerYear: 7}, {Row: row(2), Name: "Earned Leave", DaysPerYear: 15}}
		rows, err := writeRows(w, rows)
		policies = idsOf(rows, func(r *ubLeavePolicy) string { return r.ID })
		return err
	})
	put(func() error {
		rows := []ubSalaryComponent{}
		for i, c := range [][2]string{{"Basic", "earning"}, {"HRA", "earning"}, {"Special Allowance", "earning"}, {"Provident Fund", "deduction"}, {"Professional Tax", "deduction"}} {
			rows = append(rows, ubSalaryComponent{Row: row(i), Name: c[0], Kind: c[1]})
		}
		rows, err := writeRows(w, rows)
		salaryComps = idsOf(rows, func(r *ubSalaryComponent) string { return r.ID })
		return err
	})
	put(func() error {
		subs := []ubPlatformSubscription{}
		for i := range scale(1, 100) {
			subs = append(subs, ubPlatformSubscription{Row: row(i), Plan: "Growth Annual", StartsOn: day(i), EndsOn: day(i).AddDate(1, 0, 0)})
		}
		subs, err := writeRows(w, subs)
		subscriptions = idsOf(subs, func(r *ubPlatformSubscription) string { return r.ID })
		if err != nil {
			return err
		}
		pays := []ubPlatformPayment{}
		for i := range 2 * len(subscriptions) {
			pays = append(pays, ubPlatformPayment{Row: row(i), SubscriptionID: pick(subscriptions, i), Amount: store.MustDecimal("11800.00"), Status: "paid"})
		}
		_, err = writeRows(w, pays)
		return err
	})

	// Catalogue.
	put(func() error {
		if len(taxes) == 0 {
			return nil
		}
		rows := []ubProduct{}
		for i := range scale(1, 2) {
			price := money(100, 5000)
			rows = append(rows, ubProduct{Row: row(i), Name: fmt.Sprintf("Product %d", i+1), SKU: fmt.Sprintf("SKU-%06d", i+1), HSN: "8471",
				SalePrice: price, PurchasePrice: tenth(store.NewDecimal(price.Mul(decimal.NewFromInt(7)))), ProductCategoryID: opt(prodCats, i), BrandID: opt(brands, i), TaxID: opt(taxes, 3)})
		}
		rows, err := writeRows(w, rows)
		products = idsOf(rows, func(r *ubProduct) string { return r.ID })
		return err
	})
	put(func() error {
		if len(warehouses) == 0 {
			return nil
		}
		rows := []ubInventoryLedger{}
		for i := range 2 * len(products) {
			q := int64(10 + rnd.IntN(90))
			reason := "opening stock"
			if i%2 == 1 {
				q, reason = -q/3, "sale"
			}
			rows = append(rows, ubInventoryLedger{Row: row(i), ProductID: products[i/2], WarehouseID: pick(warehouses, i), Quantity: store.DecimalFromInt(q), Reason: reason})
		}
		_, err := writeRows(w, rows)
		return err
	})
	put(func() error {
		rows := []ubService{}
		for i := range scale(1, 4) {
			rows = append(rows, ubService{Row: row(i), Name: fmt.Sprintf("Service %d", i+1), SAC: "998314", Rate: money(500, 20000), TaxID: opt(taxes, 3)})
		}
		rows, err := writeRows(w, rows)
		services = idsOf(rows, func(r *ubService) string { return r.ID })
		return err
	})
	put(func() error {
		rows := []ubItem{}
		for i, p := range products {
			rows = append(rows, ubItem{Row: row(i), Name: fmt.Sprintf("Product %d", i+1), Kind: "product", Rate: money(100, 5000), ProductID: &p, TaxID: opt(taxes, 3)})
		}
		for i, sv := range services {
			rows = append(rows, ubItem{Row: row(i), Name: fmt.Sprintf("Service %d", i+1), Kind: "service", Rate: money(500, 20000), ServiceID: &sv, TaxID: opt(taxes, 3)})
		}
		rows, err := writeRows(w, rows)
		items = idsOf(rows, func(r *ubItem) string { return r.ID })
		return err
	})

	// Parties.
	cities := [][3]string{{"Mumbai", "Maharashtra", "400069"}, {"Bengaluru", "Karnataka", "560001"}, {"Chennai", "Tamil Nadu", "600002"}, {"Ahmedabad", "Gujarat", "380009"}, {"Delhi", "Delhi", "110001"}}
	address := func(i int) Address {
		c := cities[i%len(cities)]
		return Address{Line1: fmt.Sprintf("%d, MG Road", 1+i%200), City: c[0], State: c[1], PinCode: c[2], Country: "IN"}
	}
	put(func() error {
		rows := []ubClient{}
		for i := range units {
			rows = append(rows, ubClient{Row: row(i), Name: fmt.Sprintf("Client %d Pvt Ltd", i+1), Email: fmt.Sprintf("accounts%d@client.example", i+1),
				Phone: fmt.Sprintf("98%08d", i), GSTIN: fmt.Sprintf("27AABCC%04dQ1Z%d", i%10000, i%10), BillingAddress: address(i), ShippingAddress: address(i + 1)})
		}
		rows, err := writeRows(w, rows)
		clients = idsOf(rows, func(r *ubClient) string { return r.ID })
		return err
	})
	put(func() error {
		rows := []ubVendor{}
		for i := range scale(1, 2) {
			rows = append(rows, ubVendor{Row: row(i), Name: fmt.Sprintf("Vendor %d Traders", i+1), Email: fmt.Sprintf("sales%d@vendor.example", i+1),
				Phone: fmt.Sprintf("97%08d", i), GSTIN: fmt.Sprintf("27AABCV%04dQ1Z%d", i%10000, i%10), Address: address(i + 2)})
		}
		rows, err := writeRows(w, rows)
		vendors = idsOf(rows, func(r *ubVendor) string { return r.ID })
		return err
	})
	put(func() error {
		rows := []ubLead{}
		for i := range scale(1, 2) {
			rows = append(rows, ubLead{Row: row(i), Name: fmt.Sprintf("Lead %d", i+1), Source: []string{"website", "referral", "indiamart", "walk-in"}[i%4], Status: "open"})
		}
		rows, err := writeRows(w, rows)
		leads = idsOf(rows, func(r *ubLead) string { return r.ID })
		return err
	})
	put(func() error {
		acts := []ubLeadActivity{}
		for i := range 2 * len(leads) {
			acts = append(acts, ubLeadActivity{Row: row(i), LeadID: leads[i/2], Kind: []string{"call", "meeting"}[i%2], Note: "Discussed requirements"})
		}
		if _, err := writeRows(w, acts); err != nil {
			return err
		}
		ds := []ubDeal{}
		for i := 0; i < len(leads); i += 2 {
			ds = append(ds, ubDeal{Row: row(i), Title: fmt.Sprintf("Deal %d", i/2+1), Value: money(10000, 500000), Stage: "proposal", LeadID: &leads[i], ClientID: opt(clients, i)})
		}
		ds, err := writeRows(w, ds)
		deals = idsOf(ds, func(r *ubDeal) string { return r.ID })
		if err != nil {
			return err
		}
		enq := []ubEnquiry{}
		for i := 1; i < len(leads); i += 2 {
			enq = append(enq, ubEnquiry{Row: row(i), Name: fmt.Sprintf("Enquiry %d", i/2+1), Message: "Please share a quotation", LeadID: &leads[i]})
		}
		_, err = writeRows(w, enq)
		return err
	})

	// Sales documents.
	put(func() error {
		if len(clients) == 0 {
			return nil
		}
		rows := []ubProposal{}
		for i := range scale(1, 2) {
			rows = append(rows, ubProposal{Row: row(i), Number: fmt.Sprintf("PRO-%05d", i+1), ClientID: opt(clients, i), DealID: opt(deals, i)})
		}
		lines := []ubProposalItem{}
		for i := range rows {
			for j := range 2 {
				q, r, tax, amt := line(j)
				lines = append(lines, ubProposalItem{Row: row(i), ProposalID: rows[i].ID, ItemID: opt(items, i+j), Description: "Quoted item", Quantity: q, Rate: r, TaxID: opt(taxes, 3), TaxAmount: tax, DiscountID: opt(discounts, i), Amount: amt})
				rows[i].Total = store.NewDecimal(rows[i].Total.Add(amt.Decimal))
			}
		}
		rows, err := writeRows(w, rows)
		proposals = idsOf(rows, func(r *ubProposal) string { return r.ID })
		if err != nil {
			return err
		}
		_, err = writeRows(w, lines[:min(len(lines), 2*len(rows))])
		return err
	})
	put(func() error {
		if len(clients) == 0 {
			return nil
		}
		rows := []ubOrder{}
		for i := range scale(1, 2) {
			rows = append(rows, ubOrder{Row: row(i), Number: fmt.Sprintf("SO-%05d", i+1), ClientID: pick(clients, i), ProposalID: opt(proposals, i), WarehouseID: opt(warehouses, i)})
		}
		lines := []ubOrderItem{}
		for i := range rows {
			for j := range 2 {
				q, r, tax, amt := line(j)
				lines = append(lines, ubOrderItem{Row: row(i), OrderID: rows[i].ID, ItemID: opt(items, i+j), Description: "Ordered item", Quantity: q, Rate: r, TaxID: opt(taxes, 3), TaxAmount: tax, DiscountID: opt(discounts, i), Amount: amt})
				rows[i].Total = store.NewDecimal(rows[i].Total.Add(amt.Decimal))
			}
		}
		rows, err := writeRows(w, rows)
		orders = idsOf(rows, func(r *ubOrder) string { return r.ID })
		if err != nil {
			return err
		}
		_, err = writeRows(w, lines[:min(len(lines), 2*len(rows))])
		return err
	})
	put(func() error {
		rows := []ubProject{}
		for i := range scale(1, 4) {
			rows = append(rows, ubProject{Row: row(i), Name: fmt.Sprintf("Project %d", i+1), ClientID: opt(clients, i), Budget: money(50000, 1000000), Status: "active"})
		}
		rows, err := writeRows(w, rows)
		projects = idsOf(rows, func(r *ubProject) string { return r.ID })
		if err != nil {
			return err
		}
		tasks := []ubTask{}
		for i := range 3 * len(projects) {
			tasks = append(tasks, ubTask{Row: row(i), Number: fmt.Sprintf("T-%05d", i+1), Title: fmt.Sprintf("Task %d", i+1), Priority: []string{"low", "medium", "high"}[i%3], ProjectID: &projects[i/3]})
		}
		_, err = writeRows(w, tasks)
		return err
	})
	put(func() error {
		if len(clients) == 0 {
			return nil
		}
		rows := []ubRecurringInvoice{}
		for i := range scale(1, 10) {
			rows = append(rows, ubRecurringInvoice{Row: row(i), ClientID: pick(clients, i), Frequency: "monthly", NextDue: day(i + 30), Amount: money(1000, 50000)})
		}
		rows, err := writeRows(w, rows)
		recInvoices = idsOf(rows, func(r *ubRecurringInvoice) string { return r.ID })
		return err
	})
	put(func() error {
		if len(clients) == 0 || !posting() {
			return nil
		}
		rows := []ubInvoice{}
		lines := []ubInvoiceItem{}
		for i := range 3 * units {
			inv := ubInvoice{Row: row(i), Number: fmt.Sprintf("INV-%06d", i+1), IssueDate: day(i), ClientID: pick(clients, i), BranchID: opt(branches, i)}
			if i%3 == 0 {
				inv.OrderID = opt(orders, i/3)
			}
			if i%7 == 0 {
				inv.ProjectID = opt(projects, i/7)
			}
			if i%10 == 0 {
				inv.RecurringInvoiceID = opt(recInvoices, i/10)
			}
			for j := range 2 {
				q, r, tax, amt := line(j)
				lines = append(lines, ubInvoiceItem{Row: row(i), InvoiceID: inv.ID, ItemID: opt(items, i+j), Description: "Goods/services", Quantity: q, Rate: r, TaxID: opt(taxes, 3), TaxAmount: tax, DiscountID: everyOther(opt(discounts, i), i), Amount: amt})
				inv.SubTotal = store.NewDecimal(inv.SubTotal.Add(amt.Sub(tax.Decimal)))
				inv.TaxTotal = store.NewDecimal(inv.TaxTotal.Add(tax.Decimal))
				inv.Total = store.NewDecimal(inv.Total.Add(amt.Decimal))
			}
			rows = append(rows, inv)
		}
		rows, err := writeRows(w, rows)
		invoices = rows
		if err != nil {
			return err
		}
		if _, err := writeRows(w, lines[:min(len(lines), 2*len(rows))]); err != nil {
			return err
		}
		cl, al := []ubClientLedger{}, []ubAccountLedger{}
		for i := range invoices {
			inv := &invoices[i]
			cl = append(cl, ubClientLedger{Row: row(i), ClientID: inv.ClientID, InvoiceID: &inv.ID, PostedOn: inv.IssueDate, Debit: inv.Total, Credit: zero, Narration: "Invoice " + inv.Number})
			al = append(al, ubAccountLedger{Row: row(i), AccountID: accounts[3], InvoiceID: &inv.ID, PostedOn: inv.IssueDate, Debit: zero, Credit: inv.Total, Narration: "Invoice " + inv.Number})
		}
		if _, err := writeRows(w, cl); err != nil {
			return err
		}
		_, err = writeRows(w, al)
		return err
	})
	put(func() error {
		rows, allocs := []ubPayment{}, []ubPaymentAllocation{}
		for i := range min(2*units, len(invoices)) {
			inv := &invoices[i]
			amt := half(inv.Total)
			p := ubPayment{Row: row(i), Number: fmt.Sprintf("PAY-%06d", i+1), PaidOn: day(i + 10), ClientID: inv.ClientID, AccountID: accounts[1+i%2], Amount: amt, Mode: []string{"NEFT", "UPI", "cheque"}[i%3]}
			rows = append(rows, p)
			allocs = append(allocs, ubPaymentAllocation{Row: row(i), PaymentID: p.ID, InvoiceID: inv.ID, Amount: amt})
		}
		rows, err := writeRows(w, rows)
		payments = rows
		if err != nil {
			return err
		}
		if _, err := writeRows(w, allocs[:len(rows)]); err != nil {
			return err
		}
		cl, al := []ubClientLedger{}, []ubAccountLedger{}
		for i := range payments {
			p := &payments[i]
			cl = append(cl, ubClientLedger{Row: row(i), ClientID: p.ClientID, PaymentID: &p.ID, PostedOn: p.PaidOn, Debit: zero, Credit: p.Amount, Narration: "Payment " + p.Number})
			al = append(al, ubAccountLedger{Row: row(i), AccountID: p.AccountID, PaymentID: &p.ID, PostedOn: p.PaidOn, Debit: p.Amount, Credit: zero, Narration: "Payment " + p.Number})
		}
		if _, err := writeRows(w, cl); err != nil {
			return err
		}
		_, err = writeRows(w, al)
		return err
	})
	put(func() error {
		rows := []ubSettlement{}
		for i := 0; i < len(payments); i += 4 {
			rows = append(rows, ubSettlement{Row: row(i), PaymentID: &payments[i].ID, BankAccountID: opt(bankAccounts, i), Amount: payments[i].Amount, Fee: store.MustDecimal("0.00")})
		}
		_, err := writeRows(w, rows)
		return err
	})
	put(func() error {
		rows, lines := []ubCreditNote{}, []ubCreditNoteItem{}
		// Credit notes go against the last invoices, which have no payments, so nothing is over-settled.
		for i := range min(scale(1, 2), len(invoices)/3) {
			inv := &invoices[len(invoices)-1-i]
			cn := ubCreditNote{Row: row(i), Number: fmt.Sprintf("CN-%05d", i+1), ClientID: inv.ClientID, InvoiceID: &inv.ID, Total: tenth(inv.Total)}
			rows = append(rows, cn)
			lines = append(lines, ubCreditNoteItem{Row: row(i), CreditNoteID: cn.ID, ItemID: opt(items, i), Description: "Rate difference", Quantity: store.DecimalFromInt(1), Rate: cn.Total, TaxID: opt(taxes, 0), TaxAmount: zero, DiscountID: opt(discounts, i), Amount: cn.Total})
		}
		rows, err := writeRows(w, rows)
		creditNotes = rows
		if err != nil {
			return err
		}
		if _, err := writeRows(w, lines[:len(rows)]); err != nil {
			return err
		}
		cl := []ubClientLedger{}
		for i := range creditNotes {
			cn := &creditNotes[i]
			cl = append(cl, ubClientLedger{Row: row(i), ClientID: cn.ClientID, CreditNoteID: &cn.ID, PostedOn: day(i + 20), Debit: zero, Credit: cn.Total, Narration: "Credit note " + cn.Number})
		}
		// A manual opening-balance adjustment per few clients: a statement line nothing else posted.
		for i := 0; i < len(clients); i += 5 {
			cl = append(cl, ubClientLedger{Row: row(i), ClientID: clients[i], PostedOn: start, Debit: money(100, 10000), Credit: zero, Narration: "Opening balance"})
		}
		_, err = writeRows(w, cl)
		return err
	})

	// Purchases.
	put(func() error {
		if len(vendors) == 0 {
			return nil
		}
		rows, lines := []ubPurchaseOrder{}, []ubPurchaseOrderItem{}
		for i := range scale(1, 4) {
			po := ubPurchaseOrder{Row: row(i), Number: fmt.Sprintf("PO-%05d", i+1), VendorID: pick(vendors, i), WarehouseID: opt(warehouses, i)}
			for j := range 2 {
				q, r, tax, amt := line(j)
				lines = append(lines, ubPurchaseOrderItem{Row: row(i), PurchaseOrderID: po.ID, ItemID: opt(items, i+j), Description: "Purchase item", Quantity: q, Rate: r, TaxID: opt(taxes, 3), TaxAmount: tax, DiscountID: opt(discounts, j), Amount: amt})
				po.Total = store.NewDecimal(po.Total.Add(amt.Decimal))
			}
			rows = append(rows, po)
		}
		rows, err := writeRows(w, rows)
		purchaseOrders = idsOf(rows, func(r *ubPurchaseOrder) string { return r.ID })
		if err != nil {
			return err
		}
		_, err = writeRows(w, lines[:min(len(lines), 2*len(rows))])
		return err
	})
	put(func() error {
		rows := []ubRecurringExpense{}
		for i := range scale(1, 10) {
			rows = append(rows, ubRecurringExpense{Row: row(i), VendorID: opt(vendors, i), ExpenseCategoryID: opt(expCats, 0), Frequency: "monthly", NextDue: day(i + 30), Amount: money(5000, 100000)})
		}
		rows, err := writeRows(w, rows)
		recExpenses = idsOf(rows, func(r *ubRecurringExpense) string { return r.ID })
		return err
	})
	put(func() error {
		if !posting() {
			return nil
		}
		rows := []ubExpense{}
		for i := range units {
			e := ubExpense{Row: row(i), Number: fmt.Sprintf("BILL-%06d", i+1), BillDate: day(i), ExpenseCategoryID: opt(expCats, i), TaxID: opt(taxes, 3), Total: money(500, 100000)}
			if i%10 != 9 { // one in ten is a vendor-less expense (petty cash)
				e.VendorID = opt(vendors, i)
			}
			if i%6 == 0 {
				e.ProjectID = opt(projects, i/6)
			}
			if i%4 == 0 {
				e.PurchaseOrderID = opt(purchaseOrders, i/4)
			}
			if i%10 == 0 {
				e.RecurringExpenseID = opt(recExpenses, i/10)
			}
			rows = append(rows, e)
		}
		rows, err := writeRows(w, rows)
		expenses = rows
		if err != nil {
			return err
		}
		vl, al := []ubVendorLedger{}, []ubAccountLedger{}
		for i := range expenses {
			e := &expenses[i]
			if e.VendorID != nil {
				vl = append(vl, ubVendorLedger{Row: row(i), VendorID: *e.VendorID, ExpenseID: &e.ID, PostedOn: e.BillDate, Debit: zero, Credit: e.Total})
			}
			al = append(al, ubAccountLedger{Row: row(i), AccountID: accounts[4], ExpenseID: &e.ID, PostedOn: e.BillDate, Debit: e.Total, Credit: zero, Narration: "Bill " + e.Number})
		}
		if _, err := writeRows(w, vl); err != nil {
			return err
		}
		_, err = writeRows(w, al)
		return err
	})
	put(func() error {
		rows, allocs := []ubOutwardPayment{}, []ubOutwardPaymentAllocation{}
		for i := 0; i < len(expenses) && len(rows) < scale(1, 2); i++ {
			e := &expenses[i]
			if e.VendorID == nil {
				continue
			}
			amt := half(e.Total)
			op := ubOutwardPayment{Row: row(i), Number: fmt.Sprintf("OP-%06d", len(rows)+1), PaidOn: day(i + 15), VendorID: *e.VendorID, AccountID: accounts[1+i%2], Amount: amt}
			rows = append(rows, op)
			allocs = append(allocs, ubOutwardPaymentAllocation{Row: row(i), OutwardPaymentID: op.ID, ExpenseID: e.ID, Amount: amt})
		}
		rows, err := writeRows(w, rows)
		outPayments = rows
		if err != nil {
			return err
		}
		if _, err := writeRows(w, allocs[:len(rows)]); err != nil {
			return err
		}
		vl, al := []ubVendorLedger{}, []ubAccountLedger{}
		for i := range outPayments {
			op := &outPayments[i]
			vl = append(vl, ubVendorLedger{Row: row(i), VendorID: op.VendorID, OutwardPaymentID: &op.ID, PostedOn: op.PaidOn, Debit: op.Amount, Credit: zero})
			al = append(al, ubAccountLedger{Row: row(i), AccountID: op.AccountID, OutwardPaymentID: &op.ID, PostedOn: op.PaidOn, Debit: zero, Credit: op.Amount, Narration: "Paid " + op.Number})
		}
		if _, err := writeRows(w, vl); err != nil {
			return err
		}
		_, err = writeRows(w, al)
		return err
	})
	put(func() error {
		rows, lines := []ubDebitNote{}, []ubDebitNoteItem{}
		// Debit notes go against the last vendor expenses, which the outward payments above did not pay.
		for i := len(expenses) - 1; i >= len(expenses)/2 && len(rows) < scale(1, 8); i-- {
			e := &expenses[i]
			if e.VendorID == nil {
				continue
			}
			dn := ubDebitNote{Row: row(i), Number: fmt.Sprintf("DN-%05d", len(rows)+1), VendorID: *e.VendorID, ExpenseID: &e.ID, Total: tenth(e.Total)}
			rows = append(rows, dn)
			lines = append(lines, ubDebitNoteItem{Row: row(i), DebitNoteID: dn.ID, ItemID: opt(items, i), Description: "Short supply", Quantity: store.DecimalFromInt(1), Rate: dn.Total, TaxID: opt(taxes, 0), TaxAmount: zero, DiscountID: opt(discounts, i), Amount: dn.Total})
		}
		rows, err := writeRows(w, rows)
		debitNotes = rows
		if err != nil {
			return err
		}
		if _, err := writeRows(w, lines[:len(rows)]); err != nil {
			return err
		}
		vl := []ubVendorLedger{}
		for i := range debitNotes {
			dn := &debitNotes[i]
			vl = append(vl, ubVendorLedger{Row: row(i), VendorID: dn.VendorID, DebitNoteID: &dn.ID, PostedOn: day(i + 25), Debit: dn.Total, Credit: zero})
		}
		_, err = writeRows(w, vl)
		return err
	})
	put(func() error {
		if !posting() {
			return nil
		}
		rows := []ubAccountTransfer{}
		for i := range scale(1, 4) {
			rows = append(rows, ubAccountTransfer{Row: row(i), FromAccountID: accounts[1], ToAccountID: accounts[[]int{0, 2, 7}[i%3]], Amount: money(1000, 50000), TransferredOn: day(i)})
		}
		rows, err := writeRows(w, rows)
		transfers = rows
		if err != nil {
			return err
		}
		al := []ubAccountLedger{}
		for i := range transfers {
			t := &transfers[i]
			al = append(al,
				ubAccountLedger{Row: row(i), AccountID: t.FromAccountID, TransferID: &t.ID, PostedOn: t.TransferredOn, Debit: zero, Credit: t.Amount, Narration: "Transfer out"},
				ubAccountLedger{Row: row(i), AccountID: t.ToAccountID, TransferID: &t.ID, PostedOn: t.TransferredOn, Debit: t.Amount, Credit: zero, Narration: "Transfer in"})
		}
		_, err = writeRows(w, al)
		return err
	})

	// People.
	put(func() error {
		rows := []ubEmployee{}
		for i := range scale(1, 4) {
			rows = append(rows, ubEmployee{Row: row(i), Name: fmt.Sprintf("Employee %d", i+1), Email: fmt.Sprintf("emp%d@example.com", i+1),
				PAN: fmt.Sprintf("ABCPE%04dK", i%10000), UAN: fmt.Sprintf("10%010d", i), BankAccountNumber: fmt.Sprintf("5020%010d", i), IFSC: "HDFC0000123", BranchID: opt(branches, i), JoinedOn: day(i)})
		}
		rows, err := writeRows(w, rows)
		employees = idsOf(rows, func(r *ubEmployee) string { return r.ID })
		if err != nil || len(salaryComps) < 4 {
			return err
		}
		esc := []ubEmployeeSalaryComponent{}
		for i, e := range employees {
			esc = append(esc, ubEmployeeSalaryComponent{Row: row(i), EmployeeID: e, SalaryComponentID: salaryComps[0], Amount: money(20000, 80000)},
				ubEmployeeSalaryComponent{Row: row(i), EmployeeID: e, SalaryComponentID: salaryComps[3], Amount: store.MustDecimal("1800.00")})
		}
		_, err = writeRows(w, esc)
		return err
	})
	put(func() error {
		if !posting() || len(employees) == 0 {
			return nil
		}
		n := scale(1, 20)
		rows := make([]ubPayroll, n)
		slips := []ubPayslip{}
		for i := range rows {
			rows[i] = ubPayroll{Row: row(i), Month: day(30 * i).Format("2006-01"), AccountID: accounts[1]}
		}
		for i, e := range employees {
			p := &rows[i%n]
			gross := money(20000, 80000)
			ded := store.MustDecimal("2000.00")
			net := store.NewDecimal(gross.Sub(ded.Decimal))
			slips = append(slips, ubPayslip{Row: row(i), PayrollID: p.ID, EmployeeID: e, Gross: gross, Deductions: ded, Net: net})
			p.Total = store.NewDecimal(p.Total.Add(net.Decimal))
		}
		rows, err := writeRows(w, rows)
		payrolls = rows
		payrollIDs = idsOf(rows, func(r *ubPayroll) string { return r.ID })
		if err != nil {
			return err
		}
		// Only the slips of the payrolls written; their totals then still add up.
		kept := slips[:0]
		for _, sl := range slips {
			for _, id := range payrollIDs {
				if sl.PayrollID == id {
					kept = append(kept, sl)
					break
				}
			}
		}
		if _, err := writeRows(w, kept); err != nil {
			return err
		}
		al := []ubAccountLedger{}
		for i := range payrolls {
			p := &payrolls[i]
			al = append(al, ubAccountLedger{Row: row(i), AccountID: p.AccountID, PayrollID: &p.ID, PostedOn: day(30 * i), Debit: zero, Credit: p.Total, Narration: "Payroll " + p.Month})
		}
		_, err = writeRows(w, al)
		return err
	})
	put(func() error {
		if len(policies) == 0 {
			return nil
		}
		allocs, apps := []ubLeaveAllocation{}, []ubLeaveApplication{}
		for i, e := range employees {
			allocs = append(allocs, ubLeaveAllocation{Row: row(i), EmployeeID: e, LeavePolicyID: pick(policies, i), Days: 12})
			apps = append(apps, ubLeaveApplication{Row: row(i), EmployeeID: e, LeavePolicyID: opt(policies, i), FromDate: day(i + 40), Days: int64(1 + i%3), Status: "approved"})
		}
		if _, err := writeRows(w, allocs); err != nil {
			return err
		}
		_, err := writeRows(w, apps)
		return err
	})
	put(func() error {
		rows := []ubEmployeeSpend{}
		for i, e := range employees {
			rows = append(rows, ubEmployeeSpend{Row: row(i), EmployeeID: e, ExpenseCategoryID: opt(expCats, 1), Amount: money(200, 10000), Status: "submitted"})
		}
		_, err := writeRows(w, rows)
		return err
	})
	put(func() error {
		rows := []ubAsset{}
		for i := range scale(1, 4) {
			v := money(20000, 200000)
			rows = append(rows, ubAsset{Row: row(i), Name: fmt.Sprintf("Laptop %d", i+1), PurchaseValue: v, CurrentValue: tenth(store.NewDecimal(v.Mul(decimal.NewFromInt(8)))), EmployeeID: opt(employees, i), BranchID: opt(branches, i)})
		}
		_, err := writeRows(w, rows)
		return err
	})
	put(func() error {
		rows := []ubContract{}
		for i := range scale(1, 8) {
			c := ubContract{Row: row(i), Title: fmt.Sprintf("Annual maintenance contract %d", i+1), Value: money(10000, 300000), EndsOn: day(i + 365)}
			if i%2 == 0 {
				c.ClientID = opt(clients, i)
			} else {
				c.VendorID = opt(vendors, i)
			}
			rows = append(rows, c)
		}
		_, err := writeRows(w, rows)
		return err
	})

	// Housekeeping.
	put(func() error {
		rows := []ubDocument{}
		for i := range scale(1, 4) {
			rows = append(rows, ubDocument{Row: row(i), FileName: fmt.Sprintf("receipt-%d.pdf", i+1), URL: fmt.Sprintf("https://files.upbooks.example/%s/receipt-%d.pdf", orgID, i+1), SizeBytes: int64(20000 + rnd.IntN(500000))})
		}
		_, err := writeRows(w, rows)
		return err
	})
	put(func() error {
		rows := []ubFileImport{}
		for i := range scale(1, 20) {
			rows = append(rows, ubFileImport{Row: row(i), Entity: "clients", FileName: fmt.Sprintf("clients-%d.xlsx", i+1), RowsTotal: 100, RowsFailed: 2, Status: "completed"})
		}
		rows, err := writeRows(w, rows)
		imports = idsOf(rows, func(r *ubFileImport) string { return r.ID })
		if err != nil {
			return err
		}
		errs := []ubFileImportError{}
		for i := range 2 * len(imports) {
			errs = append(errs, ubFileImportError{Row: row(i), FileImportID: imports[i/2], RowNumber: int64(10 + i), Message: "GSTIN is not valid"})
		}
		_, err = writeRows(w, errs)
		return err
	})
	put(func() error {
		rows := []ubOrganizationBackup{}
		for i := range scale(1, 50) {
			rows = append(rows, ubOrganizationBackup{Row: row(i), URL: fmt.Sprintf("https://backups.upbooks.example/%s/%d.zip", orgID, i+1), SizeBytes: 10 << 20})
		}
		rows, err := writeRows(w, rows)
		backups = idsOf(rows, func(r *ubOrganizationBackup) string { return r.ID })
		if err != nil {
			return err
		}
		restores := []ubBackupRestore{}
		for i := 0; i < len(backups); i += 2 {
			restores = append(restores, ubBackupRestore{Row: row(i), BackupID: backups[i], Status: "completed"})
		}
		_, err = writeRows(w, restores)
		return err
	})
	put(func() error {
		rows := []ubUserInvite{}
		for i := range scale(1, 100) + 1 {
			rows = append(rows, ubUserInvite{Row: row(i), Email: fmt.Sprintf("invitee%d@example.com", i+1), Role: "member"})
		}
		_, err := writeRows(w, rows)
		return err
	})
	put(func() error {
		n := min(len(members), w.budget-w.done)
		if n <= 0 || w.tx == nil {
			w.done += max(n, 0)
			return nil
		}
		// A re-seed finds the members already there.
		chunk := members[:n]
		if err := w.tx.Clauses(clause.OnConflict{DoNothing: true}).Omit(clause.Associations).Create(&chunk).Error; err != nil {
			return fmt.Errorf("seed members: %w", err)
		}
		w.done += n
		w.progress(w.done)
		return nil
	})
	put(func() error {
		rows := []ubActivityLog{}
		for i := range units {
			rows = append(rows, ubActivityLog{Row: row(i), UserID: "seed", Action: []string{"invoice.create", "payment.create", "client.update"}[i%3], Details: map[string]any{"seq": i}})
		}
		_, err := writeRows(w, rows)
		return err
	})
	return err
}
