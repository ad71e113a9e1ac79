package invx

import (
	"encoding/hex"
	"fmt"
	"strings"

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

// actionsIn is request items as the store takes them, each id spelled as uuid's String spells it
// (lower case, as stored). The ids are slices of one string: one allocation for a bulk request
// instead of one per item.
func actionsIn(actions []gen.DocumentAction) []invxstore.ActionItem {
	var ids strings.Builder
	ids.Grow(uuidTextLen * len(actions))
	for _, a := range actions {
		var text [uuidTextLen]byte
		ids.Write(appendUUID(text[:0], a.DocId))
	}
	all := ids.String()
	items := make([]invxstore.ActionItem, len(actions))
	for i, a := range actions {
		items[i] = invxstore.ActionItem{DocID: all[i*uuidTextLen : (i+1)*uuidTextLen], Action: invxstore.Action(a.Action), Comments: a.Comments}
	}
	return items
}

const uuidTextLen = len("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")

// appendUUID appends u as its String spells it (uuid has no appending form).
func appendUUID(dst []byte, u uuid.UUID) []byte {
	dst = hex.AppendEncode(dst, u[0:4])
	dst = hex.AppendEncode(append(dst, '-'), u[4:6])
	dst = hex.AppendEncode(append(dst, '-'), u[6:8])
	dst = hex.AppendEncode(append(dst, '-'), u[8:10])
	return hex.AppendEncode(append(dst, '-'), u[10:16])
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
