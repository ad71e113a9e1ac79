package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/deletesvc/deletesvc/openapi"
	// Registers the XML body decoder with kin-openapi, so Ultrabiz's XML answers are validated too.
	_ "github.com/deletesvc/deletesvc/server/servertest"
)

// operation is one operation of a served spec.
type operation struct {
	family string
	route  *routers.Route
	params []*openapi3.Parameter
}

func (o operation) name() string { return o.family + "." + o.route.Operation.OperationID }

// secured says whether the operation needs a token (its own security, else the spec's).
func (o operation) secured() bool {
	sec := o.route.Spec.Security
	if o.route.Operation.Security != nil {
		sec = *o.route.Operation.Security
	}
	return len(sec) > 0
}

// operations lists every operation of the three specs, in a fixed order.
func operations(t *testing.T) []operation {
	t.Helper()
	var ops []operation
	for _, family := range openapi.Families {
		doc, err := openapi.Load(family)
		if err != nil {
			t.Fatal(err)
		}
		paths := doc.Paths.InMatchingOrder()
		sort.Strings(paths)
		for _, p := range paths {
			item := doc.Paths.Value(p)
			methods := make([]string, 0)
			for m := range item.Operations() {
				methods = append(methods, m)
			}
			sort.Strings(methods)
			for _, m := range methods {
				op := item.GetOperation(m)
				var params []*openapi3.Parameter
				for _, pr := range append(slices.Clone(item.Parameters), op.Parameters...) {
					params = append(params, pr.Value)
				}
				ops = append(ops, operation{family: family, params: params,
					route: &routers.Route{Spec: doc, Path: p, PathItem: item, Method: m, Operation: op}})
			}
		}
	}
	return ops
}

// request is one request to send: built from an operation, then mutated.
type request struct {
	op          operation
	mutation    string
	path        map[string]string
	query       url.Values
	header      http.Header
	body        []byte // nil: no body
	json        any    // the body as a value, while it is still JSON
	contentType string
	token       bool
	// unrouted marks a request whose emptied path parameter makes a URL that is no operation's:
	// it must be a 404, and no operation's responses apply.
	unrouted bool
	// chunked sends the body without a Content-Length.
	chunked bool
	// allow503 makes a 503 an answer to check against the spec, not a failure: the fault tests
	// cause it on purpose.
	allow503 bool
}

// exampleOf is a parameter's, media type's or schema's example: the first of Example, Examples
// (by name), the schema's example, its default, else a value made from the schema.
func exampleOf(example any, examples openapi3.Examples, schema *openapi3.SchemaRef) any {
	if example != nil {
		return example
	}
	if len(examples) > 0 {
		names := make([]string, 0, len(examples))
		for n := range examples {
			names = append(names, n)
		}
		sort.Strings(names)
		if ex := examples[names[0]]; ex != nil && ex.Value != nil {
			return ex.Value.Value
		}
	}
	if schema == nil || schema.Value == nil {
		return "x"
	}
	return valueOf(schema.Value, 0)
}

// valueOf makes a valid value of s: its example, default or first enum value, else the smallest
// thing its type and bounds allow.
func valueOf(s *openapi3.Schema, depth int) any {
	switch {
	case s.Example != nil:
		return s.Example
	case s.Default != nil:
		return s.Default
	case len(s.Enum) > 0:
		return s.Enum[0]
	case len(s.AllOf) > 0:
		return valueOf(s.AllOf[0].Value, depth+1)
	case len(s.OneOf) > 0:
		return valueOf(s.OneOf[0].Value, depth+1)
	case len(s.AnyOf) > 0:
		return valueOf(s.AnyOf[0].Value, depth+1)
	}
	switch {
	case s.Type.Is("object") || len(s.Properties) > 0:
		out := map[string]any{}
		if depth > 6 {
			return out
		}
		for _, name := range s.Required {
			if p := s.Properties[name]; p != nil && p.Value != nil {
				out[name] = valueOf(p.Value, depth+1)
			}
		}
		return out
	case s.Type.Is("array"):
		n := max(int(s.MinItems), 1)
		out := make([]any, n)
		for i := range out {
			out[i] = "x"
			if s.Items != nil && s.Items.Value != nil {
				out[i] = valueOf(s.Items.Value, depth+1)
			}
		}
		return out
	case s.Type.Is("integer"), s.Type.Is("number"):
		if s.Min != nil {
			return *s.Min
		}
		return 1
	case s.Type.Is("boolean"):
		return false
	}
	switch s.Format {
	case "date":
		return "2024-01-01"
	case "date-time":
		return "2024-01-01T00:00:00Z"
	case "email":
		return "someone@example.com"
	case "uuid":
		return "c3b993f2-81ab-41d4-b54e-e32a79bb7c64"
	}
	return strings.Repeat("x", max(int(s.MinLength), 1))
}

