package invx

import (
	"errors"
	"fmt"

	"github.com/google/uuid"

	gen "github.com/deletesvc/deletesvc/gen/invx"
	"github.com/deletesvc/deletesvc/store"
	invxstore "github.com/deletesvc/deletesvc/store/invx"
)

// documentOut is the API's view of a stored document.
func documentOut(d invxstore.Document) (gen.Document, error) {
	id, err := uuid.Parse(d.ID)
	if err != nil {
		return gen.Document{}, fmt.Errorf("document id %q: %w", d.ID, err)
	}
	annotations := d.Annotations
	if annotations == nil {
		annotations = []string{}
	}
	return gen.Document{
		Id: id, DocNumber: d.DocNumber, DocType: gen.DocType(d.DocType), DocDate: d.DocDate,
		SellerGstin: d.SellerGstin, BuyerGstin: d.BuyerGstin, IrdDocType: d.IrdDocType, Amount: d.Amount.Decimal,
		AcceptanceComments: d.AcceptanceComments, DenialComments: d.DenialComments, DisputeComments: d.DisputeComments,
		Status: gen.DocumentStatus(d.Status), CreatedByUserId: d.CreatedByUserID, CreatedOn: d.CreatedOn,
		LastUpdatedByUserId: d.LastUpdatedByUserID, LastUpdated: d.LastUpdated, Annotations: annotations,
	}, nil
}

// actionIn is one request item as the store takes it; uuid's String makes the id lower-case, as stored.
func actionIn(a gen.DocumentAction) invxstore.ActionItem {
	return invxstore.ActionItem{DocID: a.DocId.String(), Action: invxstore.Action(a.Action), Comments: a.Comments}
}

// newDocumentIn takes from an IRP e-invoice what the document keeps; body is the request as JSON.
func newDocumentIn(req gen.CreateDocumentRequest, body []byte) (invxstore.NewDocument, error) {
	docType, err := invxstore.DocTypeCode(string(req.DocDtls.Typ))
	if err != nil {
		return invxstore.NewDocument{}, err
	}
	return invxstore.NewDocument{
		DocNumber: req.DocDtls.No, DocType: docType, DocDate: req.DocDtls.Dt,
		SellerGstin: req.SellerDtls.Gstin, BuyerGstin: req.BuyerDtls.Gstin,
		Amount: store.NewDecimal(req.ValDtls.TotInvVal), Body: string(body),
	}, nil
}

// detail is one entry of invx's error shape.
func detail(code, message string, field *string) gen.ErrorDetail {
	return gen.ErrorDetail{Message: code, Type: gen.ErrorTypeClient, Args: gen.ErrorArgs{Message: message, Field: field}}
}

// actionErrorDetail maps the store's outcomes of one action (item index in its request) to invx's
// codes; ok is false for an unexpected error, which the caller returns as a 500.
func actionErrorDetail(err error, docID string, index int) (d gen.ErrorDetail, ok bool) {
	var ae *invxstore.ActionError
	var de *invxstore.DuplicateItemError
	switch {
	case errors.As(err, &ae):
		return detail("err-incorrect-update-action", ae.Error(), nil), true
	case errors.As(err, &de):
		field := fmt.Sprintf("/%d/docId", index)
		return detail("err-duplicate-item", de.Error(), &field), true
	case errors.Is(err, store.ErrNotFound):
		return detail("err-resource-not-found", "document "+docID+" not found", nil), true
	}
	return gen.ErrorDetail{}, false
}

// envelope wraps one error detail in invx's failure envelope.
func envelope(d gen.ErrorDetail) gen.ErrorEnvelope {
	return gen.ErrorEnvelope{Status: gen.StatusFailure, Error: d}
}
