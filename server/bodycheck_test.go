package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/deletesvc/deletesvc/openapi"
)

// TestBodyCheckAgreesWithKinOpenAPI: for every operation of the three specs whose body schema
// bodyCheck compiles, a valid body takes the quick path, and of a few thousand variants (every
// member dropped, an unknown member added, every value replaced by null, a number, a boolean,
// an object, an array, a string outside its enum, pattern or length, arrays past their bounds,
// escaped strings, trailing data) none that bodyCheck accepts is refused by kin-openapi: every
// body that breaks the schema goes to kin-openapi, which words the error as before. Nor is any it
// accepts refused by rejectUnsafeInput's check (which its acceptance skips): with the variants
// above go a member named twice, and the first string value holding bytes that are not UTF-8 or a
// NUL (in every family some body's first string value is free text, which the check accepts with
// a harmless byte added: there only the spoiling can make it refuse).
func TestBodyCheckAgreesWithKinOpenAPI(t *testing.T) {
	compiled := 0
	spoiled := map[string]int{} // per family, the bodies whose first string value is free text
	for _, family := range []string{"invx", "upbooks", "ultrabiz"} {
		spec, err := openapi.Load(family)
		if err != nil {
			t.Fatal(err)
		}
		for path, item := range spec.Paths.Map() {
			for method, op := range item.Operations() {
				check := compileBodyCheck(spec, op)
				if check == nil {
					continue
				}
				compiled++
				name := family + " " + op.OperationID
				schema := op.RequestBody.Value.Content.Get("application/json").Schema.Value
				valid := instance(schema, false)
				full := instance(schema, true)
				for _, v := range []any{valid, full} {
					body := marshal(t, v)
					if !check.accepts(jsonRequest(body)) {
						t.Errorf("%s: a valid body takes the slow path: %s", name, body)
					}
					if err := kinValidate(op, body); err != nil {
						t.Errorf("%s: the test's valid body is refused by kin-openapi: %v", name, err)
					}
				}
				refused := 0
				var bodies [][]byte
				for _, v := range []any{valid, full} {
					for _, m := range mutants(schema, v) {
						bodies = append(bodies, marshal(t, m))
					}
					b := marshal(t, v)
					bodies = append(bodies, append(slices.Clone(b), " x"...), append(slices.Clone(b), " {}"...), append(slices.Clone(b), ' '), b[:len(b)-1], []byte(" \n"+string(b)))
					if bytes.Contains(b, []byte(`{"`)) { // unsafeVariants names a member twice
						bodies = append(bodies, unsafeVariants(t, b)...)
					}
					if s, control := stringSpoiled(t, b); len(s) > 0 {
						bodies = append(bodies, s...)
						if check.accepts(jsonRequest(control)) {
							spoiled[family]++
						}
					}
				}
				for _, body := range bodies {
					fast := check.accepts(jsonRequest(body))
					kinErr := kinValidate(op, body)
					if kinErr != nil {
						refused++
					}
					if fast && kinErr != nil {
						t.Errorf("%s %s %s: bodyCheck accepts what kin-openapi refuses (%v): %.300s", name, method, path, kinErr, body)
					}
					if field, safe := unsafeJSON(body); fast && !safe {
						t.Errorf("%s %s %s: bodyCheck accepts what rejectUnsafeInput refuses (%s): %q", name, method, path, field.Reason, body)
					}
				}
				if refused == 0 {
					t.Errorf("%s: no variant broke the schema: the test checks nothing", name)
				}
				t.Logf("%s: %d variants, %d refused by kin-openapi", name, len(bodies), refused)
			}
		}
	}
	if compiled == 0 {
		t.Fatal("no operation's body compiled")
	}
	for _, family := range []string{"invx", "upbooks", "ultrabiz"} {
		if spoiled[family] == 0 {
			t.Errorf("%s: no body's first string value was free text: nothing showed that bytes that are not UTF-8 or a NUL alone are refused", family)
		}
	}
}

