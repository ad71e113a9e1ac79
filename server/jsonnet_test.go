package server

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/deletesvc/deletesvc/openapi"
)

// TestBindsAsSentAgreesWithJSONNETValue: for every ASP.NET-style operation body, a body written as
// the spec says takes the quick path, and of its variants (each name in other case, unknown and
// escaped names, each value as text, number, boolean, null, object, array or zone-less date-time,
// trailing data, a null body) every one bindsAsSent passes is one jsonNETValue gives back
// unchanged, without a field error; some take the slow path. A member named twice, bytes that are
// not UTF-8 or a NUL always take the slow path, where rejectUnsafeInput's check refuses them
// (bindLikeJSONNET skips that check on the quick path). Every body the operation's compiled
// bodyCheck accepts takes the quick path too: bindLikeJSONNET asks that check first, and its yes
// skips this one.
func TestBindsAsSentAgreesWithJSONNETValue(t *testing.T) {
	spec, err := openapi.Load("ultrabiz")
	if err != nil {
		t.Fatal(err)
	}
	checked, withString := 0, 0
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value.Content.Get("application/json") == nil {
				continue
			}
			schema := op.RequestBody.Value.Content.Get("application/json").Schema.Value
			name := method + " " + path
			valid := marshal(t, sentInstance(schema))
			if !bindsAsSent(valid, schema) {
				t.Errorf("%s: a body as the spec writes it takes the slow path: %s", name, valid)
			}
			bodies := [][]byte{valid, []byte("null"), []byte("[1,"), append(bytes.Clone(valid), " {}"...), []byte(" \n" + string(valid) + "\n")}
			for _, v := range sentVariants(schema, sentInstance(schema)) {
				bodies = append(bodies, marshal(t, v))
			}
			if i := bytes.Index(valid, []byte(`{"`)); i >= 0 { // the first member's name with an escape
				bodies = append(bodies, append(append(bytes.Clone(valid[:i+2]), `\u00`+string(hexByte(valid[i+2]))...), valid[i+3:]...))
			}
			check := compileBodyCheck(spec, op)
			if check == nil {
				t.Errorf("%s: the body schema does not compile to a bodyCheck", name)
			}
			vouched := 0
			for _, body := range append(slices.Clone(bodies), unsafeVariants(t, valid)...) {
				if check == nil || !check.accepts(jsonRequest(body)) {
					continue
				}
				vouched++
				if !safeAsSent(body, schema) {
					t.Errorf("%s: bodyCheck accepts a body that does not bind as sent, or is unsafe: %q", name, body)
				}
			}
			if check != nil && vouched == 0 {
				t.Errorf("%s: bodyCheck accepts none of the bodies: the test checks nothing", name)
			}
			fast := 0
			for _, body := range bodies {
				if !bindsAsSent(body, schema) {
					continue
				}
				fast++
				dec := json.NewDecoder(bytes.NewReader(body))
				dec.UseNumber()
				var v any
				if err := dec.Decode(&v); err != nil || dec.More() {
					t.Errorf("%s: the quick path passes a body that is not one JSON value: %s", name, body)
					continue
				}
				bound, fields := jsonNETValue(v, schema, nil)
				if len(fields) > 0 || !reflect.DeepEqual(bound, v) {
					t.Errorf("%s: the quick path passes a body Json.NET's binding changes (%v): %s", name, fields, body)
				}
			}
			unsafe := unsafeVariants(t, valid)
			for _, body := range unsafe {
				if _, ok := unsafeJSON(body); ok {
					t.Errorf("%s: rejectUnsafeInput passes the unsafe variant %q", name, body)
				}
				if safeAsSent(body, schema) {
					t.Errorf("%s: the quick path passes the unsafe variant %q", name, body)
				}
			}
			if len(unsafe) > 2 {
				withString++
			}
			if fast == len(bodies) {
				t.Errorf("%s: no variant took the slow path: the test checks nothing", name)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no operation has a JSON body")
	}
	if withString != checked {
		t.Errorf("%d of %d bodies held no string to spoil: they had no variant with bytes that are not UTF-8 or a NUL", checked-withString, checked)
	}
}

