package server

import (
	stdbytes "bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/labstack/echo/v4"

	"github.com/deletesvc/deletesvc/server/api"
)

// rejectDuplicateKeys refuses a JSON body in which an object names a member twice. Go's decoder
// (and so the validator and the handlers) keeps the last one silently, so {"clients":false,
// "clients":true} would delete clients; RFC 8259 leaves such a body's meaning undefined, so it is a
// 400 here. The check is one pass of go-json-experiment's jsontext decoder, which refuses duplicate
// names by default, over a body BodyLimit has already bounded.
func rejectDuplicateKeys(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Body == nil || req.Body == http.NoBody || !isJSON(req.Header.Get(echo.HeaderContentType)) {
			return next(c)
		}
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return err
		}
		req.Body = io.NopCloser(stdbytes.NewReader(body))
		if len(stdbytes.TrimSpace(body)) == 0 {
			return next(c)
		}
		dec := jsontext.NewDecoder(stdbytes.NewReader(body))
		_, err = dec.ReadValue()
		var se *jsontext.SyntacticError
		if errors.As(err, &se) && errors.Is(se.Err, jsontext.ErrDuplicateName) {
			field := api.FieldError{In: "body", Path: pointerPath(string(se.JSONPointer)), Reason: "duplicate key in object"}
			return &api.Error{Kind: api.KindValidation, Status: http.StatusBadRequest, Message: api.Describe([]api.FieldError{field}), Fields: []api.FieldError{field}, Cause: err}
		}
		// Other syntax errors are the validator's to report, in its words.
		return next(c)
	}
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
