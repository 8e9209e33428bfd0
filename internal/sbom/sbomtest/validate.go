// Package sbomtest checks, in tests, that a document is valid CycloneDX 1.6 according to
// the official JSON schema kept in internal/sbom/testdata/schema. It lives in its own
// package so that the CLI's tests validate against exactly the same schema files.
package sbomtest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The schemas' own $id values: bom-1.6 refers to the others relative to its $id, so each
// is registered under its published URL and nothing is fetched.
const bomURL = "http://cyclonedx.org/schema/bom-1.6.schema.json"

var files = map[string]string{
	bomURL: "bom-1.6.schema.json",
	"http://cyclonedx.org/schema/spdx.schema.json":     "spdx.schema.json",
	"http://cyclonedx.org/schema/jsf-0.82.schema.json": "jsf-0.82.schema.json",
}

var (
	once     sync.Once
	compiled *jsonschema.Schema
	compErr  error
)

// SchemaDir is where the official schema files are kept.
func SchemaDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "schema")
}

// offline refuses every load, so a $ref the registered files do not satisfy fails the
// test instead of reaching for the network.
type offline struct{}

func (offline) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not stored in %s", url, SchemaDir())
}

func schema() (*jsonschema.Schema, error) {
	once.Do(func() {
		c := jsonschema.NewCompiler()
		c.UseLoader(offline{})
		// Formats (date-time, iri-reference, idn-email) are annotations only unless
		// asserted; a malformed timestamp or URL must fail.
		c.AssertFormat()
		for url, name := range files {
			raw, err := os.ReadFile(filepath.Join(SchemaDir(), name))
			if err != nil {
				compErr = err
				return
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err != nil {
				compErr = fmt.Errorf("%s: %w", name, err)
				return
			}
			if err := c.AddResource(url, doc); err != nil {
				compErr = fmt.Errorf("%s: %w", name, err)
				return
			}
		}
		compiled, compErr = c.Compile(bomURL)
	})
	return compiled, compErr
}

// Validate returns nil when doc is valid CycloneDX 1.6 JSON, and otherwise what is wrong.
func Validate(doc []byte) error {
	sch, err := schema()
	if err != nil {
		return fmt.Errorf("loading the CycloneDX schema: %w", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return sch.Validate(inst)
}
