package report

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/finding"
)

// The JUnit report lets CI dashboards show controls as tests: one suite per target, one
// test case per control. A failed control is a failure, a control that could not be
// checked is an error (not a pass), a control that does not apply is skipped, and a
// control passing only by deviation passes with a note of what was silenced.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut junitText     `xml:"system-out,omitempty"`
}

// junitProblem is a <failure> or <error>: a message, a type and a multi-line body.
type junitProblem struct {
	Message, Type, Body string
}

func (p junitProblem) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "message"}, Value: p.Message},
		xml.Attr{Name: xml.Name{Local: "type"}, Value: p.Type})
	return junitElement(e, start, p.Body)
}

// junitText is element text. Unlike a plain string field it keeps line breaks as they
// are instead of writing them as &#xA;, so CI logs show one finding per line.
type junitText string

func (t junitText) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return junitElement(e, start, string(t))
}

// junitElement writes start, the escaped text (characters XML cannot hold become U+FFFD)
// and the end tag.
func junitElement(e *xml.Encoder, start xml.StartElement, text string) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if text != "" {
		if err := e.EncodeToken(xml.CharData(text)); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

func writeJUnit(w io.Writer, d *Document) error {
	out := junitSuites{Name: cmp.Or(d.Tool.Name, "posture"), Time: junitSeconds(d.FinishedAt.Sub(d.StartedAt)), Suites: []junitSuite{}}
	for _, t := range d.Targets {
		s := junitSuite{Name: t.Name, Properties: junitProperties(d, t), Cases: []junitCase{}}
		if !d.StartedAt.IsZero() {
			s.Timestamp = d.StartedAt.UTC().Format("2006-01-02T15:04:05")
		}
		var spent time.Duration
		for _, p := range t.Probes {
			spent += p.Duration
		}
		s.Time = junitSeconds(spent)
		for _, c := range t.Controls {
			tc := junitCaseFor(c)
			s.Tests++
			switch {
			case tc.Failure != nil:
				s.Failures++
			case tc.Error != nil:
				s.Errors++
			case tc.Skipped != nil:
				s.Skipped++
			}
			s.Cases = append(s.Cases, tc)
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
		out.Skipped += s.Skipped
		out.Suites = append(out.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitProperties(d *Document, t Target) []junitProperty {
	word, _ := verdictParts(d)
	props := []junitProperty{
		{"policy.name", d.Policy.Name},
		{"policy.version", d.Policy.Version},
		{"policy.last_reviewed", d.Policy.LastReviewed.String()},
		{"policy.expires", d.Policy.Expires.String()},
		{"policy.expired", strconv.FormatBool(d.Policy.Expired)},
		{"posture.version", d.Tool.Version},
		{"target.kind", string(t.Kind)},
		{"verdict", word},
		{"verdict.fail_on", string(cmp.Or(d.Verdict.FailOn, "high"))},
		{"interrupted", strconv.FormatBool(d.Interrupted)},
	}
	if inv := t.Inventory; inv != nil {
		// Scope is stated in every format so that a reader can judge what was left out.
		for i, e := range inv.Exclusions {
			props = append(props, junitProperty{fmt.Sprintf("scope.exclude.%d", i+1),
				fmt.Sprintf("%s (%s): %s", e.Pattern, countPaths(e.Matched), e.Reason)})
		}
		props = append(props, junitProperty{"inventory.not_examined", strconv.Itoa(len(inv.Skipped))})
	}
	return props
}

func junitCaseFor(c Control) junitCase {
	tc := junitCase{Name: strings.TrimSpace(c.ID + " " + c.Title), Classname: "posture." + c.Section}
	var open, silenced []finding.Finding
	for _, f := range c.Findings {
		if f.Suppressed == nil {
			open = append(open, f)
		} else {
			silenced = append(silenced, f)
		}
	}
	switch c.Status {
	case finding.Fail:
		var body strings.Builder
		for _, f := range open {
			body.WriteString(junitFindingLine(f) + "\n")
		}
		if len(open) == 0 && c.Reason != "" {
			body.WriteString(c.Reason + "\n")
		}
		tc.Failure = &junitProblem{Message: pluralize(len(open), "open finding", "open findings"), Type: string(c.Severity), Body: body.String()}
	case finding.Unknown:
		tc.Error = &junitProblem{Message: "unknown: " + cmp.Or(c.Reason, "could not be checked"), Type: "unknown"}
	case finding.NotApplicable:
		tc.Skipped = &junitSkipped{Message: "not applicable: " + c.Reason}
	case finding.Pass, finding.Deviation:
	default:
		// A status this writer does not know is not a pass either.
		tc.Error = &junitProblem{Message: string(c.Status) + ": " + c.Reason, Type: string(c.Status)}
	}
	if len(silenced) > 0 || c.Status == finding.Deviation {
		tc.SystemOut = junitText(junitSilenced(c, silenced))
	}
	return tc
}

// junitSilenced notes the findings that approved deviations silenced, and by which.
func junitSilenced(c Control, silenced []finding.Finding) string {
	var ids []string
	for _, f := range silenced {
		if id := f.Suppressed.Deviation; !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	var b strings.Builder
	if len(ids) > 0 {
		fmt.Fprintf(&b, "%s silenced by deviation %s.\n", pluralize(len(silenced), "finding", "findings"), strings.Join(ids, ", "))
	} else {
		b.WriteString("Passes by deviation.")
		if c.Reason != "" {
			b.WriteString(" " + c.Reason)
		}
		b.WriteString("\n")
	}
	for _, f := range silenced {
		s := f.Suppressed
		fmt.Fprintf(&b, "%s [deviation %s, approved by %s, expires %s]\n", junitFindingLine(f), s.Deviation, s.ApprovedBy, s.Expires)
	}
	return b.String()
}

func junitFindingLine(f finding.Finding) string {
	line := cmp.Or(f.Location.String(), "(whole target)") + ": " + junitOneLine(f.Message)
	if f.Fix != "" {
		line += " — fix: " + junitOneLine(f.Fix)
	}
	return line
}

func junitOneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// junitSeconds formats a duration as the seconds JUnit expects; negative means unknown.
func junitSeconds(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}
