package ultrabiz

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"

	gen "github.com/deletesvc/deletesvc/gen/ultrabiz"
	"github.com/deletesvc/deletesvc/store"
	ultrabizstore "github.com/deletesvc/deletesvc/store/ultrabiz"
)

// Error is ASP.NET Web API's HttpError, the body of every Ultrabiz error: written by the global
// renderer (server/render.go) and, for declared refusals in XML, by the strict middleware, so the two
// cannot drift apart. ModelState is JSON only, as in ASP.NET.
type Error struct {
	XMLName    xml.Name            `json:"-" xml:"Error"`
	Message    string              `json:"Message" xml:"Message"`
	ModelState map[string][]string `json:"ModelState,omitempty" xml:"-"`
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
