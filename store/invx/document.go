package invx

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/deletesvc/deletesvc/store"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// InvxStatus is the state code of an invx document, as the API spells it.
type InvxStatus string

// The invx document states.
const (
	InvxDraft              InvxStatus = "100"
	InvxRegistrationFailed InvxStatus = "120"
	InvxCreated            InvxStatus = "200"
	InvxAccepted           InvxStatus = "210"
	InvxDenied             InvxStatus = "220"
	InvxDisputed           InvxStatus = "230"
	InvxCancelled          InvxStatus = "240"
	InvxFrozen             InvxStatus = "250"
	InvxDeleted            InvxStatus = "260"
)

// InvxStatuses lists every state, in code order.
var InvxStatuses = []InvxStatus{InvxDraft, InvxRegistrationFailed, InvxCreated, InvxAccepted, InvxDenied, InvxDisputed, InvxCancelled, InvxFrozen, InvxDeleted}

// InvxAction is a buyer's action on a document.
type InvxAction string

// The buyer actions.
const (
	InvxAccept  InvxAction = "acc"
	InvxDeny    InvxAction = "dny"
	InvxDispute InvxAction = "dpt"
	InvxDelete  InvxAction = "del"
)

// InvxActions lists every action.
var InvxActions = []InvxAction{InvxAccept, InvxDeny, InvxDispute, InvxDelete}

// invxTransition is one row of the state table: where an action leads and where it may start.
type invxTransition struct {
	to   InvxStatus
	from []InvxStatus
}

// invxTable is the one state table (the spec's UpdateDocument description shows it). A buyer may
// change its answer, so acc/dny/dpt start from each other's states; 250 and 260 are terminal.
var invxTable = map[InvxAction]invxTransition{
	InvxAccept:  {to: InvxAccepted, from: []InvxStatus{InvxCreated, InvxAccepted, InvxDenied, InvxDisputed}},
	InvxDeny:    {to: InvxDenied, from: []InvxStatus{InvxCreated, InvxAccepted, InvxDenied, InvxDisputed}},
	InvxDispute: {to: InvxDisputed, from: []InvxStatus{InvxCreated, InvxAccepted, InvxDenied, InvxDisputed}},
	InvxDelete:  {to: InvxDeleted, from: []InvxStatus{InvxDraft, InvxRegistrationFailed, InvxCreated, InvxAccepted, InvxDenied, InvxDisputed, InvxCancelled}},
}

// InvxActionError is an action the document's state does not allow.
type InvxActionError struct {
	Action InvxAction
	Status InvxStatus
}

// Error is the seed's args.message: "action dpt on state 260".
func (e *InvxActionError) Error() string {
	return fmt.Sprintf("action %s on state %s", e.Action, e.Status)
}

// Unwrap makes the error an ErrConflict: it clashes with the current state.
func (e *InvxActionError) Unwrap() error { return store.ErrConflict }

// InvxDuplicateItemError is a bulk item whose docId appeared earlier in the same request.
type InvxDuplicateItemError struct {
	DocID      string
	FirstIndex int
}

// Error names the earlier occurrence.
func (e *InvxDuplicateItemError) Error() string {
	return fmt.Sprintf("docId %s already appears at index %d", e.DocID, e.FirstIndex)
}

// Unwrap makes the error an store.ErrConflict.
func (e *InvxDuplicateItemError) Unwrap() error { return store.ErrConflict }

// InvxNext is the state machine: the status action leads to from status from, or an
// *InvxActionError when the table does not allow it.
func InvxNext(from InvxStatus, action InvxAction) (InvxStatus, error) {
	t, ok := invxTable[action]
	if !ok || !slices.Contains(t.from, from) {
		return "", &InvxActionError{Action: action, Status: from}
	}
	return t.to, nil
}

// invxAllowedFrom is the states action may start from, for the conditional UPDATE's WHERE.
func invxAllowedFrom(action InvxAction) []InvxStatus { return invxTable[action].from }

// models are the tables this package maps; a test checks them against the migrated schema.
var models = []any{&InvxDocument{}}

