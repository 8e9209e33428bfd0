package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/posture-dev/posture/internal/store"
)

// The JSON report is untrusted input: whoever holds a scans:write token writes it. The
// decoder reads only what the server needs, checks every field the store and the pages
// rely on, and refuses the whole report on the first problem, so nothing of a bad
// upload is ever written.

// ReportSchema is the only report layout the server accepts (docs/json-report.md).
const ReportSchema = "posture.report/v1"

// Upload limits. The compressed limit is the body on the wire; the decompressed one
// bounds what a small gzip body may inflate to.
const (
	MaxUploadBytes  = 32 << 20
	maxUploadTarget = 1000
)

// uploadLimit is MaxUploadBytes; tests lower it to keep the oversize cases fast.
var uploadLimit atomic.Int64

func init() { uploadLimit.Store(MaxUploadBytes) }

// uploadError is a rejection with the HTTP status to answer and a message for the client.
type uploadError struct {
	status int
	msg    string
}

func (e *uploadError) Error() string { return e.msg }

func badUpload(format string, args ...any) error {
	return &uploadError{status: 400, msg: fmt.Sprintf(format, args...)}
}

// uploadedReport is the subset of posture.report/v1 the server reads. Unknown fields
// are ignored: v1 may gain fields (docs/json-report.md), and a newer scanner must still
// be able to upload to an older server.
type uploadedReport struct {
	Schema *string `json:"schema"`
	Tool   *struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"tool"`
	Policy *struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"policy"`
	StartedAt   *time.Time       `json:"started_at"`
	FinishedAt  *time.Time       `json:"finished_at"`
	Interrupted bool             `json:"interrupted"`
	Targets     []uploadedTarget `json:"targets"`
}

type uploadedTarget struct {
	Name     string            `json:"name"`
	Kind     string            `json:"kind"`
	Controls []uploadedControl `json:"controls"`
	Packages []struct {
		Ecosystem string `json:"ecosystem"`
		Name      string `json:"name"`
		Version   string `json:"version"`
	} `json:"packages"`
}

// maxUploadPackages bounds the packages of a report, over all its targets.
const maxUploadPackages = 100_000

type uploadedControl struct {
	ID       string            `json:"id"`
	Title    string            `json:"title"`
	Section  string            `json:"section"`
	Severity string            `json:"severity"`
	Status   string            `json:"status"`
	Reason   string            `json:"reason"`
	Findings []uploadedFinding `json:"findings"`
}

type uploadedFinding struct {
	Control  string `json:"control"`
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Target   string `json:"target"`
	Location struct {
		Path   string `json:"path"`
		Line   int    `json:"line"`
		Column int    `json:"column"`
		Commit string `json:"commit"`
		URL    string `json:"url"`
	} `json:"location"`
	Message  string `json:"message"`
	Evidence struct {
		Text     string `json:"text"`
		Redacted bool   `json:"redacted"`
	} `json:"evidence"`
	Fix         string `json:"fix"`
	Fingerprint string `json:"fingerprint"`
	Suppressed  *struct {
		Deviation string `json:"deviation"`
	} `json:"suppressed"`
}

