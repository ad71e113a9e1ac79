package upbooks

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/identity"

	"github.com/shopspring/decimal"
	"gorm.io/gorm/clause"
)

// generate writes units' worth of an organization's data through w, parents before children. The
// areas run in a fixed order and draw from one random source seeded by units, so the same units
// write the same rows (ids aside).
func generate(w *seedWriter, orgID string, units int, members []identity.Membership) error {
	g := &seeder{w: w, orgID: orgID, units: units, members: members,
		rnd: rand.New(rand.NewPCG(uint64(units), 42)), start: time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)}
	g.masters()
	g.catalogue()
	g.parties()
	g.sales()
	g.receivables()
	g.purchases()
	g.accountTransfers()
	g.people()
	g.housekeeping()
	return g.err
}

// seeder is one run of generate: its inputs, its random source, the first error, and the ids (or
// rows) of what it wrote so far, which later areas reference.
type seeder struct {
	w       *seedWriter
	orgID   string
	units   int
	members []identity.Membership
	rnd     *rand.Rand
	start   time.Time
	err     error

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
}

// put runs one step unless an earlier one failed.
func (g *seeder) put(f func() error) {
	if g.err == nil {
		g.err = f()
	}
}

// row is the common columns of the i-th row of a table: rows of a table are a minute apart.
func (g *seeder) row(i int) Row {
	return Row{OrganizationID: g.orgID, ID: store.NewObjectID(), CreatedAt: g.start.Add(time.Duration(i) * time.Minute)}
}

// day is a date in the seeded fiscal year.
func (g *seeder) day(i int) time.Time { return g.start.AddDate(0, 0, i%365) }

// money is a random amount of rupees and paise in [minRupees, maxRupees).
func (g *seeder) money(minRupees, maxRupees int) store.Decimal {
	return store.NewDecimal(decimal.New(int64(minRupees*100+g.rnd.IntN((maxRupees-minRupees)*100)), -2))
}

// scale is how many rows of a table units make: per/div of them per unit, at least one.
func (g *seeder) scale(per, div int) int { return g.units*per/div + 1 }

// line is a random document line at 18% GST: quantity, rate, tax and amount.
func (g *seeder) line(int) (store.Decimal, store.Decimal, store.Decimal, store.Decimal) {
	q := store.DecimalFromInt(int64(1 + g.rnd.IntN(10)))
	r := g.money(100, 5000)
	net := q.Mul(r.Decimal)
	tax := store.NewDecimal(net.Mul(decimal.NewFromInt(18)).Div(decimal.NewFromInt(100)).Round(2))
	return q, r, tax, store.NewDecimal(net.Add(tax.Decimal))
}

// posting reports whether the accounts that postings need (bank, sales, purchases, salaries) were
// written: a tiny seed stops before them, and then nothing that posts is written.
func (g *seeder) posting() bool { return len(g.accounts) >= 6 }

var zero = store.Decimal{}

func half(d store.Decimal) store.Decimal {
	return store.NewDecimal(d.Div(decimal.NewFromInt(2)).Round(2))
}

func tenth(d store.Decimal) store.Decimal {
	return store.NewDecimal(d.Div(decimal.NewFromInt(10)).Round(2))
}

// pick is the i-th of ids, round robin.
func pick(ids []string, i int) string { return ids[i%len(ids)] }

// opt is the i-th of ids, round robin, or nil when there are none.
func opt(ids []string, i int) *string {
	if len(ids) == 0 {
		return nil
	}
	v := ids[i%len(ids)]
	return &v
}

// everyOther keeps id on even i.
func everyOther(id *string, i int) *string {
	if i%2 == 0 {
		return id
	}
	return nil
}

var seedCities = [][3]string{{"Mumbai", "Maharashtra", "400069"}, {"Bengaluru", "Karnataka", "560001"}, {"Chennai", "Tamil Nadu", "600002"}, {"Ahmedabad", "Gujarat", "380009"}, {"Delhi", "Delhi", "110001"}}

func address(i int) Address {
	c := seedCities[i%len(seedCities)]
	return Address{Line1: fmt.Sprintf("%d, MG Road", 1+i%200), City: c[0], State: c[1], PinCode: c[2], Country: "IN"}
}

