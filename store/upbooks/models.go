package upbooks

import (
	"time"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/activity"
)

// The Upbooks family's tables: the data behind DeleteSelectiveData's 46 flags. Every table is a
// tenant table keyed (organization_id, id); every reference to another tenant table is a composite
// foreign key that includes organization_id, and every referencing column is indexed so a delete of
// the referenced rows checks its foreign keys by index, not by scan. Which flag owns which table, and
// what each reference means for a delete, is declared once in upbooks_categories.go.

// models are the tables this package maps; a test checks them against the migrated schema.
var models = []any{&ubTax{}, &ubDiscount{}, &ubExpenseCategory{}, &ubBranch{}, &ubWarehouse{}, &ubProductCategory{}, &ubBrand{}, &ubProduct{}, &ubInventoryLedger{}, &ubService{}, &ubItem{}, &ubClient{}, &ubVendor{}, &ubLead{}, &ubLeadActivity{}, &ubDeal{}, &ubEnquiry{}, &ubProposal{}, &ubProposalItem{}, &ubOrder{}, &ubOrderItem{}, &ubProject{}, &ubTask{}, &ubRecurringInvoice{}, &ubInvoice{}, &ubInvoiceItem{}, &ubAccount{}, &ubBankAccount{}, &ubPayment{}, &ubPaymentAllocation{}, &ubSettlement{}, &ubCreditNote{}, &ubCreditNoteItem{}, &ubClientLedger{}, &ubPurchaseOrder{}, &ubPurchaseOrderItem{}, &ubRecurringExpense{}, &ubExpense{}, &ubOutwardPayment{}, &ubOutwardPaymentAllocation{}, &ubDebitNote{}, &ubDebitNoteItem{}, &ubVendorLedger{}, &ubAccountTransfer{}, &ubSalaryComponent{}, &ubEmployee{}, &ubEmployeeSalaryComponent{}, &ubPayroll{}, &ubPayslip{}, &ubLeavePolicy{}, &ubLeaveAllocation{}, &ubLeaveApplication{}, &ubEmployeeSpend{}, &ubAsset{}, &ubContract{}, &ubAccountLedger{}, &ubDocument{}, &ubFileImport{}, &ubFileImportError{}, &ubOrganizationBackup{}, &ubBackupRestore{}, &ubPlatformSubscription{}, &ubPlatformPayment{}, &ubUserInvite{}, &ubActivityLog{}}

// Row is the key and creation time every Upbooks table starts with.
type Row struct {
	OrganizationID string    `gorm:"primaryKey;size:24"`
	ID             string    `gorm:"primaryKey;size:24"`
	CreatedAt      time.Time `gorm:"not null"`
}

// Address is a postal address of a client or vendor.
type Address struct {
	Line1   string `json:"line1"`
	City    string `json:"city"`
	State   string `json:"state"`
	PinCode string `json:"pinCode"`
	Country string `json:"country"`
}

// ubTax is a GST/VAT rate the organization defined (taxes).
type ubTax struct {
	Row
	Name string        `gorm:"size:100;not null"`
	Rate store.Decimal `gorm:"not null"`
	Kind string        `gorm:"size:10;not null"`
}

// ubDiscount is a discount definition (discounts).
type ubDiscount struct {
	Row
	Name    string        `gorm:"size:100;not null"`
	Percent store.Decimal `gorm:"not null"`
}

// ubExpenseCategory is a heading expenses and spends are booked under (expenseCategories).
type ubExpenseCategory struct {
	Row
	Name string `gorm:"size:100;not null"`
}

// ubBranch is a branch office (branch).
type ubBranch struct {
	Row
	Name  string `gorm:"size:100;not null"`
	City  string `gorm:"size:100;not null"`
	GSTIN string `gorm:"size:15;not null"`
}

// ubWarehouse is a stock location (warehouse).
type ubWarehouse struct {
	Row
	Name     string    `gorm:"size:100;not null"`
	BranchID *string   `gorm:"size:24;index"`
	Branch   *ubBranch `gorm:"foreignKey:OrganizationID,BranchID;references:OrganizationID,ID" json:"-"`
}

// ubProductCategory groups products (products).
type ubProductCategory struct {
	Row
	Name string `gorm:"size:100;not null"`
}

// ubBrand is a product brand (products).
type ubBrand struct {
	Row
	Name string `gorm:"size:100;not null"`
}

// ubProduct is a stock item (products); StockOnHand is the sum of its inventory ledger.
type ubProduct struct {
	Row
	Name              string             `gorm:"size:200;not null"`
	SKU               string             `gorm:"size:40;not null"`
	HSN               string             `gorm:"size:8;not null"`
	SalePrice         store.Decimal      `gorm:"not null"`
	PurchasePrice     store.Decimal      `gorm:"not null"`
	StockOnHand       store.Decimal      `gorm:"not null"`
	ProductCategoryID *string            `gorm:"size:24;index"`
	BrandID           *string            `gorm:"size:24;index"`
	TaxID             *string            `gorm:"size:24;index"`
	ProductCategory   *ubProductCategory `gorm:"foreignKey:OrganizationID,ProductCategoryID;references:OrganizationID,ID" json:"-"`
	Brand             *ubBrand           `gorm:"foreignKey:OrganizationID,BrandID;references:OrganizationID,ID" json:"-"`
	Tax               *ubTax             `gorm:"foreignKey:OrganizationID,TaxID;references:OrganizationID,ID" json:"-"`
}

