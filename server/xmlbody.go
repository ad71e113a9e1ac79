package server

import (
	"fmt"

	"github.com/deletesvc/deletesvc/server/api"
	"github.com/deletesvc/deletesvc/server/negotiate"

	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"
)

var (
	echoParam  = regexp.MustCompile(`:([^/]+)`)
	jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)
)

// xmlToJSON lets an ASP.NET-style operation take text/json, application/xml and text/xml bodies:
// kin-openapi decodes only JSON, so the body is rewritten to JSON, guided by the operation's schema
// (XML has no types: "5" becomes a number only where the schema says number), and then validated
// exactly like a JSON body.
// application/x-www-form-urlencoded bodies are rewritten likewise (formToValue).
func xmlToJSON(spec *openapi3.T, method, echoPath string) echo.MiddlewareFunc {
	schema, _ := bodySchema(spec, method, echoPath)
	bodyName := bodyParameterName(spec, method, echoPath)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			mediaType, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
			// The answer's format may depend on the body's (negotiate.WantsXML); remember it
			// before the body becomes JSON.
			req = req.WithContext(negotiate.WithRequestMediaType(req.Context(), mediaType))
			c.SetRequest(req)
			switch mediaType {
			case "text/json":
				req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
			case "application/x-www-form-urlencoded":
				if schema == nil {
					return next(c) // the validator answers 415
				}
				raw, err := io.ReadAll(req.Body)
				if err != nil {
					return err
				}
				var out []byte
				if len(bytes.TrimSpace(raw)) > 0 {
					value, err := formToValue(string(raw), schema, bodyName)
					if err != nil {
						return &api.Error{Kind: api.KindValidation, Status: http.StatusBadRequest, Message: "malformed form body",
							Fields: []api.FieldError{{In: "body", Reason: "malformed form body: " + err.Error()}}, Cause: err}
					}
					if out, err = json.Marshal(value); err != nil {
						return err
					}
				}
				rewindBody(req, out)
				req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
			case "application/xml", "text/xml":
				if schema == nil {
					return next(c) // the validator answers 415
				}
				raw, err := io.ReadAll(req.Body)
				if err != nil {
					return err
				}
				var out []byte
				if len(bytes.TrimSpace(raw)) > 0 {
					value, err := decodeXML(raw, schema)
					if err != nil {
						return &api.Error{Kind: api.KindValidation, Status: http.StatusBadRequest, Message: "malformed XML",
							Fields: []api.FieldError{{In: "body", Reason: "malformed XML: " + err.Error()}}, Cause: err}
					}
					if out, err = json.Marshal(value); err != nil {
						return err
					}
				}
				rewindBody(req, out)
				req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
			}
			return next(c)
		}
	}
}

// xmlNode is a parsed element: its children, or its text when it has none.
type xmlNode struct {
	name     string
	nilAttr  bool
	text     string
	children []*xmlNode
}

// Bounds on an XML body, checked while it is read so a hostile one costs linear time and bounded
// memory: a well-formed Ultrabiz body is three levels deep (array, item, field) and at most 500
// items of about 45 fields.
const (
	maxXMLDepth    = 8
	maxXMLElements = 50_000
)

func decodeXML(raw []byte, schema *openapi3.Schema) (any, error) {
	dec := xml.NewDecoder(bytes.NewReader(raw))
	var stack []*xmlNode
	var root *xmlNode
	elements := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 && root != nil {
				return nil, errors.New("more than one root element")
			}
			if len(stack) >= maxXMLDepth {
				return nil, fmt.Errorf("elements nested deeper than %d levels", maxXMLDepth)
			}
			if elements++; elements > maxXMLElements {
				return nil, fmt.Errorf("more than %d elements", maxXMLElements)
			}
			n := &xmlNode{name: t.Name.Local}
			for _, a := range t.Attr {
				if a.Name.Local == "nil" && a.Value == "true" {
					n.nilAttr = true
				}
			}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, n)
			} else if root == nil {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.Directive:
			// A DTD could declare entities; none is honoured, so none is accepted.
			return nil, errors.New("DTDs (DOCTYPE declarations) are not accepted")
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	return nodeValue(root, schema), nil
}

// nodeValue converts n by schema; values that do not fit stay strings so the validator names them.
func nodeValue(n *xmlNode, schema *openapi3.Schema) any {
	if n.nilAttr {
		return nil
	}
	if schema == nil {
		if len(n.children) > 0 {
			return nodeObject(n, nil)
		}
		return strings.TrimSpace(n.text)
	}
	switch {
	case schema.Type.Is("array"):
		var items *openapi3.Schema
		if schema.Items != nil {
			items = schema.Items.Value
		}
		out := make([]any, 0, len(n.children))
		for _, child := range n.children {
			out = append(out, nodeValue(child, items))
		}
		return out
	case schema.Type.Is("object"):
		return nodeObject(n, schema)
	}
	text := strings.TrimSpace(n.text)
	if schema.Type.Is("boolean") {
		if b, err := strconv.ParseBool(text); err == nil {
			return b
		}
		return text
	}
	return textValue(text, schema)
}

// textValue is text as the JSON number an integer or number schema wants, or text itself when it is
// not one (the validator then names it).
func textValue(text string, schema *openapi3.Schema) any {
	switch {
	case schema.Type.Is("integer"):
		// Re-format what parses ("+5", "007" as .NET reads them) so the JSON is always valid.
		if v, err := strconv.ParseInt(text, 10, 64); err == nil {
			return json.Number(strconv.FormatInt(v, 10))
		}
	case schema.Type.Is("number"):
		// The exponent bound keeps "5e999999" from expanding into a million digits.
		if d, err := decimal.NewFromString(text); err == nil && d.Exponent() > -400 && d.Exponent() < 400 && jsonNumber.MatchString(d.String()) {
			return json.Number(d.String())
		}
	}
	return text
}

func nodeObject(n *xmlNode, schema *openapi3.Schema) map[string]any {
	obj := make(map[string]any, len(n.children))
	for _, child := range n.children {
		var prop *openapi3.Schema
		if schema != nil {
			if ref, ok := schema.Properties[child.name]; ok && ref != nil {
				prop = ref.Value
			}
		}
		obj[child.name] = nodeValue(child, prop)
	}
	return obj
}

// XMLValue reads an ASP.NET-style XML document as the JSON value the schema describes (numbers as
// float64, as encoding/json gives them), so XML bodies can be validated like JSON ones.
func XMLValue(raw []byte, schema *openapi3.Schema) (any, error) {
	v, err := decodeXML(raw, schema)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	return out, json.Unmarshal(b, &out)
}
