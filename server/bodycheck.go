package server

import (
	"bytes"
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"testing/iotest"
	"unicode"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/labstack/echo/v4"
)

// bodyCheck is an operation's JSON request body schema compiled for a quick yes (issue 13): a
// bulk request of 1000 items cost kin-openapi a decode into maps and a reflective visit of every
// item, a fifth of the request's CPU. It is built from the spec, so the spec stays the one source
// of the shape rules, and it only ever answers "kin-openapi would accept this body": whenever it
// is not sure (a keyword it does not know, an escaped string, an integer past ±2^53 with a format
// kin-openapi checks, null, an unknown member, anything that breaks the schema), the request goes
// through kin-openapi's body validation as before, which words the errors.
// TestBodyCheckAgreesWithKinOpenAPI feeds it every violation of the schemas it compiles.
//
// A body it accepts has also passed rejectUnsafeInput's checks, and binds as Json.NET would bind it
// unchanged (bindsAsSent). Its walk refuses:
//   - bytes that are not UTF-8, and a member named twice;
//   - any escape, so any NUL;
//   - an unknown member, a null, and a value of another JSON type than its property's;
//   - a date-time without a zone (kin-openapi's date-time format, which it applies).
//
// So the middleware before Validation (familyInputChecks) ask it first, and Validation takes their
// verdict on the same bytes: one walk over a valid body, not two (issue 13).
// TestBodyCheckAgreesWithKinOpenAPI and TestBindsAsSentAgreesWithJSONNETValue check that claim,
// TestBodyCheckVerdictHoldsForTheSameBytesOnly the verdict's reuse.
type bodyCheck struct {
	root *checkSchema
	// schema is the spec's body schema root was compiled from: it names the verdicts on a body
	// that any bodyCheck of the same schema may reuse.
	schema *openapi3.Schema
}

// checkSchema is one schema of the subset bodyCheck understands: arrays, objects, strings, numbers,
// integers and booleans.
type checkSchema struct {
	typ string
	// array
	minItems uint64
	maxItems *uint64
	items    *checkSchema
	// object
	props    map[string]*checkSchema
	required []string
	// string
	enum    []string
	minLen  uint64
	maxLen  *uint64
	pattern *regexp.Regexp
	fixed   fixedPattern // pattern, when it is one, matched without the regexp engine
	format  string       // checked, as kin-openapi does, only when a validator is registered for it
	// number and integer (format above)
	minimum, maximum *float64
}

// compileBodyCheck compiles op's application/json body schema, or returns nil when the
// operation has no such body or its schema uses anything the subset does not cover.
func compileBodyCheck(spec *openapi3.T, op *openapi3.Operation) *bodyCheck {
	// OpenAPI 3.1 documents are validated by kin-openapi's JSON Schema validator, not this subset.
	if op == nil || spec == nil || !strings.HasPrefix(spec.OpenAPI, "3.0") || op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	// Other media types may be declared beside it (ASP.NET's XML and form bodies): accepts takes
	// only an application/json request, which kin-openapi validates against this schema.
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	root := compileSchema(mt.Schema, 0)
	if root == nil {
		return nil
	}
	return &bodyCheck{root: root, schema: mt.Schema.Value}
}

func compileSchema(ref *openapi3.SchemaRef, depth int) *checkSchema {
	if ref == nil || ref.Value == nil || depth > 8 {
		return nil
	}
	s := ref.Value
	// Keywords outside the subset: any of them makes the whole body kin-openapi's.
	if s.Not != nil || len(s.OneOf)+len(s.AnyOf)+len(s.AllOf) > 0 || s.Always != nil || s.ReadOnly || s.WriteOnly ||
		s.UniqueItems || s.Discriminator != nil || s.MinProps != 0 || s.MaxProps != nil || len(s.PrefixItems) > 0 ||
		s.Type == nil || len(*s.Type) != 1 {
		return nil
	}
	c := &checkSchema{typ: (*s.Type)[0]}
	switch c.typ {
	case openapi3.TypeArray:
		if s.Items == nil || len(s.Properties) > 0 || len(s.Enum) > 0 {
			return nil
		}
		c.minItems, c.maxItems = s.MinItems, s.MaxItems
		if c.items = compileSchema(s.Items, depth+1); c.items == nil {
			return nil
		}
	case openapi3.TypeObject:
		if len(s.Enum) > 0 || s.AdditionalProperties.Schema != nil {
			return nil
		}
		c.props = make(map[string]*checkSchema, len(s.Properties))
		for name, p := range s.Properties {
			if c.props[name] = compileSchema(p, depth+1); c.props[name] == nil {
				return nil
			}
		}
		for _, name := range s.Required {
			if c.props[name] == nil {
				return nil
			}
		}
		c.required = s.Required
	case openapi3.TypeString:
		for _, v := range s.Enum {
			str, ok := v.(string)
			if !ok {
				return nil
			}
			c.enum = append(c.enum, str)
		}
		c.minLen, c.maxLen, c.format = s.MinLength, s.MaxLength, s.Format
		if s.Pattern != "" {
			// kin-openapi rewrites \u escapes before compiling; such a pattern stays its own.
			if strings.Contains(s.Pattern, `\u`) {
				return nil
			}
			re, err := regexp.Compile(s.Pattern)
			if err != nil {
				return nil
			}
			c.pattern = re
			c.fixed = compileFixed(s.Pattern)
		}
	case openapi3.TypeNumber, openapi3.TypeInteger:
		if len(s.Enum) > 0 || s.MultipleOf != nil || s.ExclusiveMin.IsSet() || s.ExclusiveMax.IsSet() {
			return nil
		}
		c.minimum, c.maximum, c.format = s.Min, s.Max, s.Format
	case openapi3.TypeBoolean:
		if len(s.Enum) > 0 {
			return nil
		}
	default:
		return nil
	}
	return c
}