// ubInventoryLedger is a stock movement of a product in a warehouse (products).
type ubInventoryLedger struct {
	Row
	ProductID   string        `gorm:"size:24;not null;index"`
	WarehouseID string        `gorm:"size:24;not null;index"`
	Quantity    store.Decimal `gorm:"not null"`
	Reason      string        `gorm:"size:40;not null"`
	Product     *ubProduct    `gorm:"foreignKey:OrganizationID,ProductID;references:OrganizationID,ID" json:"-"`
	Warehouse   *ubWarehouse  `gorm:"foreignKey:OrganizationID,WarehouseID;references:OrganizationID,ID" json:"-"`
}

// ubService is a non-stock item the organization sells (services).
type ubService struct {
	Row
	Name  string        `gorm:"size:200;not null"`
	SAC   string        `gorm:"size:8;not null"`
	Rate  store.Decimal `gorm:"not null"`
	TaxID *string       `gorm:"size:24;index"`
	Tax   *ubTax        `gorm:"foreignKey:OrganizationID,TaxID;references:OrganizationID,ID" json:"-"`
}

// ubItem is a catalogue entry that document lines refer to: a product or a service (items).
type ubItem struct {
	Row
	Name      string        `gorm:"size:200;not null"`
	Kind      string        `gorm:"size:10;not null"`
	Rate      store.Decimal `gorm:"not null"`
	ProductID *string       `gorm:"size:24;index"`
	ServiceID *string       `gorm:"size:24;index"`
	TaxID     *string       `gorm:"size:24;index"`
	Product   *ubProduct    `gorm:"foreignKey:OrganizationID,ProductID;references:OrganizationID,ID" json:"-"`
	Service   *ubService    `gorm:"foreignKey:OrganizationID,ServiceID;references:OrganizationID,ID" json:"-"`
	Tax       *ubTax        `gorm:"foreignKey:OrganizationID,TaxID;references:OrganizationID,ID" json:"-"`
}

// ubClient is a customer (clients). Balance is the sum of its client ledger (debit - credit).
type ubClient struct {
	Row
	Name            string        `gorm:"size:200;not null"`
	Email           string        `gorm:"size:254;not null"`
	Phone           string        `gorm:"size:20;not null"`
	GSTIN           string        `gorm:"size:15;not null"`
	BillingAddress  Address       `gorm:"serializer:json;not null"`
	ShippingAddress Address       `gorm:"serializer:json;not null"`
	Balance         store.Decimal `gorm:"not null"`
}

// ubVendor is a supplier (vendors). Balance is what the organization owes: the sum of its vendor ledger (credit - debit).
type ubVendor struct {
	Row
	Name    string        `gorm:"size:200;not null"`
	Email   string        `gorm:"size:254;not null"`
	Phone   string        `gorm:"size:20;not null"`
	GSTIN   string        `gorm:"size:15;not null"`
	Address Address       `gorm:"serializer:json;not null"`
	Balance store.Decimal `gorm:"not null"`
}

// ubLead is a sales lead (leads).
type ubLead struct {
	Row
	Name   string `gorm:"size:200;not null"`
	Source string `gorm:"size:40;not null"`
	Status string `gorm:"size:20;not null"`
}

// ubLeadActivity is a call, meeting or note on a lead (leadActivities).
type ubLeadActivity struct {
	Row
	LeadID string  `gorm:"size:24;not null;index"`
	Kind   string  `gorm:"size:20;not null"`
	Note   string  `gorm:"size:500;not null"`
	Lead   *ubLead `gorm:"foreignKey:OrganizationID,LeadID;references:OrganizationID,ID" json:"-"`
}

// ubDeal is an opportunity with a lead or client (deals).
type ubDeal struct {
	Row
	Title    string        `gorm:"size:200;not null"`
	Value    store.Decimal `gorm:"not null"`
	Stage    string        `gorm:"size:20;not null"`
	LeadID   *string       `gorm:"size:24;index"`
	ClientID *string       `gorm:"size:24;index"`
	Lead     *ubLead       `gorm:"foreignKey:OrganizationID,LeadID;references:OrganizationID,ID" json:"-"`
	Client   *ubClient     `gorm:"foreignKey:OrganizationID,ClientID;references:OrganizationID,ID" json:"-"`
}

// ubEnquiry is an inbound enquiry (enquiry).
type ubEnquiry struct {
	Row
	Name    string  `gorm:"size:200;not null"`
	Message string  `gorm:"size:500;not null"`
	LeadID  *string `gorm:"size:24;index"`
	Lead    *ubLead `gorm:"foreignKey:OrganizationID,LeadID;references:OrganizationID,ID" json:"-"`
}

// ubProposal is a quotation to a client (proposals).
type ubProposal struct {
	Row
	Number   string        `gorm:"size:30;not null"`
	ClientID *string       `gorm:"size:24;index"`
	DealID   *string       `gorm:"size:24;index"`
	Total    store.Decimal `gorm:"not null"`
	Client   *ubClient     `gorm:"foreignKey:OrganizationID,ClientID;references:OrganizationID,ID" json:"-"`
	Deal     *ubDeal       `gorm:"foreignKey:OrganizationID,DealID;references:OrganizationID,ID" json:"-"`
}

// ubProposalItem is a line of a proposal (proposals).
type ubProposalItem struct {
	Row
	ProposalID  string        `gorm:"size:24;not null;index"`
	ItemID      *string       `gorm:"size:24;index"`
	Description string        `gorm:"size:200;not null"`
	Quantity    store.Decimal `gorm:"not null"`
	Rate        store.Decimal `gorm:"not null"`
	TaxID       *string       `gorm:"size:24;index"`
	TaxAmount   store.Decimal `gorm:"not null"`
	DiscountID  *string       `gorm:"size:24;index"`
	Amount      store.Decimal `gorm:"not null"`
	Proposal    *ubProposal   `gorm:"foreignKey:OrganizationID,ProposalID;references:OrganizationID,ID" json:"-"`
	Item        *ubItem       `gorm:"foreignKey:OrganizationID,ItemID;references:OrganizationID,ID" json:"-"`
	Tax         *ubTax        `gorm:"foreignKey:OrganizationID,TaxID;references:OrganizationID,ID" json:"-"`
	Discount    *ubDiscount   `gorm:"foreignKey:OrganizationID,DiscountID;references:OrganizationID,ID" json:"-"`
}

