package ultrabiz

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/deletesvc/deletesvc/store"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Ultrabiz purchase returns: goods sent back to a vendor. Entering one takes its lines' units out of
// stock and its total off the vendor's balance; deleting one puts exactly that back. Both run in one
// transaction with a constant number of statements, however many lines there are. A return's lines
// are purchase lines (same fields, same rules for units and matching), stored in their own table.

// PurchaseReturn is a purchase return's header. IsPGP is the purchase book it was entered in; a
// delete must name the same book. A deleted return keeps its row (DeletedAt, DeletedBy) for audit
// and frees its return number.
type PurchaseReturn struct {
	OrganizationID string `gorm:"primaryKey;size:24"`
	ID             int64  `gorm:"primaryKey;autoIncrement:false"`
	IsPGP          bool   `gorm:"column:is_pgp;not null"`
	VendorID       int32  `gorm:"not null"`
	ReturnNo       string `gorm:"size:50;not null"`
	ReturnDate     time.Time
	Remarks        *string       `gorm:"size:500"`
	GrossAmount    store.Decimal `gorm:"not null;precision:20;scale:4"`
	DiscAmount     store.Decimal `gorm:"not null;precision:20;scale:4"`
	STaxAmount     store.Decimal `gorm:"column:s_tax_amount;not null;precision:20;scale:4"`
	FTaxAmount     store.Decimal `gorm:"column:f_tax_amount;not null;precision:20;scale:4"`
	ITaxAmount     store.Decimal `gorm:"column:i_tax_amount;not null;precision:20;scale:4"`
	NetAmount      store.Decimal `gorm:"not null;precision:20;scale:4"`
	IsPosted       bool          `gorm:"not null"`
	IsFinalized    bool          `gorm:"not null"`
	CreatedBy      int64         `gorm:"not null"`
	CreatedAt      time.Time
	DeletedAt      *time.Time
	DeletedBy      *int64
}

// TableName is the returns table.
func (PurchaseReturn) TableName() string { return "ultrabiz_purchase_returns" }