// accepts reports whether kin-openapi is sure to accept req's body: false means "not known".
// It leaves req.Body readable from the start, carrying the verdict, which a later call for the
// same schema on the same unread bytes returns without walking them again. A body whose reading
// failed gives its next reader what was read, then the same error.
func (b *bodyCheck) accepts(req *http.Request) bool {
	mt, params, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if err != nil || mt != "application/json" || len(params) > 0 || req.Body == nil || req.Body == http.NoBody {
		return false
	}
	if judged, ok := req.Body.(*bufferedBody); ok && judged.unread() && judged.checkedBy == b.schema {
		return judged.accepted
	}
	body, err := readBody(req)
	if err != nil {
		// What was read, then the same error: the next reader must not take a short body for whole.
		req.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), iotest.ErrReader(err)))
		return false
	}
	rewindBody(req, body)
	ok := b.acceptsJSON(body)
	judged := req.Body.(*bufferedBody) // what rewindBody put back
	judged.checkedBy, judged.accepted = b.schema, ok
	return ok
}

// acceptsJSON is accepts' verdict on a body's bytes.
func (b *bodyCheck) acceptsJSON(body []byte) bool {
	if !utf8.Valid(body) {
		return false
	}
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	if !b.root.accepts(dec) {
		return false
	}
	_, err := dec.ReadToken()
	return errors.Is(err, io.EOF) // one value and nothing after it
}

func (s *checkSchema) accepts(dec *jsontext.Decoder) bool {
	switch s.typ {
	case openapi3.TypeArray:
		if dec.PeekKind() != '[' {
			return false
		}
		if _, err := dec.ReadToken(); err != nil {
			return false
		}
		var n uint64
		for dec.PeekKind() != ']' {
			if n++; (s.maxItems != nil && n > *s.maxItems) || !s.items.accepts(dec) {
				return false
			}
		}
		if _, err := dec.ReadToken(); err != nil {
			return false
		}
		return n >= s.minItems
	case openapi3.TypeObject:
		if dec.PeekKind() != '{' {
			return false
		}
		if _, err := dec.ReadToken(); err != nil {
			return false
		}
		var seen uint64 // bit i: required[i] was present (duplicate names are a syntax error)
		if len(s.required) > 64 {
			return false
		}
		for dec.PeekKind() != '}' {
			name, err := dec.ReadValue()
			if err != nil || bytes.IndexByte(name, '\\') >= 0 {
				return false
			}
			// name is the decoder's buffer, which reading the value may reuse: use it first.
			key := name[1 : len(name)-1]
			for i, r := range s.required {
				if r == string(key) {
					seen |= 1 << i
				}
			}
			if p := s.props[string(key)]; p == nil || !p.accepts(dec) {
				return false // an unknown member, or a member that breaks its schema
			}
		}
		if _, err := dec.ReadToken(); err != nil {
			return false
		}
		return seen == 1<<len(s.required)-1
	case openapi3.TypeString:
		if dec.PeekKind() != '"' {
			return false
		}
		raw, err := dec.ReadValue()
		if err != nil || bytes.IndexByte(raw, '\\') >= 0 {
			return false
		}
		return s.acceptsString(raw[1 : len(raw)-1])
	case openapi3.TypeNumber, openapi3.TypeInteger:
		if dec.PeekKind() != '0' {
			return false
		}
		raw, err := dec.ReadValue()
		if err != nil {
			return false
		}
		// kin-openapi decodes a json.Number and validates its Float64, which is this.
		v, err := strconv.ParseFloat(string(raw), 64)
		return err == nil && s.acceptsNumber(v)
	case openapi3.TypeBoolean:
		if k := dec.PeekKind(); k != 't' && k != 'f' {
			return false
		}
		return dec.SkipValue() == nil
	}
	return false
}