// masters writes the organization-wide lists: taxes, discounts, expense categories, branches,
// warehouses, accounts and bank accounts, product categories, brands, leave policies, salary
// components, and the platform subscription with its payments.
func (g *seeder) masters() {
	g.put(func() error {
		rows := []ubTax{}
		for i, r := range []int64{0, 5, 12, 18, 28} {
			rows = append(rows, ubTax{Row: g.row(i), Name: fmt.Sprintf("GST %d%%", r), Rate: store.DecimalFromInt(r), Kind: "GST"})
		}
		rows, err := writeRows(g.w, rows)
		g.taxes = idsOf(rows, func(r *ubTax) string { return r.ID })
		return err
	})
	g.put(func() error {
		rows := []ubDiscount{}
		for i, p := range []int64{5, 10, 15} {
			rows = append(rows, ubDiscount{Row: g.row(i), Name: fmt.Sprintf("Trade %d%%", p), Percent: store.DecimalFromInt(p)})
		}
		rows, err := writeRows(g.w, rows)
		g.discounts = idsOf(rows, func(r *ubDiscount) string { return r.ID })
		return err
	})
	g.put(func() error {
		rows := []ubExpenseCategory{}
		for i, n := range []string{"Rent", "Travel", "Office Supplies", "Utilities", "Professional Fees", "Meals"} {
			rows = append(rows, ubExpenseCategory{Row: g.row(i), Name: n})
		}
		rows, err := writeRows(g.w, rows)
		g.expCats = idsOf(rows, func(r *ubExpenseCategory) string { return r.ID })
		return err
	})
	g.put(func() error {
		rows := []ubBranch{{Row: g.row(0), Name: "Head Office", City: "Mumbai", GSTIN: "27AAPFU0939F1ZV"}, {Row: g.row(1), Name: "Pune Branch", City: "Pune", GSTIN: "27AAPFU0939F2ZU"}}
		rows, err := writeRows(g.w, rows)
		g.branches = idsOf(rows, func(r *ubBranch) string { return r.ID })
		return err
	})
	g.put(func() error {
		rows := []ubWarehouse{}
		for i, n := range []string{"Bhiwandi", "Hadapsar", "Andheri"} {
			rows = append(rows, ubWarehouse{Row: g.row(i), Name: n, BranchID: opt(g.branches, i)})
		}
		rows, err := writeRows(g.w, rows)
		g.warehouses = idsOf(rows, func(r *ubWarehouse) string { return r.ID })
		return err
	})
	g.put(func() error {
		rows := []ubAccount{}
		for i, a := range [][2]string{{"Cash in Hand", "cash"}, {"HDFC Current Account", "bank"}, {"ICICI Savings Account", "bank"}, {"Sales", "income"}, {"Purchases", "expense"}, {"Salaries", "expense"}, {"GST Payable", "liability"}, {"Petty Cash", "cash"}} {
			rows = append(rows, ubAccount{Row: g.row(i), Name: a[0], Kind: a[1]})
		}
		rows, err := writeRows(g.w, rows)
		g.accounts = idsOf(rows, func(r *ubAccount) string { return r.ID })
		return err
	})
	g.put(func() error {
		if !g.posting() {
			return nil
		}
		rows := []ubBankAccount{
			{Row: g.row(0), BankName: "HDFC Bank", AccountNumber: "50200012345678", IFSC: "HDFC0000123", AccountID: g.accounts[1]},
			{Row: g.row(1), BankName: "ICICI Bank", AccountNumber: "000401234567", IFSC: "ICIC0000004", AccountID: g.accounts[2]},
		}
		rows, err := writeRows(g.w, rows)
		g.bankAccounts = idsOf(rows, func(r *ubBankAccount) string { return r.ID })
		return err
	})
	g.put(func() error {
		rows := []ubProductCategory{}
		for i, n := range []string{"Electronics", "Stationery", "Hardware", "Packaging"} {
			rows = append(rows, ubProductCategory{Row: g.row(i), Name: n})
		}
		rows, err := writeRows(g.w, rows)
		g.prodCats = idsOf(rows, func(r *ubProductCategory) string { return r.ID })
		return err
	})
	g.put(func() error {
		rows := []ubBrand{}
		for i, n := range []string{"Havells", "Camlin", "Tata", "Godrej"} {
			rows = append(rows, ubBrand{Row: g.row(i), Name: n})
		}
		rows, err := writeRows(g.w, rows)
		g.brands = idsOf(rows, func(r *ubBrand) string { return r.ID })
		return err
	})
	g.put(func() error {
		rows := []ubLeavePolicy{{Row: g.row(0), Name: "Casual Leave", DaysPerYear: 12}, {Row: g.row(1), Name: "Sick Leave", DaysPerYear: 7}, {Row: g.row(2), Name: "Earned Leave", DaysPerYear: 15}}
		rows, err := writeRows(g.w, rows)
		g.policies = idsOf(rows, func(r *ubLeavePolicy) string { return r.ID })
		return err
	})
	g.put(func() error {
		rows := []ubSalaryComponent{}
		for i, c := range [][2]string{{"Basic", "earning"}, {"HRA", "earning"}, {"Special Allowance", "earning"}, {"Provident Fund", "deduction"}, {"Professional Tax", "deduction"}} {
			rows = append(rows, ubSalaryComponent{Row: g.row(i), Name: c[0], Kind: c[1]})
		}
		rows, err := writeRows(g.w, rows)
		g.salaryComps = idsOf(rows, func(r *ubSalaryComponent) string { return r.ID })
		return err
	})
	g.put(func() error {
		subs := []ubPlatformSubscription{}
		for i := range g.scale(1, 100) {
			subs = append(subs, ubPlatformSubscription{Row: g.row(i), Plan: "Growth Annual", StartsOn: g.day(i), EndsOn: g.day(i).AddDate(1, 0, 0)})
		}
		subs, err := writeRows(g.w, subs)
		g.subscriptions = idsOf(subs, func(r *ubPlatformSubscription) string { return r.ID })
		if err != nil {
			return err
		}
		pays := []ubPlatformPayment{}
		for i := range 2 * len(g.subscriptions) {
			pays = append(pays, ubPlatformPayment{Row: g.row(i), SubscriptionID: pick(g.subscriptions, i), Amount: store.MustDecimal("11800.00"), Status: "paid"})
		}
		_, err = writeRows(g.w, pays)
		return err
	})
}