// InvxDocument is a pre-registration GST document of one organization.
type InvxDocument struct {
	OrganizationID string        `gorm:"primaryKey;size:24;uniqueIndex:idx_invx_documents_number,priority:1"`
	ID             string        `gorm:"primaryKey;size:36"`
	DocNumber      string        `gorm:"size:16;not null;uniqueIndex:idx_invx_documents_number,priority:3"`
	DocType        string        `gorm:"size:3;not null"`
	DocDate        string        `gorm:"size:10;not null"` // dd/mm/yyyy, as sent
	SellerGstin    string        `gorm:"size:15;not null;uniqueIndex:idx_invx_documents_number,priority:2"`
	BuyerGstin     string        `gorm:"size:15;not null"`
	IrdDocType     string        `gorm:"size:8;not null"`
	Amount         store.Decimal `gorm:"not null"`
	// Comments of the last acc, dny and dpt actions.
	AcceptanceComments  *string    `gorm:"size:500"`
	DenialComments      *string    `gorm:"size:500"`
	DisputeComments     *string    `gorm:"size:500"`
	Status              InvxStatus `gorm:"size:3;not null"`
	CreatedByUserID     string     `gorm:"size:36;not null"`
	CreatedOn           int64      `gorm:"not null"` // epoch milliseconds, as the API shows it
	LastUpdatedByUserID *string    `gorm:"size:36"`
	LastUpdated         int64      `gorm:"not null"` // epoch milliseconds
	Annotations         []string   `gorm:"serializer:json;not null"`
	// Body is the create request as received (JSON), kept for audit and later registration.
	Body string `gorm:"type:text;not null"`
}

// TableName keeps the family prefix on the table.
func (InvxDocument) TableName() string { return "invx_documents" }

// InvxNewDocument is what a create request contributes to a document.
type InvxNewDocument struct {
	DocNumber, DocType, DocDate, SellerGstin, BuyerGstin string
	Amount                                               store.Decimal
	Body                                                 string
}

// InvxDocTypeCode maps the IRP document type (INV, CRN, DBN) to the invx docType code.
func InvxDocTypeCode(typ string) (string, error) {
	switch typ {
	case "INV":
		return "100", nil
	case "CRN":
		return "110", nil
	case "DBN":
		return "120", nil
	}
	return "", fmt.Errorf("document type %q: unknown", typ)
}

// newInvxDocument is a freshly created document: CREATED, PRE, never updated by anyone.
func newInvxDocument(orgID, userID string, nd InvxNewDocument, now time.Time) InvxDocument {
	ms := now.UnixMilli()
	return InvxDocument{
		OrganizationID: orgID, ID: uuid.NewString(),
		DocNumber: nd.DocNumber, DocType: nd.DocType, DocDate: nd.DocDate,
		SellerGstin: nd.SellerGstin, BuyerGstin: nd.BuyerGstin, IrdDocType: "PRE", Amount: nd.Amount,
		Status: InvxCreated, CreatedByUserID: userID, CreatedOn: ms, LastUpdated: ms,
		Annotations: []string{}, Body: nd.Body,
	}
}

// InvxCreateDocument stores a new document in state 200 CREATED. A docNumber already used by the
// same seller in the organization (even by a deleted document) is store.ErrConflict.
func (s *Store) InvxCreateDocument(ctx context.Context, orgID, userID string, nd InvxNewDocument) (InvxDocument, error) {
	doc := newInvxDocument(orgID, userID, nd, time.Now())
	if err := s.db.Gorm(ctx).Omit(clause.Associations).Create(&doc).Error; err != nil {
		if store.IsUniqueViolation(err) {
			return InvxDocument{}, fmt.Errorf("document %s of seller %s: %w", nd.DocNumber, nd.SellerGstin, store.ErrConflict)
		}
		return InvxDocument{}, fmt.Errorf("create document: %w", err)
	}
	return doc, nil
}

// InvxGetDocument returns one document of the organization whatever its state; another
// organization's document is store.ErrNotFound, like a missing one.
func (s *Store) InvxGetDocument(ctx context.Context, orgID, id string) (InvxDocument, error) {
	var doc InvxDocument
	err := s.db.Gorm(ctx).Where("organization_id = ? AND id = ?", orgID, id).Take(&doc).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return InvxDocument{}, fmt.Errorf("document %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return InvxDocument{}, fmt.Errorf("get document %s: %w", id, err)
	}
	return doc, nil
}