// unsafeVariants are copies of a JSON body holding objects: with the first member of its first
// object named twice, likewise of its last object (a nested one, or an array's last element), and,
// if it holds the string "x", with that string's bytes not UTF-8 and with a NUL in it.
func unsafeVariants(t *testing.T, body []byte) [][]byte {
	t.Helper()
	out := [][]byte{memberTwice(t, body, bytes.Index(body, []byte(`{"`))), memberTwice(t, body, bytes.LastIndex(body, []byte(`{"`)))}
	if bytes.Contains(body, []byte(`"x"`)) {
		out = append(out, bytes.Replace(body, []byte(`"x"`), []byte("\"\xffx\""), 1), bytes.Replace(body, []byte(`"x"`), []byte(`"\u0000x"`), 1))
	}
	return out
}

// memberTwice is body with the first member of the object at i repeated.
func memberTwice(t *testing.T, body []byte, i int) []byte {
	t.Helper()
	if i < 0 {
		t.Fatalf("no object in %s", body)
	}
	dec := jsontext.NewDecoder(bytes.NewReader(body[i:]))
	if _, err := dec.ReadToken(); err != nil {
		t.Fatal(err)
	}
	name, err := dec.ReadValue()
	if err != nil {
		t.Fatal(err)
	}
	name = bytes.Clone(name) // valid only until the next read
	value, err := dec.ReadValue()
	if err != nil {
		t.Fatal(err)
	}
	return append(append(bytes.Clone(body[:i+1]), string(name)+":"+string(value)+","...), body[i+1:]...)
}

func hexByte(b byte) []byte { return []byte{"0123456789abcdef"[b>>4], "0123456789abcdef"[b&15]} }

// sentInstance is a value of s with every member, of the JSON type s names.
func sentInstance(s *openapi3.Schema) any {
	switch {
	case s.Type.Is("array"):
		return []any{sentInstance(s.Items.Value), sentInstance(s.Items.Value)}
	case s.Type.Is("object"):
		out := map[string]any{}
		for name, p := range s.Properties {
			out[name] = sentInstance(p.Value)
		}
		return out
	case s.Type.Is("integer"):
		return json.Number("2")
	case s.Type.Is("number"):
		return json.Number("3.5")
	case s.Type.Is("boolean"):
		return true
	case s.Type.Is("string"):
		if s.Format == "date-time" {
			return "2026-11-20T00:00:00Z"
		}
		if len(s.Enum) > 0 {
			return s.Enum[0]
		}
		return "x"
	}
	return nil
}

// sentVariants are copies of v (a value of s) with one change each.
func sentVariants(s *openapi3.Schema, v any) []any {
	out := []any{nil, "5", "true", "2026-11-20T00:00:00", json.Number("7"), false, map[string]any{}, []any{}}
	switch {
	case s.Type.Is("array"):
		arr := v.([]any)
		for _, m := range sentVariants(s.Items.Value, arr[0]) {
			out = append(out, []any{arr[0], m})
		}
	case s.Type.Is("object"):
		obj := v.(map[string]any)
		with := func(k string, val any, rename string) map[string]any {
			c := make(map[string]any, len(obj)+1)
			for k2, v2 := range obj {
				c[k2] = v2
			}
			if rename != "" {
				delete(c, k)
				k = rename
			}
			c[k] = val
			return c
		}
		out = append(out, with("zzUnknown", 1, ""))
		for k, e := range obj {
			out = append(out, with(k, e, strings.ToLower(k[:1])+k[1:]), with(k, e, strings.ToUpper(k)))
			for _, m := range sentVariants(s.Properties[k].Value, e) {
				out = append(out, with(k, m, ""))
			}
		}
	}
	return out
}