var (
	controlIDRE   = regexp.MustCompile(`^[A-Z]{2,6}-[0-9]{1,3}$`)
	sectionIDRE   = regexp.MustCompile(`^[A-Z]{1,6}$`)
	fingerprintRE = regexp.MustCompile(`^[0-9a-f]{32}$`)
	ruleRE        = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$`)
)

var (
	reportStatuses  = map[string]store.ControlStatus{"pass": store.Pass, "fail": store.Fail, "deviation": store.Deviation, "not-applicable": store.NotApplicable, "unknown": store.Unknown}
	reportSeverity  = map[string]bool{"info": true, "low": true, "medium": true, "high": true, "critical": true}
	reportKinds     = map[string]bool{"repo": true, "endpoint": true, "host": true, "org": true}
	errTrailingData = errors.New("data after the JSON document")
)

// readUploadBody reads the request body, gunzipping it when Content-Encoding says gzip,
// and never holds more than MaxUploadBytes of either form.
func readUploadBody(body io.Reader, contentEncoding string) ([]byte, error) {
	limit := uploadLimit.Load()
	raw, err := readAtMost(body, limit)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(strings.TrimSpace(contentEncoding)) {
	case "", "identity":
		return raw, nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, badUpload("body is not valid gzip: %v", err)
		}
		out, err := readAtMost(zr, limit)
		if err != nil {
			var ue *uploadError
			if errors.As(err, &ue) {
				return nil, err
			}
			return nil, badUpload("body is not valid gzip: %v", err)
		}
		return out, nil
	}
	return nil, &uploadError{status: 415, msg: fmt.Sprintf("Content-Encoding %q is not supported (send identity or gzip)", contentEncoding)}
}

// readAtMost reads r to the end, refusing with 413 anything over limit bytes. It reads
// one byte past the limit to tell "exactly limit" from "more".
func readAtMost(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge()
		}
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, tooLarge()
	}
	return b, nil
}

func tooLarge() error {
	return &uploadError{status: 413, msg: fmt.Sprintf("report larger than %d bytes (after decompression)", uploadLimit.Load())}
}

// decodeReport parses and checks a report. It returns what the store records; the raw
// bytes are kept as the report of record.
func decodeReport(raw []byte) (*uploadedReport, error) {
	if !utf8.Valid(raw) {
		return nil, badUpload("report is not valid UTF-8")
	}
	// The schema is read first so that a report of another version is refused for what
	// it is, not for whichever field happens to differ.
	var head struct {
		Schema json.RawMessage `json:"schema"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, badUpload("malformed JSON: %v", jsonErr(err))
	}
	var schema string
	if head.Schema == nil || json.Unmarshal(head.Schema, &schema) != nil {
		return nil, badUpload("report has no \"schema\" string: is this posture scan --format json output?")
	}
	if schema != ReportSchema {
		return nil, &uploadError{status: 422, msg: fmt.Sprintf("unsupported report schema %q (this server reads %s)", truncate(schema, 64), ReportSchema)}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	var rep uploadedReport
	if err := dec.Decode(&rep); err != nil {
		return nil, badUpload("malformed report: %v", jsonErr(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, badUpload("malformed report: %v", errTrailingData)
	}
	if err := rep.check(); err != nil {
		return nil, err
	}
	return &rep, nil
}

func jsonErr(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v at byte %d", se, se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q: %s where %s was expected", te.Field, te.Value, te.Type)
	}
	return err.Error()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func (rep *uploadedReport) check() error {
	switch {
	case rep.Tool == nil || rep.Tool.Name != "posture":
		return badUpload("report's tool.name must be \"posture\"")
	case rep.Policy == nil:
		return badUpload("report has no policy")
	case rep.StartedAt == nil || rep.FinishedAt == nil:
		return badUpload("report needs started_at and finished_at")
	case rep.FinishedAt.Before(*rep.StartedAt):
		return badUpload("report finished before it started")
	case rep.Targets == nil:
		return badUpload("report has no targets array")
	case len(rep.Targets) > maxUploadTarget:
		return badUpload("report has more than %d targets", maxUploadTarget)
	}
	for _, v := range []struct{ field, v string }{{"tool.version", rep.Tool.Version}, {"policy.name", rep.Policy.Name}, {"policy.version", rep.Policy.Version}} {
		if err := checkName(v.field, v.v, 256); err != nil {
			return err
		}
	}
	names := map[string]bool{}
	findings, packages := 0, 0
	for ti := range rep.Targets {
		t := &rep.Targets[ti]
		where := fmt.Sprintf("targets[%d]", ti)
		if err := checkName(where+".name", t.Name, 2048); err != nil {
			return err
		}
		if t.Name == "" {
			return badUpload("%s has no name", where)
		}
		if names[t.Name] {
			return badUpload("%s: target %q appears twice", where, truncate(t.Name, 80))
		}
		names[t.Name] = true
		if !reportKinds[t.Kind] {
			return badUpload("%s: kind %q (want repo, endpoint, host or org)", where, truncate(t.Kind, 32))
		}
		if len(t.Packages) > 0 && t.Kind != "repo" {
			return badUpload("%s: only repository targets have packages", where)
		}
		if packages += len(t.Packages); packages > maxUploadPackages {
			return badUpload("report has more than %d packages", maxUploadPackages)
		}
		for pi, p := range t.Packages {
			pw := fmt.Sprintf("%s.packages[%d]", where, pi)
			for _, v := range []struct {
				field, v string
				max      int
			}{{".ecosystem", p.Ecosystem, 64}, {".name", p.Name, 512}, {".version", p.Version, 256}} {
				if v.v == "" {
					return badUpload("%s%s is empty", pw, v.field)
				}
				if err := checkName(pw+v.field, v.v, v.max); err != nil {
					return err
				}
			}
		}
		seenControl := map[string]bool{}
		for ci := range t.Controls {
			c := &t.Controls[ci]
			cw := fmt.Sprintf("%s.controls[%d]", where, ci)
			if !controlIDRE.MatchString(c.ID) {
				return badUpload("%s: control id %q is not like CR-2", cw, truncate(c.ID, 32))
			}
			if seenControl[c.ID] {
				return badUpload("%s: control %s appears twice on one target", cw, c.ID)
			}
			seenControl[c.ID] = true
			if !sectionIDRE.MatchString(c.Section) {
				return badUpload("%s: section %q is not a section id", cw, truncate(c.Section, 32))
			}
			if _, ok := reportStatuses[c.Status]; !ok {
				return badUpload("%s: status %q (want pass, fail, deviation, not-applicable or unknown)", cw, truncate(c.Status, 32))
			}
			if err := checkName(cw+".reason", c.Reason, 4096); err != nil {
				return err
			}
			for fi := range c.Findings {
				findings++
				if findings > 500_000 {
					return badUpload("report has more than 500000 findings")
				}
				if err := c.Findings[fi].check(fmt.Sprintf("%s.findings[%d]", cw, fi), t.Name, c.ID); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (f *uploadedFinding) check(where, target, control string) error {
	switch {
	case f.Control != control:
		return badUpload("%s: finding of control %q listed under %s", where, truncate(f.Control, 32), control)
	case f.Target != target:
		return badUpload("%s: finding's target %q is not the target it is listed under", where, truncate(f.Target, 80))
	case !fingerprintRE.MatchString(f.Fingerprint):
		return badUpload("%s: fingerprint %q is not 32 hex digits", where, truncate(f.Fingerprint, 40))
	case !reportSeverity[f.Severity]:
		return badUpload("%s: severity %q (want info, low, medium, high or critical)", where, truncate(f.Severity, 32))
	case len(f.Rule) > 256 || !ruleRE.MatchString(f.Rule):
		return badUpload("%s: rule %q is not like family/check-name", where, truncate(f.Rule, 80))
	case f.Location.Line < 0 || f.Location.Column < 0:
		return badUpload("%s: negative line or column", where)
	}
	if err := checkRelPath(where+".location.path", f.Location.Path); err != nil {
		return err
	}
	for _, v := range []struct {
		field, v string
		max      int
	}{
		{"location.commit", f.Location.Commit, 64}, {"location.url", f.Location.URL, 2048},
		{"message", f.Message, 16 << 10}, {"fix", f.Fix, 16 << 10}, {"evidence.text", f.Evidence.Text, 16 << 10},
	} {
		if err := checkName(where+"."+v.field, v.v, v.max); err != nil {
			return err
		}
	}
	return nil
}

// checkName refuses text no page or column should hold: invalid UTF-8, control
// characters other than tab and newline, and oversize values.
func checkName(field, v string, max int) error {
	if len(v) > max {
		return badUpload("%s is longer than %d bytes", field, max)
	}
	if !utf8.ValidString(v) {
		return badUpload("%s is not valid UTF-8", field)
	}
	if strings.ContainsFunc(v, func(r rune) bool { return (r < 0x20 && r != '\t' && r != '\n') || r == 0x7f }) {
		return badUpload("%s contains control characters", field)
	}
	return nil
}

// checkRelPath accepts what the scanner writes in location.path: a relative,
// slash-separated path inside the target. Anything that climbs out of it, is absolute,
// or uses another separator is refused: the path is shown and linked, never trusted.
func checkRelPath(field, p string) error {
	if p == "" {
		return nil
	}
	if err := checkName(field, p, 4096); err != nil {
		return err
	}
	if strings.ContainsAny(p, "\\\n\t") || strings.HasPrefix(p, "/") || (len(p) > 1 && p[1] == ':') {
		return badUpload("%s %q is not a relative slash-separated path", field, truncate(p, 80))
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return badUpload("%s %q climbs out of its target (path traversal)", field, truncate(p, 80))
		}
	}
	return nil
}

// scanInput turns a checked report into what the store records. Fingerprints of a
// report with several targets are qualified by the target's name, since the same file
// in two repositories has the same fingerprint and a scan's fingerprints must be unique.
func (rep *uploadedReport) scanInput(uploadedBy string, raw []byte) (store.ScanInput, error) {
	in := store.ScanInput{
		UploadedBy: uploadedBy, StartedAt: *rep.StartedAt, FinishedAt: *rep.FinishedAt,
		ToolVersion: rep.Tool.Version, PackVersion: rep.Policy.Name + "@" + rep.Policy.Version, RawReport: raw,
	}
	if rep.Policy.Name == "" && rep.Policy.Version == "" {
		in.PackVersion = ""
	}
	seen := map[string]bool{}
	for _, t := range rep.Targets {
		for _, p := range t.Packages {
			in.Packages = append(in.Packages, store.Package{Target: t.Name, Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version})
		}
		for _, c := range t.Controls {
			in.Controls = append(in.Controls, store.ControlResult{Target: t.Name, Control: c.ID, Section: c.Section, Status: reportStatuses[c.Status]})
			for _, f := range c.Findings {
				fp := storedFingerprint(len(rep.Targets), t.Name, f.Fingerprint)
				if seen[fp] {
					return store.ScanInput{}, badUpload("fingerprint %s appears twice on target %q", f.Fingerprint, truncate(t.Name, 80))
				}
				seen[fp] = true
				status := store.FindingOpen
				if f.Suppressed != nil {
					status = store.FindingSuppressed
				}
				in.Findings = append(in.Findings, store.FindingInput{
					Fingerprint: fp, Control: c.ID, Section: c.Section, Rule: f.Rule, Severity: f.Severity,
					Target: t.Name, Location: f.location(), Message: f.Message, Status: status,
				})
			}
		}
	}
	return in, nil
}

func storedFingerprint(targets int, target, fp string) string {
	if targets <= 1 {
		return fp
	}
	h := sha256.Sum256([]byte(target + "\x00" + fp))
	return hex.EncodeToString(h[:16])
}

// location is the finding's place as one line of text: path:line:column, or the URL.
func (f *uploadedFinding) location() string {
	l := f.Location
	if l.Path == "" {
		return l.URL
	}
	s := l.Path
	if l.Line > 0 {
		s += fmt.Sprintf(":%d", l.Line)
		if l.Column > 0 {
			s += fmt.Sprintf(":%d", l.Column)
		}
	}
	return s
}