// paramString renders a parameter value for a path, query or header.
func paramString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case float64:
		if x == float64(int64(x)) {
			return fmt.Sprint(int64(x))
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if s := string(b); !strings.HasPrefix(s, "{") && !strings.HasPrefix(s, "[") {
		return strings.Trim(s, `"`)
	}
	return string(b)
}

// baseRequest is the operation's valid request built from the spec's examples (which name the demo
// tenant), with a token when the operation needs one.
func baseRequest(op operation) *request {
	r := &request{op: op, mutation: "valid", path: map[string]string{}, query: url.Values{}, header: http.Header{}, token: op.secured()}
	for _, p := range op.params {
		if !p.Required && p.In != "path" && p.Example == nil && len(p.Examples) == 0 {
			continue // optional parameters without an example are left out of the valid request
		}
		v := paramString(exampleOf(p.Example, p.Examples, p.Schema))
		switch p.In {
		case "path":
			r.path[p.Name] = v
		case "query":
			r.query.Set(p.Name, v)
		case "header":
			r.header.Set(p.Name, v)
		}
	}
	if rb := op.route.Operation.RequestBody; rb != nil && rb.Value != nil {
		mt := rb.Value.Content.Get("application/json")
		if mt != nil {
			r.json = exampleOf(mt.Example, mt.Examples, mt.Schema)
			r.json = credentials(r.json)
			r.contentType = "application/json"
		}
	}
	return r
}

// demoValues are the demo tenant's where the specs' examples name someone else's: the demo user's
// credentials, and the vendor, product and packing the Ultrabiz seed made, so that valid requests
// succeed and reach the deeper paths.
var demoValues = map[string]any{
	"username": "demo@example.com", "handle": "demo@example.com", "password": "demo12345",
	"VendorID": 1.0, "ProductId": "P-00001", "PackingId": 1.0,
}

// credentials puts demoValues into an example body, at any depth.
func credentials(v any) any {
	v = deepCopy(v)
	var walk func(x any)
	walk = func(x any) {
		switch y := x.(type) {
		case map[string]any:
			for k, z := range y {
				if d, ok := demoValues[k]; ok {
					y[k] = d
				} else {
					walk(z)
				}
			}
		case []any:
			for _, z := range y {
				walk(z)
			}
		}
	}
	walk(v)
	return v
}

// The hostile values parameters and body strings are set to.
var hostileStrings = []string{
	"", " ", "abc", "-1", "0", "1.5", "true", "null", "99999999999999999999", "-9223372036854775809",
	"9223372036854775807", "2147483648", "a\x00b", "\xff\xfe\xfd", "\xc3\x28", strings.Repeat("x", 5000),
	"'; DROP TABLE users; --", "../../etc/passwd", "%00", "६५४", "😀", "000000", "6543a1f2c9e77b0012ab34cd",
	"c3b993f2-81ab-41d4-b54e-e32a79bb7c64", "1e308", "<x/>",
}

var hostileValues = []any{
	nil, true, false, 0, -1, 1.5, 2147483648, 9223372036854775807.0, 1e308, -1e308, "", "a\x00b",
	strings.Repeat("y", 200_000), []any{}, []any{1, "x"}, map[string]any{}, map[string]any{"a": 1},
}

// rawBodies are bodies that are not the JSON the operation wants.
var rawBodies = [][]byte{
	nil, []byte(""), []byte("{"), []byte("null"), []byte("[]"), []byte("{}"), []byte(`"x"`), []byte("1"),
	[]byte("{\"a\":\xff\xfe}"), []byte("\xef\xbb\xbf{}"), []byte(strings.Repeat("[", 100_000)),
	[]byte(strings.Repeat(`{"a":`, 50_000)), []byte(`{"x":1}{"y":2}`), []byte("{\"a\":\"\x00\"}"),
	[]byte(`<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>`),
	[]byte(`<a/><b/>`), []byte(strings.Repeat("<a>", 100_000)),
	[]byte(`{"a":1e999999}`), []byte(`{"a":` + strings.Repeat("9", 10_000) + `}`),
	[]byte("[" + strings.Repeat(`{"docId":"x","action":"del"},`, 60_000) + "{}]"),
	[]byte(`<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>`),
	[]byte(`<!DOCTYPE a [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><a>&c;</a>`),
	[]byte("<a>" + strings.Repeat("<b/>", 200_000) + "</a>"),
}

