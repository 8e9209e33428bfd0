package governance

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/store"
)

// AttestationKind is a type of attestation, the control it proves and how long one
// holds.
type AttestationKind struct {
	Kind        string
	Title       string
	Control     string
	CadenceDays int
}

// AttestationKinds is the catalogue. "other" attests any record control, named on the
// attestation.
var AttestationKinds = []AttestationKind{
	{"api-authentication", "API authentication design record", "CR-5", 365},
	{"access-review", "Access review of customer data", "CD-3", 90},
	{"redundancy-decision", "Redundancy and scaling decision", "SC-7", 365},
	{"scaling-review", "Multi-instance (N replicas) review", "SC-3", 365},
	{"backup-restore-test", "Backup restore test", "SC-4", 180},
	{"audit-log-review", "Audit-log review", "SC-6", 30},
	{"penetration-test", "Penetration test", "VM-4", 365},
	{"change-records-review", "Change records review", "CH-4", 90},
	{"other", "Other record", "", 365},
}

// Kind returns the catalogue entry for a kind, or nil.
func Kind(kind string) *AttestationKind {
	for i := range AttestationKinds {
		if AttestationKinds[i].Kind == kind {
			return &AttestationKinds[i]
		}
	}
	return nil
}

// AttestationInput records one attestation.
type AttestationInput struct {
	System      string
	Kind        string
	Control     string // default: the kind's
	PerformedOn string // YYYY-MM-DD
	CadenceDays int    // default: the kind's
	Summary     string
}

// EvidenceFile is an uploaded file, read in full (bounded by MaxEvidenceSize).
type EvidenceFile struct {
	Name string
	Data []byte
}

var safeNameRE = regexp.MustCompile(`[^A-Za-z0-9._ -]`)