// catalogue writes products with their opening stock and sales, services, and the items that
// sell them.
func (g *seeder) catalogue() {
	g.put(func() error {
		if len(g.taxes) == 0 {
			return nil
		}
		rows := []ubProduct{}
		for i := range g.scale(1, 2) {
			price := g.money(100, 5000)
			rows = append(rows, ubProduct{Row: g.row(i), Name: fmt.Sprintf("Product %d", i+1), SKU: fmt.Sprintf("SKU-%06d", i+1), HSN: "8471",
				SalePrice: price, PurchasePrice: tenth(store.NewDecimal(price.Mul(decimal.NewFromInt(7)))), ProductCategoryID: opt(g.prodCats, i), BrandID: opt(g.brands, i), TaxID: opt(g.taxes, 3)})
		}
		rows, err := writeRows(g.w, rows)
		g.products = idsOf(rows, func(r *ubProduct) string { return r.ID })
		return err
	})
	g.put(func() error {
		if len(g.warehouses) == 0 {
			return nil
		}
		rows := []ubInventoryLedger{}
		for i := range 2 * len(g.products) {
			q := int64(10 + g.rnd.IntN(90))
			reason := "opening stock"
			if i%2 == 1 {
				q, reason = -q/3, "sale"
			}
			rows = append(rows, ubInventoryLedger{Row: g.row(i), ProductID: g.products[i/2], WarehouseID: pick(g.warehouses, i), Quantity: store.DecimalFromInt(q), Reason: reason})
		}
		_, err := writeRows(g.w, rows)
		return err
	})
	g.put(func() error {
		rows := []ubService{}
		for i := range g.scale(1, 4) {
			rows = append(rows, ubService{Row: g.row(i), Name: fmt.Sprintf("Service %d", i+1), SAC: "998314", Rate: g.money(500, 20000), TaxID: opt(g.taxes, 3)})
		}
		rows, err := writeRows(g.w, rows)
		g.services = idsOf(rows, func(r *ubService) string { return r.ID })
		return err
	})
	g.put(func() error {
		rows := []ubItem{}
		for i, p := range g.products {
			rows = append(rows, ubItem{Row: g.row(i), Name: fmt.Sprintf("Product %d", i+1), Kind: "product", Rate: g.money(100, 5000), ProductID: &p, TaxID: opt(g.taxes, 3)})
		}
		for i, sv := range g.services {
			rows = append(rows, ubItem{Row: g.row(i), Name: fmt.Sprintf("Service %d", i+1), Kind: "service", Rate: g.money(500, 20000), ServiceID: &sv, TaxID: opt(g.taxes, 3)})
		}
		rows, err := writeRows(g.w, rows)
		g.items = idsOf(rows, func(r *ubItem) string { return r.ID })
		return err
	})
}

// parties writes clients and vendors, and the CRM: leads with their activities, deals and
// enquiries.
func (g *seeder) parties() {
	g.put(func() error {
		rows := []ubClient{}
		for i := range g.units {
			rows = append(rows, ubClient{Row: g.row(i), Name: fmt.Sprintf("Client %d Pvt Ltd", i+1), Email: fmt.Sprintf("accounts%d@client.example", i+1),
				Phone: fmt.Sprintf("98%08d", i), GSTIN: fmt.Sprintf("27AABCC%04dQ1Z%d", i%10000, i%10), BillingAddress: address(i), ShippingAddress: address(i + 1)})
		}
		rows, err := writeRows(g.w, rows)
		g.clients = idsOf(rows, func(r *ubClient) string { return r.ID })
		return err
	})
	g.put(func() error {
		rows := []ubVendor{}
		for i := range g.scale(1, 2) {
			rows = append(rows, ubVendor{Row: g.row(i), Name: fmt.Sprintf("Vendor %d Traders", i+1), Email: fmt.Sprintf("sales%d@vendor.example", i+1),
				Phone: fmt.Sprintf("97%08d", i), GSTIN: fmt.Sprintf("27AABCV%04dQ1Z%d", i%10000, i%10), Address: address(i + 2)})
		}
		rows, err := writeRows(g.w, rows)
		g.vendors = idsOf(rows, func(r *ubVendor) string { return r.ID })
		return err
	})
	g.put(func() error {
		rows := []ubLead{}
		for i := range g.scale(1, 2) {
			rows = append(rows, ubLead{Row: g.row(i), Name: fmt.Sprintf("Lead %d", i+1), Source: []string{"website", "referral", "indiamart", "walk-in"}[i%4], Status: "open"})
		}
		rows, err := writeRows(g.w, rows)
		g.leads = idsOf(rows, func(r *ubLead) string { return r.ID })
		return err
	})
	g.put(func() error {
		acts := []ubLeadActivity{}
		for i := range 2 * len(g.leads) {
			acts = append(acts, ubLeadActivity{Row: g.row(i), LeadID: g.leads[i/2], Kind: []string{"call", "meeting"}[i%2], Note: "Discussed requirements"})
		}
		if _, err := writeRows(g.w, acts); err != nil {
			return err
		}
		ds := []ubDeal{}
		for i := 0; i < len(g.leads); i += 2 {
			ds = append(ds, ubDeal{Row: g.row(i), Title: fmt.Sprintf("Deal %d", i/2+1), Value: g.money(10000, 500000), Stage: "proposal", LeadID: &g.leads[i], ClientID: opt(g.clients, i)})
		}
		ds, err := writeRows(g.w, ds)
		g.deals = idsOf(ds, func(r *ubDeal) string { return r.ID })
		if err != nil {
			return err
		}
		enq := []ubEnquiry{}
		for i := 1; i < len(g.leads); i += 2 {
			enq = append(enq, ubEnquiry{Row: g.row(i), Name: fmt.Sprintf("Enquiry %d", i/2+1), Message: "Please share a quotation", LeadID: &g.leads[i]})
		}
		_, err = writeRows(g.w, enq)
		return err
	})
}

