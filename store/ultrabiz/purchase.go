package ultrabiz

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/activity"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Ultrabiz purchase invoices. Entering one adds its lines' units to stock and its total to the
// vendor's balance; deleting one takes exactly that back. Both run in one transaction with a constant
// number of statements, however many lines (and, for inserts, invoices) there are.

// PurchaseInvoice is a purchase invoice's header. IsPGP is the purchase book it was entered
// in; reads and deletes must name the same book. A deleted invoice keeps its row (DeletedAt, DeletedBy)
// for audit and frees its bill number.
type PurchaseInvoice struct {
	OrganizationID string `gorm:"primaryKey;size:24;uniqueIndex:ux_ultrabiz_bill_no,priority:1,where:deleted_at IS NULL"`
	ID             int64  `gorm:"primaryKey;autoIncrement:false"`
	IsPGP          bool   `gorm:"column:is_pgp;not null"`
	IsOpen         bool   `gorm:"not null"`
	IsRateChange   bool   `gorm:"not null"`
	VendorID       int32  `gorm:"not null;uniqueIndex:ux_ultrabiz_bill_no,priority:2"`
	BillNo         string `gorm:"size:50;not null;uniqueIndex:ux_ultrabiz_bill_no,priority:3"`
	BillDate       time.Time
	Remarks        *string       `gorm:"size:500"`
	GrossAmount    store.Decimal `gorm:"not null;precision:20;scale:4"`
	DiscAmount     store.Decimal `gorm:"not null;precision:20;scale:4"`
	STaxAmount     store.Decimal `gorm:"column:s_tax_amount;not null;precision:20;scale:4"`
	FTaxAmount     store.Decimal `gorm:"column:f_tax_amount;not null;precision:20;scale:4"`
	ITaxAmount     store.Decimal `gorm:"column:i_tax_amount;not null;precision:20;scale:4"`
	NetAmount      store.Decimal `gorm:"not null;precision:20;scale:4"`
	PaidAmount     store.Decimal `gorm:"not null;precision:20;scale:4"`
	IsPosted       bool          `gorm:"not null"`
	IsFinalized    bool          `gorm:"not null"`
	CreatedBy      int64         `gorm:"not null"`
	CreatedAt      time.Time
	DeletedAt      *time.Time
	DeletedBy      *int64
	Vendor         Vendor         `gorm:"foreignKey:OrganizationID,VendorID;references:OrganizationID,ID" json:"-"`
	Lines          []PurchaseLine `gorm:"foreignKey:OrganizationID,InvoiceID;references:OrganizationID,ID"`
}

// PurchaseLine is one line of a purchase invoice, with every PurchasesBody field. Units is
// what the line added to stock (QtyPack x Multiplier + QtyLose + BnsLose), kept so a delete takes
// back exactly that.
type PurchaseLine struct {
	OrganizationID  string        `gorm:"primaryKey;size:24"`
	InvoiceID       int64         `gorm:"primaryKey;autoIncrement:false"`
	LineNo          int32         `gorm:"primaryKey;autoIncrement:false"`
	ProductID       string        `gorm:"size:50;not null"`
	PackingID       int32         `gorm:"not null"`
	Multiplier      store.Decimal `gorm:"not null;precision:20;scale:4"`
	QtyPack         int32         `gorm:"not null"`
	QtyLose         int32         `gorm:"not null"`
	BnsLose         int32         `gorm:"not null"`
	PricePack       store.Decimal `gorm:"not null;precision:20;scale:4"`
	DiscRatio       store.Decimal `gorm:"not null;precision:20;scale:4"`
	DiscValPack     store.Decimal `gorm:"not null;precision:20;scale:4"`
	DiscValLose     store.Decimal `gorm:"not null;precision:20;scale:4"`
	OfferDiscount   store.Decimal `gorm:"not null;precision:20;scale:4"`
	STaxRatio       store.Decimal `gorm:"column:s_tax_ratio;not null;precision:20;scale:4"`
	STaxValPack     store.Decimal `gorm:"column:s_tax_val_pack;not null;precision:20;scale:4"`
	IsValueB4Ratio  bool          `gorm:"column:is_value_b4_ratio;not null"`
	IsSTaxOnBns     bool          `gorm:"column:is_s_tax_on_bns;not null"`
	IsFTaxExempted  bool          `gorm:"column:is_f_tax_exempted;not null"`
	TTLValue        store.Decimal `gorm:"column:ttl_value;not null;precision:20;scale:4"`
	TTLSTax         store.Decimal `gorm:"column:ttl_s_tax;not null;precision:20;scale:4"`
	TTLFTax         store.Decimal `gorm:"column:ttl_f_tax;not null;precision:20;scale:4"`
	TTITax          store.Decimal `gorm:"column:tti_tax;not null;precision:20;scale:4"`
	ExtraSTaxBns    store.Decimal `gorm:"column:extra_s_tax_bns;not null;precision:20;scale:4"`
	ExtraFTaxBns    store.Decimal `gorm:"column:extra_f_tax_bns;not null;precision:20;scale:4"`
	PerUnitCostLose store.Decimal `gorm:"not null;precision:20;scale:4"`
	IsFreeProduct   bool          `gorm:"not null"`
	CustomerID      *string       `gorm:"size:50"`
	OfferID         int32         `gorm:"not null"`
	IsOffered       bool          `gorm:"not null"`
	Damage          int32         `gorm:"not null"`
	BarCode         *string       `gorm:"size:50"`
	ITaxPer         store.Decimal `gorm:"column:i_tax_per;not null;precision:20;scale:4"`
	ThanQty         int32         `gorm:"not null"`
	Meters          store.Decimal `gorm:"not null;precision:20;scale:4"`
	SizeID          int32         `gorm:"not null"`
	IsOpenProduct   bool          `gorm:"not null"`
	ColorID         store.Decimal `gorm:"not null;precision:20;scale:4"`
	NetVal          store.Decimal `gorm:"not null;precision:20;scale:4"`
	Units           store.Decimal `gorm:"not null;precision:20;scale:4"`
	DeletedAt       *time.Time
	Product         Product `gorm:"foreignKey:OrganizationID,ProductID;references:OrganizationID,ID" json:"-"`
}

