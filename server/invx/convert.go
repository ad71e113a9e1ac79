package invx

import (
	"fmt"

	"github.com/google/uuid"

	gen "github.com/deletesvc/deletesvc/gen/invx"
	"github.com/deletesvc/deletesvc/gen/number"
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
		SellerGstin: d.SellerGstin, BuyerGstin: d.BuyerGstin, IrdDocType: d.IrdDocType, Amount: number.New(d.Amount.Decimal),
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
		Amount: store.NewDecimal(req.ValDtls.TotInvVal.Decimal), Body: string(body),
	}, nil
}
