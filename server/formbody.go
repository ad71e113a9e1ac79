package server

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// ASP.NET Web API reads application/x-www-form-urlencoded bodies of complex types with its form
// formatters, whose keys name a path into the model in either notation: jQuery's ($.param)
// "[0][QtyPack]=5" and MVC's "[0].QtyPack=5", optionally prefixed with the C# parameter's name
// ("purchasesBody[0].QtyPack=5"). formToValue turns such a body into the JSON value the operation's
// schema describes, with every value still text: bindLikeJSONNET then binds names and values as for
// a JSON body, and the validator checks the result, so a form body obeys exactly the rules of a JSON
// one. A general-purpose form decoder (go-playground/form) decodes into Go structs, with one
// notation per decoder and names matched by case; what is needed here is a schema-shaped value for
// the spec's validator, and the key notation is all there is to parse.
//
// As in ASP.NET's collection binding, indexes start at 0 and the first missing index ends the
// collection; an empty value is the property left out. A key given twice, or a path used both as a
// value and as an object, is refused.

// bodyParameterName is the C# parameter name an operation's body binds to, the spec's
// x-aspnet-body-name of the request body, or "" when it has none.
func bodyParameterName(spec *openapi3.T, method, echoPath string) string {
	op := specOperation(spec, method, echoPath)
	if op == nil || op.RequestBody == nil || op.RequestBody.Value == nil {
		return ""
	}
	name, _ := op.RequestBody.Value.Extensions["x-aspnet-body-name"].(string)
	return name
}

func formToValue(body string, schema *openapi3.Schema, bodyName string) (any, error) {
	values, err := url.ParseQuery(body)
	if err != nil {
		return nil, err
	}
	root := map[string]any{}
	for key, vs := range values {
		if len(vs) > 1 {
			return nil, fmt.Errorf("%q is given more than once", key)
		}
		path, err := formPath(key)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", key, err)
		}
		if len(path) > 1 && bodyName != "" && strings.EqualFold(path[0], bodyName) {
			path = path[1:]
		}
		if vs[0] == "" {
			continue
		}
		if err := put(root, path, vs[0]); err != nil {
			return nil, fmt.Errorf("key %q: %w", key, err)
		}
	}
	return shape(root, schema), nil
}

// formPath splits a key into its names and indexes: "a[0][b]", "a[0].b" and "[0].b" end alike.
func formPath(key string) ([]string, error) {
	var path []string
	for i := 0; i < len(key); {
		var seg string
		switch key[i] {
		case '[':
			end := strings.IndexByte(key[i:], ']')
			if end < 0 {
				return nil, errors.New("unclosed [")
			}
			seg, i = key[i+1:i+end], i+end+1
		case '.':
			if i == 0 {
				return nil, errors.New("starts with a dot")
			}
			i++
			fallthrough
		default:
			end := strings.IndexAny(key[i:], "[.")
			if end < 0 {
				end = len(key) - i
			}
			seg, i = key[i:i+end], i+end
		}
		if seg == "" {
			return nil, errors.New("empty name")
		}
		path = append(path, seg)
	}
	if len(path) == 0 {
		return nil, errors.New("empty key")
	}
	return path, nil
}

// put stores value at path in the tree of maps rooted at node.
func put(node map[string]any, path []string, value string) error {
	for _, seg := range path[:len(path)-1] {
		switch child := node[seg].(type) {
		case nil:
			next := map[string]any{}
			node[seg], node = next, next
		case map[string]any:
			node = child
		default:
			return errors.New("holds a value and an object at once")
		}
	}
	last := path[len(path)-1]
	if _, ok := node[last]; ok {
		return errors.New("holds a value and an object at once")
	}
	node[last] = value
	return nil
}

// shape turns the maps that stand for collections into arrays, where the schema says array.
func shape(node any, s *openapi3.Schema) any {
	m, ok := node.(map[string]any)
	if !ok || s == nil {
		return node
	}
	switch {
	case s.Type.Is("array"):
		var items *openapi3.Schema
		if s.Items != nil {
			items = s.Items.Value
		}
		out := []any{}
		for i := 0; ; i++ {
			v, ok := m[strconv.Itoa(i)]
			if !ok {
				return out
			}
			out = append(out, shape(v, items))
		}
	case s.Type.Is("object"):
		out := make(map[string]any, len(m))
		for k, v := range m {
			_, prop := property(s, k)
			out[k] = shape(v, prop)
		}
		return out
	}
	return node
}
