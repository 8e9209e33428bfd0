package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/finding"
)

// The test decodes into its own types, so it checks the XML, not the writer's structs.
type jtSuites struct {
	XMLName xml.Name `xml:"testsuites"`
	Name    string   `xml:"name,attr"`
	jtCounts
	Time   string `xml:"time,attr"`
	Suites []struct {
		Name string `xml:"name,attr"`
		jtCounts
		Time       string `xml:"time,attr"`
		Properties []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []jtCase `xml:"testcase"`
	} `xml:"testsuite"`
}

type jtCounts struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Skipped  int `xml:"skipped,attr"`
}

type jtCase struct {
	Name      string     `xml:"name,attr"`
	Classname string     `xml:"classname,attr"`
	Failure   *jtProblem `xml:"failure"`
	Error     *jtProblem `xml:"error"`
	Skipped   *jtProblem `xml:"skipped"`
	SystemOut *string    `xml:"system-out"`
}

type jtProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

func renderJUnit(t *testing.T, d *Document) (string, jtSuites) {
	t.Helper()
	var b bytes.Buffer
	if err := writeJUnit(&b, d); err != nil {
		t.Fatalf("writeJUnit: %v", err)
	}
	var s jtSuites
	if err := xml.Unmarshal(b.Bytes(), &s); err != nil {
		t.Fatalf("JUnit is not well-formed XML: %v\n%s", err, b.String())
	}
	return b.String(), s
}

func TestJUnitCounts(t *testing.T) {
	out, s := renderJUnit(t, fixtureDoc())
	if !strings.HasPrefix(out, xml.Header) {
		t.Error("no XML declaration")
	}
	if s.Name != "posture" || s.Time != "1.500" {
		t.Errorf("testsuites name %q time %q", s.Name, s.Time)
	}
	if s.Tests != 8 || s.Failures != 3 || s.Errors != 1 || s.Skipped != 1 {
		t.Errorf("testsuites counts tests=%d failures=%d errors=%d skipped=%d, want 8 3 1 1", s.Tests, s.Failures, s.Errors, s.Skipped)
	}
	if len(s.Suites) != 2 || s.Suites[0].Name != "app" || s.Suites[1].Name != "https://api.example.test" {
		t.Fatalf("suites %+v", s.Suites)
	}
	var tests, failures, errors, skipped int
	for _, suite := range s.Suites {
		var f, e, sk int
		for _, c := range suite.Cases {
			if c.Failure != nil {
				f++
			}
			if c.Error != nil {
				e++
			}
			if c.Skipped != nil {
				sk++
			}
		}
		st, sf, se, ss := suite.Tests, suite.Failures, suite.Errors, suite.Skipped
		if st != len(suite.Cases) || sf != f || se != e || ss != sk {
			t.Errorf("suite %s says %d/%d/%d/%d, holds %d/%d/%d/%d", suite.Name, st, sf, se, ss, len(suite.Cases), f, e, sk)
		}
		tests, failures, errors, skipped = tests+st, failures+sf, errors+se, skipped+ss
	}
	if tests != s.Tests || failures != s.Failures || errors != s.Errors || skipped != s.Skipped {
		t.Error("testsuites counts are not the sum of the suites")
	}
	if s.Suites[0].Time != "0.500" {
		t.Errorf("suite time %q, want the probes' 0.500", s.Suites[0].Time)
	}
}