// acceptsNumber applies the number keywords as kin-openapi's visitJSONNumber does (the exclusive
// bounds and multipleOf are not compiled).
func (s *checkSchema) acceptsNumber(v float64) bool {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return false
	}
	if s.typ == openapi3.TypeInteger {
		if v != math.Trunc(v) {
			return false
		}
		if f, ok := openapi3.SchemaIntegerFormats[s.format]; ok {
			// Within ±2^53 int64(v) is v exactly, as kin-openapi converts it; beyond, not known.
			if math.Abs(v) > 1<<53 || f.Validate(int64(v)) != nil {
				return false
			}
		}
	} else if f, ok := openapi3.SchemaNumberFormats[s.format]; ok && f.Validate(v) != nil {
		return false
	}
	return (s.minimum == nil || *s.minimum <= v) && (s.maximum == nil || *s.maximum >= v)
}

// acceptsString applies the string keywords as kin-openapi's visitJSONString does.
func (s *checkSchema) acceptsString(v []byte) bool {
	if len(s.enum) > 0 && !contains(s.enum, v) {
		return false
	}
	if s.minLen != 0 || s.maxLen != nil {
		// kin-openapi counts a rune as two only when utf16.IsSurrogate, which no rune of valid
		// UTF-8 is: its length is the rune count.
		n := uint64(utf8.RuneCount(v))
		if n < s.minLen || (s.maxLen != nil && n > *s.maxLen) {
			return false
		}
	}
	switch {
	case s.fixed != nil:
		if !s.fixed.match(v) {
			return false
		}
	case s.pattern != nil:
		if !s.pattern.Match(v) {
			return false
		}
	}
	if s.format != "" {
		if f, ok := openapi3.SchemaStringFormats[s.format]; ok && f.Validate(string(v)) != nil {
			return false
		}
	}
	return true
}

func contains(list []string, v []byte) bool {
	for _, s := range list {
		if s == string(v) {
			return true
		}
	}
	return false
}

// withBodyCheck runs full (kin-openapi, body included) unless check accepts the body, and then
// paramsOnly (kin-openapi without the body: parameters and security as before).
func withBodyCheck(check *bodyCheck, full, paramsOnly echo.MiddlewareFunc) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		fullNext, quickNext := full(next), paramsOnly(next)
		return func(c echo.Context) error {
			if check.accepts(c.Request()) {
				return quickNext(c)
			}
			return fullNext(c)
		}
	}
}

// fixedPattern is an anchored pattern of ASCII classes and literals without alternatives or
// variable repeats, such as the spec's uuid ^[0-9a-fA-F]{8}-...$: it matches strings of exactly
// one length, one class per byte. Matching it byte by byte costs a tenth of the regexp engine,
// which was a third of bodyCheck on a 1000-item bulk request.
type fixedPattern [][2]uint64 // per position, the bit set of the ASCII bytes allowed there

func (p fixedPattern) match(v []byte) bool {
	if len(v) != len(p) {
		return false
	}
	for i, b := range v {
		if b >= utf8.RuneSelf || p[i][b>>6]&(1<<(b&63)) == 0 {
			return false
		}
	}
	return true
}

// compileFixed is pattern as a fixedPattern, or nil when it is not one.
func compileFixed(pattern string) fixedPattern {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	re = re.Simplify()
	if re.Op != syntax.OpConcat || len(re.Sub) < 2 || re.Sub[0].Op != syntax.OpBeginText || re.Sub[len(re.Sub)-1].Op != syntax.OpEndText {
		return nil
	}
	var p fixedPattern
	var add func(r *syntax.Regexp) bool
	add = func(r *syntax.Regexp) bool {
		switch r.Op {
		case syntax.OpConcat:
			for _, sub := range r.Sub {
				if !add(sub) {
					return false
				}
			}
			return true
		case syntax.OpRepeat:
			if r.Min != r.Max || r.Min < 0 {
				return false
			}
			for range r.Min {
				if !add(r.Sub[0]) {
					return false
				}
			}
			return true
		case syntax.OpLiteral:
			for _, c := range r.Rune {
				var set [2]uint64
				cases := []rune{c}
				if r.Flags&syntax.FoldCase != 0 {
					cases = append(cases, unicode.SimpleFold(c))
					for f := unicode.SimpleFold(cases[1]); f != c; f = unicode.SimpleFold(f) {
						cases = append(cases, f)
					}
				}
				for _, k := range cases {
					if k >= utf8.RuneSelf {
						return false
					}
					set[k>>6] |= 1 << (k & 63)
				}
				p = append(p, set)
			}
			return true
		case syntax.OpCharClass:
			var set [2]uint64
			for i := 0; i+1 < len(r.Rune); i += 2 {
				lo, hi := r.Rune[i], r.Rune[i+1]
				if hi >= utf8.RuneSelf {
					return false
				}
				for k := lo; k <= hi; k++ {
					set[k>>6] |= 1 << (k & 63)
				}
			}
			p = append(p, set)
			return true
		}
		return false
	}
	for _, sub := range re.Sub[1 : len(re.Sub)-1] {
		if !add(sub) {
			return nil
		}
	}
	return p
}