// ubOrder is a sales order (orders).
type ubOrder struct {
	Row
	Number      string        `gorm:"size:30;not null"`
	ClientID    string        `gorm:"size:24;not null;index"`
	ProposalID  *string       `gorm:"size:24;index"`
	WarehouseID *string       `gorm:"size:24;index"`
	Total       store.Decimal `gorm:"not null"`
	Client      *ubClient     `gorm:"foreignKey:OrganizationID,ClientID;references:OrganizationID,ID" json:"-"`
	Proposal    *ubProposal   `gorm:"foreignKey:OrganizationID,ProposalID;references:OrganizationID,ID" json:"-"`
	Warehouse   *ubWarehouse  `gorm:"foreignKey:OrganizationID,WarehouseID;references:OrganizationID,ID" json:"-"`
}

// ubOrderItem is a line of a sales order (orders).
type ubOrderItem struct {
	Row
	OrderID     string        `gorm:"size:24;not null;index"`
	ItemID      *string       `gorm:"size:24;index"`
	Description string        `gorm:"size:200;not null"`
	Quantity    store.Decimal `gorm:"not null"`
	Rate        store.Decimal `gorm:"not null"`
	TaxID       *string       `gorm:"size:24;index"`
	TaxAmount   store.Decimal `gorm:"not null"`
	DiscountID  *string       `gorm:"size:24;index"`
	Amount      store.Decimal `gorm:"not null"`
	Order       *ubOrder      `gorm:"foreignKey:OrganizationID,OrderID;references:OrganizationID,ID" json:"-"`
	Item        *ubItem       `gorm:"foreignKey:OrganizationID,ItemID;references:OrganizationID,ID" json:"-"`
	Tax         *ubTax        `gorm:"foreignKey:OrganizationID,TaxID;references:OrganizationID,ID" json:"-"`
	Discount    *ubDiscount   `gorm:"foreignKey:OrganizationID,DiscountID;references:OrganizationID,ID" json:"-"`
}

// ubProject is a client project (projects).
type ubProject struct {
	Row
	Name     string        `gorm:"size:200;not null"`
	ClientID *string       `gorm:"size:24;index"`
	Budget   store.Decimal `gorm:"not null"`
	Status   string        `gorm:"size:20;not null"`
	Client   *ubClient     `gorm:"foreignKey:OrganizationID,ClientID;references:OrganizationID,ID" json:"-"`
}

// ubTask is a task, usually of a project (tasks).
type ubTask struct {
	Row
	Number    string     `gorm:"size:20;not null"`
	Title     string     `gorm:"size:200;not null"`
	Priority  string     `gorm:"size:10;not null"`
	ProjectID *string    `gorm:"size:24;index"`
	Project   *ubProject `gorm:"foreignKey:OrganizationID,ProjectID;references:OrganizationID,ID" json:"-"`
}

// ubRecurringInvoice is a schedule that generates invoices (invoice).
type ubRecurringInvoice struct {
	Row
	ClientID  string        `gorm:"size:24;not null;index"`
	Frequency string        `gorm:"size:10;not null"`
	NextDue   time.Time     `gorm:"not null"`
	Amount    store.Decimal `gorm:"not null"`
	Client    *ubClient     `gorm:"foreignKey:OrganizationID,ClientID;references:OrganizationID,ID" json:"-"`
}

// ubInvoice is a sales invoice (invoice). AmountPaid, AmountCredited and Outstanding are derived from payment allocations and credit notes.
type ubInvoice struct {
	Row
	Number             string              `gorm:"size:30;not null"`
	IssueDate          time.Time           `gorm:"not null"`
	ClientID           string              `gorm:"size:24;not null;index"`
	OrderID            *string             `gorm:"size:24;index"`
	ProjectID          *string             `gorm:"size:24;index"`
	BranchID           *string             `gorm:"size:24;index"`
	RecurringInvoiceID *string             `gorm:"size:24;index"`
	SubTotal           store.Decimal       `gorm:"not null"`
	TaxTotal           store.Decimal       `gorm:"not null"`
	Total              store.Decimal       `gorm:"not null"`
	AmountPaid         store.Decimal       `gorm:"not null"`
	AmountCredited     store.Decimal       `gorm:"not null"`
	Outstanding        store.Decimal       `gorm:"not null"`
	Client             *ubClient           `gorm:"foreignKey:OrganizationID,ClientID;references:OrganizationID,ID" json:"-"`
	Order              *ubOrder            `gorm:"foreignKey:OrganizationID,OrderID;references:OrganizationID,ID" json:"-"`
	Project            *ubProject          `gorm:"foreignKey:OrganizationID,ProjectID;references:OrganizationID,ID" json:"-"`
	Branch             *ubBranch           `gorm:"foreignKey:OrganizationID,BranchID;references:OrganizationID,ID" json:"-"`
	RecurringInvoice   *ubRecurringInvoice `gorm:"foreignKey:OrganizationID,RecurringInvoiceID;references:OrganizationID,ID" json:"-"`
}

