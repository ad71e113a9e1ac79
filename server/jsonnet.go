package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/labstack/echo/v4"

	"github.com/deletesvc/deletesvc/server/api"
)

// bindLikeJSONNET rewrites an ASP.NET-style operation's JSON body (or the JSON an XML or form body
// became) the way Json.NET would bind it to the C# model, so the validator and the handler see what
// the original service would have seen (openapi/ultrabiz.yaml, "Binding"):
//   - property names match case-insensitively (productId binds ProductId); two names of one object
//     that differ only in case are a duplicate, refused like an exact duplicate, since Json.NET
//     would silently keep the last;
//   - unknown properties are dropped, as ASP.NET ignores them;
//   - numbers and booleans sent as JSON strings ("5", "true") become numbers and booleans, and a
//     number sent for a string property becomes its text;
//   - null for a string property is absent (Json.NET sends null for an unset string);
//   - a date-time without a zone (.NET's default "2026-11-20T00:00:00") is read as UTC;
//   - a null body where the body is optional and a collection is an empty collection.
//
// Anything else is left as sent for the validator to report. It reads a body BodyLimit has bounded.
//
// It also makes rejectUnsafeInput's checks (URL, UTF-8, duplicate names, NUL), which must see the
// body as sent, and makes them in its own pass over the body when it can. First it asks the
// operation's compiled bodyCheck, whose yes means safe, as sent and valid, and which Validation
// then takes without walking the body again (one pass over a body a client following the spec
// sends). Else a body that binds as sent has been read whole by jsontext's decoder, which refuses
// invalid UTF-8 and duplicate names, so without the text \u0000 it is safe too. Any other body gets
// rejectUnsafeInput's own check first.
func bindLikeJSONNET(spec *openapi3.T, method, echoPath string) echo.MiddlewareFunc {
	schema, required := bodySchema(spec, method, echoPath)
	check := compileBodyCheck(spec, specOperation(spec, method, echoPath))
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			raw, passed, err := screenInput(req, check)
			if err != nil {
				return err
			}
			if passed { // no JSON body, or one safe, as sent and valid
				return next(c)
			}
			if schema != nil && safeAsSent(raw, schema) {
				return next(c)
			}
			if field, ok := unsafeJSON(raw); !ok {
				return refuse(field)
			}
			if schema == nil || len(bytes.TrimSpace(raw)) == 0 {
				return next(c)
			}
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil || dec.More() {
				return next(c) // not one JSON value: the validator says so in its words
			}
			if v == nil && !required && schema.Type.Is("array") {
				v = []any{}
			}
			bound, fields := jsonNETValue(v, schema, nil)
			if len(fields) > 0 {
				return &api.Error{Kind: api.KindValidation, Status: http.StatusBadRequest, Message: api.Describe(fields), Fields: fields}
			}
			out, err := json.Marshal(bound)
			if err != nil {
				return err
			}
			rewindBody(req, out)
			return next(c)
		}
	}
}

// bodySchema is the JSON schema of an operation's request body and whether the body is required.
func bodySchema(spec *openapi3.T, method, echoPath string) (*openapi3.Schema, bool) {
	op := specOperation(spec, method, echoPath)
	if op == nil || op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil, false
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil, false
	}
	return mt.Schema.Value, op.RequestBody.Value.Required
}

