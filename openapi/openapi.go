// Package openapi embeds the hand-written specs. The service validates requests against and serves
// exactly these files (code generation may see a trimmed overlay; clients see the original).
package openapi

import (
	"context"
	"embed"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed *.yaml
var files embed.FS

// Families are the API families, each with openapi/<family>.yaml.
var Families = []string{"upbooks", "invx", "ultrabiz"}

// Raw returns the spec file of a family as written.
func Raw(family string) ([]byte, error) { return files.ReadFile(family + ".yaml") }

// Load parses and validates a family's spec.
func Load(family string) (*openapi3.T, error) {
	raw, err := Raw(family)
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("load %s spec: %w", family, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("validate %s spec: %w", family, err)
	}
	return doc, nil
}
