package server

import (
	stdbytes "bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/labstack/echo/v4"

	"github.com/deletesvc/deletesvc/server/api"
)

// rejectUnsafeInput refuses, before validation, input that Go would read differently from what the
// client meant or that PostgreSQL cannot store (issue 10, defects 3 and 9):
//   - a JSON object naming a member twice: Go's decoder (and so the validator and the handlers)
//     keeps the last one silently, so {"clients":false,"clients":true} would delete clients, and
//     RFC 8259 leaves such a body's meaning undefined;
//   - a NUL character in any string, or bytes that are not UTF-8, in the body, the query or the
//     path: PostgreSQL refuses NUL in text (a 500 before) and Go would store invalid bytes as U+FFFD.
//
// The body check is one pass of go-json-experiment's jsontext decoder, which refuses duplicate
// names by default, over a body BodyLimit has already bounded. A body the operation's compiled
// check accepts (check, nil when it has none) has passed these checks in that check's own pass,
// which Validation then does not repeat (bodyCheck.accepts): one pass over the body, not two.
// ASP.NET operations make the same checks in bindLikeJSONNET.
func rejectUnsafeInput(check *bodyCheck) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			body, passed, err := screenInput(c.Request(), check)
			if err != nil {
				return err
			}
			if passed {
				return next(c)
			}
			if field, ok := unsafeJSON(body); !ok {
				return refuse(field)
			}
			return next(c)
		}
	}
}

// screenInput is what rejectUnsafeInput and bindLikeJSONNET do first: refuse an unsafe URL, then
// buffer a JSON body and ask the operation's compiled check (check, nil when it has none) about it.
// err is the URL's refusal or the body's read error. passed means nothing is left for the caller
// to check: there is no JSON body, or the check accepts it (see bodyCheck). Otherwise body is the
// body, for the caller's own checks.
func screenInput(req *http.Request, check *bodyCheck) (body []byte, passed bool, err error) {
	if field, ok := unsafeURL(req.URL); !ok {
		return nil, false, refuse(field)
	}
	if !hasJSONBody(req) {
		return nil, true, nil
	}
	if body, err = readBody(req); err != nil {
		return nil, false, err
	}
	rewindBody(req, body)
	return body, check != nil && check.accepts(req), nil
}

// hasJSONBody reports whether req carries a body its Content-Type says is JSON.
func hasJSONBody(req *http.Request) bool {
	return req.Body != nil && req.Body != http.NoBody && isJSON(req.Header.Get(echo.HeaderContentType))
}

// unsafeJSON finds in a JSON body what rejectUnsafeInput refuses: bytes that are not UTF-8, a
// member named twice, a NUL in a string. Other syntax errors are the validator's to report, in its
// words.
func unsafeJSON(body []byte) (api.FieldError, bool) {
	if !utf8.Valid(body) {
		return api.FieldError{In: "body", Reason: "the body is not valid UTF-8"}, false
	}
	checkNUL := mayHoldNUL(body)
	dec := jsontext.NewDecoder(stdbytes.NewReader(body))
	for {
		tok, err := dec.ReadToken()
		if errors.Is(err, io.EOF) {
			return api.FieldError{}, true
		}
		if err != nil {
			// se is declared here, not per token: errors.As takes its address, which put it on
			// the heap for every token read (six allocations per bulk item).
			var se *jsontext.SyntacticError
			if errors.As(err, &se) && errors.Is(se.Err, jsontext.ErrDuplicateName) {
				return api.FieldError{In: "body", Path: pointerPath(string(se.JSONPointer)), Reason: "duplicate key in object"}, false
			}
			return api.FieldError{}, true
		}
		if checkNUL && tok.Kind() == '"' && strings.ContainsRune(tok.String(), 0) {
			return api.FieldError{In: "body", Path: pointerPath(string(dec.StackPointer())), Reason: "a string holds a NUL character"}, false
		}
	}
}

