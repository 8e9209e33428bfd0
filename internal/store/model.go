package store

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The store's own model: plain values the server converts to and from its report and
// API types, so that this package depends on no other part of posture.

var (
	// ErrNotFound: the system or scan named does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the write would break a uniqueness rule (a system name in use).
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the input was rejected before anything was written.
	ErrInvalid = errors.New("invalid input")
)

// Environment is where a system runs.
type Environment string

const (
	Dev     Environment = "dev"
	Staging Environment = "staging"
	Prod    Environment = "prod"
)

// Classification is the most sensitive class of data a system holds.
type Classification string

const (
	Public       Classification = "public"
	Internal     Classification = "internal"
	Confidential Classification = "confidential"
	Restricted   Classification = "restricted"
)

// TargetKind is what a Target is, as in posture scan.
type TargetKind string

const (
	Repo     TargetKind = "repo"
	Endpoint TargetKind = "endpoint"
	Host     TargetKind = "host"
)

// Target is one thing a system consists of: a repository, an https endpoint, a host.
type Target struct {
	Kind    TargetKind
	Locator string
}

// SystemInput is what CreateSystem and UpdateSystem write. Targets replaces the
// system's whole set.
type SystemInput struct {
	Name           string
	Owner          string
	Environment    Environment
	Classification Classification
	Targets        []Target
}

