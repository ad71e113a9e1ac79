// Package negotiate holds Ultrabiz's ASP.NET-style content negotiation, shared by the global error
// renderer (server/ultrabiz's render) and the Ultrabiz strict middleware, so both pick the same format.
package negotiate

import (
	"context"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// XMLContentType is the Content-Type of every XML answer, errors included (Echo's c.XML writes the
// same); the spec declares application/xml whichever XML type the client asked for.
const XMLContentType = "application/xml; charset=UTF-8"

type requestTypeKey struct{}

// WithRequestMediaType records the media type the client sent its body in, before the server
// rewrote the body (and its Content-Type) to JSON for validation.
func WithRequestMediaType(ctx context.Context, mediaType string) context.Context {
	return context.WithValue(ctx, requestTypeKey{}, mediaType)
}

// requestMediaType is the media type of the body as the client sent it.
func requestMediaType(r *http.Request) string {
	if mt, ok := r.Context().Value(requestTypeKey{}).(string); ok {
		return mt
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt
}

// formatter is one of ASP.NET's writing formatters, in the order Web API registers them.
type formatter struct {
	xml   bool
	types [2]string
}

var formatters = []formatter{
	{xml: false, types: [2]string{"application/json", "text/json"}},
	{xml: true, types: [2]string{"application/xml", "text/xml"}},
}

type acceptValue struct {
	typ, sub string
	q        float64
}

// specificity orders media ranges at equal quality: a literal type before type/* before */*.
func (a acceptValue) specificity() int {
	switch {
	case a.typ == "*":
		return 0
	case a.sub == "*":
		return 1
	}
	return 2
}

// Match rankings, best first: Accept names the type, its type/*, or */*.
const (
	literal = iota
	subtypeRange
	allRange
)

// WantsXML follows ASP.NET Web API 2's DefaultContentNegotiator with the JSON and XML formatters:
// each formatter takes the first Accept value (sorted by q, then specificity) it can write, q=0
// values never matching; the best match is the one of highest q among literal matches, then type/*,
// then */* matches, ties going to the formatter registered first (JSON). With no Accept match the
// format of the request body decides (an XML request answers in XML); otherwise JSON.
func WantsXML(r *http.Request) bool {
	values := parseAccept(r.Header.Values("Accept"))
	var best [3]*struct {
		xml bool
		q   float64
	}
	for _, f := range formatters {
		for _, a := range values {
			rank, ok := f.matches(a)
			if !ok {
				continue
			}
			if best[rank] == nil || a.q > best[rank].q {
				best[rank] = &struct {
					xml bool
					q   float64
				}{f.xml, a.q}
			}
			break
		}
	}
	var winner *struct {
		xml bool
		q   float64
	}
	for _, b := range best {
		if b != nil && (winner == nil || b.q > winner.q) {
			winner = b
		}
	}
	if winner != nil {
		return winner.xml
	}
	mt := requestMediaType(r)
	return mt == "application/xml" || mt == "text/xml"
}

// matches reports whether the formatter writes a type the Accept value covers, and how.
func (f formatter) matches(a acceptValue) (int, bool) {
	if a.q == 0 {
		return 0, false
	}
	for _, t := range f.types {
		typ, sub, _ := strings.Cut(t, "/")
		switch {
		case a.typ == "*" && a.sub == "*":
			return allRange, true
		case a.typ == typ && a.sub == "*":
			return subtypeRange, true
		case a.typ == typ && a.sub == sub:
			return literal, true
		}
	}
	return 0, false
}

// parseAccept reads Accept header values, sorted as ASP.NET sorts them: by q, then specificity,
// otherwise in the order sent. Values that do not parse, or whose q is not in [0, 1], are dropped.
func parseAccept(headers []string) []acceptValue {
	var out []acceptValue
	for _, h := range headers {
		for _, part := range strings.Split(h, ",") {
			if strings.TrimSpace(part) == "" {
				continue
			}
			mt, params, err := mime.ParseMediaType(part)
			if err != nil {
				continue
			}
			typ, sub, ok := strings.Cut(mt, "/")
			if !ok || (typ == "*" && sub != "*") {
				continue
			}
			a := acceptValue{typ: typ, sub: sub, q: 1}
			if qs, ok := params["q"]; ok {
				q, err := strconv.ParseFloat(qs, 64)
				if err != nil || q < 0 || q > 1 {
					continue
				}
				a.q = q
			}
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].q != out[j].q {
			return out[i].q > out[j].q
		}
		return out[i].specificity() > out[j].specificity()
	})
	return out
}