// stringSpoiled is two copies of body: its first string value holding a byte that is not UTF-8,
// then holding an escaped NUL; none when body has no string value. control is body with a
// harmless byte in the same place.
func stringSpoiled(t *testing.T, body []byte) (spoiled [][]byte, control []byte) {
	t.Helper()
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	for {
		switch dec.PeekKind() {
		case 0:
			return nil, nil
		case '"':
			parent, read := dec.StackIndex(dec.StackDepth())
			name := parent == '{' && read%2 == 0 // in an object a name comes before each value
			raw, err := dec.ReadValue()
			if err != nil {
				t.Fatal(err)
			}
			if !name {
				at := int(dec.InputOffset()) - len(raw) + 1 // just inside the opening quote
				spoil := func(with string) []byte { return slices.Concat(body[:at], []byte(with), body[at:]) }
				return [][]byte{spoil("\xff"), spoil(`\u0000`)}, spoil("a")
			}
		default:
			if _, err := dec.ReadToken(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestBodyCheckRefusesUnknownKeywords: a schema using a keyword outside the subset is left to
// kin-openapi whole.
func TestBodyCheckRefusesUnknownKeywords(t *testing.T) {
	str := openapi3.NewStringSchema()
	for name, s := range map[string]*openapi3.Schema{
		"oneOf":         {Type: &openapi3.Types{"object"}, OneOf: openapi3.SchemaRefs{str.NewRef()}},
		"readOnly":      {Type: &openapi3.Types{"object"}, Properties: openapi3.Schemas{"a": &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"string"}, ReadOnly: true}}}},
		"multipleOf":    {Type: &openapi3.Types{"number"}, MultipleOf: openapi3.Ptr(2.0)},
		"exclusive min": openapi3.NewIntegerSchema().WithMin(1).WithExclusiveMin(true),
		"exclusive max": openapi3.NewFloat64Schema().WithMax(1).WithExclusiveMax(true),
		"number enum":   openapi3.NewFloat64Schema().WithEnum(1.0, 2.0),
		"boolean enum":  openapi3.NewBoolSchema().WithEnum(true),
		"no type":       {},
		"uniqueItems":   {Type: &openapi3.Types{"array"}, Items: str.NewRef(), UniqueItems: true},
		"schema values": {Type: &openapi3.Types{"object"}, AdditionalProperties: openapi3.AdditionalProperties{Schema: str.NewRef()}},
		"\\u pattern":   {Type: &openapi3.Types{"string"}, Pattern: `^\u0041$`},
	} {
		op := &openapi3.Operation{RequestBody: &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithJSONSchema(s)}}
		if compileBodyCheck(&openapi3.T{OpenAPI: "3.0.3"}, op) != nil {
			t.Errorf("%s: compiled", name)
		}
	}
}

func jsonRequest(body []byte) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}