// System is an inventory entry: something posture scans and reports on as one.
type System struct {
	ID             int64
	Name           string
	Owner          string
	Environment    Environment
	Classification Classification
	Targets        []Target // sorted by kind, then locator
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// FindingStatus says whether a finding counts: suppressed ones are silenced by an
// approved deviation.
type FindingStatus string

const (
	FindingOpen       FindingStatus = "open"
	FindingSuppressed FindingStatus = "suppressed"
)

// ControlStatus is the outcome of one control on one target, as in the report.
type ControlStatus string

const (
	Pass          ControlStatus = "pass"
	Fail          ControlStatus = "fail"
	Deviation     ControlStatus = "deviation"
	NotApplicable ControlStatus = "not-applicable"
	Unknown       ControlStatus = "unknown"
)

// FindingInput is one finding of an uploaded scan.
type FindingInput struct {
	Fingerprint string
	Control     string
	// Section is the policy section of Control; empty means the prefix of the control
	// ID before its first '-' (CR-2 → CR), which is how the default pack names them.
	Section  string
	Rule     string
	Severity string // info, low, medium, high or critical
	Target   string
	Location string
	Message  string
	Status   FindingStatus
}

// ControlResult is one control's status on one target of an uploaded scan.
type ControlResult struct {
	Target  string
	Control string
	Section string // as in FindingInput
	Status  ControlStatus
}

// ScanInput is an uploaded scan.
type ScanInput struct {
	UploadedBy  string // API token or user id
	StartedAt   time.Time
	FinishedAt  time.Time
	ToolVersion string
	PackVersion string
	Controls    []ControlResult
	Findings    []FindingInput
	// RawReport is the report as uploaded; it is stored gzip-compressed.
	RawReport []byte
	// Packages are the locked packages of the scan's repository targets, matched again
	// whenever the vulnerability database changes.
	Packages []Package
}

// Counts are finding counts; the severities count open findings only.
type Counts struct {
	Total, Open, Suppressed           int
	Critical, High, Medium, Low, Info int
}

// Scan is the record of one recorded scan.
type Scan struct {
	ID           int64
	SystemID     int64
	UploadedBy   string
	StartedAt    time.Time
	FinishedAt   time.Time
	RecordedAt   time.Time
	ToolVersion  string
	PackVersion  string
	Counts       Counts
	ReportSize   int64  // uncompressed bytes
	ReportSHA256 string // hex, of the uncompressed bytes
}

// Finding is a stored finding of one scan.
type Finding struct {
	ID          int64
	ScanID      int64
	Fingerprint string
	Control     string
	Section     string
	Rule        string
	Severity    string
	Target      string
	Location    string
	Message     string
	Status      FindingStatus
}

// Diff classifies the findings of a system's latest scan against the scan before it
// (by finish time): New were not in the previous scan, Recurring were, Fixed were in the
// previous scan and are gone. Previous is nil when the system has one scan (everything
// is new); Latest is nil when it has none.
type Diff struct {
	SystemID  int64
	Latest    *Scan
	Previous  *Scan
	New       []Finding
	Recurring []Finding
	Fixed     []Finding // as they were in Previous
}

// SectionPosture is one point of the posture chart: a system's state in one policy
// section as one scan saw it.
type SectionPosture struct {
	SystemID int64
	ScanID   int64
	At       time.Time // the scan's finish time
	Section  string
	// Controls counts (target, control) results by status.
	Pass, Fail, Deviation, NotApplicable, Unknown int
	Findings                                      Counts
}

// PostureQuery selects the points of PostureBySectionOverTime. Zero values select
// everything: all systems, all time.
type PostureQuery struct {
	SystemIDs []int64
	Since     time.Time // inclusive, on the scan's finish time
	Until     time.Time // exclusive
}

// Limits on stored text. They are far above anything real and stop a crafted upload
// from filling the database through one field.
const (
	maxName      = 200
	maxShortText = 256
	maxLocator   = 2048
	maxLocation  = 4096
	maxMessage   = 16 << 10
	maxTargets   = 1000
	maxFindings  = 500_000
	maxControls  = 100_000
	maxRawReport = 256 << 20
)

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// checkText rejects what no column should hold: invalid UTF-8 (PostgreSQL refuses it,
// SQLite would store it), NUL (PostgreSQL text cannot hold it) and oversize values.
func checkText(field, v string, max int, required bool) error {
	switch {
	case required && strings.TrimSpace(v) == "":
		return invalidf("%s is empty", field)
	case len(v) > max:
		return invalidf("%s is longer than %d bytes", field, max)
	case !utf8.ValidString(v):
		return invalidf("%s is not valid UTF-8", field)
	case strings.ContainsRune(v, 0):
		return invalidf("%s contains a NUL byte", field)
	}
	return nil
}

func (in *SystemInput) validate() error {
	if err := checkText("name", in.Name, maxName, true); err != nil {
		return err
	}
	if strings.TrimSpace(in.Name) != in.Name || strings.ContainsFunc(in.Name, isControl) {
		return invalidf("name %q has leading or trailing space or control characters", in.Name)
	}
	if err := checkText("owner", in.Owner, maxShortText, true); err != nil {
		return err
	}
	switch in.Environment {
	case Dev, Staging, Prod:
	default:
		return invalidf("environment %q (want dev, staging or prod)", in.Environment)
	}
	switch in.Classification {
	case Public, Internal, Confidential, Restricted:
	default:
		return invalidf("classification %q (want public, internal, confidential or restricted)", in.Classification)
	}
	if len(in.Targets) > maxTargets {
		return invalidf("more than %d targets", maxTargets)
	}
	seen := map[Target]bool{}
	for _, t := range in.Targets {
		switch t.Kind {
		case Repo, Endpoint, Host:
		default:
			return invalidf("target kind %q (want repo, endpoint or host)", t.Kind)
		}
		if err := checkText("target locator", t.Locator, maxLocator, true); err != nil {
			return err
		}
		if seen[t] {
			return invalidf("target %s %q listed twice", t.Kind, t.Locator)
		}
		seen[t] = true
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

var severities = map[string]bool{"info": true, "low": true, "medium": true, "high": true, "critical": true}

func (in *ScanInput) validate() error {
	if err := checkText("uploaded_by", in.UploadedBy, maxShortText, true); err != nil {
		return err
	}
	if err := checkText("tool version", in.ToolVersion, maxShortText, false); err != nil {
		return err
	}
	if err := checkText("pack version", in.PackVersion, maxShortText, false); err != nil {
		return err
	}
	if in.StartedAt.IsZero() || in.FinishedAt.IsZero() {
		return invalidf("scan start and finish times are required")
	}
	if in.FinishedAt.Before(in.StartedAt) {
		return invalidf("scan finished before it started")
	}
	if len(in.RawReport) > maxRawReport {
		return invalidf("report larger than %d bytes", maxRawReport)
	}
	if len(in.Findings) > maxFindings {
		return invalidf("more than %d findings", maxFindings)
	}
	if len(in.Controls) > maxControls {
		return invalidf("more than %d control results", maxControls)
	}
	fps := make(map[string]bool, len(in.Findings))
	for i := range in.Findings {
		f := &in.Findings[i]
		for _, c := range []struct {
			field    string
			v        string
			max      int
			required bool
		}{
			{"fingerprint", f.Fingerprint, maxShortText, true},
			{"control", f.Control, maxShortText, true},
			{"section", f.Section, maxShortText, false},
			{"rule", f.Rule, maxShortText, true},
			{"target", f.Target, maxLocator, false},
			{"location", f.Location, maxLocation, false},
			{"message", f.Message, maxMessage, false},
		} {
			if err := checkText(fmt.Sprintf("finding %d: %s", i, c.field), c.v, c.max, c.required); err != nil {
				return err
			}
		}
		if !severities[f.Severity] {
			return invalidf("finding %d: severity %q (want info, low, medium, high or critical)", i, f.Severity)
		}
		if f.Status != FindingOpen && f.Status != FindingSuppressed {
			return invalidf("finding %d: status %q (want open or suppressed)", i, f.Status)
		}
		if fps[f.Fingerprint] {
			return invalidf("finding %d: fingerprint %q appears twice in one scan", i, f.Fingerprint)
		}
		fps[f.Fingerprint] = true
	}
	for i, c := range in.Controls {
		if err := checkText(fmt.Sprintf("control result %d: control", i), c.Control, maxShortText, true); err != nil {
			return err
		}
		if err := checkText(fmt.Sprintf("control result %d: section", i), c.Section, maxShortText, false); err != nil {
			return err
		}
		if err := checkText(fmt.Sprintf("control result %d: target", i), c.Target, maxLocator, false); err != nil {
			return err
		}
		switch c.Status {
		case Pass, Fail, Deviation, NotApplicable, Unknown:
		default:
			return invalidf("control result %d: status %q", i, c.Status)
		}
	}
	return nil
}

// sectionOf is the section a finding or result counts under.
func sectionOf(section, control string) string {
	if section != "" {
		return section
	}
	if p, _, ok := strings.Cut(control, "-"); ok && p != "" {
		return p
	}
	return control
}