// ubInvoiceItem is a line of an invoice (invoice).
type ubInvoiceItem struct {
	Row
	InvoiceID   string        `gorm:"size:24;not null;index"`
	ItemID      *string       `gorm:"size:24;index"`
	Description string        `gorm:"size:200;not null"`
	Quantity    store.Decimal `gorm:"not null"`
	Rate        store.Decimal `gorm:"not null"`
	TaxID       *string       `gorm:"size:24;index"`
	TaxAmount   store.Decimal `gorm:"not null"`
	DiscountID  *string       `gorm:"size:24;index"`
	Amount      store.Decimal `gorm:"not null"`
	Invoice     *ubInvoice    `gorm:"foreignKey:OrganizationID,InvoiceID;references:OrganizationID,ID" json:"-"`
	Item        *ubItem       `gorm:"foreignKey:OrganizationID,ItemID;references:OrganizationID,ID" json:"-"`
	Tax         *ubTax        `gorm:"foreignKey:OrganizationID,TaxID;references:OrganizationID,ID" json:"-"`
	Discount    *ubDiscount   `gorm:"foreignKey:OrganizationID,DiscountID;references:OrganizationID,ID" json:"-"`
}

// ubAccount is an account of the chart of accounts (account). Balance is the sum of its ledger (debit - credit).
type ubAccount struct {
	Row
	Name    string        `gorm:"size:100;not null"`
	Kind    string        `gorm:"size:20;not null"`
	Balance store.Decimal `gorm:"not null"`
}

// ubBankAccount is a bank account backed by a ledger account (bankAccounts).
type ubBankAccount struct {
	Row
	BankName      string     `gorm:"size:100;not null"`
	AccountNumber string     `gorm:"size:30;not null"`
	IFSC          string     `gorm:"size:11;not null"`
	AccountID     string     `gorm:"size:24;not null;index"`
	Account       *ubAccount `gorm:"foreignKey:OrganizationID,AccountID;references:OrganizationID,ID" json:"-"`
}

// ubPayment is money received from a client (payments).
type ubPayment struct {
	Row
	Number    string        `gorm:"size:30;not null"`
	PaidOn    time.Time     `gorm:"not null"`
	ClientID  string        `gorm:"size:24;not null;index"`
	AccountID string        `gorm:"size:24;not null;index"`
	Amount    store.Decimal `gorm:"not null"`
	Mode      string        `gorm:"size:20;not null"`
	Client    *ubClient     `gorm:"foreignKey:OrganizationID,ClientID;references:OrganizationID,ID" json:"-"`
	Account   *ubAccount    `gorm:"foreignKey:OrganizationID,AccountID;references:OrganizationID,ID" json:"-"`
}

// ubPaymentAllocation is the part of a payment applied to an invoice (payments).
type ubPaymentAllocation struct {
	Row
	PaymentID string        `gorm:"size:24;not null;index"`
	InvoiceID string        `gorm:"size:24;not null;index"`
	Amount    store.Decimal `gorm:"not null"`
	Payment   *ubPayment    `gorm:"foreignKey:OrganizationID,PaymentID;references:OrganizationID,ID" json:"-"`
	Invoice   *ubInvoice    `gorm:"foreignKey:OrganizationID,InvoiceID;references:OrganizationID,ID" json:"-"`
}

// ubSettlement is a payment-gateway payout of a payment into a bank account (settlements).
type ubSettlement struct {
	Row
	PaymentID     *string        `gorm:"size:24;index"`
	BankAccountID *string        `gorm:"size:24;index"`
	Amount        store.Decimal  `gorm:"not null"`
	Fee           store.Decimal  `gorm:"not null"`
	Payment       *ubPayment     `gorm:"foreignKey:OrganizationID,PaymentID;references:OrganizationID,ID" json:"-"`
	BankAccount   *ubBankAccount `gorm:"foreignKey:OrganizationID,BankAccountID;references:OrganizationID,ID" json:"-"`
}

// ubCreditNote is a credit note to a client, usually against an invoice (creditNotes).
type ubCreditNote struct {
	Row
	Number    string        `gorm:"size:30;not null"`
	ClientID  string        `gorm:"size:24;not null;index"`
	InvoiceID *string       `gorm:"size:24;index"`
	Total     store.Decimal `gorm:"not null"`
	Client    *ubClient     `gorm:"foreignKey:OrganizationID,ClientID;references:OrganizationID,ID" json:"-"`
	Invoice   *ubInvoice    `gorm:"foreignKey:OrganizationID,InvoiceID;references:OrganizationID,ID" json:"-"`
}

// ubCreditNoteItem is a line of a credit note (creditNotes).
type ubCreditNoteItem struct {
	Row
	CreditNoteID string        `gorm:"size:24;not null;index"`
	ItemID       *string       `gorm:"size:24;index"`
	Description  string        `gorm:"size:200;not null"`
	Quantity     store.Decimal `gorm:"not null"`
	Rate         store.Decimal `gorm:"not null"`
	TaxID        *string       `gorm:"size:24;index"`
	TaxAmount    store.Decimal `gorm:"not null"`
	DiscountID   *string       `gorm:"size:24;index"`
	Amount       store.Decimal `gorm:"not null"`
	CreditNote   *ubCreditNote `gorm:"foreignKey:OrganizationID,CreditNoteID;references:OrganizationID,ID" json:"-"`
	Item         *ubItem       `gorm:"foreignKey:OrganizationID,ItemID;references:OrganizationID,ID" json:"-"`
	Tax          *ubTax        `gorm:"foreignKey:OrganizationID,TaxID;references:OrganizationID,ID" json:"-"`
	Discount     *ubDiscount   `gorm:"foreignKey:OrganizationID,DiscountID;references:OrganizationID,ID" json:"-"`
}