// sales writes the documents before an invoice: proposals, orders, projects with their tasks,
// and recurring invoices.
func (g *seeder) sales() {
	g.put(func() error {
		if len(g.clients) == 0 {
			return nil
		}
		rows := []ubProposal{}
		for i := range g.scale(1, 2) {
			rows = append(rows, ubProposal{Row: g.row(i), Number: fmt.Sprintf("PRO-%05d", i+1), ClientID: opt(g.clients, i), DealID: opt(g.deals, i)})
		}
		lines := []ubProposalItem{}
		for i := range rows {
			for j := range 2 {
				q, r, tax, amt := g.line(j)
				lines = append(lines, ubProposalItem{Row: g.row(i), ProposalID: rows[i].ID, ItemID: opt(g.items, i+j), Description: "Quoted item", Quantity: q, Rate: r, TaxID: opt(g.taxes, 3), TaxAmount: tax, DiscountID: opt(g.discounts, i), Amount: amt})
				rows[i].Total = store.NewDecimal(rows[i].Total.Add(amt.Decimal))
			}
		}
		rows, err := writeRows(g.w, rows)
		g.proposals = idsOf(rows, func(r *ubProposal) string { return r.ID })
		if err != nil {
			return err
		}
		_, err = writeRows(g.w, lines[:min(len(lines), 2*len(rows))])
		return err
	})
	g.put(func() error {
		if len(g.clients) == 0 {
			return nil
		}
		rows := []ubOrder{}
		for i := range g.scale(1, 2) {
			rows = append(rows, ubOrder{Row: g.row(i), Number: fmt.Sprintf("SO-%05d", i+1), ClientID: pick(g.clients, i), ProposalID: opt(g.proposals, i), WarehouseID: opt(g.warehouses, i)})
		}
		lines := []ubOrderItem{}
		for i := range rows {
			for j := range 2 {
				q, r, tax, amt := g.line(j)
				lines = append(lines, ubOrderItem{Row: g.row(i), OrderID: rows[i].ID, ItemID: opt(g.items, i+j), Description: "Ordered item", Quantity: q, Rate: r, TaxID: opt(g.taxes, 3), TaxAmount: tax, DiscountID: opt(g.discounts, i), Amount: amt})
				rows[i].Total = store.NewDecimal(rows[i].Total.Add(amt.Decimal))
			}
		}
		rows, err := writeRows(g.w, rows)
		g.orders = idsOf(rows, func(r *ubOrder) string { return r.ID })
		if err != nil {
			return err
		}
		_, err = writeRows(g.w, lines[:min(len(lines), 2*len(rows))])
		return err
	})
	g.put(func() error {
		rows := []ubProject{}
		for i := range g.scale(1, 4) {
			rows = append(rows, ubProject{Row: g.row(i), Name: fmt.Sprintf("Project %d", i+1), ClientID: opt(g.clients, i), Budget: g.money(50000, 1000000), Status: "active"})
		}
		rows, err := writeRows(g.w, rows)
		g.projects = idsOf(rows, func(r *ubProject) string { return r.ID })
		if err != nil {
			return err
		}
		tasks := []ubTask{}
		for i := range 3 * len(g.projects) {
			tasks = append(tasks, ubTask{Row: g.row(i), Number: fmt.Sprintf("T-%05d", i+1), Title: fmt.Sprintf("Task %d", i+1), Priority: []string{"low", "medium", "high"}[i%3], ProjectID: &g.projects[i/3]})
		}
		_, err = writeRows(g.w, tasks)
		return err
	})
	g.put(func() error {
		if len(g.clients) == 0 {
			return nil
		}
		rows := []ubRecurringInvoice{}
		for i := range g.scale(1, 10) {
			rows = append(rows, ubRecurringInvoice{Row: g.row(i), ClientID: pick(g.clients, i), Frequency: "monthly", NextDue: g.day(i + 30), Amount: g.money(1000, 50000)})
		}
		rows, err := writeRows(g.w, rows)
		g.recInvoices = idsOf(rows, func(r *ubRecurringInvoice) string { return r.ID })
		return err
	})
}