// IsDeleted is the PurchasesBody flag: the line was removed with its invoice.
func (l PurchaseLine) IsDeleted() bool { return l.DeletedAt != nil }

// NewPurchase is an invoice to enter: the header (ID, CreatedAt and deletion fields are set by
// the store) and its lines (a zero Multiplier with a packing takes the packing's).
type NewPurchase struct {
	Invoice PurchaseInvoice
	Lines   []PurchaseLine
}

// InsertPurchase enters one invoice and returns its id.
func (s *Store) InsertPurchase(ctx context.Context, orgID string, p NewPurchase) (int64, error) {
	var first int64
	err := s.db.PipelinedTx(ctx, func(tx *gorm.DB) error {
		var err error
		first, err = s.insertPurchases(tx, orgID, []NewPurchase{p})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("insert purchase invoice: %w", err)
	}
	return first, nil
}

// insertPurchases enters invoices with consecutive ids (returning the first) in a constant
// number of statements and round trips: the look-ups, the id reservation, then one batch of one
// insert per table and the stock and vendor balances updated from the rows just written, the
// transaction's last (in PipelinedTx on PostgreSQL, three round trips with BEGIN and COMMIT). (The
// reservation could join the look-ups' batch, but pgbench, the benchmark's baseline, cannot read a
// value inside a pipeline.)
func (s *Store) insertPurchases(tx *gorm.DB, orgID string, ps []NewPurchase) (int64, error) {
	if err := s.checkRefs(tx, orgID, ps); err != nil {
		return 0, err
	}
	first, err := s.nextIDs(tx, orgID, "purchase_invoice", len(ps))
	if err != nil {
		return 0, err
	}
	b := store.NewBatch(tx)
	invoices, lines := purchaseRows(orgID, first, s.db.Now(), ps)
	b.Insert("insert invoices", "ultrabiz_purchase_invoices", invoiceColumns, rowsOf(invoices, PurchaseInvoice.values), 1000)
	b.Insert("insert lines", "ultrabiz_purchase_lines", lineColumns, rowsOf(lines, PurchaseLine.values), 500)
	span := map[string]any{"org": orgID, "first": first, "last": first + int64(len(ps)) - 1}
	b.Exec("add stock", nil, s.sql.addStock, span)
	b.Exec("add vendor balances", nil, s.sql.addVendorBalances, span)
	if err := b.RunLast(); err != nil {
		return 0, insertInvoicesError(err, ps)
	}
	return first, nil
}

// purchaseRows are the rows of invoices numbered from first, entered at now: the store's fields
// set, each line numbered and holding the units it adds to stock.
func purchaseRows(orgID string, first int64, now time.Time, ps []NewPurchase) ([]PurchaseInvoice, []PurchaseLine) {
	invoices := make([]PurchaseInvoice, len(ps))
	var lines []PurchaseLine
	for i, p := range ps {
		inv := p.Invoice
		inv.OrganizationID, inv.ID, inv.CreatedAt, inv.DeletedAt, inv.DeletedBy, inv.Lines = orgID, first+int64(i), now, nil, nil, nil
		invoices[i] = inv
		for j, l := range p.Lines {
			l.OrganizationID, l.InvoiceID, l.LineNo, l.DeletedAt = orgID, inv.ID, int32(j+1), nil
			l.Units = store.NewDecimal(l.StockUnits()) // exact: Multiplier has 4 places and the quantities are whole
			lines = append(lines, l)
		}
	}
	return invoices, lines
}

// invoiceColumns are a PurchaseInvoice's columns, in GORM's order (its fields'): the statement
// Batch.Insert writes is the one GORM's Create did (TestInsertRowsAreGORMs).
var invoiceColumns = []string{"organization_id", "id", "is_pgp", "is_open", "is_rate_change", "vendor_id", "bill_no", "bill_date",
	"remarks", "gross_amount", "disc_amount", "s_tax_amount", "f_tax_amount", "i_tax_amount", "net_amount", "paid_amount",
	"is_posted", "is_finalized", "created_by", "created_at", "deleted_at", "deleted_by"}

// values are inv's values of invoiceColumns, as GORM binds them.
func (inv PurchaseInvoice) values() []any {
	return []any{inv.OrganizationID, inv.ID, inv.IsPGP, inv.IsOpen, inv.IsRateChange, inv.VendorID, inv.BillNo, inv.BillDate,
		inv.Remarks, inv.GrossAmount.Bound(), inv.DiscAmount.Bound(), inv.STaxAmount.Bound(), inv.FTaxAmount.Bound(), inv.ITaxAmount.Bound(), inv.NetAmount.Bound(), inv.PaidAmount.Bound(),
		inv.IsPosted, inv.IsFinalized, inv.CreatedBy, inv.CreatedAt, inv.DeletedAt, inv.DeletedBy}
}

// lineColumns are a PurchaseLine's columns, in GORM's order, as invoiceColumns.
var lineColumns = []string{"organization_id", "invoice_id", "line_no", "product_id", "packing_id", "multiplier", "qty_pack", "qty_lose",
	"bns_lose", "price_pack", "disc_ratio", "disc_val_pack", "disc_val_lose", "offer_discount", "s_tax_ratio", "s_tax_val_pack",
	"is_value_b4_ratio", "is_s_tax_on_bns", "is_f_tax_exempted", "ttl_value", "ttl_s_tax", "ttl_f_tax", "tti_tax", "extra_s_tax_bns",
	"extra_f_tax_bns", "per_unit_cost_lose", "is_free_product", "customer_id", "offer_id", "is_offered", "damage", "bar_code",
	"i_tax_per", "than_qty", "meters", "size_id", "is_open_product", "color_id", "net_val", "units", "deleted_at"}

// values are l's values of lineColumns, as GORM binds them.
func (l PurchaseLine) values() []any {
	return []any{l.OrganizationID, l.InvoiceID, l.LineNo, l.ProductID, l.PackingID, l.Multiplier.Bound(), l.QtyPack, l.QtyLose,
		l.BnsLose, l.PricePack.Bound(), l.DiscRatio.Bound(), l.DiscValPack.Bound(), l.DiscValLose.Bound(), l.OfferDiscount.Bound(), l.STaxRatio.Bound(), l.STaxValPack.Bound(),
		l.IsValueB4Ratio, l.IsSTaxOnBns, l.IsFTaxExempted, l.TTLValue.Bound(), l.TTLSTax.Bound(), l.TTLFTax.Bound(), l.TTITax.Bound(), l.ExtraSTaxBns.Bound(),
		l.ExtraFTaxBns.Bound(), l.PerUnitCostLose.Bound(), l.IsFreeProduct, l.CustomerID, l.OfferID, l.IsOffered, l.Damage, l.BarCode,
		l.ITaxPer.Bound(), l.ThanQty, l.Meters.Bound(), l.SizeID, l.IsOpenProduct, l.ColorID.Bound(), l.NetVal.Bound(), l.Units.Bound(), l.DeletedAt}
}

func rowsOf[T any](xs []T, values func(T) []any) [][]any {
	rows := make([][]any, len(xs))
	for i, x := range xs {
		rows[i] = values(x)
	}
	return rows
}

// insertInvoicesError names the clashing bill number when one invoice was entered; a batch (the
// seeder's) cannot tell which of its bills clashed.
func insertInvoicesError(err error, ps []NewPurchase) error {
	switch {
	case store.IsUniqueViolation(err) && len(ps) == 1:
		return BillTakenError{BillNo: ps[0].Invoice.BillNo, VendorID: ps[0].Invoice.VendorID}
	case store.IsUniqueViolation(err):
		return fmt.Errorf("a bill number is already used for its vendor: %w", store.ErrConflict)
	}
	return err
}

// checkRefs refuses invoices naming a vendor, product or packing that does not exist, with
// the first one missing named; one query whatever the size.
func (s *Store) checkRefs(tx *gorm.DB, orgID string, ps []NewPurchase) error {
	vendorSet, productSet := map[int32]bool{}, map[string]bool{}
	for _, p := range ps {
		vendorSet[p.Invoice.VendorID] = true
		for _, l := range p.Lines {
			productSet[l.ProductID] = true
		}
	}
	var vendors []int32
	var products []string
	var packings []Packing
	// A batch of one: in PipelinedTx the transaction's BEGIN goes with it.
	b := store.NewBatch(tx)
	b.Query("find vendors, products and packings", func(rows store.Rows) error {
		for rows.Next() {
			var kind string
			var k Packing
			if err := rows.Scan(&kind, &k.ProductID, &k.ID, &k.Multiplier); err != nil {
				return err
			}
			switch kind {
			case "vendor":
				vendors = append(vendors, k.ID)
			case "product":
				products = append(products, k.ProductID)
			default:
				packings = append(packings, k)
			}
		}
		return nil
	}, s.sql.findRefs, map[string]any{"org": orgID, "vendors": keysOf(vendorSet), "products": keysOf(productSet)})
	if err := b.Run(); err != nil {
		return err
	}
	return resolveRefs(ps, vendors, products, packings)
}

// resolveRefs names the first missing vendor, product or packing, and gives lines sent without
// a Multiplier their packing's.
func resolveRefs(ps []NewPurchase, vendors []int32, products []string, packings []Packing) error {
	haveVendor, haveProduct := map[int32]bool{}, map[string]bool{}
	for _, v := range vendors {
		haveVendor[v] = true
	}
	for _, p := range products {
		haveProduct[p] = true
	}
	packing := packingIndex(packings)
	for _, p := range ps {
		if !haveVendor[p.Invoice.VendorID] {
			return VendorNotFoundError{VendorID: p.Invoice.VendorID}
		}
		for i, l := range p.Lines {
			if !haveProduct[l.ProductID] {
				return ProductNotFoundError{ProductID: l.ProductID}
			}
			if !p.Lines[i].resolve(packing) {
				return PackingNotFoundError{ProductID: l.ProductID, PackingID: l.PackingID}
			}
		}
	}
	return nil
}

// packingKey names a packing: ids are per product.
type packingKey struct {
	product string
	id      int32
}

func packingIndex(packings []Packing) map[packingKey]Packing {
	out := make(map[packingKey]Packing, len(packings))
	for _, p := range packings {
		out[packingKey{p.ProductID, p.ID}] = p
	}
	return out
}

// resolve gives a line sent without a Multiplier (zero) its packing's, as Ultrabiz does on entry, and
// rounds the decimals that decide its stock row and units to the columns' 4 places as PostgreSQL
// would, so both databases store, add and compare the same values. Insert and a delete's view both
// go through it, so the same body means the same line. It reports false when the line names a
// packing that does not exist; PackingID 0 is loose units.
func (l *PurchaseLine) resolve(packings map[packingKey]Packing) bool {
	l.Multiplier.Decimal = l.Multiplier.Round(scale)
	l.ColorID.Decimal = l.ColorID.Round(scale)
	if l.PackingID == 0 {
		return true
	}
	pack, ok := packings[packingKey{l.ProductID, l.PackingID}]
	if !ok {
		return false
	}
	if l.Multiplier.IsZero() {
		l.Multiplier = pack.Multiplier
	}
	return true
}

// scale is the decimal places of the numeric(20,4) columns.
const scale = 4

// resolveView resolves a delete view's missing Multipliers against the stored packings, one
// query whatever its size, and none when every line names its Multiplier (or no packing). A view
// naming an unknown packing keeps its zero and then fails to match.
func resolveView(tx *gorm.DB, orgID string, view []PurchaseLine) ([]PurchaseLine, error) {
	productSet := map[string]bool{}
	for _, l := range view {
		if l.PackingID != 0 && l.Multiplier.Round(scale).IsZero() {
			productSet[l.ProductID] = true
		}
	}
	var packings []Packing
	if len(productSet) > 0 {
		if err := tx.Where("organization_id = ? AND product_id IN ?", orgID, keysOf(productSet)).Find(&packings).Error; err != nil {
			return nil, fmt.Errorf("find packings: %w", err)
		}
	}
	index := packingIndex(packings)
	out := make([]PurchaseLine, len(view))
	for i, l := range view {
		l.resolve(index)
		out[i] = l
	}
	return out, nil
}

func keysOf[K comparable](m map[K]bool) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Purchase returns a live invoice of the named book with its lines in entry order.
func (s *Store) Purchase(ctx context.Context, orgID string, id int64, isPGP bool) (PurchaseInvoice, error) {
	var inv PurchaseInvoice
	db := s.db.Gorm(ctx)
	err := db.Where("organization_id = ? AND id = ? AND is_pgp = ? AND deleted_at IS NULL", orgID, id, isPGP).Take(&inv).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return inv, InvoiceNotFoundError{InvoiceID: id}
	}
	if err != nil {
		return inv, fmt.Errorf("purchase invoice %d: %w", id, err)
	}
	if err := db.Where("organization_id = ? AND invoice_id = ? AND deleted_at IS NULL", orgID, id).Order("line_no").Find(&inv.Lines).Error; err != nil {
		return inv, fmt.Errorf("lines of purchase invoice %d: %w", id, err)
	}
	return inv, nil
}