// ubClientLedger is a statement-of-account line of a client (clientLedger), posted by an invoice, payment or credit note, or a manual adjustment.
type ubClientLedger struct {
	Row
	ClientID     string        `gorm:"size:24;not null;index"`
	InvoiceID    *string       `gorm:"size:24;index"`
	PaymentID    *string       `gorm:"size:24;index"`
	CreditNoteID *string       `gorm:"size:24;index"`
	PostedOn     time.Time     `gorm:"not null"`
	Debit        store.Decimal `gorm:"not null"`
	Credit       store.Decimal `gorm:"not null"`
	Narration    string        `gorm:"size:200;not null"`
	Client       *ubClient     `gorm:"foreignKey:OrganizationID,ClientID;references:OrganizationID,ID" json:"-"`
	Invoice      *ubInvoice    `gorm:"foreignKey:OrganizationID,InvoiceID;references:OrganizationID,ID" json:"-"`
	Payment      *ubPayment    `gorm:"foreignKey:OrganizationID,PaymentID;references:OrganizationID,ID" json:"-"`
	CreditNote   *ubCreditNote `gorm:"foreignKey:OrganizationID,CreditNoteID;references:OrganizationID,ID" json:"-"`
}

// ubPurchaseOrder is an order sent to a vendor (purchaseOrders).
type ubPurchaseOrder struct {
	Row
	Number      string        `gorm:"size:30;not null"`
	VendorID    string        `gorm:"size:24;not null;index"`
	WarehouseID *string       `gorm:"size:24;index"`
	Total       store.Decimal `gorm:"not null"`
	Vendor      *ubVendor     `gorm:"foreignKey:OrganizationID,VendorID;references:OrganizationID,ID" json:"-"`
	Warehouse   *ubWarehouse  `gorm:"foreignKey:OrganizationID,WarehouseID;references:OrganizationID,ID" json:"-"`
}

// ubPurchaseOrderItem is a line of a purchase order (purchaseOrders).
type ubPurchaseOrderItem struct {
	Row
	PurchaseOrderID string           `gorm:"size:24;not null;index"`
	ItemID          *string          `gorm:"size:24;index"`
	Description     string           `gorm:"size:200;not null"`
	Quantity        store.Decimal    `gorm:"not null"`
	Rate            store.Decimal    `gorm:"not null"`
	TaxID           *string          `gorm:"size:24;index"`
	TaxAmount       store.Decimal    `gorm:"not null"`
	DiscountID      *string          `gorm:"size:24;index"`
	Amount          store.Decimal    `gorm:"not null"`
	PurchaseOrder   *ubPurchaseOrder `gorm:"foreignKey:OrganizationID,PurchaseOrderID;references:OrganizationID,ID" json:"-"`
	Item            *ubItem          `gorm:"foreignKey:OrganizationID,ItemID;references:OrganizationID,ID" json:"-"`
	Tax             *ubTax           `gorm:"foreignKey:OrganizationID,TaxID;references:OrganizationID,ID" json:"-"`
	Discount        *ubDiscount      `gorm:"foreignKey:OrganizationID,DiscountID;references:OrganizationID,ID" json:"-"`
}

// ubRecurringExpense is a schedule that generates expenses (expenses).
type ubRecurringExpense struct {
	Row
	VendorID          *string            `gorm:"size:24;index"`
	ExpenseCategoryID *string            `gorm:"size:24;index"`
	Frequency         string             `gorm:"size:10;not null"`
	NextDue           time.Time          `gorm:"not null"`
	Amount            store.Decimal      `gorm:"not null"`
	Vendor            *ubVendor          `gorm:"foreignKey:OrganizationID,VendorID;references:OrganizationID,ID" json:"-"`
	ExpenseCategory   *ubExpenseCategory `gorm:"foreignKey:OrganizationID,ExpenseCategoryID;references:OrganizationID,ID" json:"-"`
}

// ubExpense is a bill or expense (expenses). AmountPaid, AmountDebited and Outstanding are derived from outward payment allocations and debit notes.
type ubExpense struct {
	Row
	Number             string              `gorm:"size:30;not null"`
	BillDate           time.Time           `gorm:"not null"`
	VendorID           *string             `gorm:"size:24;index"`
	ExpenseCategoryID  *string             `gorm:"size:24;index"`
	ProjectID          *string             `gorm:"size:24;index"`
	TaxID              *string             `gorm:"size:24;index"`
	PurchaseOrderID    *string             `gorm:"size:24;index"`
	RecurringExpenseID *string             `gorm:"size:24;index"`
	Total              store.Decimal       `gorm:"not null"`
	AmountPaid         store.Decimal       `gorm:"not null"`
	AmountDebited      store.Decimal       `gorm:"not null"`
	Outstanding        store.Decimal       `gorm:"not null"`
	Vendor             *ubVendor           `gorm:"foreignKey:OrganizationID,VendorID;references:OrganizationID,ID" json:"-"`
	ExpenseCategory    *ubExpenseCategory  `gorm:"foreignKey:OrganizationID,ExpenseCategoryID;references:OrganizationID,ID" json:"-"`
	Project            *ubProject          `gorm:"foreignKey:OrganizationID,ProjectID;references:OrganizationID,ID" json:"-"`
	Tax                *ubTax              `gorm:"foreignKey:OrganizationID,TaxID;references:OrganizationID,ID" json:"-"`
	PurchaseOrder      *ubPurchaseOrder    `gorm:"foreignKey:OrganizationID,PurchaseOrderID;references:OrganizationID,ID" json:"-"`
	RecurringExpense   *ubRecurringExpense `gorm:"foreignKey:OrganizationID,RecurringExpenseID;references:OrganizationID,ID" json:"-"`
}