// receivables writes invoices with their lines, payments allocated to them, settlements and
// credit notes, each with its client and account ledger lines.
func (g *seeder) receivables() {
	g.put(func() error {
		if len(g.clients) == 0 || !g.posting() {
			return nil
		}
		rows := []ubInvoice{}
		lines := []ubInvoiceItem{}
		for i := range 3 * g.units {
			inv := ubInvoice{Row: g.row(i), Number: fmt.Sprintf("INV-%06d", i+1), IssueDate: g.day(i), ClientID: pick(g.clients, i), BranchID: opt(g.branches, i)}
			if i%3 == 0 {
				inv.OrderID = opt(g.orders, i/3)
			}
			if i%7 == 0 {
				inv.ProjectID = opt(g.projects, i/7)
			}
			if i%10 == 0 {
				inv.RecurringInvoiceID = opt(g.recInvoices, i/10)
			}
			for j := range 2 {
				q, r, tax, amt := g.line(j)
				lines = append(lines, ubInvoiceItem{Row: g.row(i), InvoiceID: inv.ID, ItemID: opt(g.items, i+j), Description: "Goods/services", Quantity: q, Rate: r, TaxID: opt(g.taxes, 3), TaxAmount: tax, DiscountID: everyOther(opt(g.discounts, i), i), Amount: amt})
				inv.SubTotal = store.NewDecimal(inv.SubTotal.Add(amt.Sub(tax.Decimal)))
				inv.TaxTotal = store.NewDecimal(inv.TaxTotal.Add(tax.Decimal))
				inv.Total = store.NewDecimal(inv.Total.Add(amt.Decimal))
			}
			rows = append(rows, inv)
		}
		rows, err := writeRows(g.w, rows)
		g.invoices = rows
		if err != nil {
			return err
		}
		if _, err := writeRows(g.w, lines[:min(len(lines), 2*len(rows))]); err != nil {
			return err
		}
		cl, al := []ubClientLedger{}, []ubAccountLedger{}
		for i := range g.invoices {
			inv := &g.invoices[i]
			cl = append(cl, ubClientLedger{Row: g.row(i), ClientID: inv.ClientID, InvoiceID: &inv.ID, PostedOn: inv.IssueDate, Debit: inv.Total, Credit: zero, Narration: "Invoice " + inv.Number})
			al = append(al, ubAccountLedger{Row: g.row(i), AccountID: g.accounts[3], InvoiceID: &inv.ID, PostedOn: inv.IssueDate, Debit: zero, Credit: inv.Total, Narration: "Invoice " + inv.Number})
		}
		if _, err := writeRows(g.w, cl); err != nil {
			return err
		}
		_, err = writeRows(g.w, al)
		return err
	})
	g.put(func() error {
		rows, allocs := []ubPayment{}, []ubPaymentAllocation{}
		for i := range min(2*g.units, len(g.invoices)) {
			inv := &g.invoices[i]
			amt := half(inv.Total)
			p := ubPayment{Row: g.row(i), Number: fmt.Sprintf("PAY-%06d", i+1), PaidOn: g.day(i + 10), ClientID: inv.ClientID, AccountID: g.accounts[1+i%2], Amount: amt, Mode: []string{"NEFT", "UPI", "cheque"}[i%3]}
			rows = append(rows, p)
			allocs = append(allocs, ubPaymentAllocation{Row: g.row(i), PaymentID: p.ID, InvoiceID: inv.ID, Amount: amt})
		}
		rows, err := writeRows(g.w, rows)
		g.payments = rows
		if err != nil {
			return err
		}
		if _, err := writeRows(g.w, allocs[:len(rows)]); err != nil {
			return err
		}
		cl, al := []ubClientLedger{}, []ubAccountLedger{}
		for i := range g.payments {
			p := &g.payments[i]
			cl = append(cl, ubClientLedger{Row: g.row(i), ClientID: p.ClientID, PaymentID: &p.ID, PostedOn: p.PaidOn, Debit: zero, Credit: p.Amount, Narration: "Payment " + p.Number})
			al = append(al, ubAccountLedger{Row: g.row(i), AccountID: p.AccountID, PaymentID: &p.ID, PostedOn: p.PaidOn, Debit: p.Amount, Credit: zero, Narration: "Payment " + p.Number})
		}
		if _, err := writeRows(g.w, cl); err != nil {
			return err
		}
		_, err = writeRows(g.w, al)
		return err
	})
	g.put(func() error {
		rows := []ubSettlement{}
		for i := 0; i < len(g.payments); i += 4 {
			rows = append(rows, ubSettlement{Row: g.row(i), PaymentID: &g.payments[i].ID, BankAccountID: opt(g.bankAccounts, i), Amount: g.payments[i].Amount, Fee: store.MustDecimal("0.00")})
		}
		_, err := writeRows(g.w, rows)
		return err
	})
	g.put(func() error {
		rows, lines := []ubCreditNote{}, []ubCreditNoteItem{}
		// Credit notes go against the last g.invoices, which have no g.payments, so nothing is over-settled.
		for i := range min(g.scale(1, 2), len(g.invoices)/3) {
			inv := &g.invoices[len(g.invoices)-1-i]
			cn := ubCreditNote{Row: g.row(i), Number: fmt.Sprintf("CN-%05d", i+1), ClientID: inv.ClientID, InvoiceID: &inv.ID, Total: tenth(inv.Total)}
			rows = append(rows, cn)
			lines = append(lines, ubCreditNoteItem{Row: g.row(i), CreditNoteID: cn.ID, ItemID: opt(g.items, i), Description: "Rate difference", Quantity: store.DecimalFromInt(1), Rate: cn.Total, TaxID: opt(g.taxes, 0), TaxAmount: zero, DiscountID: opt(g.discounts, i), Amount: cn.Total})
		}
		rows, err := writeRows(g.w, rows)
		g.creditNotes = rows
		if err != nil {
			return err
		}
		if _, err := writeRows(g.w, lines[:len(rows)]); err != nil {
			return err
		}
		cl := []ubClientLedger{}
		for i := range g.creditNotes {
			cn := &g.creditNotes[i]
			cl = append(cl, ubClientLedger{Row: g.row(i), ClientID: cn.ClientID, CreditNoteID: &cn.ID, PostedOn: g.day(i + 20), Debit: zero, Credit: cn.Total, Narration: "Credit note " + cn.Number})
		}
		// A manual opening-balance adjustment per few clients: a statement line nothing else posted.
		for i := 0; i < len(g.clients); i += 5 {
			cl = append(cl, ubClientLedger{Row: g.row(i), ClientID: g.clients[i], PostedOn: g.start, Debit: g.money(100, 10000), Credit: zero, Narration: "Opening balance"})
		}
		_, err = writeRows(g.w, cl)
		return err
	})
}

