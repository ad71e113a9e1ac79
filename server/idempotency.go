package server

import (
	stdbytes "bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"

	"github.com/deletesvc/deletesvc/server/auth"
	"github.com/deletesvc/deletesvc/store"
)

// IdempotencyHeader is the request header of draft-ietf-httpapi-idempotency-key-header.
const IdempotencyHeader = "Idempotency-Key"

// ReplayedHeader marks a response replayed from an earlier request with the same key (Stripe's name).
const ReplayedHeader = "Idempotent-Replayed"

// Idempotency configures Idempotency-Key handling.
type Idempotency struct {
	// TTL is how long a key and its response are kept; zero means DefaultIdempotency's.
	TTL time.Duration
	// Wait is how long a repeat waits for the first request with its key to finish before it is
	// refused with 409; zero means DefaultIdempotency's.
	Wait time.Duration
}

// DefaultIdempotency keeps keys a day, as Stripe does, and lets a repeat wait for a short request
// with its key (so a burst of retries gets the first answer) but not for a long one.
var DefaultIdempotency = Idempotency{TTL: 24 * time.Hour, Wait: 5 * time.Second}

func (i Idempotency) withDefaults() Idempotency {
	if i.TTL <= 0 {
		i.TTL = DefaultIdempotency.TTL
	}
	if i.Wait <= 0 {
		i.Wait = DefaultIdempotency.Wait
	}
	return i
}

// declaresIdempotencyKey reports whether the operation takes the Idempotency-Key header: the spec
// says which operations are idempotent with a key.
func declaresIdempotencyKey(op *openapi3.Operation) bool {
	if op == nil {
		return false
	}
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.In == openapi3.ParameterInHeader && strings.EqualFold(p.Value.Name, IdempotencyHeader) {
			return true
		}
	}
	return false
}

// idempotent runs a request that carries an Idempotency-Key through store.DB.Idempotent: the key,
// the request's effects and its response commit in one transaction; a repeat of the same request
// (method, path and query, body, caller) gets the stored response with Idempotent-Replayed: true.
// It runs last, after authentication, validation and the organization guard, so refused requests
// use no key. The response is held back until the transaction has committed: a client never sees
// an answer whose effects were then rolled back.
func (s *Server) idempotent() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			key := req.Header.Get(IdempotencyHeader)
			if key == "" {
				return next(c)
			}
			caller, _ := auth.From(req.Context())
			body, err := readBody(req)
			if err != nil {
				return err
			}
			rewindBody(req, body)
			k := store.IdempotencyKey{
				OrgID: caller.OrgID, CallerID: caller.UserID, Key: key,
				Fingerprint: fingerprint(req.Method, req.URL.RequestURI(), caller.UserID, body),
				TTL:         s.idempotency.TTL, Wait: s.idempotency.Wait,
			}
			res := c.Response()
			real := res.Writer
			var rec *recorder
			resp, replayed, err := s.db.Idempotent(req.Context(), k, func(ctx context.Context) (store.StoredResponse, bool, error) {
				rec = &recorder{header: http.Header{}}
				res.Writer = rec
				defer func() { res.Writer = real }()
				c.SetRequest(req.WithContext(ctx))
				if err := next(c); err != nil {
					s.errorHandler(err, c) // rendered here, so the error's answer is the one kept
				}
				if rec.status == 0 {
					rec.status = http.StatusOK
				}
				return store.StoredResponse{Status: rec.status, ContentType: rec.header.Get(echo.HeaderContentType), Body: rec.body.Bytes()},
					rec.status < http.StatusInternalServerError, nil
			})
			c.SetRequest(req)
			// The handler's writes went to the recorder; the client gets the answer from here on.
			out := echo.NewResponse(real, c.Echo())
			c.SetResponse(out)
			if err != nil {
				return err // nothing was committed; any recorded answer is dropped
			}
			if replayed {
				if resp.ContentType != "" {
					out.Header().Set(echo.HeaderContentType, resp.ContentType)
				}
				out.Header().Set(ReplayedHeader, "true")
			} else {
				for name, values := range rec.header {
					out.Header()[name] = values
				}
			}
			out.WriteHeader(resp.Status)
			_, err = out.Write(resp.Body)
			return err
		}
	}
}

// fingerprint identifies a request for its key: method, path and query, caller and body.
func fingerprint(method, uri, caller string, body []byte) string {
	h := sha256.New()
	for _, part := range [][]byte{[]byte(method), []byte(uri), []byte(caller), body} {
		h.Write([]byte{byte(len(part) >> 24), byte(len(part) >> 16), byte(len(part) >> 8), byte(len(part))})
		h.Write(part)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// recorder holds a handler's response until its transaction has committed.
type recorder struct {
	header http.Header
	status int
	body   stdbytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
