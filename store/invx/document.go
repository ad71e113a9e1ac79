package invx

import (
	"cmp"
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

// Status is the state code of an invx document, as the API spells it.
type Status string

// The invx document states.
const (
	Draft              Status = "100"
	RegistrationFailed Status = "120"
	Created            Status = "200"
	Accepted           Status = "210"
	Denied             Status = "220"
	Disputed           Status = "230"
	Cancelled          Status = "240"
	Frozen             Status = "250"
	Deleted            Status = "260"
)

// Statuses lists every state, in code order.
var Statuses = []Status{Draft, RegistrationFailed, Created, Accepted, Denied, Disputed, Cancelled, Frozen, Deleted}

// Action is a buyer's action on a document.
type Action string

// The buyer actions.
const (
	Accept  Action = "acc"
	Deny    Action = "dny"
	Dispute Action = "dpt"
	Delete  Action = "del"
)

// Actions lists every action.
var Actions = []Action{Accept, Deny, Dispute, Delete}

// transition is one row of the state table: where an action leads and where it may start.
type transition struct {
	to   Status
	from []Status
}

// transitions is the one state table (the spec's UpdateDocument description shows it). A buyer may
// change its answer, so acc/dny/dpt start from each other's states; 250 and 260 are terminal.
var transitions = map[Action]transition{
	Accept:  {to: Accepted, from: []Status{Created, Accepted, Denied, Disputed}},
	Deny:    {to: Denied, from: []Status{Created, Accepted, Denied, Disputed}},
	Dispute: {to: Disputed, from: []Status{Created, Accepted, Denied, Disputed}},
	Delete:  {to: Deleted, from: []Status{Draft, RegistrationFailed, Created, Accepted, Denied, Disputed, Cancelled}},
}

// ActionError is an action the document's state does not allow. It carries the data of the
// refusal; the server words it for its clients.
type ActionError struct {
	DocID  string // empty when the rule was asked without a document (Next)
	Action Action
	From   Status
}

// Error is for logs; the API's message is the server's wording.
func (e *ActionError) Error() string {
	return fmt.Sprintf("document %s: action %s not allowed from state %s", e.DocID, e.Action, e.From)
}

// Unwrap makes the error an ErrConflict: it clashes with the current state.
func (e *ActionError) Unwrap() error { return store.ErrConflict }

// DuplicateItemError is a bulk item whose docId appeared earlier in the same request.
type DuplicateItemError struct {
	DocID      string
	FirstIndex int
}

// Error is for logs; the API's message is the server's wording.
func (e *DuplicateItemError) Error() string {
	return fmt.Sprintf("document %s: repeats item %d of the batch", e.DocID, e.FirstIndex)
}

// Unwrap makes the error an ErrConflict: the request contradicts itself.
func (e *DuplicateItemError) Unwrap() error { return store.ErrConflict }

// Next is the state machine: the status action leads to from status from, or an
// *ActionError when the table does not allow it.
func Next(from Status, action Action) (Status, error) {
	t, ok := transitions[action]
	if !ok || !slices.Contains(t.from, from) {
		return "", &ActionError{Action: action, From: from}
	}
	return t.to, nil
}

// allowedFrom is the states action may start from, for the conditional UPDATE's WHERE.
func allowedFrom(action Action) []Status { return transitions[action].from }

// models are the tables this package maps; a test checks them against the migrated schema.
var models = []any{&Document{}}

// Document is a pre-registration GST document of one organization.
type Document struct {
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
	AcceptanceComments  *string  `gorm:"size:500"`
	DenialComments      *string  `gorm:"size:500"`
	DisputeComments     *string  `gorm:"size:500"`
	Status              Status   `gorm:"size:3;not null"`
	CreatedByUserID     string   `gorm:"size:36;not null"`
	CreatedOn           int64    `gorm:"not null"` // epoch milliseconds, as the API shows it
	LastUpdatedByUserID *string  `gorm:"size:36"`
	LastUpdated         int64    `gorm:"not null"` // epoch milliseconds
	Annotations         []string `gorm:"serializer:json;not null"`
	// Body is the create request as received (JSON), kept for audit and later registration.
	Body string `gorm:"type:text;not null"`
}

// TableName keeps the family prefix on the table.
func (Document) TableName() string { return "invx_documents" }

// NewDocument is what a create request contributes to a document.
type NewDocument struct {
	// ID is the id to give the document; empty means a new one (the demo's matches the spec's example).
	ID                                                   string
	DocNumber, DocType, DocDate, SellerGstin, BuyerGstin string
	Amount                                               store.Decimal
	Body                                                 string
}

// DocTypeCode maps the IRP document type (INV, CRN, DBN) to the invx docType code.
func DocTypeCode(typ string) (string, error) {
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

// createdDocument is a freshly created document: CREATED, PRE, never updated by anyone.
func createdDocument(orgID, userID string, nd NewDocument, now time.Time) Document {
	ms := now.UnixMilli()
	return Document{
		OrganizationID: orgID, ID: cmp.Or(nd.ID, uuid.NewString()),
		DocNumber: nd.DocNumber, DocType: nd.DocType, DocDate: nd.DocDate,
		SellerGstin: nd.SellerGstin, BuyerGstin: nd.BuyerGstin, IrdDocType: "PRE", Amount: nd.Amount,
		Status: Created, CreatedByUserID: userID, CreatedOn: ms, LastUpdated: ms,
		Annotations: []string{}, Body: nd.Body,
	}
}

// CreateDocument stores a new document in state 200 CREATED. A docNumber already used by the
// same seller in the organization (even by a deleted document) is store.ErrConflict.
func (s *Store) CreateDocument(ctx context.Context, orgID, userID string, nd NewDocument) (Document, error) {
	doc := createdDocument(orgID, userID, nd, s.db.Now())
	if err := s.db.Gorm(ctx).Omit(clause.Associations).Create(&doc).Error; err != nil {
		if store.IsUniqueViolation(err) {
			return Document{}, fmt.Errorf("document %s of seller %s: %w", nd.DocNumber, nd.SellerGstin, store.ErrConflict)
		}
		return Document{}, fmt.Errorf("create document: %w", err)
	}
	return doc, nil
}

// GetDocument returns one document of the organization whatever its state; another
// organization's document is store.ErrNotFound, like a missing one.
func (s *Store) GetDocument(ctx context.Context, orgID, id string) (Document, error) {
	var doc Document
	err := s.db.Gorm(ctx).Where("organization_id = ? AND id = ?", orgID, id).Take(&doc).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Document{}, fmt.Errorf("document %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return Document{}, fmt.Errorf("get document %s: %w", id, err)
	}
	return doc, nil
}