// RecordAttestation stores an attestation and its evidence files, encrypted.
func (s *Service) RecordAttestation(ctx context.Context, a Actor, in AttestationInput, files []EvidenceFile) (int64, error) {
	const action = "attestation.record"
	object := "system:" + in.System
	if err := mustPerson(a); err != nil {
		return 0, s.deny(ctx, a, action, object, err)
	}
	sys, err := s.St.SystemByName(ctx, in.System)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return 0, s.deny(ctx, a, action, object, fmt.Errorf("system %q: %w", in.System, store.ErrNotFound))
		}
		return 0, err
	}
	if err := s.checkAttestation(&in); err != nil {
		return 0, s.deny(ctx, a, action, object, err)
	}
	type prepared struct {
		name, ct string
		size     int64
		sealed
	}
	var ready []prepared
	cleanup := func() {
		for _, p := range ready {
			os.Remove(filepath.Join(s.EvidenceDir, p.file))
		}
	}
	for _, f := range files {
		if len(f.Data) == 0 {
			continue
		}
		if len(f.Data) > MaxEvidenceSize {
			cleanup()
			return 0, s.deny(ctx, a, action, object, invalid("evidence %q is larger than %d MiB", f.Name, MaxEvidenceSize>>20))
		}
		ct, err := sniff(f.Data)
		if err != nil {
			cleanup()
			return 0, s.deny(ctx, a, action, object, err)
		}
		sl, err := s.sealEvidence(ctx, f.Data)
		if err != nil {
			cleanup()
			return 0, err
		}
		name := strings.TrimSpace(safeNameRE.ReplaceAllString(filepath.Base(f.Name), "_"))
		if name == "" || name == "." {
			name = "evidence"
		}
		if len(name) > 200 {
			name = name[:200]
		}
		ready = append(ready, prepared{name: name, ct: ct, size: int64(len(f.Data)), sealed: sl})
	}
	now := s.now()
	var newID int64
	err = s.do(ctx, a, action, object, map[string]string{"kind": in.Kind, "control": in.Control, "performed_on": in.PerformedOn, "evidence_files": fmt.Sprint(len(ready))}, func(tx *store.Tx) error {
		var err error
		newID, err = tx.InsertGovAttestation(ctx, store.GovAttestation{SystemID: sys.ID, Kind: in.Kind, Control: in.Control, PerformedOn: in.PerformedOn,
			CadenceDays: in.CadenceDays, Summary: in.Summary, RecordedBy: a.Name, RecordedAt: now})
		if err != nil {
			return err
		}
		for _, p := range ready {
			if _, err := tx.InsertGovEvidence(ctx, store.GovEvidence{AttestationID: newID, Name: p.name, ContentType: p.ct, Size: p.size, SHA256: p.sha,
				KeyID: p.keyID, WrappedKey: p.wrapped, File: p.file, UploadedBy: a.Name, UploadedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		cleanup()
		return 0, err
	}
	return newID, nil
}

func (s *Service) checkAttestation(in *AttestationInput) error {
	k := Kind(in.Kind)
	if k == nil {
		return invalid("attestation kind %q is not known", in.Kind)
	}
	in.Control = strings.ToUpper(strings.TrimSpace(in.Control))
	if in.Control == "" {
		in.Control = k.Control
	}
	c := s.pack().Control(in.Control)
	switch {
	case in.Control == "":
		return invalid("name the control this record proves")
	case c == nil:
		return invalid("control %q is not in the policy pack", in.Control)
	case !isRecordControl(c):
		return invalid("%s is not proven by a record in the policy pack", in.Control)
	}
	if in.CadenceDays == 0 {
		in.CadenceDays = k.CadenceDays
	}
	if in.CadenceDays < 1 || in.CadenceDays > 3*366 {
		return invalid("cadence: 1 to %d days", 3*366)
	}
	on, err := parseDay("performed on", in.PerformedOn)
	if err != nil {
		return err
	}
	if on.After(s.now()) {
		return invalid("performed on %s is in the future", in.PerformedOn)
	}
	in.PerformedOn = day(on)
	in.Summary = strings.TrimSpace(in.Summary)
	return checkLen("summary", in.Summary, 8000, true)
}

func isRecordControl(c *policy.Control) bool {
	for _, v := range c.Verification {
		if v == policy.Record {
			return true
		}
	}
	return false
}

// AttestationView is an attestation with its due date and state (current or overdue).
type AttestationView struct {
	store.GovAttestation
	Due     string
	Overdue bool
}

// Recorder is who recorded it.
func (v AttestationView) Recorder() string { return Who(v.RecordedBy) }

func attestationView(a store.GovAttestation, now time.Time) AttestationView {
	on, _ := time.Parse(time.DateOnly, a.PerformedOn)
	due := on.AddDate(0, 0, a.CadenceDays)
	return AttestationView{GovAttestation: a, Due: day(due), Overdue: day(due) < day(now)}
}

// Attestations lists a system's attestations ("" for all), latest first.
func (s *Service) Attestations(ctx context.Context, system string) ([]AttestationView, error) {
	sysID, err := s.systemID(ctx, system)
	if err != nil {
		return nil, err
	}
	list, err := store.GovAttestations(ctx, s.St, sysID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]AttestationView, len(list))
	for i, a := range list {
		out[i] = attestationView(a, now)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].PerformedOn > out[j].PerformedOn })
	return out, nil
}

// Evidence decrypts an evidence file for download; reading it is audited.
func (s *Service) Evidence(ctx context.Context, a Actor, evidenceID int64) (store.GovEvidence, []byte, error) {
	const action = "evidence.read"
	object := id("evidence", evidenceID)
	e, err := store.GovEvidenceByID(ctx, s.St, evidenceID)
	if err != nil {
		return e, nil, s.deny(ctx, a, action, object, err)
	}
	data, err := s.openEvidence(ctx, e.File, e.WrappedKey, e.SHA256)
	if err != nil {
		_ = s.Audit.Append(ctx, s.event(a, action, object, "error", map[string]string{"reason": err.Error()}))
		return e, nil, err
	}
	// The read is audited before the bytes leave: fail closed.
	if err := s.Audit.Append(ctx, s.event(a, action, object, "success", map[string]string{"sha256": e.SHA256})); err != nil {
		return e, nil, err
	}
	return e, data, nil
}