// purchases writes purchase orders, recurring expenses, expenses (bills), outward payments and
// debit notes, with their vendor and account ledger lines.
func (g *seeder) purchases() {
	g.put(func() error {
		if len(g.vendors) == 0 {
			return nil
		}
		rows, lines := []ubPurchaseOrder{}, []ubPurchaseOrderItem{}
		for i := range g.scale(1, 4) {
			po := ubPurchaseOrder{Row: g.row(i), Number: fmt.Sprintf("PO-%05d", i+1), VendorID: pick(g.vendors, i), WarehouseID: opt(g.warehouses, i)}
			for j := range 2 {
				q, r, tax, amt := g.line(j)
				lines = append(lines, ubPurchaseOrderItem{Row: g.row(i), PurchaseOrderID: po.ID, ItemID: opt(g.items, i+j), Description: "Purchase item", Quantity: q, Rate: r, TaxID: opt(g.taxes, 3), TaxAmount: tax, DiscountID: opt(g.discounts, j), Amount: amt})
				po.Total = store.NewDecimal(po.Total.Add(amt.Decimal))
			}
			rows = append(rows, po)
		}
		rows, err := writeRows(g.w, rows)
		g.purchaseOrders = idsOf(rows, func(r *ubPurchaseOrder) string { return r.ID })
		if err != nil {
			return err
		}
		_, err = writeRows(g.w, lines[:min(len(lines), 2*len(rows))])
		return err
	})
	g.put(func() error {
		rows := []ubRecurringExpense{}
		for i := range g.scale(1, 10) {
			rows = append(rows, ubRecurringExpense{Row: g.row(i), VendorID: opt(g.vendors, i), ExpenseCategoryID: opt(g.expCats, 0), Frequency: "monthly", NextDue: g.day(i + 30), Amount: g.money(5000, 100000)})
		}
		rows, err := writeRows(g.w, rows)
		g.recExpenses = idsOf(rows, func(r *ubRecurringExpense) string { return r.ID })
		return err
	})
	g.put(func() error {
		if !g.posting() {
			return nil
		}
		rows := []ubExpense{}
		for i := range g.units {
			e := ubExpense{Row: g.row(i), Number: fmt.Sprintf("BILL-%06d", i+1), BillDate: g.day(i), ExpenseCategoryID: opt(g.expCats, i), TaxID: opt(g.taxes, 3), Total: g.money(500, 100000)}
			if i%10 != 9 { // one in ten is a vendor-less expense (petty cash)
				e.VendorID = opt(g.vendors, i)
			}
			if i%6 == 0 {
				e.ProjectID = opt(g.projects, i/6)
			}
			if i%4 == 0 {
				e.PurchaseOrderID = opt(g.purchaseOrders, i/4)
			}
			if i%10 == 0 {
				e.RecurringExpenseID = opt(g.recExpenses, i/10)
			}
			rows = append(rows, e)
		}
		rows, err := writeRows(g.w, rows)
		g.expenses = rows
		if err != nil {
			return err
		}
		vl, al := []ubVendorLedger{}, []ubAccountLedger{}
		for i := range g.expenses {
			e := &g.expenses[i]
			if e.VendorID != nil {
				vl = append(vl, ubVendorLedger{Row: g.row(i), VendorID: *e.VendorID, ExpenseID: &e.ID, PostedOn: e.BillDate, Debit: zero, Credit: e.Total})
			}
			al = append(al, ubAccountLedger{Row: g.row(i), AccountID: g.accounts[4], ExpenseID: &e.ID, PostedOn: e.BillDate, Debit: e.Total, Credit: zero, Narration: "Bill " + e.Number})
		}
		if _, err := writeRows(g.w, vl); err != nil {
			return err
		}
		_, err = writeRows(g.w, al)
		return err
	})
	g.put(func() error {
		rows, allocs := []ubOutwardPayment{}, []ubOutwardPaymentAllocation{}
		for i := 0; i < len(g.expenses) && len(rows) < g.scale(1, 2); i++ {
			e := &g.expenses[i]
			if e.VendorID == nil {
				continue
			}
			amt := half(e.Total)
			op := ubOutwardPayment{Row: g.row(i), Number: fmt.Sprintf("OP-%06d", len(rows)+1), PaidOn: g.day(i + 15), VendorID: *e.VendorID, AccountID: g.accounts[1+i%2], Amount: amt}
			rows = append(rows, op)
			allocs = append(allocs, ubOutwardPaymentAllocation{Row: g.row(i), OutwardPaymentID: op.ID, ExpenseID: e.ID, Amount: amt})
		}
		rows, err := writeRows(g.w, rows)
		g.outPayments = rows
		if err != nil {
			return err
		}
		if _, err := writeRows(g.w, allocs[:len(rows)]); err != nil {
			return err
		}
		vl, al := []ubVendorLedger{}, []ubAccountLedger{}
		for i := range g.outPayments {
			op := &g.outPayments[i]
			vl = append(vl, ubVendorLedger{Row: g.row(i), VendorID: op.VendorID, OutwardPaymentID: &op.ID, PostedOn: op.PaidOn, Debit: op.Amount, Credit: zero})
			al = append(al, ubAccountLedger{Row: g.row(i), AccountID: op.AccountID, OutwardPaymentID: &op.ID, PostedOn: op.PaidOn, Debit: zero, Credit: op.Amount, Narration: "Paid " + op.Number})
		}
		if _, err := writeRows(g.w, vl); err != nil {
			return err
		}
		_, err = writeRows(g.w, al)
		return err
	})
	g.put(func() error {
		rows, lines := []ubDebitNote{}, []ubDebitNoteItem{}
		// Debit notes go against the last vendor g.expenses, which the outward g.payments above did not pay.
		for i := len(g.expenses) - 1; i >= len(g.expenses)/2 && len(rows) < g.scale(1, 8); i-- {
			e := &g.expenses[i]
			if e.VendorID == nil {
				continue
			}
			dn := ubDebitNote{Row: g.row(i), Number: fmt.Sprintf("DN-%05d", len(rows)+1), VendorID: *e.VendorID, ExpenseID: &e.ID, Total: tenth(e.Total)}
			rows = append(rows, dn)
			lines = append(lines, ubDebitNoteItem{Row: g.row(i), DebitNoteID: dn.ID, ItemID: opt(g.items, i), Description: "Short supply", Quantity: store.DecimalFromInt(1), Rate: dn.Total, TaxID: opt(g.taxes, 0), TaxAmount: zero, DiscountID: opt(g.discounts, i), Amount: dn.Total})
		}
		rows, err := writeRows(g.w, rows)
		g.debitNotes = rows
		if err != nil {
			return err
		}
		if _, err := writeRows(g.w, lines[:len(rows)]); err != nil {
			return err
		}
		vl := []ubVendorLedger{}
		for i := range g.debitNotes {
			dn := &g.debitNotes[i]
			vl = append(vl, ubVendorLedger{Row: g.row(i), VendorID: dn.VendorID, DebitNoteID: &dn.ID, PostedOn: g.day(i + 25), Debit: dn.Total, Credit: zero})
		}
		_, err = writeRows(g.w, vl)
		return err
	})
}