// zoneless is a date-time with no zone, as .NET writes a DateTime of unspecified kind.
var zoneless = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?$`)

func jsonNETValue(v any, s *openapi3.Schema, path []string) (any, []api.FieldError) {
	if s == nil {
		return v, nil
	}
	switch {
	case s.Type.Is("object"):
		obj, ok := v.(map[string]any)
		if !ok {
			return v, nil
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys) // a stable report when names clash
		out := make(map[string]any, len(obj))
		seen := make(map[string]string, len(obj))
		var fields []api.FieldError
		for _, k := range keys {
			name, prop := property(s, k)
			if prop == nil {
				continue // unknown: ignored, as ASP.NET does
			}
			p := append(append([]string(nil), path...), name)
			if first, dup := seen[name]; dup {
				fields = append(fields, api.FieldError{In: "body", Path: p, Reason: "duplicate key in object (\"" + first + "\" and \"" + k + "\" differ only in case)"})
				continue
			}
			seen[name] = k
			if obj[k] == nil && prop.Type.Is("string") && !prop.Nullable {
				continue // Json.NET's null for an unset string: absent
			}
			val, fs := jsonNETValue(obj[k], prop, p)
			out[name], fields = val, append(fields, fs...)
		}
		return out, fields
	case s.Type.Is("array"):
		arr, ok := v.([]any)
		if !ok || s.Items == nil {
			return v, nil
		}
		var fields []api.FieldError
		out := make([]any, len(arr))
		for i, item := range arr {
			var fs []api.FieldError
			out[i], fs = jsonNETValue(item, s.Items.Value, append(append([]string(nil), path...), strconv.Itoa(i)))
			fields = append(fields, fs...)
		}
		return out, fields
	case s.Type.Is("integer"), s.Type.Is("number"):
		if text, ok := v.(string); ok {
			return textValue(strings.TrimSpace(text), s), nil
		}
	case s.Type.Is("boolean"):
		if text, ok := v.(string); ok {
			switch t := strings.TrimSpace(text); {
			case strings.EqualFold(t, "true"):
				return true, nil
			case strings.EqualFold(t, "false"):
				return false, nil
			}
		}
	case s.Type.Is("string"):
		switch x := v.(type) {
		case json.Number:
			return x.String(), nil
		case string:
			if s.Format == "date-time" && zoneless.MatchString(x) {
				return x + "Z", nil
			}
		}
	}
	return v, nil
}

// bindsAsSent reports whether body is one JSON value that jsonNETValue would give back unchanged:
// every member name a property's exact name (unescaped), every value of its property's JSON type
// (no text for a number or boolean, no number for a string), no null for a non-nullable string,
// no zone-less date-time, and not a null body. Such a body (what a client that follows the spec
// sends) goes on as sent: the decode into maps, the rewrite and the encode were a fifth of an
// Ultrabiz insert's allocations (issue 13). It mirrors jsonNETValue case by case; anything else, a
// syntax error included, takes jsonNETValue's path. TestBindsAsSentAgreesWithJSONNETValue.
func bindsAsSent(body []byte, s *openapi3.Schema) bool {
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	if dec.PeekKind() == 'n' || !asSent(dec, s) {
		return false
	}
	_, err := dec.ReadToken()
	return errors.Is(err, io.EOF)
}

// safeAsSent reports whether body binds as sent (bindsAsSent) and passes rejectUnsafeInput's
// checks, which that walk then makes: jsontext's decoder refuses duplicate names and bytes that are
// not UTF-8 by default, and a body without the text \u0000 holds no NUL.
func safeAsSent(body []byte, s *openapi3.Schema) bool {
	return !mayHoldNUL(body) && bindsAsSent(body, s)
}

// asSent reads the next value of dec, reporting whether jsonNETValue leaves it as it is under s.
func asSent(dec *jsontext.Decoder, s *openapi3.Schema) bool {
	kind := dec.PeekKind()
	if kind == 0 {
		return false // a syntax error
	}
	switch {
	case s == nil:
	case s.Type.Is("object"):
		if kind != '{' {
			break
		}
		if _, err := dec.ReadToken(); err != nil {
			return false
		}
		for dec.PeekKind() != '}' {
			name, err := dec.ReadValue()
			if err != nil || bytes.IndexByte(name, '\\') >= 0 {
				return false
			}
			ref := s.Properties[string(name[1:len(name)-1])]
			if ref == nil || ref.Value == nil {
				return false // unknown, or bound to another name: dropped or renamed
			}
			if prop := ref.Value; (dec.PeekKind() == 'n' && prop.Type.Is("string") && !prop.Nullable) || !asSent(dec, prop) {
				return false
			}
		}
		_, err := dec.ReadToken()
		return err == nil
	case s.Type.Is("array"):
		if kind != '[' || s.Items == nil {
			break
		}
		if _, err := dec.ReadToken(); err != nil {
			return false
		}
		for dec.PeekKind() != ']' {
			if !asSent(dec, s.Items.Value) {
				return false
			}
		}
		_, err := dec.ReadToken()
		return err == nil
	case s.Type.Is("integer"), s.Type.Is("number"), s.Type.Is("boolean"):
		if kind == '"' {
			return false
		}
	case s.Type.Is("string"):
		if kind == '0' {
			return false
		}
		if kind == '"' && s.Format == "date-time" {
			raw, err := dec.ReadValue()
			return err == nil && bytes.IndexByte(raw, '\\') < 0 && !zoneless.Match(raw[1:len(raw)-1])
		}
	}
	return dec.SkipValue() == nil
}

// property is the schema property a JSON member name binds to: the exact name, else the one equal
// to it ignoring case.
func property(s *openapi3.Schema, name string) (string, *openapi3.Schema) {
	if ref, ok := s.Properties[name]; ok && ref != nil {
		return name, ref.Value
	}
	for n, ref := range s.Properties {
		if ref != nil && strings.EqualFold(n, name) {
			return n, ref.Value
		}
	}
	return "", nil
}
