package ultrabiz

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"unicode"

	gen "github.com/deletesvc/deletesvc/gen/ultrabiz"
	"github.com/deletesvc/deletesvc/store"
	ultrabizstore "github.com/deletesvc/deletesvc/store/ultrabiz"
)

// Error is ASP.NET Web API's HttpError, the body of every Ultrabiz error: written by the global
// renderer (family.go's render) and, for declared refusals in XML, by the strict middleware, so the
// two cannot drift apart.
type Error struct {
	Message    string              `json:"Message"`
	ModelState map[string][]string `json:"ModelState,omitempty"`
}

// MarshalXML writes the error as HttpError's IXmlSerializable does: <Error><Message>, then
// <ModelState> with one element per key, named by XmlConvert.EncodeLocalName
// (purchasesBody[0].QtyPack is purchasesBody_x005B_0_x005D_.QtyPack) and holding the key's
// messages as XmlWriter.WriteValue writes a string array: joined by spaces. Keys are sorted.
func (e Error) MarshalXML(enc *xml.Encoder, _ xml.StartElement) error {
	root := xml.StartElement{Name: xml.Name{Local: "Error"}}
	if err := enc.EncodeToken(root); err != nil {
		return err
	}
	if err := enc.EncodeElement(e.Message, xml.StartElement{Name: xml.Name{Local: "Message"}}); err != nil {
		return err
	}
	if e.ModelState != nil {
		ms := xml.StartElement{Name: xml.Name{Local: "ModelState"}}
		if err := enc.EncodeToken(ms); err != nil {
			return err
		}
		keys := make([]string, 0, len(e.ModelState))
		for k := range e.ModelState {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			el := xml.StartElement{Name: xml.Name{Local: encodeLocalName(k)}}
			if err := enc.EncodeElement(strings.Join(e.ModelState[k], " "), el); err != nil {
				return err
			}
		}
		if err := enc.EncodeToken(ms.End()); err != nil {
			return err
		}
	}
	return enc.EncodeToken(root.End())
}