// ubOutwardPayment is money paid to a vendor (outwardPayments).
type ubOutwardPayment struct {
	Row
	Number    string        `gorm:"size:30;not null"`
	PaidOn    time.Time     `gorm:"not null"`
	VendorID  string        `gorm:"size:24;not null;index"`
	AccountID string        `gorm:"size:24;not null;index"`
	Amount    store.Decimal `gorm:"not null"`
	Vendor    *ubVendor     `gorm:"foreignKey:OrganizationID,VendorID;references:OrganizationID,ID" json:"-"`
	Account   *ubAccount    `gorm:"foreignKey:OrganizationID,AccountID;references:OrganizationID,ID" json:"-"`
}

// ubOutwardPaymentAllocation is the part of an outward payment applied to an expense (outwardPayments).
type ubOutwardPaymentAllocation struct {
	Row
	OutwardPaymentID string            `gorm:"size:24;not null;index"`
	ExpenseID        string            `gorm:"size:24;not null;index"`
	Amount           store.Decimal     `gorm:"not null"`
	OutwardPayment   *ubOutwardPayment `gorm:"foreignKey:OrganizationID,OutwardPaymentID;references:OrganizationID,ID" json:"-"`
	Expense          *ubExpense        `gorm:"foreignKey:OrganizationID,ExpenseID;references:OrganizationID,ID" json:"-"`
}

// ubDebitNote is a debit note to a vendor, usually against an expense (debitNotes).
type ubDebitNote struct {
	Row
	Number    string        `gorm:"size:30;not null"`
	VendorID  string        `gorm:"size:24;not null;index"`
	ExpenseID *string       `gorm:"size:24;index"`
	Total     store.Decimal `gorm:"not null"`
	Vendor    *ubVendor     `gorm:"foreignKey:OrganizationID,VendorID;references:OrganizationID,ID" json:"-"`
	Expense   *ubExpense    `gorm:"foreignKey:OrganizationID,ExpenseID;references:OrganizationID,ID" json:"-"`
}

// ubDebitNoteItem is a line of a debit note (debitNotes).
type ubDebitNoteItem struct {
	Row
	DebitNoteID string        `gorm:"size:24;not null;index"`
	ItemID      *string       `gorm:"size:24;index"`
	Description string        `gorm:"size:200;not null"`
	Quantity    store.Decimal `gorm:"not null"`
	Rate        store.Decimal `gorm:"not null"`
	TaxID       *string       `gorm:"size:24;index"`
	TaxAmount   store.Decimal `gorm:"not null"`
	DiscountID  *string       `gorm:"size:24;index"`
	Amount      store.Decimal `gorm:"not null"`
	DebitNote   *ubDebitNote  `gorm:"foreignKey:OrganizationID,DebitNoteID;references:OrganizationID,ID" json:"-"`
	Item        *ubItem       `gorm:"foreignKey:OrganizationID,ItemID;references:OrganizationID,ID" json:"-"`
	Tax         *ubTax        `gorm:"foreignKey:OrganizationID,TaxID;references:OrganizationID,ID" json:"-"`
	Discount    *ubDiscount   `gorm:"foreignKey:OrganizationID,DiscountID;references:OrganizationID,ID" json:"-"`
}

// ubVendorLedger is a line of a vendor's statement, posted by an expense, outward payment or debit note; it has no flag of its own and goes with what posted it.
type ubVendorLedger struct {
	Row
	VendorID         string            `gorm:"size:24;not null;index"`
	ExpenseID        *string           `gorm:"size:24;index"`
	OutwardPaymentID *string           `gorm:"size:24;index"`
	DebitNoteID      *string           `gorm:"size:24;index"`
	PostedOn         time.Time         `gorm:"not null"`
	Debit            store.Decimal     `gorm:"not null"`
	Credit           store.Decimal     `gorm:"not null"`
	Vendor           *ubVendor         `gorm:"foreignKey:OrganizationID,VendorID;references:OrganizationID,ID" json:"-"`
	Expense          *ubExpense        `gorm:"foreignKey:OrganizationID,ExpenseID;references:OrganizationID,ID" json:"-"`
	OutwardPayment   *ubOutwardPayment `gorm:"foreignKey:OrganizationID,OutwardPaymentID;references:OrganizationID,ID" json:"-"`
	DebitNote        *ubDebitNote      `gorm:"foreignKey:OrganizationID,DebitNoteID;references:OrganizationID,ID" json:"-"`
}

// ubAccountTransfer moves money between two accounts (accountTransfer).
type ubAccountTransfer struct {
	Row
	FromAccountID string        `gorm:"size:24;not null;index"`
	ToAccountID   string        `gorm:"size:24;not null;index"`
	Amount        store.Decimal `gorm:"not null"`
	TransferredOn time.Time     `gorm:"not null"`
	FromAccount   *ubAccount    `gorm:"foreignKey:OrganizationID,FromAccountID;references:OrganizationID,ID" json:"-"`
	ToAccount     *ubAccount    `gorm:"foreignKey:OrganizationID,ToAccountID;references:OrganizationID,ID" json:"-"`
}

// ubSalaryComponent is an earning or deduction heading (salaryComponents).
type ubSalaryComponent struct {
	Row
	Name string `gorm:"size:100;not null"`
	Kind string `gorm:"size:10;not null"`
}