// ReturnLine is one stored line of a purchase return: a PurchaseLine's fields in the return lines
// table. The return's id keeps the field name InvoiceID so the two types convert into each other
// (ReturnLine(l), PurchaseLine(r)) and share the line rules.
type ReturnLine struct {
	OrganizationID  string        `gorm:"primaryKey;size:24"`
	InvoiceID       int64         `gorm:"column:return_id;primaryKey;autoIncrement:false"` // the return's id
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

// TableName is the return lines table.
func (ReturnLine) TableName() string { return "ultrabiz_purchase_return_lines" }

// NewReturn is a return to enter: the header (ID, CreatedAt and deletion fields are set by the
// store) and its lines (a zero Multiplier with a packing takes the packing's).
type NewReturn struct {
	Return PurchaseReturn
	Lines  []PurchaseLine
}

// InsertReturn enters one return and returns its id: its units leave stock (refused with
// ReturnShortfallError, changing nothing, when a stock row holds too little) and its NetAmount leaves
// the vendor's balance.
func (s *Store) InsertReturn(ctx context.Context, orgID string, r NewReturn) (int64, error) {
	var id int64
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		// The vendor, products and packings as an invoice's are checked (Multipliers resolved in place).
		if err := s.checkRefs(tx, orgID, []NewPurchase{{Invoice: PurchaseInvoice{VendorID: r.Return.VendorID}, Lines: r.Lines}}); err != nil {
			return err
		}
		var err error
		if id, err = s.nextIDs(tx, orgID, "purchase_return", 1); err != nil {
			return err
		}
		ret := r.Return
		ret.OrganizationID, ret.ID, ret.CreatedAt, ret.DeletedAt, ret.DeletedBy = orgID, id, s.db.Now(), nil, nil
		if err := tx.Create(&ret).Error; err != nil {
			if store.IsUniqueViolation(err) {
				return ReturnNoTakenError{ReturnNo: ret.ReturnNo, VendorID: ret.VendorID}
			}
			return fmt.Errorf("insert return: %w", err)
		}
		_, lines := purchaseRows(orgID, id, ret.CreatedAt, []NewPurchase{{Lines: r.Lines}})
		rows := make([]ReturnLine, len(lines))
		for i, l := range lines {
			rows[i] = ReturnLine(l)
		}
		if len(rows) > 0 {
			if err := tx.Omit(clause.Associations).CreateInBatches(&rows, 500).Error; err != nil {
				return fmt.Errorf("insert return lines: %w", err)
			}
		}
		if err := s.takeStock(tx, orgID, id, lines, s.sql.takeReturnStock); err != nil {
			var short ShortfallError
			if errors.As(err, &short) {
				return ReturnShortfallError{ProductID: short.ProductID, SizeID: short.SizeID, ColorID: short.ColorID, Short: short.Short}
			}
			return err
		}
		if err := tx.Exec(s.sql.subtractVendorBalance, map[string]any{"org": orgID, "vendor": ret.VendorID, "amount": ret.NetAmount}).Error; err != nil {
			return fmt.Errorf("reduce vendor balance: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("insert purchase return: %w", err)
	}
	return id, nil
}

// DeleteReturn deletes a live return of the named book, in one transaction: the return and its lines
// are soft-deleted (by deletedBy), each line's units go back to stock, and the return total goes back
// on the vendor's balance. view, when not empty, is the caller's idea of the lines and must match the
// stored ones. Refusals change nothing: unknown, deleted or other-book return (ReturnNotFoundError);
// finalized (ReturnFinalizedError) or mismatched view (ReturnLinesMismatchError). Concurrent deletes
// of one return queue on its row lock; exactly one wins, the others find no live return.
func (s *Store) DeleteReturn(ctx context.Context, orgID string, id int64, isPGP bool, deletedBy int64, view []PurchaseLine) (Deleted, error) {
	var out Deleted
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var ret PurchaseReturn
		err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
			Where("organization_id = ? AND id = ? AND is_pgp = ? AND deleted_at IS NULL", orgID, id, isPGP).Take(&ret).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ReturnNotFoundError{ReturnID: id}
		}
		if err != nil {
			return fmt.Errorf("lock return: %w", err)
		}
		if ret.IsFinalized {
			return ReturnFinalizedError{ReturnID: id}
		}
		var rows []ReturnLine
		if err := tx.Where("organization_id = ? AND return_id = ? AND deleted_at IS NULL", orgID, id).Order("line_no").Find(&rows).Error; err != nil {
			return fmt.Errorf("read return lines: %w", err)
		}
		lines := make([]PurchaseLine, len(rows))
		for i, r := range rows {
			lines[i] = PurchaseLine(r)
		}
		if view, err = resolveView(tx, orgID, view); err != nil {
			return err
		}
		if err := matchLines(id, lines, view); err != nil {
			if errors.As(err, new(LinesMismatchError)) {
				return ReturnLinesMismatchError{ReturnID: id}
			}
			return err
		}
		now := s.db.Now()
		// Conditional, so that even without the lock exactly one delete can win.
		res := tx.Model(&PurchaseReturn{}).Where("organization_id = ? AND id = ? AND deleted_at IS NULL", orgID, id).
			Updates(map[string]any{"deleted_at": now, "deleted_by": deletedBy})
		if res.Error != nil {
			return fmt.Errorf("mark return deleted: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return ReturnNotFoundError{ReturnID: id}
		}
		// Before the lines are marked: the statement reads the live lines.
		if err := tx.Exec(s.sql.putBackReturnStock, map[string]any{"org": orgID, "doc": id}).Error; err != nil {
			return fmt.Errorf("put back stock: %w", err)
		}
		if err := tx.Model(&ReturnLine{}).Where("organization_id = ? AND return_id = ? AND deleted_at IS NULL", orgID, id).
			Update("deleted_at", now).Error; err != nil {
			return fmt.Errorf("mark return lines deleted: %w", err)
		}
		if err := tx.Exec(s.sql.addVendorBalance, map[string]any{"org": orgID, "vendor": ret.VendorID, "amount": ret.NetAmount}).Error; err != nil {
			return fmt.Errorf("restore vendor balance: %w", err)
		}
		out = Deleted{InvoiceID: id, Lines: len(lines), Units: linesAdd(lines)}
		return nil
	})
	if err != nil {
		return Deleted{}, fmt.Errorf("delete purchase return %d: %w", id, err)
	}
	return out, nil
}