var hostileContentTypes = []string{"", "text/plain", "application/xml", "text/xml", "application/x-www-form-urlencoded",
	"multipart/form-data; boundary=x", "application/json; charset=latin1", "application/json; charset=utf-8",
	"application/JSON", "application/json-patch+json", "*/*", "application/octet-stream", "text/json"}

var mutations = []string{
	"valid", "valid", "param-missing", "param-value", "param-value", "param-extra", "param-repeat",
	"body-missing-required", "body-extra-prop", "body-wrong-type", "body-wrong-type", "body-hostile-string",
	"body-invalid-utf8", "body-raw", "body-duplicate-key", "body-oversize", "body-chunked-oversize",
	"content-type", "auth", "accept-xml", "body-as-xml", "body-as-xml", "body-as-form",
}

// mutate turns a copy of base into the mutation named m, choosing with rng.
func mutate(base *request, m string, rng *rand.Rand) *request {
	r := &request{op: base.op, mutation: m, allow503: base.allow503, path: map[string]string{}, query: url.Values{}, header: base.header.Clone(),
		contentType: base.contentType, token: base.token, json: deepCopy(base.json)}
	for k, v := range base.path {
		r.path[k] = v
	}
	for k, v := range base.query {
		r.query[k] = slices.Clone(v)
	}
	params := base.op.params
	pick := func() *openapi3.Parameter { return params[rng.IntN(len(params))] }
	setParam := func(p *openapi3.Parameter, v string, remove bool) {
		switch p.In {
		case "path":
			if remove || v == "" {
				// An empty segment names no route: the answer is the server's 404, not this operation's.
				v = ""
				r.unrouted = true
			}
			r.path[p.Name] = v
		case "query":
			if remove {
				r.query.Del(p.Name)
			} else {
				r.query.Set(p.Name, v)
			}
		case "header":
			if remove {
				r.header.Del(p.Name)
			} else if !strings.ContainsAny(v, "\x00\r\n") { // the Go client refuses these in headers
				r.header.Set(p.Name, v)
			}
		}
	}
	hasJSON := r.json != nil
	if strings.HasPrefix(m, "body-") && !hasJSON && m != "body-raw" || strings.HasPrefix(m, "param-") && len(params) == 0 {
		m = "param-extra"
		r.mutation = m + " (instead of " + base.mutation + ")"
	}
	switch m {
	case "param-missing":
		setParam(pick(), "", true)
	case "param-value":
		setParam(pick(), hostileStrings[rng.IntN(len(hostileStrings))], false)
	case "param-extra":
		r.query.Set("zzzUnknown", "1")
	case "param-repeat":
		p := pick()
		if p.In == "query" {
			r.query.Add(p.Name, hostileStrings[rng.IntN(len(hostileStrings))])
		} else if p.In == "header" {
			r.header.Add(p.Name, "1")
		} else {
			r.query.Add("zzzUnknown", "2")
		}
	case "body-missing-required":
		if obj, ok := r.json.(map[string]any); ok {
			keys := sortedKeys(obj)
			if len(keys) > 0 {
				delete(obj, keys[rng.IntN(len(keys))])
			}
		}
	case "body-extra-prop":
		r.json = setLeaf(r.json, rng, func(any) any { return map[string]any{"zzzExtra": 1} }, true)
	case "body-wrong-type":
		r.json = setLeaf(r.json, rng, func(any) any { return hostileValues[rng.IntN(len(hostileValues))] }, false)
	case "body-hostile-string":
		r.json = setLeaf(r.json, rng, func(any) any { return hostileStrings[rng.IntN(len(hostileStrings))] }, false)
	case "body-invalid-utf8":
		r.json = setLeaf(r.json, rng, func(any) any { return "\u0001INVALID\u0001" }, false)
	case "body-raw":
		r.json = nil
		r.body = rawBodies[rng.IntN(len(rawBodies))]
		if r.body == nil {
			r.body = []byte{}
		}
		if r.contentType == "" {
			r.contentType = "application/json"
		}
	case "body-duplicate-key":
		if obj, ok := r.json.(map[string]any); ok && len(obj) > 0 {
			b, _ := json.Marshal(obj)
			k := sortedKeys(obj)[0]
			dup, _ := json.Marshal(map[string]any{k: hostileValues[rng.IntN(len(hostileValues))]})
			r.json = nil
			r.body = append(append(dup[:len(dup)-1:len(dup)-1], ','), b[1:]...)
		}
	case "content-type":
		r.contentType = hostileContentTypes[rng.IntN(len(hostileContentTypes))]
		if !hasJSON {
			r.body = []byte(`{}`)
		}
	case "auth":
		r.token = false
		switch rng.IntN(4) {
		case 1:
			r.header.Set("Authorization", "Bearer garbage")
		case 2:
			r.header.Set("Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
		case 3:
			r.header.Set("X-FLYNN-N-USER-TOKEN", "\xff\xfe")
		}
	case "body-oversize":
		r.json = nil
		r.body = bytes.Repeat([]byte(" "), 3<<20) // past the 2M limit, with a Content-Length
		if r.contentType == "" {
			r.contentType = "application/json"
		}
	case "body-chunked-oversize":
		r.json = nil
		r.chunked = true
		r.body = append(append([]byte(`{"a":"`), bytes.Repeat([]byte("z"), 3<<20)...), `"}`...)
		if r.contentType == "" {
			r.contentType = "application/json"
		}
	case "body-as-xml", "body-as-form":
		mt := "application/xml"
		if m == "body-as-form" {
			mt = "application/x-www-form-urlencoded"
		}
		var schema *openapi3.Schema
		if rb := base.op.route.Operation.RequestBody; rb != nil && rb.Value != nil {
			if c := rb.Value.Content.Get(mt); c != nil && c.Schema != nil {
				schema = c.Schema.Value
			}
		}
		if schema == nil {
			r.mutation = m + " (not accepted: wrong media type)"
			r.contentType = mt
			break
		}
		if rng.IntN(2) == 0 { // half of them with a hostile value inside
			r.json = setLeaf(r.json, rng, func(any) any { return hostileStrings[rng.IntN(len(hostileStrings))] }, false)
			r.mutation += " with a hostile value"
		}
		if m == "body-as-xml" {
			r.body = []byte(toXML(r.json, schema, ""))
			r.contentType = []string{"application/xml", "text/xml", "application/xml; charset=utf-8"}[rng.IntN(3)]
		} else {
			form := url.Values{}
			toForm(r.json, "", form)
			r.body = []byte(form.Encode())
			r.contentType = mt
		}
		r.json = nil
	case "accept-xml":
		r.header.Set("Accept", []string{"application/xml", "text/xml", "application/json;q=0.1, application/xml", "image/png"}[rng.IntN(4)])
	}
	if r.json != nil {
		b, err := json.Marshal(r.json)
		if err != nil {
			b = []byte(`{}`)
		}
		// Raw invalid UTF-8 cannot go through encoding/json (it writes U+FFFD): put it in after.
		r.body = bytes.ReplaceAll(b, []byte(`\u0001INVALID\u0001`), []byte("\xff\xfe\xc3\x28"))
	}
	return r
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func deepCopy(v any) any {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// setLeaf replaces one value inside v (chosen with rng, at any depth) with to(old); with addKey it
// adds a key "zzzExtra" to one object instead.
func setLeaf(v any, rng *rand.Rand, to func(any) any, addKey bool) any {
	type slot struct {
		obj map[string]any
		arr []any
		key string
		i   int
	}
	var slots []slot
	var objects []map[string]any
	var walk func(x any)
	walk = func(x any) {
		switch y := x.(type) {
		case map[string]any:
			objects = append(objects, y)
			for _, k := range sortedKeys(y) {
				slots = append(slots, slot{obj: y, key: k})
				walk(y[k])
			}
		case []any:
			for i := range y {
				slots = append(slots, slot{arr: y, i: i})
				walk(y[i])
			}
		}
	}
	walk(v)
	if addKey {
		if len(objects) == 0 {
			return v
		}
		objects[rng.IntN(len(objects))]["zzzExtra"] = 1
		return v
	}
	if len(slots) == 0 {
		return to(v)
	}
	s := slots[rng.IntN(len(slots))]
	if s.obj != nil {
		s.obj[s.key] = to(s.obj[s.key])
	} else {
		s.arr[s.i] = to(s.arr[s.i])
	}
	return v
}

// httpRequest builds the request against base with token.
func (r *request) httpRequest(base, token string) (*http.Request, error) {
	p := r.op.route.Path
	for k, v := range r.path {
		p = strings.ReplaceAll(p, "{"+k+"}", url.PathEscape(v))
	}
	u := base + p
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
		if r.chunked {
			body = io.MultiReader(body) // hides the length: the client sends it chunked
		}
	}
	req, err := http.NewRequest(strings.ToUpper(r.op.route.Method), u, body)
	if err != nil {
		return nil, err
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	if r.body != nil && r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if r.token && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req, nil
}

// answer is what one request got.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// send sends r and checks the answer against the operation in the spec: a declared status, a body
// (and content type) that validates, and never a 5xx. It returns the problem, or "".
func send(ctx context.Context, base, token string, r *request) (answer, string) {
	req, err := r.httpRequest(base, token)
	if err != nil {
		return answer{}, "" // the client cannot express this request (not the service's doing)
	}
	resp, err := client.Do(req)
	if err != nil {
		return answer{}, fmt.Sprintf("%s %s (%s): no answer: %v", r.op.name(), req.URL.RequestURI(), r.mutation, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header, body: body}
	return a, check(ctx, r, req, a)
}

// check validates an answer against the operation's responses.
func check(ctx context.Context, r *request, req *http.Request, a answer) string {
	what := fmt.Sprintf("%s %s %s (%s)", r.op.name(), req.Method, shortURL(req.URL.RequestURI()), r.mutation)
	if a.status >= 500 && !(a.status == http.StatusServiceUnavailable && r.allow503) {
		return fmt.Sprintf("%s: %d %s", what, a.status, short(a.body))
	}
	if r.unrouted {
		if a.status != 404 {
			return fmt.Sprintf("%s: %d %s, want 404 (no operation has this URL)", what, a.status, short(a.body))
		}
		return ""
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: r.op.route},
		Status:                 a.status,
		Header:                 a.header,
		Body:                   io.NopCloser(bytes.NewReader(a.body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(ctx, in); err != nil {
		return fmt.Sprintf("%s: %d %s breaks the spec: %v", what, a.status, short(a.body), shortErr(err))
	}
	return ""
}

func shortURL(s string) string {
	if len(s) > 160 {
		return s[:160] + "..."
	}
	return s
}

func shortErr(err error) string {
	s := err.Error()
	if len(s) > 600 {
		return s[:600] + "..."
	}
	return s
}

// toXML writes v as the XML the schema describes: elements named by the schema's xml name (or the
// property's), the DataContract namespace on the root, array items as elements of the items' name.
func toXML(v any, s *openapi3.Schema, name string) string {
	if name == "" && s != nil && s.XML != nil && s.XML.Name != "" {
		name = s.XML.Name
	}
	if name == "" {
		name = "Root"
	}
	open := "<" + name
	if s != nil && s.XML != nil && s.XML.Namespace != "" {
		open += ` xmlns="` + s.XML.Namespace + `"`
	}
	open += ">"
	var sb strings.Builder
	sb.WriteString(open)
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			var ps *openapi3.Schema
			if s != nil && s.Properties[k] != nil {
				ps = s.Properties[k].Value
			}
			sb.WriteString(toXML(x[k], ps, k))
		}
	case []any:
		var is *openapi3.Schema
		itemName := "item"
		if s != nil && s.Items != nil && s.Items.Value != nil {
			is = s.Items.Value
			if is.XML != nil && is.XML.Name != "" {
				itemName = is.XML.Name
			}
		}
		for _, y := range x {
			sb.WriteString(toXML(y, is, itemName))
		}
	case nil:
	default:
		var esc bytes.Buffer
		_ = xml.EscapeText(&esc, []byte(paramString(x)))
		sb.Write(esc.Bytes())
	}
	sb.WriteString("</" + name + ">")
	return sb.String()
}

// toForm flattens v the way ASP.NET's form binding reads it: Name, List[0].Name, [0].Name.
func toForm(v any, prefix string, out url.Values) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			toForm(x[k], p, out)
		}
	case []any:
		for i, y := range x {
			toForm(y, fmt.Sprintf("%s[%d]", prefix, i), out)
		}
	case nil:
		out.Set(prefix, "")
	default:
		out.Set(prefix, paramString(x))
	}
}
