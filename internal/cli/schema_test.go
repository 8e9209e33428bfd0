package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// validate checks a document against a JSON Schema file.
func validate(t *testing.T, schemaPath string, doc []byte) {
	t.Helper()
	if err := validateErr(t, schemaPath, doc); err != nil {
		t.Fatalf("output does not validate against %s:\n%v", filepath.Base(schemaPath), err)
	}
}

func validateErr(t *testing.T, schemaPath string, doc []byte) error {
	t.Helper()
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	schemaDoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: %v", schemaPath, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(schemaPath, schemaDoc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(schemaPath)
	if err != nil {
		t.Fatalf("compiling %s: %v", schemaPath, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	return sch.Validate(inst)
}

// The SARIF we write must be valid SARIF 2.1.0 according to the official OASIS schema,
// and must carry what GitHub code scanning needs to show and de-duplicate alerts.
func TestSARIFValidatesAgainstOfficialSchema(t *testing.T) {
	root := repoRoot(t)
	t.Chdir(root)
	out, stderr, code := runCLI(t, "scan", "--format", "sarif", "testdata/known-problems")
	if code != ExitFailing {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	schema := filepath.Join(root, "internal", "report", "testdata", "sarif-schema-2.1.0.json")
	validate(t, schema, []byte(out))
	// The validator must be able to say no: a level SARIF does not define is rejected.
	broken := strings.Replace(out, `"level": "error"`, `"level": "fatal"`, 1)
	if broken == out || validateErr(t, schema, []byte(broken)) == nil {
		t.Fatal("an invalid SARIF level passed validation")
	}

	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string         `json:"id"`
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID              string            `json:"ruleId"`
				RuleIndex           int               `json:"ruleIndex"`
				Locations           []json.RawMessage `json:"locations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if len(run.Results) == 0 {
		t.Fatal("no results")
	}
	for _, r := range run.Results {
		if len(r.Locations) != 1 {
			t.Errorf("result %s has %d locations; code scanning needs one", r.RuleID, len(r.Locations))
		}
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("ruleIndex %d does not point at %s", r.RuleIndex, r.RuleID)
		}
		if r.PartialFingerprints["postureFingerprint/v1"] == "" {
			t.Errorf("result %s has no fingerprint", r.RuleID)
		}
	}
	for _, rule := range run.Tool.Driver.Rules {
		if _, ok := rule.Properties["security-severity"].(string); !ok {
			t.Errorf("rule %s lacks security-severity", rule.ID)
		}
	}
}

func TestJSONReportValidatesAgainstDocumentedSchema(t *testing.T) {
	root := repoRoot(t)
	t.Chdir(root)
	out, stderr, code := runCLI(t, "scan", "--format", "json", "testdata/known-problems")
	if code != ExitFailing {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	validate(t, filepath.Join(root, "docs", "schema", "report-v1.schema.json"), []byte(out))
}