// encodeLocalName is .NET's XmlConvert.EncodeLocalName: a character that may not stand where it is
// in an XML name (a colon included) becomes _xHHHH_, as does the underscore of a "_xHHHH_" already
// in the name.
func encodeLocalName(name string) string {
	var b strings.Builder
	runes := []rune(name)
	for i, r := range runes {
		escapedUnderscore := r == '_' && i+6 < len(runes) && (runes[i+1] == 'x' || runes[i+1] == 'X') && isHex(runes[i+2:i+6]) && runes[i+6] == '_'
		if escapedUnderscore || !nameChar(r, i == 0) {
			if r > 0xFFFF {
				fmt.Fprintf(&b, "_x%08X_", r)
			} else {
				fmt.Fprintf(&b, "_x%04X_", r)
			}
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func nameChar(r rune, first bool) bool {
	if r == '_' || unicode.IsLetter(r) {
		return true
	}
	return !first && (unicode.IsDigit(r) || r == '.' || r == '-' || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r))
}

func isHex(rs []rune) bool {
	for _, r := range rs {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// ErrorXML is an Error body in XML with the XML declaration: the bytes Echo's c.XML writes for it.
func ErrorXML(message string) ([]byte, error) {
	b, err := xml.Marshal(Error{Message: message})
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), b...), nil
}

// message is the ASP.NET wording of a store refusal, or false when err is not one the API declares.
func message(err error) (string, bool) {
	var (
		user     ultrabizstore.UserMismatchError
		vendor   ultrabizstore.VendorNotFoundError
		product  ultrabizstore.ProductNotFoundError
		packing  ultrabizstore.PackingNotFoundError
		invoice  ultrabizstore.InvoiceNotFoundError
		bill     ultrabizstore.BillTakenError
		locked   ultrabizstore.InvoiceLockedError
		mismatch ultrabizstore.LinesMismatchError
		short    ultrabizstore.ShortfallError
		ret      ultrabizstore.ReturnNotFoundError
		retNo    ultrabizstore.ReturnNoTakenError
		retFinal ultrabizstore.ReturnFinalizedError
		retLines ultrabizstore.ReturnLinesMismatchError
		retShort ultrabizstore.ReturnShortfallError
	)
	switch {
	case errors.As(err, &user):
		return fmt.Sprintf("userId %d is not the caller's user number.", user.UserID), true
	case errors.As(err, &vendor):
		return fmt.Sprintf("Vendor %d was not found.", vendor.VendorID), true
	case errors.As(err, &product):
		return fmt.Sprintf("Product '%s' was not found.", product.ProductID), true
	case errors.As(err, &packing):
		return fmt.Sprintf("Packing %d of product '%s' was not found.", packing.PackingID, packing.ProductID), true
	case errors.As(err, &invoice):
		return fmt.Sprintf("Purchase invoice %d was not found.", invoice.InvoiceID), true
	case errors.As(err, &bill):
		return fmt.Sprintf("Bill number '%s' is already used for vendor %d.", bill.BillNo, bill.VendorID), true
	case errors.As(err, &locked) && locked.Reason == ultrabizstore.Finalized:
		return fmt.Sprintf("Purchase invoice %d is finalized and cannot be deleted.", locked.InvoiceID), true
	case errors.As(err, &locked):
		return fmt.Sprintf("Purchase invoice %d has payments and cannot be deleted.", locked.InvoiceID), true
	case errors.As(err, &mismatch):
		return fmt.Sprintf("The lines sent do not match the stored lines of purchase invoice %d.", mismatch.InvoiceID), true
	case errors.As(err, &ret):
		return fmt.Sprintf("Purchase return %d was not found.", ret.ReturnID), true
	case errors.As(err, &retNo):
		return fmt.Sprintf("Return number '%s' is already used for vendor %d.", retNo.ReturnNo, retNo.VendorID), true
	case errors.As(err, &retFinal):
		return fmt.Sprintf("Purchase return %d is finalized and cannot be deleted.", retFinal.ReturnID), true
	case errors.As(err, &retLines):
		return fmt.Sprintf("The lines sent do not match the stored lines of purchase return %d.", retLines.ReturnID), true
	case errors.As(err, &retShort):
		return fmt.Sprintf("Returning would leave product '%s' (size %d, colour %s) %s units short.",
			retShort.ProductID, retShort.SizeID, retShort.ColorID.String(), retShort.Short.String()), true
	case errors.As(err, &short):
		return fmt.Sprintf("Deleting purchase invoice %d would leave product '%s' (size %d, colour %s) %s units short.",
			short.InvoiceID, short.ProductID, short.SizeID, short.ColorID.String(), short.Short.String()), true
	}
	return "", false
}

// refusal maps a store refusal to its status and ASP.NET body; status 0 means err is not a refusal
// and goes to the global error handler (500, logged).
func refusal(err error) (int, gen.AspNetError) {
	msg, ok := message(err)
	if !ok {
		return 0, gen.AspNetError{}
	}
	body := gen.AspNetError{Message: msg}
	switch {
	case errors.Is(err, store.ErrForbidden):
		return http.StatusForbidden, body
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, body
	case errors.Is(err, store.ErrConflict):
		return http.StatusConflict, body
	}
	return 0, body
}
func deleteRefused(err error) (gen.DeletePurchaseInvoiceResponseObject, error) {
	switch status, body := refusal(err); status {
	case http.StatusForbidden:
		return gen.DeletePurchaseInvoice403JSONResponse{ForbiddenJSONResponse: gen.ForbiddenJSONResponse(body)}, nil
	case http.StatusNotFound:
		return gen.DeletePurchaseInvoice404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(body)}, nil
	case http.StatusConflict:
		return gen.DeletePurchaseInvoice409JSONResponse{ConflictJSONResponse: gen.ConflictJSONResponse(body)}, nil
	}
	return nil, err
}

func insertRefused(err error) (gen.InsertPurchaseInvoiceResponseObject, error) {
	switch status, body := refusal(err); status {
	case http.StatusForbidden:
		return gen.InsertPurchaseInvoice403JSONResponse{ForbiddenJSONResponse: gen.ForbiddenJSONResponse(body)}, nil
	case http.StatusNotFound:
		return gen.InsertPurchaseInvoice404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(body)}, nil
	case http.StatusConflict:
		return gen.InsertPurchaseInvoice409JSONResponse{ConflictJSONResponse: gen.ConflictJSONResponse(body)}, nil
	}
	return nil, err
}

func getInvoiceRefused(err error) (gen.GetPurchaseInvoiceResponseObject, error) {
	if status, body := refusal(err); status == http.StatusNotFound {
		return gen.GetPurchaseInvoice404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(body)}, nil
	}
	return nil, err
}

func getStockRefused(err error) (gen.GetProductStockResponseObject, error) {
	if status, body := refusal(err); status == http.StatusNotFound {
		return gen.GetProductStock404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(body)}, nil
	}
	return nil, err
}

func getVendorRefused(err error) (gen.GetVendorResponseObject, error) {
	if status, body := refusal(err); status == http.StatusNotFound {
		return gen.GetVendor404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(body)}, nil
	}
	return nil, err
}