// ubEmployee is an employee record (employees).
type ubEmployee struct {
	Row
	Name              string    `gorm:"size:200;not null"`
	Email             string    `gorm:"size:254;not null"`
	PAN               string    `gorm:"size:10;not null"`
	UAN               string    `gorm:"size:12;not null"`
	BankAccountNumber string    `gorm:"size:30;not null"`
	IFSC              string    `gorm:"size:11;not null"`
	BranchID          *string   `gorm:"size:24;index"`
	JoinedOn          time.Time `gorm:"not null"`
	Branch            *ubBranch `gorm:"foreignKey:OrganizationID,BranchID;references:OrganizationID,ID" json:"-"`
}

// ubEmployeeSalaryComponent is one component of an employee's salary structure (employees).
type ubEmployeeSalaryComponent struct {
	Row
	EmployeeID        string             `gorm:"size:24;not null;index"`
	SalaryComponentID string             `gorm:"size:24;not null;index"`
	Amount            store.Decimal      `gorm:"not null"`
	Employee          *ubEmployee        `gorm:"foreignKey:OrganizationID,EmployeeID;references:OrganizationID,ID" json:"-"`
	SalaryComponent   *ubSalaryComponent `gorm:"foreignKey:OrganizationID,SalaryComponentID;references:OrganizationID,ID" json:"-"`
}

// ubPayroll is a monthly payroll run paid from an account (payroll).
type ubPayroll struct {
	Row
	Month     string        `gorm:"size:7;not null"`
	AccountID string        `gorm:"size:24;not null;index"`
	Total     store.Decimal `gorm:"not null"`
	Account   *ubAccount    `gorm:"foreignKey:OrganizationID,AccountID;references:OrganizationID,ID" json:"-"`
}

// ubPayslip is an employee's payslip in a payroll run (payroll).
type ubPayslip struct {
	Row
	PayrollID  string        `gorm:"size:24;not null;index"`
	EmployeeID string        `gorm:"size:24;not null;index"`
	Gross      store.Decimal `gorm:"not null"`
	Deductions store.Decimal `gorm:"not null"`
	Net        store.Decimal `gorm:"not null"`
	Payroll    *ubPayroll    `gorm:"foreignKey:OrganizationID,PayrollID;references:OrganizationID,ID" json:"-"`
	Employee   *ubEmployee   `gorm:"foreignKey:OrganizationID,EmployeeID;references:OrganizationID,ID" json:"-"`
}

// ubLeavePolicy is a kind of leave with its yearly allowance (leavePolicies).
type ubLeavePolicy struct {
	Row
	Name        string `gorm:"size:100;not null"`
	DaysPerYear int64  `gorm:"not null"`
}

// ubLeaveAllocation is an employee's leave allowance under a policy (employeeLeaves).
type ubLeaveAllocation struct {
	Row
	EmployeeID    string         `gorm:"size:24;not null;index"`
	LeavePolicyID string         `gorm:"size:24;not null;index"`
	Days          int64          `gorm:"not null"`
	Employee      *ubEmployee    `gorm:"foreignKey:OrganizationID,EmployeeID;references:OrganizationID,ID" json:"-"`
	LeavePolicy   *ubLeavePolicy `gorm:"foreignKey:OrganizationID,LeavePolicyID;references:OrganizationID,ID" json:"-"`
}

// ubLeaveApplication is an employee's request for leave (employeeLeaves).
type ubLeaveApplication struct {
	Row
	EmployeeID    string         `gorm:"size:24;not null;index"`
	LeavePolicyID *string        `gorm:"size:24;index"`
	FromDate      time.Time      `gorm:"not null"`
	Days          int64          `gorm:"not null"`
	Status        string         `gorm:"size:20;not null"`
	Employee      *ubEmployee    `gorm:"foreignKey:OrganizationID,EmployeeID;references:OrganizationID,ID" json:"-"`
	LeavePolicy   *ubLeavePolicy `gorm:"foreignKey:OrganizationID,LeavePolicyID;references:OrganizationID,ID" json:"-"`
}

// ubEmployeeSpend is an expense claim by an employee (employeeSpends).
type ubEmployeeSpend struct {
	Row
	EmployeeID        string             `gorm:"size:24;not null;index"`
	ExpenseCategoryID *string            `gorm:"size:24;index"`
	Amount            store.Decimal      `gorm:"not null"`
	Status            string             `gorm:"size:20;not null"`
	Employee          *ubEmployee        `gorm:"foreignKey:OrganizationID,EmployeeID;references:OrganizationID,ID" json:"-"`
	ExpenseCategory   *ubExpenseCategory `gorm:"foreignKey:OrganizationID,ExpenseCategoryID;references:OrganizationID,ID" json:"-"`
}

// ubAsset is a fixed asset (assets).
type ubAsset struct {
	Row
	Name          string        `gorm:"size:200;not null"`
	PurchaseValue store.Decimal `gorm:"not null"`
	CurrentValue  store.Decimal `gorm:"not null"`
	EmployeeID    *string       `gorm:"size:24;index"`
	BranchID      *string       `gorm:"size:24;index"`
	Employee      *ubEmployee   `gorm:"foreignKey:OrganizationID,EmployeeID;references:OrganizationID,ID" json:"-"`
	Branch        *ubBranch     `gorm:"foreignKey:OrganizationID,BranchID;references:OrganizationID,ID" json:"-"`
}

// ubContract is a contract with a client or vendor (contracts).
type ubContract struct {
	Row
	Title    string        `gorm:"size:200;not null"`
	Value    store.Decimal `gorm:"not null"`
	ClientID *string       `gorm:"size:24;index"`
	VendorID *string       `gorm:"size:24;index"`
	EndsOn   time.Time     `gorm:"not null"`
	Client   *ubClient     `gorm:"foreignKey:OrganizationID,ClientID;references:OrganizationID,ID" json:"-"`
	Vendor   *ubVendor     `gorm:"foreignKey:OrganizationID,VendorID;references:OrganizationID,ID" json:"-"`
}

