package openapi_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"

	"github.com/deletesvc/deletesvc/openapi"
)

// TestSpecsAreValidWithValidExamples loads each spec as the service does, then checks every
// example against its schema.
func TestSpecsAreValidWithValidExamples(t *testing.T) {
	for _, family := range openapi.Families {
		t.Run(family, func(t *testing.T) {
			doc, err := openapi.Load(family)
			if err != nil {
				t.Fatal(err)
			}
			if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
				t.Fatalf("examples: %v", err)
			}
		})
	}
}

// TestEverySchemaAndPropertyIsDescribed walks every named schema and every property, however deeply
// nested, and every operation's inline schemas. A property that is only a $ref takes the
// description of the schema it names.
func TestEverySchemaAndPropertyIsDescribed(t *testing.T) {
	for _, family := range openapi.Families {
		t.Run(family, func(t *testing.T) {
			doc, err := openapi.Load(family)
			if err != nil {
				t.Fatal(err)
			}
			var missing []string
			seen := map[*openapi3.Schema]bool{}
			var walk func(path string, ref *openapi3.SchemaRef)
			walk = func(path string, ref *openapi3.SchemaRef) {
				if ref == nil || ref.Value == nil {
					return
				}
				s := ref.Value
				if ref.Ref == "" && s.Description == "" && len(s.AllOf) == 0 {
					missing = append(missing, path)
				}
				if seen[s] {
					return
				}
				seen[s] = true
				for name, p := range s.Properties {
					walk(path+"."+name, p)
				}
				walk(path+"[]", s.Items)
				if s.AdditionalProperties.Schema != nil {
					walk(path+"{}", s.AdditionalProperties.Schema)
				}
				// An inline part of a composition is described by the schema it composes; its
				// properties still need their own descriptions.
				for _, sub := range append(append(append([]*openapi3.SchemaRef{}, s.AllOf...), s.OneOf...), s.AnyOf...) {
					if sub.Ref != "" {
						walk(path, sub)
						continue
					}
					for name, p := range sub.Value.Properties {
						walk(path+"."+name, p)
					}
				}
			}
			for name, ref := range doc.Components.Schemas {
				walk(name, &openapi3.SchemaRef{Value: ref.Value})
			}
			for path, item := range doc.Paths.Map() {
				for method, op := range item.Operations() {
					for _, p := range op.Parameters {
						if p.Value.Description == "" {
							missing = append(missing, fmt.Sprintf("%s %s parameter %s", method, path, p.Value.Name))
						}
					}
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Fatalf("%d schemas or properties without a description:\n%v", len(missing), missing)
			}
		})
	}
}

// A plain (unquoted) key that YAML 1.1 reads as a boolean (No, yes, on, ...) becomes false or true
// in the many client generators and tools that still use YAML 1.1 parsers; such keys must be quoted.
func TestNoKeyIsAYAML11Boolean(t *testing.T) {
	booleans := map[string]bool{"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true, "true": true, "false": true}
	for _, family := range openapi.Families {
		raw, err := openapi.Raw(family)
		if err != nil {
			t.Fatal(err)
		}
		var root yaml.Node
		if err := yaml.Unmarshal(raw, &root); err != nil {
			t.Fatal(err)
		}
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if k := n.Content[i]; k.Style == 0 && booleans[strings.ToLower(k.Value)] {
						t.Errorf("%s.yaml line %d: key %q must be quoted", family, k.Line, k.Value)
					}
				}
			}
			for _, c := range n.Content {
				walk(c)
			}
		}
		walk(&root)
	}
}

// Every operation is rate limited (429) and reads the database, if only to check the caller, so it
// may answer 503 when the database is down or past its deadline: each must declare both. Four did
// not (Upbooks GetOrganizationDetail and GetActivityLogs, Ultrabiz's purchase-return operations),
// so their 503s broke the spec the live reliability suite checks answers against.
func TestEveryOperationDeclaresRateLimitAndUnavailable(t *testing.T) {
	for _, family := range openapi.Families {
		doc, err := openapi.Load(family)
		if err != nil {
			t.Fatal(err)
		}
		for path, item := range doc.Paths.Map() {
			for method, op := range item.Operations() {
				for _, status := range []int{429, 503} {
					if op.Responses.Status(status) == nil {
						t.Errorf("%s %s %s (%s) does not declare %d", family, method, path, op.OperationID, status)
					}
				}
			}
		}
	}
}