func TestJUnitCases(t *testing.T) {
	_, s := renderJUnit(t, fixtureDoc())
	cases := map[string]jtCase{}
	for _, c := range s.Suites[0].Cases {
		cases[c.Name] = c
	}

	c := cases["CR-1 Secrets are not committed"]
	if c.Classname != "posture.CR" || c.Failure == nil || c.Failure.Message != "1 open finding" || c.Failure.Type != "critical" {
		t.Errorf("CR-1: %+v", c)
	} else if want := "config/prod.env:3: AWS access key " + fixtureScript + " — fix: Rotate the key and load it from the secret store.\n"; c.Failure.Body != want {
		t.Errorf("CR-1 body %q, want %q", c.Failure.Body, want)
	}

	c = cases["CR-2 No weak hashes "+fixturePipe]
	if c.Failure == nil || c.Failure.Message != "2 open findings" || c.Failure.Type != "medium" {
		t.Fatalf("CR-2: %+v", c)
	}
	lines := strings.Split(strings.TrimSuffix(c.Failure.Body, "\n"), "\n")
	if len(lines) != 2 || lines[0] != "pkg/a|b.go:12:4: "+fixtureTick+" — fix: Use SHA-256 | SHA-3." ||
		lines[1] != "(whole target): SHA-1 in TLS configuration — fix: Remove SHA-1 cipher suites." {
		t.Errorf("CR-2 body lines %q", lines)
	}
	if c.SystemOut == nil || !strings.Contains(*c.SystemOut, "1 finding silenced by deviation DEV-7") {
		t.Errorf("CR-2 does not report its silenced finding")
	}

	c = cases["CR-3 TLS everywhere"]
	if c.Failure != nil || c.Error != nil || c.Skipped != nil {
		t.Errorf("deviation should pass: %+v", c)
	}
	if c.SystemOut == nil || !strings.Contains(*c.SystemOut, "silenced by deviation DEV-7") ||
		!strings.Contains(*c.SystemOut, "internal/health.go:20: health check over plain HTTP") ||
		!strings.Contains(*c.SystemOut, "approved by sec-lead@example.com, expires 2026-12-31") {
		t.Errorf("CR-3 system-out %v", c.SystemOut)
	}

	c = cases["CH-1 Changes are reviewed"]
	if c.Classname != "posture.CH" || c.Error == nil || c.Error.Message != "unknown: branch protection could not be read: 403 <forbidden> & `gh` failed" {
		t.Errorf("CH-1: %+v", c)
	}

	c = cases["CH-2 CODEOWNERS exists"]
	if c.Failure != nil || c.Error != nil || c.Skipped != nil || c.SystemOut != nil {
		t.Errorf("pass should be a plain test case: %+v", c)
	}

	c = cases["ZT-3 Admin endpoints require auth"]
	if c.Classname != "posture.ZT" || c.Skipped == nil || c.Skipped.Message != "not applicable: no HTTP handlers in this repository" {
		t.Errorf("ZT-3: %+v", c)
	}
}

func TestJUnitProperties(t *testing.T) {
	_, s := renderJUnit(t, fixtureDoc())
	for _, suite := range s.Suites {
		props := map[string]string{}
		for _, p := range suite.Properties {
			props[p.Name] = p.Value
		}
		for k, v := range map[string]string{"policy.name": "secure-engineering-policy", "policy.version": "2025.01.28",
			"policy.expired": "true", "verdict": "FAIL", "verdict.fail_on": "high"} {
			if props[k] != v {
				t.Errorf("suite %s property %s = %q, want %q", suite.Name, k, props[k], v)
			}
		}
	}
}

func TestJUnitEscaping(t *testing.T) {
	d := fixtureDoc()
	f := &d.Targets[0].Controls[1].Findings[1]
	f.Message = "end ]]> of cdata \x00\x1b and \xff bytes"
	out, s := renderJUnit(t, d)
	for _, raw := range []string{"<script>", "<forbidden>", "& friends", "]]>"} {
		if strings.Contains(out, raw) {
			t.Errorf("%q reached the XML unescaped", raw)
		}
	}
	for _, want := range []string{"AWS access key &lt;script&gt;alert(", "use `md5` &amp; friends", "403 &lt;forbidden&gt; &amp; `gh` failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("XML lacks %q", want)
		}
	}
	if body := s.Suites[0].Cases[1].Failure.Body; !strings.Contains(body, "end ]]> of cdata \uFFFD\uFFFD and \uFFFD bytes") {
		t.Errorf("body %q", body)
	}
	if !strings.Contains(s.Suites[0].Cases[0].Failure.Body, fixtureScript) {
		t.Error("escaped text does not decode back to the original")
	}
}

func TestJUnitUnknownIsNeverAPass(t *testing.T) {
	d := fixtureDoc()
	d.Targets[0].Controls[4].Status = finding.Status("something-new")
	_, s := renderJUnit(t, d)
	if c := s.Suites[0].Cases[4]; c.Error == nil {
		t.Errorf("an unrecognised status passed: %+v", c)
	}
}

func TestJUnitDeterministic(t *testing.T) {
	a, _ := renderJUnit(t, fixtureDoc())
	if b, _ := renderJUnit(t, fixtureDoc()); a != b {
		t.Error("same document rendered differently")
	}
}