// accountTransfers writes transfers between the organization's accounts, with both ledger lines.
func (g *seeder) accountTransfers() {
	g.put(func() error {
		if !g.posting() {
			return nil
		}
		rows := []ubAccountTransfer{}
		for i := range g.scale(1, 4) {
			rows = append(rows, ubAccountTransfer{Row: g.row(i), FromAccountID: g.accounts[1], ToAccountID: g.accounts[[]int{0, 2, 7}[i%3]], Amount: g.money(1000, 50000), TransferredOn: g.day(i)})
		}
		rows, err := writeRows(g.w, rows)
		g.transfers = rows
		if err != nil {
			return err
		}
		al := []ubAccountLedger{}
		for i := range g.transfers {
			t := &g.transfers[i]
			al = append(al,
				ubAccountLedger{Row: g.row(i), AccountID: t.FromAccountID, TransferID: &t.ID, PostedOn: t.TransferredOn, Debit: zero, Credit: t.Amount, Narration: "Transfer out"},
				ubAccountLedger{Row: g.row(i), AccountID: t.ToAccountID, TransferID: &t.ID, PostedOn: t.TransferredOn, Debit: t.Amount, Credit: zero, Narration: "Transfer in"})
		}
		_, err = writeRows(g.w, al)
		return err
	})
}

// people writes HR: employees with salary components, payrolls with payslips, leave,
// employee spends, assets, and contracts.
func (g *seeder) people() {
	g.put(func() error {
		rows := []ubEmployee{}
		for i := range g.scale(1, 4) {
			rows = append(rows, ubEmployee{Row: g.row(i), Name: fmt.Sprintf("Employee %d", i+1), Email: fmt.Sprintf("emp%d@example.com", i+1),
				PAN: fmt.Sprintf("ABCPE%04dK", i%10000), UAN: fmt.Sprintf("10%010d", i), BankAccountNumber: fmt.Sprintf("5020%010d", i), IFSC: "HDFC0000123", BranchID: opt(g.branches, i), JoinedOn: g.day(i)})
		}
		rows, err := writeRows(g.w, rows)
		g.employees = idsOf(rows, func(r *ubEmployee) string { return r.ID })
		if err != nil || len(g.salaryComps) < 4 {
			return err
		}
		esc := []ubEmployeeSalaryComponent{}
		for i, e := range g.employees {
			esc = append(esc, ubEmployeeSalaryComponent{Row: g.row(i), EmployeeID: e, SalaryComponentID: g.salaryComps[0], Amount: g.money(20000, 80000)},
				ubEmployeeSalaryComponent{Row: g.row(i), EmployeeID: e, SalaryComponentID: g.salaryComps[3], Amount: store.MustDecimal("1800.00")})
		}
		_, err = writeRows(g.w, esc)
		return err
	})
	g.put(func() error {
		if !g.posting() || len(g.employees) == 0 {
			return nil
		}
		n := g.scale(1, 20)
		rows := make([]ubPayroll, n)
		slips := []ubPayslip{}
		for i := range rows {
			rows[i] = ubPayroll{Row: g.row(i), Month: g.day(30 * i).Format("2006-01"), AccountID: g.accounts[1]}
		}
		for i, e := range g.employees {
			p := &rows[i%n]
			gross := g.money(20000, 80000)
			ded := store.MustDecimal("2000.00")
			net := store.NewDecimal(gross.Sub(ded.Decimal))
			slips = append(slips, ubPayslip{Row: g.row(i), PayrollID: p.ID, EmployeeID: e, Gross: gross, Deductions: ded, Net: net})
			p.Total = store.NewDecimal(p.Total.Add(net.Decimal))
		}
		rows, err := writeRows(g.w, rows)
		g.payrolls = rows
		g.payrollIDs = idsOf(rows, func(r *ubPayroll) string { return r.ID })
		if err != nil {
			return err
		}
		// Only the slips of the g.payrolls written; their totals then still add up.
		kept := slips[:0]
		for _, sl := range slips {
			for _, id := range g.payrollIDs {
				if sl.PayrollID == id {
					kept = append(kept, sl)
					break
				}
			}
		}
		if _, err := writeRows(g.w, kept); err != nil {
			return err
		}
		al := []ubAccountLedger{}
		for i := range g.payrolls {
			p := &g.payrolls[i]
			al = append(al, ubAccountLedger{Row: g.row(i), AccountID: p.AccountID, PayrollID: &p.ID, PostedOn: g.day(30 * i), Debit: zero, Credit: p.Total, Narration: "Payroll " + p.Month})
		}
		_, err = writeRows(g.w, al)
		return err
	})
	g.put(func() error {
		if len(g.policies) == 0 {
			return nil
		}
		allocs, apps := []ubLeaveAllocation{}, []ubLeaveApplication{}
		for i, e := range g.employees {
			allocs = append(allocs, ubLeaveAllocation{Row: g.row(i), EmployeeID: e, LeavePolicyID: pick(g.policies, i), Days: 12})
			apps = append(apps, ubLeaveApplication{Row: g.row(i), EmployeeID: e, LeavePolicyID: opt(g.policies, i), FromDate: g.day(i + 40), Days: int64(1 + i%3), Status: "approved"})
		}
		if _, err := writeRows(g.w, allocs); err != nil {
			return err
		}
		_, err := writeRows(g.w, apps)
		return err
	})
	g.put(func() error {
		rows := []ubEmployeeSpend{}
		for i, e := range g.employees {
			rows = append(rows, ubEmployeeSpend{Row: g.row(i), EmployeeID: e, ExpenseCategoryID: opt(g.expCats, 1), Amount: g.money(200, 10000), Status: "submitted"})
		}
		_, err := writeRows(g.w, rows)
		return err
	})
	g.put(func() error {
		rows := []ubAsset{}
		for i := range g.scale(1, 4) {
			v := g.money(20000, 200000)
			rows = append(rows, ubAsset{Row: g.row(i), Name: fmt.Sprintf("Laptop %d", i+1), PurchaseValue: v, CurrentValue: tenth(store.NewDecimal(v.Mul(decimal.NewFromInt(8)))), EmployeeID: opt(g.employees, i), BranchID: opt(g.branches, i)})
		}
		_, err := writeRows(g.w, rows)
		return err
	})
	g.put(func() error {
		rows := []ubContract{}
		for i := range g.scale(1, 8) {
			c := ubContract{Row: g.row(i), Title: fmt.Sprintf("Annual maintenance contract %d", i+1), Value: g.money(10000, 300000), EndsOn: g.day(i + 365)}
			if i%2 == 0 {
				c.ClientID = opt(g.clients, i)
			} else {
				c.VendorID = opt(g.vendors, i)
			}
			rows = append(rows, c)
		}
		_, err := writeRows(g.w, rows)
		return err
	})
}

