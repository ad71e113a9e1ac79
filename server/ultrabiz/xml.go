package ultrabiz

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"

	"github.com/labstack/echo/v4"

	gen "github.com/deletesvc/deletesvc/gen/ultrabiz"
	"github.com/deletesvc/deletesvc/server/negotiate"
)

// ASP.NET Web API negotiates the response format from Accept; the generated strict responses are
// JSON only (gen/ultrabiz/overlay.yaml), so this strict middleware re-renders whatever an operation
// answered as DataContract XML when the client prefers XML.

// StrictMiddlewares are the strict-server middlewares the Ultrabiz routes need: pass them to
// gen.NewStrictHandler.
func StrictMiddlewares() []gen.StrictMiddlewareFunc {
	return []gen.StrictMiddlewareFunc{negotiateXML}
}

const (
	dataContractNS = "http://schemas.datacontract.org/2004/07/Ultrabiz_ERP_API.Models"
	xmlSchemaNS    = "http://www.w3.org/2001/XMLSchema-instance"
)

// resultElement is the root element of each operation's 200 body: the C# type's name.
var resultElement = map[string]string{
	"DeletePurchaseInvoice": "DeletePurchaseInvoiceResult",
	"InsertPurchaseInvoice": "InsertPurchaseInvoiceResult",
	"DeletePurchaseReturn":  "DeletePurchaseReturnResult",
	"InsertPurchaseReturn":  "InsertPurchaseReturnResult",
	"GetPurchaseInvoice":    "PurchaseInvoice",
	"GetProductStock":       "ProductStock",
	"GetVendor":             "Vendor",
}

// itemElement names the element of each collection's items (DataContract uses the item type's name).
var itemElement = map[string]string{"ListBody": "PurchasesBody", "Stock": "StockLine"}

func negotiateXML(f gen.StrictHandlerFunc, operationID string) gen.StrictHandlerFunc {
	return func(c echo.Context, request any) (any, error) {
		resp, err := f(c, request)
		if err != nil || resp == nil || !negotiate.WantsXML(c.Request()) {
			return resp, err
		}
		// Render the typed JSON response, then re-encode its body: one path for every operation and status.
		rec := httptest.NewRecorder()
		if err := visit(resp, rec); err != nil {
			return nil, err
		}
		if rec.Code != http.StatusOK {
			// Declared refusals look exactly like the errors the global renderer writes.
			body, err := errorXML(rec.Body.Bytes())
			if err != nil {
				return nil, fmt.Errorf("render %s error as XML: %w", operationID, err)
			}
			return xmlResponse{status: rec.Code, body: body}, nil
		}
		body, err := dataContractXML(resultElement[operationID], rec.Body.Bytes())
		if err != nil {
			return nil, fmt.Errorf("render %s as XML: %w", operationID, err)
		}
		return xmlResponse{status: rec.Code, body: body}, nil
	}
}

func visit(resp any, w http.ResponseWriter) error {
	switch r := resp.(type) {
	case gen.DeletePurchaseInvoiceResponseObject:
		return r.VisitDeletePurchaseInvoiceResponse(w)
	case gen.InsertPurchaseInvoiceResponseObject:
		return r.VisitInsertPurchaseInvoiceResponse(w)
	case gen.DeletePurchaseReturnResponseObject:
		return r.VisitDeletePurchaseReturnResponse(w)
	case gen.InsertPurchaseReturnResponseObject:
		return r.VisitInsertPurchaseReturnResponse(w)
	case gen.GetPurchaseInvoiceResponseObject:
		return r.VisitGetPurchaseInvoiceResponse(w)
	case gen.GetProductStockResponseObject:
		return r.VisitGetProductStockResponse(w)
	case gen.GetVendorResponseObject:
		return r.VisitGetVendorResponse(w)
	}
	return fmt.Errorf("unexpected response type %T", resp)
}

// xmlResponse is a rendered XML answer; it satisfies every operation's response interface.
type xmlResponse struct {
	status int
	body   []byte
}

func (x xmlResponse) write(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", negotiate.XMLContentType)
	w.WriteHeader(x.status)
	_, err := w.Write(x.body)
	return err
}

func (x xmlResponse) VisitDeletePurchaseInvoiceResponse(w http.ResponseWriter) error {
	return x.write(w)
}
func (x xmlResponse) VisitInsertPurchaseInvoiceResponse(w http.ResponseWriter) error {
	return x.write(w)
}
func (x xmlResponse) VisitDeletePurchaseReturnResponse(w http.ResponseWriter) error {
	return x.write(w)
}
func (x xmlResponse) VisitInsertPurchaseReturnResponse(w http.ResponseWriter) error {
	return x.write(w)
}
func (x xmlResponse) VisitGetPurchaseInvoiceResponse(w http.ResponseWriter) error { return x.write(w) }
func (x xmlResponse) VisitGetProductStockResponse(w http.ResponseWriter) error    { return x.write(w) }
func (x xmlResponse) VisitGetVendorResponse(w http.ResponseWriter) error          { return x.write(w) }

// errorXML is a declared error's JSON body (ASP.NET's HttpError) in XML.
func errorXML(jsonBody []byte) ([]byte, error) {
	var e Error
	if err := json.Unmarshal(jsonBody, &e); err != nil {
		return nil, err
	}
	return ErrorXML(e.Message)
}

// dataContractXML writes a JSON object as the DataContractSerializer does: members in ordinal order,
// collections wrapped with one element per item, null as i:nil.
func dataContractXML(root string, jsonBody []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(jsonBody))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<%s xmlns:i="%s" xmlns="%s">`, root, xmlSchemaNS, dataContractNS)
	if err := writeXMLContent(&b, root, v); err != nil {
		return nil, err
	}
	fmt.Fprintf(&b, "</%s>", root)
	return b.Bytes(), nil
}

func writeXMLElement(b *bytes.Buffer, name string, v any) error {
	if v == nil {
		fmt.Fprintf(b, `<%s i:nil="true"/>`, name)
		return nil
	}
	fmt.Fprintf(b, "<%s>", name)
	if err := writeXMLContent(b, name, v); err != nil {
		return err
	}
	fmt.Fprintf(b, "</%s>", name)
	return nil
}

func writeXMLContent(b *bytes.Buffer, name string, v any) error {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := writeXMLElement(b, k, x[k]); err != nil {
				return err
			}
		}
	case []any:
		item, ok := itemElement[name]
		if !ok {
			return fmt.Errorf("no item element for collection %s", name)
		}
		for _, it := range x {
			if err := writeXMLElement(b, item, it); err != nil {
				return err
			}
		}
	case string:
		return xml.EscapeText(b, []byte(x))
	default: // json.Number, bool
		fmt.Fprint(b, x)
	}
	return nil
}