// Deleted is what a delete reversed.
type Deleted struct {
	InvoiceID int64
	Lines     int
	Units     decimal.Decimal
}

// DeletePurchase deletes a live invoice of the named book, in one transaction: the invoice and
// its lines are soft-deleted (by deletedBy), each line's units leave stock, and the invoice total
// leaves the vendor's balance. view, when not empty, is the caller's idea of the lines and must match
// the stored ones. Refusals change nothing: unknown, deleted or other-book invoice (store.ErrNotFound);
// finalized, paid, mismatched view, or stock that would go below zero (store.ErrConflict).
func (s *Store) DeletePurchase(ctx context.Context, orgID string, id int64, isPGP bool, deletedBy int64, view []PurchaseLine) (Deleted, error) {
	var out Deleted
	err := s.db.PipelinedTx(ctx, func(tx *gorm.DB) error {
		now := s.db.Now()
		// Two batches (two round trips on PostgreSQL, BEGIN and COMMIT included): the invoice
		// marked deleted (which locks it), its lines read, and its stock rows locked and read; then,
		// once every check has passed, the writes, the transaction's last. The stock rows, which
		// every invoice of the same products shares, stay locked for those two round trips (three
		// when the caller's view lacks a multiplier), as long as when they were locked in the second
		// batch and the commit had a round trip of its own. A refused delete also locks them, until
		// its ROLLBACK: the price of checking everything before the last batch. A refusal rolls
		// everything back.
		var invs []PurchaseInvoice
		var lines []PurchaseLine
		var held []Stock
		var userID string
		b := store.NewBatch(tx)
		b.Query("mark invoice deleted", scanInvoices(&invs), s.sql.markInvoiceDeleted,
			map[string]any{"org": orgID, "id": id, "pgp": isPGP, "by": deletedBy, "now": now})
		doc := map[string]any{"org": orgID, "doc": id}
		b.Query("read lines", scanLines(&lines), s.sql.liveLines, doc)
		b.Query("lock stock", scanStock(&held), s.sql.lockInvoiceStock, doc)
		activity.QueueUserIDByNumber(b, deletedBy, &userID)
		if err := b.Run(); err != nil {
			return err
		}
		if len(invs) != 1 {
			return InvoiceNotFoundError{InvoiceID: id}
		}
		inv := invs[0]
		if err := inv.deletable(); err != nil {
			return err
		}
		var err error
		if view, err = resolveView(tx, orgID, view); err != nil {
			return err
		}
		if err := matchLines(id, lines, view); err != nil {
			return err
		}
		// The shortfall is judged on what the locked rows hold, which nothing can change until
		// the commit; the take-back refuses in the database as well, should a row hold less.
		if err := checkStock(id, lines, held); err != nil {
			return err
		}
		out = Deleted{InvoiceID: id, Lines: len(lines), Units: linesAdd(lines)}
		// Before the lines are marked: it reads the live lines.
		b.Exec("take back stock", nil, s.sql.takeBackStock, doc)
		b.Exec("mark lines deleted", nil, s.sql.markLinesDeleted, map[string]any{"org": orgID, "doc": id, "now": now})
		b.Exec("reduce vendor balance", nil, s.sql.subtractVendorBalance, map[string]any{"org": orgID, "vendor": inv.VendorID, "amount": inv.NetAmount.Bound()})
		if err := activity.Queue(b, orgID, userID, activity.UltrabizDeletePurchase, deleteDetails(inv, deletedBy, out), now); err != nil {
			return err
		}
		return b.RunLast()
	})
	if err != nil {
		return Deleted{}, fmt.Errorf("delete purchase invoice %d: %w", id, err)
	}
	return out, nil
}