// housekeeping writes documents, file imports, backups, invites, the seeded members and the
// activity log.
func (g *seeder) housekeeping() {
	g.put(func() error {
		rows := []ubDocument{}
		for i := range g.scale(1, 4) {
			rows = append(rows, ubDocument{Row: g.row(i), FileName: fmt.Sprintf("receipt-%d.pdf", i+1), URL: fmt.Sprintf("https://files.upbooks.example/%s/receipt-%d.pdf", g.orgID, i+1), SizeBytes: int64(20000 + g.rnd.IntN(500000))})
		}
		_, err := writeRows(g.w, rows)
		return err
	})
	g.put(func() error {
		rows := []ubFileImport{}
		for i := range g.scale(1, 20) {
			rows = append(rows, ubFileImport{Row: g.row(i), Entity: "clients", FileName: fmt.Sprintf("clients-%d.xlsx", i+1), RowsTotal: 100, RowsFailed: 2, Status: "completed"})
		}
		rows, err := writeRows(g.w, rows)
		g.imports = idsOf(rows, func(r *ubFileImport) string { return r.ID })
		if err != nil {
			return err
		}
		errs := []ubFileImportError{}
		for i := range 2 * len(g.imports) {
			errs = append(errs, ubFileImportError{Row: g.row(i), FileImportID: g.imports[i/2], RowNumber: int64(10 + i), Message: "GSTIN is not valid"})
		}
		_, err = writeRows(g.w, errs)
		return err
	})
	g.put(func() error {
		rows := []ubOrganizationBackup{}
		for i := range g.scale(1, 50) {
			rows = append(rows, ubOrganizationBackup{Row: g.row(i), URL: fmt.Sprintf("https://backups.upbooks.example/%s/%d.zip", g.orgID, i+1), SizeBytes: 10 << 20})
		}
		rows, err := writeRows(g.w, rows)
		g.backups = idsOf(rows, func(r *ubOrganizationBackup) string { return r.ID })
		if err != nil {
			return err
		}
		restores := []ubBackupRestore{}
		for i := 0; i < len(g.backups); i += 2 {
			restores = append(restores, ubBackupRestore{Row: g.row(i), BackupID: g.backups[i], Status: "completed"})
		}
		_, err = writeRows(g.w, restores)
		return err
	})
	g.put(func() error {
		rows := []ubUserInvite{}
		for i := range g.scale(1, 100) + 1 {
			rows = append(rows, ubUserInvite{Row: g.row(i), Email: fmt.Sprintf("invitee%d@example.com", i+1), Role: "member"})
		}
		_, err := writeRows(g.w, rows)
		return err
	})
	g.put(func() error {
		n := min(len(g.members), g.w.budget-g.w.done)
		if n <= 0 || g.w.tx == nil {
			g.w.done += max(n, 0)
			return nil
		}
		// A re-seed finds the g.members already there.
		chunk := g.members[:n]
		if err := g.w.tx.Clauses(clause.OnConflict{DoNothing: true}).Omit(clause.Associations).Create(&chunk).Error; err != nil {
			return fmt.Errorf("seed members: %w", err)
		}
		g.w.done += n
		g.w.progress(g.w.done)
		return nil
	})
	g.put(func() error {
		rows := []ubActivityLog{}
		for i := range g.units {
			r := g.row(i)
			rows = append(rows, ubActivityLog{OrganizationID: r.OrganizationID, ID: r.ID, CreatedAt: r.CreatedAt, UserID: "seed", Action: []string{"invoice.create", "payment.create", "client.update"}[i%3], Details: map[string]any{"seq": i}})
		}
		_, err := writeRows(g.w, rows)
		return err
	})
}