// kinValidate is the server's kin-openapi body validation of op (its options, body only).
func kinValidate(op *openapi3.Operation, body []byte) error {
	in := &openapi3filter.RequestValidationInput{
		Request: jsonRequest(body),
		Options: &openapi3filter.Options{MultiError: true, SkipSettingDefaults: true},
	}
	return openapi3filter.ValidateRequestBody(context.Background(), in, op.RequestBody.Value)
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// instance is a value of schema: its required members only, or every member (full).
func instance(s *openapi3.Schema, full bool) any {
	switch {
	case s.Type.Is("array"):
		n := max(int(s.MinItems), 2)
		if s.MaxItems != nil {
			n = min(n, int(*s.MaxItems))
		}
		out := make([]any, n)
		for i := range out {
			out[i] = instance(s.Items.Value, full)
		}
		return out
	case s.Type.Is("object"):
		out := map[string]any{}
		for name, p := range s.Properties {
			if full || slices.Contains(s.Required, name) {
				out[name] = instance(p.Value, full)
			}
		}
		return out
	case s.Type.Is("string"):
		if ex, ok := s.Example.(string); ok {
			return ex
		}
		if s.Format == "date-time" {
			return "2026-11-20T00:00:00Z"
		}
		if len(s.Enum) > 0 {
			return s.Enum[len(s.Enum)-1]
		}
		return strings.Repeat("é", max(int(s.MinLength), 1))
	case s.Type.Is("integer"), s.Type.Is("number"):
		v := 2.0
		if s.Min != nil {
			v = max(v, *s.Min)
		}
		if s.Max != nil {
			v = min(v, *s.Max)
		}
		if s.Type.Is("integer") {
			v = math.Ceil(v)
		}
		return number(v)
	case s.Type.Is("boolean"):
		return true
	}
	return nil
}

func number(v float64) json.Number { return json.Number(strconv.FormatFloat(v, 'g', -1, 64)) }

// mutants are copies of v (a value of s) with one change each, most of them breaking s.
func mutants(s *openapi3.Schema, v any) []any {
	out := []any{nil, json.Number("1"), true, map[string]any{}, []any{}, "", "zz-not-allowed", "a<b", "\x00"}
	switch {
	case s.Type.Is("array"):
		arr := v.([]any)
		out = append(out, arr[:0], append(slices.Clone(arr), nil))
		if s.MaxItems != nil {
			long := make([]any, *s.MaxItems+1)
			for i := range long {
				long[i] = arr[0]
			}
			out = append(out, long, long[:*s.MaxItems])
		}
		if s.MinItems > 0 {
			out = append(out, arr[:s.MinItems-1])
		}
		for i, e := range arr[:1] {
			for _, m := range mutants(s.Items.Value, e) {
				c := slices.Clone(arr)
				c[i] = m
				out = append(out, c)
			}
		}
	case s.Type.Is("object"):
		obj := v.(map[string]any)
		with := func(k string, val any, drop bool) map[string]any {
			c := make(map[string]any, len(obj)+1)
			for k2, v2 := range obj {
				c[k2] = v2
			}
			if drop {
				delete(c, k)
			} else {
				c[k] = val
			}
			return c
		}
		out = append(out, with("zzUnknown", 1, false), with("zzUnknown", "x", false))
		for k, e := range obj {
			out = append(out, with(k, nil, true), with(strings.ToUpper(k), e, false))
			for _, m := range mutants(s.Properties[k].Value, e) {
				out = append(out, with(k, m, false))
			}
		}
	case s.Type.Is("string"):
		str := v.(string)
		out = append(out, str+"x", strings.ToUpper(str), " "+str, str[:len(str)/2])
		if s.MaxLength != nil {
			n := int(*s.MaxLength)
			out = append(out, strings.Repeat("é", n), strings.Repeat("é", n+1), strings.Repeat("a", n+1), strings.Repeat("🙂", n), strings.Repeat("🙂", n+1))
		}
		if s.MinLength > 0 {
			out = append(out, strings.Repeat("é", int(s.MinLength)-1))
		}
	case s.Type.Is("integer"), s.Type.Is("number"):
		// Bounds and their neighbours, fractions, values past int32, int64 and float64, spellings.
		out = append(out, json.Number("0"), json.Number("-0"), json.Number("2.0"), json.Number("2.5"), json.Number("1e2"), json.Number("1E-2"),
			json.Number("-1"), json.Number("2147483647"), json.Number("2147483648"), json.Number("-2147483649"), json.Number("9007199254740993"),
			json.Number("9223372036854775807"), json.Number("9223372036854775808"), json.Number("1e19"), json.Number("1e400"), json.Number("-1e400"),
			json.Number("1e-400"), "2")
		for _, b := range []*float64{s.Min, s.Max} {
			if b != nil {
				out = append(out, number(*b), number(math.Nextafter(*b, math.Inf(-1))), number(math.Nextafter(*b, math.Inf(1))), number(*b-1), number(*b+1))
			}
		}
	case s.Type.Is("boolean"):
		out = append(out, false, "true", json.Number("0"))
	}
	return out
}

// TestFixedPatternMatchesAsRegexp: a pattern compiled to a fixedPattern matches exactly the strings
// Go's regexp matches (the engine kin-openapi uses), over matches, one-byte changes, other lengths
// and non-ASCII bytes; patterns outside its reach are not compiled.
func TestFixedPatternMatchesAsRegexp(t *testing.T) {
	for pattern, sample := range map[string]string{
		`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`: "c3b993f2-81ab-41d4-b54e-e32a79bb7c64",
		`^[0-9]{6}$`:       "400021",
		`^(?i)ab[c-e]\d_$`: "aBd7_",
		`^x\.y{2}$`:        "x.yy",
	} {
		fixed := compileFixed(pattern)
		if fixed == nil {
			t.Fatalf("%s: not compiled", pattern)
		}
		re := regexp.MustCompile(pattern)
		inputs := []string{sample, "", sample + "0", sample[1:], "é" + sample[2:], sample[:len(sample)-1] + "\xff"}
		for i := range sample {
			for _, c := range []byte{'0', '9', 'a', 'f', 'g', 'A', 'F', 'G', 'z', '-', '.', '_', ' ', 0, 0x7f, 0x80} {
				b := []byte(sample)
				b[i] = c
				inputs = append(inputs, string(b))
			}
		}
		for _, in := range inputs {
			if got, want := fixed.match([]byte(in)), re.MatchString(in); got != want {
				t.Errorf("%s on %q: %v, regexp says %v", pattern, in, got, want)
			}
		}
	}
	for _, pattern := range []string{`^a+$`, `^(a|b)$`, `[0-9]{3}`, `^[0-9]{3}`, `^.$`, `^[é]$`, `^(?i)k$`, `^(?i)\w$`, `^a{1,2}$`} {
		if compileFixed(pattern) != nil {
			t.Errorf("%s: compiled", pattern)
		}
	}
}

// TestBodyCheckNumbersAgreeWithKinOpenAPI: over number and integer schemas with each format kin-openapi
// registers (whose bounds the specs' own bounds may hide), a number bodyCheck accepts is one
// kin-openapi accepts, and an in-range integer takes the quick path.
func TestBodyCheckNumbersAgreeWithKinOpenAPI(t *testing.T) {
	for name, s := range map[string]*openapi3.Schema{
		"int32":   openapi3.NewInt32Schema(),
		"int64":   openapi3.NewInt64Schema(),
		"integer": openapi3.NewIntegerSchema(),
		"float":   openapi3.NewFloat64Schema().WithFormat("float"),
		"double":  openapi3.NewFloat64Schema().WithFormat("double"),
		"bounded": openapi3.NewFloat64Schema().WithMin(-1.5).WithMax(1e12),
	} {
		op := &openapi3.Operation{RequestBody: &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithJSONSchema(openapi3.NewArraySchema().WithItems(s))}}
		check := compileBodyCheck(&openapi3.T{OpenAPI: "3.0.3"}, op)
		if check == nil {
			t.Fatalf("%s: not compiled", name)
		}
		if body := []byte("[1,-1,0]"); !check.accepts(jsonRequest(body)) {
			t.Errorf("%s: %s takes the slow path", name, body)
		}
		for _, m := range mutants(s, instance(s, true)) {
			body := marshal(t, []any{m})
			if check.accepts(jsonRequest(body)) {
				if err := kinValidate(op, body); err != nil {
					t.Errorf("%s: bodyCheck accepts what kin-openapi refuses (%v): %s", name, err, body)
				}
			}
		}
	}
}