// deleteDetails are what the activity log records of a delete.
func deleteDetails(inv PurchaseInvoice, by int64, d Deleted) map[string]any {
	return map[string]any{
		"invoiceId": d.InvoiceID, "isPGP": inv.IsPGP, "vendorId": inv.VendorID, "billNo": inv.BillNo,
		"netAmount": inv.NetAmount.String(), "lines": d.Lines, "units": d.Units.String(), "userNumber": by,
	}
}

// scanInto reads every row into dest, one element per row, into the fields columns returns.
func scanInto[T any](dest *[]T, columns func(*T) []any) func(store.Rows) error {
	return func(r store.Rows) error {
		for r.Next() {
			var v T
			if err := r.Scan(columns(&v)...); err != nil {
				return err
			}
			*dest = append(*dest, v)
		}
		return nil
	}
}

func scanInvoices(dest *[]PurchaseInvoice) func(store.Rows) error {
	return scanInto(dest, func(inv *PurchaseInvoice) []any {
		return []any{&inv.ID, &inv.IsPGP, &inv.VendorID, &inv.BillNo, &inv.NetAmount, &inv.PaidAmount, &inv.IsFinalized}
	})
}

func scanLines(dest *[]PurchaseLine) func(store.Rows) error {
	return scanInto(dest, func(l *PurchaseLine) []any {
		return []any{&l.ProductID, &l.PackingID, &l.Multiplier, &l.QtyPack, &l.QtyLose, &l.BnsLose, &l.SizeID, &l.ColorID, &l.Units}
	})
}

