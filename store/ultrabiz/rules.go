package ultrabiz

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// The Ultrabiz purchase rules: pure functions over invoices and lines, no I/O, table-tested in
// rules_test.go.

// CheckUser enforces that a userId argument is the caller's own user number: Ultrabiz records
// it as who entered or deleted, so it must not name somebody else.
func CheckUser(callerNumber, userID int64) error {
	if callerNumber != userID {
		return UserMismatchError{UserID: userID}
	}
	return nil
}

// StockUnits is what the line adds to stock: QtyPack x Multiplier + QtyLose + BnsLose. Damaged units
// are recorded on the line but never enter stock.
func (l PurchaseLine) StockUnits() decimal.Decimal {
	return l.Multiplier.Mul(decimal.NewFromInt32(l.QtyPack)).
		Add(decimal.NewFromInt32(l.QtyLose)).
		Add(decimal.NewFromInt32(l.BnsLose))
}

// stockKey names one stock row: a product in one size and colour. SizeID 0 and ColorID "0"
// mean "no size" and "no colour" (sentinels, because a primary key column cannot be NULL).
type stockKey struct {
	ProductID string
	SizeID    int32
	ColorID   string // canonical decimal text, so 37 and 37.0 are one colour
}

// compare orders keys as PostgreSQL's ORDER BY product_id, size_id, color_id does (colours as numbers,
// not as text), the order stock rows are locked in.
func (k stockKey) compare(o stockKey) int {
	if c := strings.Compare(k.ProductID, o.ProductID); c != 0 {
		return c
	}
	if c := cmp.Compare(k.SizeID, o.SizeID); c != 0 {
		return c
	}
	return decimal.RequireFromString(k.ColorID).Cmp(decimal.RequireFromString(o.ColorID))
}

func (l PurchaseLine) key() stockKey {
	return stockKey{ProductID: l.ProductID, SizeID: l.SizeID, ColorID: l.ColorID.String()}
}

// stockNeeds sums stored lines' units per stock key, in key order. It reads the stored Units
// (what the insert added, as the database holds it), never a recomputation, so a delete takes back
// exactly what was added.
func stockNeeds(lines []PurchaseLine) ([]stockKey, map[stockKey]decimal.Decimal) {
	need := map[stockKey]decimal.Decimal{}
	for _, l := range lines {
		k := l.key()
		need[k] = need[k].Add(l.Units.Decimal)
	}
	keys := make([]stockKey, 0, len(need))
	for k := range need {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, stockKey.compare)
	return keys, need
}

// shortfall is the refusal for the first key (in key order) whose stock cannot give up what
// the invoice added, because the goods were sold or moved since.
func shortfall(invoiceID int64, lines []PurchaseLine, have map[stockKey]decimal.Decimal) error {
	keys, need := stockNeeds(lines)
	for _, k := range keys {
		if short := need[k].Sub(have[k]); short.IsPositive() {
			return ShortfallError{InvoiceID: invoiceID, ProductID: k.ProductID, SizeID: k.SizeID, ColorID: decimal.RequireFromString(k.ColorID), Short: short}
		}
	}
	return nil
}

// idRange is the first of the n ids a counter just reserved (last is its new value). Ultrabiz's
// ids are C# ints (VendorID, PurchasesBody.PurchaseId), so a range reaching past int32 is refused
// rather than truncated; the transaction then rolls the counter back.
func idRange(last int64, n int) (int64, error) {
	if last > math.MaxInt32 {
		return 0, fmt.Errorf("ids up to %d do not fit Ultrabiz's 32-bit ids", last)
	}
	return last - int64(n) + 1, nil
}

// deletable refuses to delete an invoice whose effects are no longer the invoice's alone: a finalized
// one, or one against which payments were made.
func (inv PurchaseInvoice) deletable() error {
	switch {
	case inv.IsFinalized:
		return InvoiceLockedError{InvoiceID: inv.ID, Reason: Finalized}
	case inv.PaidAmount.IsPositive():
		return InvoiceLockedError{InvoiceID: inv.ID, Reason: Paid}
	}
	return nil
}

// matchKey is what a caller's view of a line must agree on with the stored line: everything that
// decides the line's stock effect. Prices and taxes are not compared.
func (l PurchaseLine) matchKey() string {
	return fmt.Sprintf("%q|%d|%d|%s|%d|%d|%d|%s", l.ProductID, l.PackingID, l.SizeID, l.ColorID.String(),
		l.QtyPack, l.QtyLose, l.BnsLose, l.Multiplier.String())
}

// matchLines checks a caller's view of an invoice against its stored lines, as multisets in
// any order. An empty view means "as stored".
func matchLines(invoiceID int64, stored, view []PurchaseLine) error {
	if len(view) == 0 {
		return nil
	}
	mismatch := LinesMismatchError{InvoiceID: invoiceID}
	if len(view) != len(stored) {
		return mismatch
	}
	count := map[string]int{}
	for _, l := range stored {
		count[l.matchKey()]++
	}
	for _, l := range view {
		k := l.matchKey()
		if count[k] == 0 {
			return mismatch
		}
		count[k]--
	}
	return nil
}

// linesAdd is the total units a set of stored lines added to stock (their stored Units).
func linesAdd(lines []PurchaseLine) decimal.Decimal {
	total := decimal.Zero
	for _, l := range lines {
		total = total.Add(l.Units.Decimal)
	}
	return total
}