// ubAccountLedger is a posting to an account (accountLedger), made by an invoice, payment, expense, outward payment, transfer or payroll run, or a manual adjustment.
type ubAccountLedger struct {
	Row
	AccountID        string             `gorm:"size:24;not null;index"`
	InvoiceID        *string            `gorm:"size:24;index"`
	PaymentID        *string            `gorm:"size:24;index"`
	ExpenseID        *string            `gorm:"size:24;index"`
	OutwardPaymentID *string            `gorm:"size:24;index"`
	TransferID       *string            `gorm:"size:24;index"`
	PayrollID        *string            `gorm:"size:24;index"`
	PostedOn         time.Time          `gorm:"not null"`
	Debit            store.Decimal      `gorm:"not null"`
	Credit           store.Decimal      `gorm:"not null"`
	Narration        string             `gorm:"size:200;not null"`
	Account          *ubAccount         `gorm:"foreignKey:OrganizationID,AccountID;references:OrganizationID,ID" json:"-"`
	Invoice          *ubInvoice         `gorm:"foreignKey:OrganizationID,InvoiceID;references:OrganizationID,ID" json:"-"`
	Payment          *ubPayment         `gorm:"foreignKey:OrganizationID,PaymentID;references:OrganizationID,ID" json:"-"`
	Expense          *ubExpense         `gorm:"foreignKey:OrganizationID,ExpenseID;references:OrganizationID,ID" json:"-"`
	OutwardPayment   *ubOutwardPayment  `gorm:"foreignKey:OrganizationID,OutwardPaymentID;references:OrganizationID,ID" json:"-"`
	Transfer         *ubAccountTransfer `gorm:"foreignKey:OrganizationID,TransferID;references:OrganizationID,ID" json:"-"`
	Payroll          *ubPayroll         `gorm:"foreignKey:OrganizationID,PayrollID;references:OrganizationID,ID" json:"-"`
}

// ubDocument is an uploaded file (documents).
type ubDocument struct {
	Row
	FileName  string `gorm:"size:200;not null"`
	URL       string `gorm:"size:500;not null"`
	SizeBytes int64  `gorm:"not null"`
}

// ubFileImport is a file-import job (fileImports).
type ubFileImport struct {
	Row
	Entity     string `gorm:"size:30;not null"`
	FileName   string `gorm:"size:200;not null"`
	RowsTotal  int64  `gorm:"not null"`
	RowsFailed int64  `gorm:"not null"`
	Status     string `gorm:"size:20;not null"`
}

// ubFileImportError is a rejected row of a file import (fileImports).
type ubFileImportError struct {
	Row
	FileImportID string        `gorm:"size:24;not null;index"`
	RowNumber    int64         `gorm:"not null"`
	Message      string        `gorm:"size:300;not null"`
	FileImport   *ubFileImport `gorm:"foreignKey:OrganizationID,FileImportID;references:OrganizationID,ID" json:"-"`
}

// ubOrganizationBackup is a backup of the organization's data (organizationBackups).
type ubOrganizationBackup struct {
	Row
	URL           string       `gorm:"size:500;not null"` // the blob's key, for backups this service took
	SizeBytes     int64        `gorm:"not null"`
	CreatedBy     string       `gorm:"size:36;not null;default:''"`
	Checksum      string       `gorm:"size:80;not null;default:''"`
	SchemaVersion int64        `gorm:"not null;default:0"`
	RowCount      int64        `gorm:"not null;default:0"`
	Counts        backupCounts `gorm:"serializer:json;not null;default:'{}'"`
}

// backupCounts are a backup's rows per table and per category.
type backupCounts struct {
	Tables     map[string]int64 `json:"tables,omitempty"`
	Categories map[string]int64 `json:"categories,omitempty"`
}

// ubBackupRestore is a restore of a backup (organizationBackups).
type ubBackupRestore struct {
	Row
	BackupID   string                `gorm:"size:24;not null;index"`
	Status     string                `gorm:"size:20;not null"`
	CreatedBy  string                `gorm:"size:36;not null;default:''"`
	Categories []string              `gorm:"serializer:json;not null;default:'[]'"` // the categories restored
	Restored   map[string]int64      `gorm:"serializer:json;not null;default:'{}'"` // rows restored per category
	Backup     *ubOrganizationBackup `gorm:"foreignKey:OrganizationID,BackupID;references:OrganizationID,ID" json:"-"`
}

// ubPlatformSubscription is a subscription to an Upbooks plan (platformSubscriptions).
type ubPlatformSubscription struct {
	Row
	Plan     string    `gorm:"size:40;not null"`
	StartsOn time.Time `gorm:"not null"`
	EndsOn   time.Time `gorm:"not null"`
}

// ubPlatformPayment is a payment for a platform subscription (platformSubscriptions).
type ubPlatformPayment struct {
	Row
	SubscriptionID string                  `gorm:"size:24;not null;index"`
	Amount         store.Decimal           `gorm:"not null"`
	Status         string                  `gorm:"size:20;not null"`
	Subscription   *ubPlatformSubscription `gorm:"foreignKey:OrganizationID,SubscriptionID;references:OrganizationID,ID" json:"-"`
}

// ubUserInvite is a pending invitation to join the organization (users).
type ubUserInvite struct {
	Row
	Email string `gorm:"size:254;not null"`
	Role  string `gorm:"size:10;not null"`
}

// ubActivityLog records who did what in the organization (activityLogs); every family writes it
// through store/activity.
type ubActivityLog = activity.Entry