// mayHoldNUL reports whether a JSON text could hold a NUL character in a string. JSON can only
// spell NUL as \u0000 (a raw one is a syntax error), so without that text no string needs to be
// unquoted to look for it: that was four allocations per bulk item.
func mayHoldNUL(body []byte) bool { return stdbytes.Contains(body, []byte(`\u0000`)) }

// readBody reads req's body whole into one buffer sized from Content-Length (BodyLimit has
// bounded it), where io.ReadAll's doubling allocated about five times a 55 KB body. A body put back
// by rewindBody and not read since is handed back as it is: the middleware that look at a body
// before the handler each read it, and each copied the 55 KB of a 1000-item bulk request.
// Callers must not modify the bytes.
func readBody(req *http.Request) ([]byte, error) {
	if b, ok := req.Body.(*bufferedBody); ok && b.unread() {
		return b.data, nil
	}
	n := req.ContentLength
	if n <= 0 || n > 8<<20 {
		return io.ReadAll(req.Body)
	}
	buf := make([]byte, 0, n+1) // +1: the read that sees EOF needs room
	for {
		m, err := req.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) == cap(buf) { // longer than announced: let io.ReadAll's growth take over
			rest, err := io.ReadAll(req.Body)
			return append(buf, rest...), err
		}
	}
}

// bufferedBody is a request body read whole and put back to be read again from the start.
type bufferedBody struct {
	stdbytes.Reader
	data []byte
	// checkedBy is the body schema a compiled bodyCheck judged data against, and accepted its
	// verdict (bodyCheck.accepts), nil when none has. A rewritten body is a new bufferedBody,
	// without one: the verdict is on these bytes only.
	checkedBy *openapi3.Schema
	accepted  bool
}

func (*bufferedBody) Close() error { return nil }

// unread reports whether nothing has read b since it was put back.
func (b *bufferedBody) unread() bool { return b.Len() == len(b.data) }

// rewindBody makes req's body data, to be read from the start (or by readBody without a copy): the
// body a middleware read, or the one it rewrote. Every middleware that reads the body puts it back
// here, so the next reads it without a copy. Putting back the very bytes that are there unread
// (what readBody handed out) keeps them as they are, with any verdict on them.
func rewindBody(req *http.Request, data []byte) {
	if b, ok := req.Body.(*bufferedBody); ok && b.unread() && sameMemory(b.data, data) {
		return
	}
	req.Body = newBufferedBody(data)
	req.ContentLength = int64(len(data))
}

// sameMemory reports whether a and b are the same bytes in memory, not merely equal ones.
func sameMemory(a, b []byte) bool { return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0]) }

// newBufferedBody is data as a body read from the start, without a verdict.
func newBufferedBody(data []byte) *bufferedBody {
	b := &bufferedBody{data: data}
	b.Reset(data)
	return b
}

// unsafeURL finds a query value or path holding NUL or bytes that are not UTF-8.
func unsafeURL(u *url.URL) (api.FieldError, bool) {
	if p := u.Path; !utf8.ValidString(p) || strings.ContainsRune(p, 0) {
		return api.FieldError{In: "path", Reason: "the path holds a NUL character or bytes that are not UTF-8"}, false
	}
	for name, values := range u.Query() {
		for _, v := range values {
			if !utf8.ValidString(v) || strings.ContainsRune(v, 0) || !utf8.ValidString(name) || strings.ContainsRune(name, 0) {
				return api.FieldError{In: "query", Name: strings.ToValidUTF8(strings.ReplaceAll(name, "\x00", ""), ""), Reason: "holds a NUL character or bytes that are not UTF-8"}, false
			}
		}
	}
	return api.FieldError{}, true
}

func refuse(field api.FieldError) error {
	return &api.Error{Kind: api.KindValidation, Status: http.StatusBadRequest, Message: api.Describe([]api.FieldError{field}), Fields: []api.FieldError{field}}
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json"))
}

// pointerPath splits an RFC 6901 pointer ("/0/action") into its unescaped tokens.
func pointerPath(p string) []string {
	if p == "" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, s := range parts {
		parts[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
	}
	return parts
}