// TestBodyCheckVerdictHoldsForTheSameBytesOnly: the middleware before Validation and Validation
// each ask an operation's bodyCheck; the verdict the first walk leaves on the body is what the next
// asks of the same schema get, on those very bytes unread, and on nothing else.
func TestBodyCheckVerdictHoldsForTheSameBytesOnly(t *testing.T) {
	spec, err := openapi.Load("invx")
	if err != nil {
		t.Fatal(err)
	}
	op := specOperation(spec, http.MethodPatch, "/invx/apis/:iridessa-version/orgs/:org-id/document/bulk")
	check, again := compileBodyCheck(spec, op), compileBodyCheck(spec, op) // the service compiles one per middleware
	if check == nil {
		t.Fatal("the bulk body does not compile")
	}
	valid, invalid := marshal(t, instance(op.RequestBody.Value.Content.Get("application/json").Schema.Value, false)), []byte(`{}`)
	req := jsonRequest(valid)
	if !check.accepts(req) {
		t.Fatalf("a valid body is refused: %s", valid)
	}
	if judged, ok := req.Body.(*bufferedBody); !ok || judged.checkedBy == nil || !judged.accepted {
		t.Fatalf("the body carries no verdict: %#v", req.Body)
	}
	if !again.accepts(req) {
		t.Fatal("the same bytes are refused by a check of the same schema")
	}
	if body, err := io.ReadAll(req.Body); err != nil || !bytes.Equal(body, valid) {
		t.Fatalf("the body read after the checks: %q %v", body, err)
	}

	// A verdict put on bytes that break the schema shows which calls reuse it and which walk.
	judged := func() *http.Request {
		req := jsonRequest(invalid)
		planted := newBufferedBody(invalid)
		planted.checkedBy, planted.accepted = check.schema, true
		req.Body = planted
		return req
	}
	if req := judged(); !again.accepts(req) {
		t.Error("a check of the same schema walked bytes that carry its verdict")
	}
	other, err := openapi.Load("ultrabiz")
	if err != nil {
		t.Fatal(err)
	}
	otherCheck := compileBodyCheck(other, specOperation(other, http.MethodPost, "/api/Purchase/InsertPurchaseInvoice"))
	if otherCheck == nil {
		t.Fatal("the Ultrabiz insert body does not compile")
	}
	if req := judged(); otherCheck.accepts(req) {
		t.Error("a check of another schema took the verdict on the bulk schema")
	}
	if req := judged(); func() bool { _, _ = req.Body.Read(make([]byte, 1)); return check.accepts(req) }() {
		t.Error("a body read since the verdict kept it")
	}
	if req := judged(); func() bool { rewindBody(req, bytes.Clone(invalid)); return check.accepts(req) }() {
		t.Error("a body put back as other bytes (a rewrite) kept the verdict")
	}
	if req := judged(); func() bool { b, _ := readBody(req); rewindBody(req, b); return !check.accepts(req) }() {
		t.Error("the very bytes read and put back lost their verdict")
	}
	if req := judged(); func() bool { req.Header.Set("Content-Type", "text/plain"); return check.accepts(req) }() {
		t.Error("the verdict stood for a body that is not declared application/json")
	}
}
