package ultrabiz

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/deletesvc/deletesvc/store"
)

// The family's refusals: each carries what the caller needs to say what went wrong, and unwraps to
// the store sentinel that decides the outcome (errors.Is). The ASP.NET wire text is server/ultrabiz's.
// They are comparable values, so errors.Is(err, InvoiceNotFoundError{InvoiceID: 7}) matches exactly.

// UserMismatchError: a userId argument is not the caller's own user number.
type UserMismatchError struct{ UserID int64 }

func (e UserMismatchError) Error() string {
	return fmt.Sprintf("user %d is not the caller: %v", e.UserID, store.ErrForbidden)
}

// Unwrap is store.ErrForbidden.
func (UserMismatchError) Unwrap() error { return store.ErrForbidden }

// VendorNotFoundError: the organization has no vendor VendorID.
type VendorNotFoundError struct{ VendorID int32 }

func (e VendorNotFoundError) Error() string {
	return fmt.Sprintf("vendor %d: %v", e.VendorID, store.ErrNotFound)
}

// Unwrap is store.ErrNotFound.
func (VendorNotFoundError) Unwrap() error { return store.ErrNotFound }

// ProductNotFoundError: the organization has no product ProductID.
type ProductNotFoundError struct{ ProductID string }

func (e ProductNotFoundError) Error() string {
	return fmt.Sprintf("product %q: %v", e.ProductID, store.ErrNotFound)
}

// Unwrap is store.ErrNotFound.
func (ProductNotFoundError) Unwrap() error { return store.ErrNotFound }

// PackingNotFoundError: the product has no packing PackingID.
type PackingNotFoundError struct {
	ProductID string
	PackingID int32
}

func (e PackingNotFoundError) Error() string {
	return fmt.Sprintf("packing %d of product %q: %v", e.PackingID, e.ProductID, store.ErrNotFound)
}

// Unwrap is store.ErrNotFound.
func (PackingNotFoundError) Unwrap() error { return store.ErrNotFound }

// InvoiceNotFoundError: no live purchase invoice InvoiceID in the named book (unknown, deleted, or
// entered in the other book).
type InvoiceNotFoundError struct{ InvoiceID int64 }

func (e InvoiceNotFoundError) Error() string {
	return fmt.Sprintf("purchase invoice %d: %v", e.InvoiceID, store.ErrNotFound)
}

// Unwrap is store.ErrNotFound.
func (InvoiceNotFoundError) Unwrap() error { return store.ErrNotFound }

// BillTakenError: the vendor already has a live invoice with this bill number.
type BillTakenError struct {
	BillNo   string
	VendorID int32
}

func (e BillTakenError) Error() string {
	return fmt.Sprintf("bill number %q of vendor %d already used: %v", e.BillNo, e.VendorID, store.ErrConflict)
}

// Unwrap is store.ErrConflict.
func (BillTakenError) Unwrap() error { return store.ErrConflict }

// Why an invoice cannot be deleted.
const (
	Finalized = "finalized"
	Paid      = "paid"
)

// InvoiceLockedError: the invoice's effects are no longer its alone (Reason Finalized or Paid).
type InvoiceLockedError struct {
	InvoiceID int64
	Reason    string
}

func (e InvoiceLockedError) Error() string {
	return fmt.Sprintf("purchase invoice %d is %s: %v", e.InvoiceID, e.Reason, store.ErrConflict)
}

// Unwrap is store.ErrConflict.
func (InvoiceLockedError) Unwrap() error { return store.ErrConflict }

// LinesMismatchError: the caller's view of the invoice's lines is not what is stored.
type LinesMismatchError struct{ InvoiceID int64 }

func (e LinesMismatchError) Error() string {
	return fmt.Sprintf("lines sent differ from the stored lines of purchase invoice %d: %v", e.InvoiceID, store.ErrConflict)
}

// Unwrap is store.ErrConflict.
func (LinesMismatchError) Unwrap() error { return store.ErrConflict }

// ShortfallError: deleting InvoiceID would take Short more units than one stock row holds (the goods
// were sold or moved since). It names the first such row in key order.
type ShortfallError struct {
	InvoiceID int64
	ProductID string
	SizeID    int32
	ColorID   decimal.Decimal
	Short     decimal.Decimal
}

func (e ShortfallError) Error() string {
	return fmt.Sprintf("deleting purchase invoice %d leaves product %q size %d colour %s %s units short: %v",
		e.InvoiceID, e.ProductID, e.SizeID, e.ColorID, e.Short, store.ErrConflict)
}

// Unwrap is store.ErrConflict.
func (ShortfallError) Unwrap() error { return store.ErrConflict }

// InsufficientStockError: a stock row holds fewer than the Units asked to be taken.
type InsufficientStockError struct {
	ProductID string
	SizeID    int32
	ColorID   decimal.Decimal
	Units     decimal.Decimal
}

func (e InsufficientStockError) Error() string {
	return fmt.Sprintf("product %q size %d colour %s holds fewer than %s units: %v", e.ProductID, e.SizeID, e.ColorID, e.Units, store.ErrConflict)
}

// Unwrap is store.ErrConflict.
func (InsufficientStockError) Unwrap() error { return store.ErrConflict }

// ReturnNotFoundError: no live purchase return ReturnID in the named book (unknown, deleted, or
// entered in the other book).
type ReturnNotFoundError struct{ ReturnID int64 }

func (e ReturnNotFoundError) Error() string {
	return fmt.Sprintf("purchase return %d: %v", e.ReturnID, store.ErrNotFound)
}

// Unwrap is store.ErrNotFound.
func (ReturnNotFoundError) Unwrap() error { return store.ErrNotFound }

// ReturnNoTakenError: the vendor already has a live return with this return number.
type ReturnNoTakenError struct {
	ReturnNo string
	VendorID int32
}

func (e ReturnNoTakenError) Error() string {
	return fmt.Sprintf("return number %q of vendor %d already used: %v", e.ReturnNo, e.VendorID, store.ErrConflict)
}

// Unwrap is store.ErrConflict.
func (ReturnNoTakenError) Unwrap() error { return store.ErrConflict }

// ReturnFinalizedError: the return is finalized and cannot be deleted.
type ReturnFinalizedError struct{ ReturnID int64 }

func (e ReturnFinalizedError) Error() string {
	return fmt.Sprintf("purchase return %d is finalized: %v", e.ReturnID, store.ErrConflict)
}

// Unwrap is store.ErrConflict.
func (ReturnFinalizedError) Unwrap() error { return store.ErrConflict }

// ReturnLinesMismatchError: the caller's view of the return's lines is not what is stored.
type ReturnLinesMismatchError struct{ ReturnID int64 }

func (e ReturnLinesMismatchError) Error() string {
	return fmt.Sprintf("lines sent differ from the stored lines of purchase return %d: %v", e.ReturnID, store.ErrConflict)
}

// Unwrap is store.ErrConflict.
func (ReturnLinesMismatchError) Unwrap() error { return store.ErrConflict }

// ReturnShortfallError: entering a return would take Short more units than one stock row holds. It
// names the first such row in key order.
type ReturnShortfallError struct {
	ProductID string
	SizeID    int32
	ColorID   decimal.Decimal
	Short     decimal.Decimal
}

func (e ReturnShortfallError) Error() string {
	return fmt.Sprintf("return would leave product %q (size %d, colour %s) %s units short: %v", e.ProductID, e.SizeID, e.ColorID, e.Short, store.ErrConflict)
}

// Unwrap is store.ErrConflict.
func (ReturnShortfallError) Unwrap() error { return store.ErrConflict }