func scanStock(dest *[]Stock) func(store.Rows) error {
	return scanInto(dest, func(st *Stock) []any { return []any{&st.ProductID, &st.SizeID, &st.ColorID, &st.Units} })
}

// checkStock refuses (ShortfallError) lines whose units the locked stock rows held no longer hold.
func checkStock(id int64, lines []PurchaseLine, held []Stock) error {
	have := map[stockKey]decimal.Decimal{}
	for _, h := range held {
		have[stockKey{ProductID: h.ProductID, SizeID: h.SizeID, ColorID: h.ColorID.String()}] = h.Units.Decimal
	}
	return shortfall(id, lines, have)
}

// takeStock removes a document's units from stock (a return being entered): statement is the
// set-based update that takes the lines of document @doc out of it. The stock rows are locked in
// key order first (PostgreSQL; SQLite's transaction already holds the write lock), so the shortfall
// check sees what the update will change, and concurrent inserts and deletes sharing products queue
// instead of deadlocking. The update is still conditional (units >= taken) and counted, so stock
// can never go below zero even if a caller bypassed the lock.
func (s *Store) takeStock(tx *gorm.DB, orgID string, id int64, lines []PurchaseLine, statement string) error {
	keys, _ := stockNeeds(lines)
	if len(keys) == 0 {
		return nil
	}
	var held []Stock
	if err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
		Where("organization_id = ? AND product_id IN ?", orgID, productIDs(keys)).
		Order("product_id, size_id, color_id").Find(&held).Error; err != nil {
		return fmt.Errorf("lock stock: %w", err)
	}
	if err := checkStock(id, lines, held); err != nil {
		return err
	}
	res := tx.Exec(statement, map[string]any{"org": orgID, "doc": id})
	if res.Error != nil {
		return fmt.Errorf("take back stock: %w", res.Error)
	}
	if res.RowsAffected != int64(len(keys)) {
		return fmt.Errorf("take back stock: %d of %d stock rows held enough after the check", res.RowsAffected, len(keys))
	}
	return nil
}

func productIDs(keys []stockKey) []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range keys {
		if !seen[k.ProductID] {
			seen[k.ProductID] = true
			out = append(out, k.ProductID)
		}
	}
	return out
}
