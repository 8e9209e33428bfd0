package engine

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/deviation"
	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
)

// deviationsProbe is the name under which the engine itself reports on ST-2.
const deviationsProbe = "engine/deviations"

// evaluate turns the probe outcomes of one target into a status per selected control.
func evaluate(tr *targetRun, opt Options, now time.Time) *TargetResult {
	res := tr.res
	t := tr.target
	if fs := t.Files; fs != nil {
		res.FileCount = fs.Len()
		res.FileSource = fs.Source
		res.Exclusions = fs.Exclusions
		res.Skipped = fs.Skipped()
		res.Notes = fs.Notes()
	}
	sort.Slice(res.Probes, func(i, j int) bool { return res.Probes[i].Probe < res.Probes[j].Probe })

	findings := collect(tr, opt)
	assignFingerprints(findings)

	// The engine speaks for ST-2 on repositories: deviations are read and judged here.
	var st2 *probeOutcomeST2
	if tr.setupErr == nil && (t.Kind == policy.KindRepo || len(opt.Deviations) > 0) {
		root := ""
		if t.Kind == policy.KindRepo {
			root = t.Root
		}
		st2 = applyDeviations(root, opt.Deviations, findings, opt.Pack, now)
		res.Deviations = st2.states
		if c := opt.Pack.Control("ST-2"); c != nil && selected(c, opt) {
			for _, f := range st2.findings {
				f.Target, f.Severity = t.Name, c.Severity
				findings = append(findings, f)
			}
		}
		assignFingerprints(findings)
	}
	sortFindings(findings)

	byControl := map[string][]finding.Finding{}
	for _, f := range findings {
		byControl[f.Control] = append(byControl[f.Control], f)
	}

	for i := range opt.Pack.Controls {
		c := &opt.Pack.Controls[i]
		if !selected(c, opt) {
			continue
		}
		cr := &ControlResult{Control: c, Section: opt.Pack.Section(c.Section)}
		res.Controls = append(res.Controls, cr)
		switch {
		case c.NotApplicable != "":
			cr.Status, cr.Reason = finding.NotApplicable, "marked not applicable in the policy pack: "+c.NotApplicable
			continue
		case !c.AppliesTo(t.Kind):
			cr.Status, cr.Reason = finding.NotApplicable, fmt.Sprintf("checked on %s targets, not %s", joinKinds(c.Targets), t.Kind)
			continue
		case tr.setupErr != nil:
			cr.Status, cr.Reason = finding.Unknown, tr.setupErr.Error()
			continue
		}
		cr.Findings = byControl[c.ID]
		decide(cr, tr, opt, st2)
	}
	return res
}

// decide sets a control's status from its findings and what each probe said about it.
// Precedence: an open finding fails the control; otherwise anything undecided makes it
// unknown; otherwise silenced findings make it a deviation; otherwise it passes if at
// least one probe examined something, and is not applicable if none had anything to examine.
// Info-severity findings are notes (a certificate renewing in 40 days, no OCSP staple):
// worth showing under the control, but they do not break it.
func decide(cr *ControlResult, tr *targetRun, opt Options, st2 *probeOutcomeST2) {
	id := cr.Control.ID
	var checked, na, unknown, evidence []string
	for _, p := range opt.Probes {
		if !slices.Contains(p.Controls(), id) || !slices.Contains(p.Kinds(), tr.target.Kind) {
			continue
		}
		o, ran := tr.out[p.Name()]
		switch {
		case !ran:
			unknown = append(unknown, p.Name()+": did not run (scan interrupted)")
		case o.err != nil:
			unknown = append(unknown, p.Name()+": "+o.err.Error())
		case o.result.Unknown[id] != "":
			unknown = append(unknown, p.Name()+": "+o.result.Unknown[id])
		case o.result.NotApplicable[id] != "":
			na = append(na, o.result.NotApplicable[id])
		default:
			checked = append(checked, p.Name())
			if e := o.result.Evidence[id]; e != "" {
				evidence = append(evidence, p.Name()+": "+e)
			}
		}
	}
	if id == "ST-2" && st2 != nil {
		if st2.err != nil {
			unknown = append(unknown, deviationsProbe+": "+st2.err.Error())
		} else {
			checked = append(checked, deviationsProbe)
		}
	}

	open, silenced, notes := 0, 0, 0
	for _, f := range cr.Findings {
		switch {
		case f.Suppressed != nil:
			silenced++
		case f.Severity == policy.Info:
			notes++
		default:
			open++
		}
	}
	switch {
	case open > 0:
		cr.Status = finding.Fail
		cr.Reason = fmt.Sprintf("%d open finding%s", open, plural(open))
		if silenced > 0 {
			cr.Reason += fmt.Sprintf(", %d silenced by deviations", silenced)
		}
		if len(unknown) > 0 {
			cr.Reason += "; also not fully checked: " + strings.Join(unknown, "; ")
		}
	case len(unknown) > 0:
		cr.Status, cr.Reason = finding.Unknown, strings.Join(unknown, "; ")
	case silenced > 0:
		cr.Status = finding.Deviation
		cr.Reason = fmt.Sprintf("%d finding%s silenced by approved, unexpired deviations", silenced, plural(silenced))
	case len(checked) > 0:
		cr.Status, cr.Reason = finding.Pass, "checked by "+strings.Join(checked, ", ")
		if len(evidence) > 0 {
			cr.Reason += "; " + strings.Join(evidence, "; ")
		}
		if len(na) > 0 {
			cr.Reason += "; " + strings.Join(na, "; ")
		}
		if notes > 0 {
			cr.Reason += fmt.Sprintf("; %d note%s", notes, plural(notes))
		}
	case len(na) > 0:
		cr.Status, cr.Reason = finding.NotApplicable, strings.Join(na, "; ")
	case !cr.Control.Automated():
		cr.Status, cr.Reason = finding.Unknown, "verified from records held by posture serve, not by scanning"
	default:
		cr.Status, cr.Reason = finding.Unknown, fmt.Sprintf("no automated check for %s targets in this version of posture", tr.target.Kind)
	}
}

// collect gathers the findings of every probe, dropping those for controls outside the
// selection, and fills in target and severity.
func collect(tr *targetRun, opt Options) []finding.Finding {
	var out []finding.Finding
	names := make([]string, 0, len(tr.out))
	for n := range tr.out {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		o := tr.out[n]
		if o.err != nil || o.result == nil {
			continue
		}
		for _, f := range o.result.Findings {
			c := opt.Pack.Control(f.Control)
			if c == nil || !selected(c, opt) || c.NotApplicable != "" || !c.AppliesTo(tr.target.Kind) {
				continue
			}
			// A pack that raises a control's severity raises its findings, but not its
			// notes: an info finding is an observation, not a break of the control.
			if f.Severity == "" || (c.SeverityOverridden && f.Severity != policy.Info) {
				f.Severity = c.Severity
			}
			if f.Rule == "" {
				f.Rule = n
			}
			f.Target = tr.target.Name
			out = append(out, f)
		}
	}
	return out
}

// assignFingerprints gives each finding its stable fingerprint. Identical (rule, place,
// key) triples are numbered in line order so that each keeps a distinct identity.
func assignFingerprints(fs []finding.Finding) {
	sortFindings(fs)
	seen := map[string]int{}
	for i := range fs {
		f := &fs[i]
		key := f.Key
		if key == "" {
			key = f.Message
		}
		id := f.Rule + "\x00" + f.Location.Path + "\x00" + f.Location.URL + "\x00" + key
		f.Fingerprint = finding.Fingerprint(f.Rule, f.Location, key, seen[id])
		seen[id]++
	}
}

type probeOutcomeST2 struct {
	states   []DeviationState
	findings []finding.Finding
	err      error
}

// applyDeviations silences findings covered by deviations in force — the repository
// file's (root is empty for other targets) and the extra ones — and reports every
// deviation that is not in force under ST-2.
func applyDeviations(root string, extra []deviation.Deviation, fs []finding.Finding, pack *policy.Pack, now time.Time) *probeOutcomeST2 {
	out := &probeOutcomeST2{}
	var devs []deviation.Deviation
	if root != "" {
		var err error
		if devs, err = deviation.Load(root); err != nil {
			out.err = fmt.Errorf("deviations could not be read, so none silence anything: %w", err)
			return out
		}
	}
	devs = append(devs, extra...)
	ids := map[string]int{}
	for _, d := range devs {
		ids[d.ID]++
	}
	for _, d := range devs {
		st := DeviationState{Deviation: d, Problems: d.Problems(now, pack)}
		if d.ID != "" && ids[d.ID] > 1 {
			st.Problems = append(st.Problems, "shares its id with another deviation")
		}
		st.InForce = len(st.Problems) == 0
		if st.InForce {
			for i := range fs {
				if fs[i].Suppressed == nil && d.Matches(&fs[i]) {
					fs[i].Suppressed = &finding.Suppression{Deviation: d.ID, Reason: d.Reason, ApprovedBy: d.ApprovedBy, Expires: d.Expires}
					st.Silenced++
				}
			}
		} else {
			label := d.ID
			if label == "" {
				label = "(no id)"
			}
			out.findings = append(out.findings, finding.Finding{
				Control:  "ST-2",
				Rule:     deviationsProbe + "/not-in-force",
				Location: deviationLocation(d),
				Message:  fmt.Sprintf("Deviation %s for %s silences nothing: it %s.", label, orNone(d.Control), strings.Join(st.Problems, "; ")),
				Evidence: finding.Plain(fmt.Sprintf("requested_by=%q approved_by=%q approved_on=%s expires=%s", d.RequestedBy, d.ApprovedBy, d.ApprovedOn, d.Expires)),
				Fix:      "Have someone other than the requester approve the deviation with a new expiry date, or fix the findings and delete it.",
				Key:      label,
			})
		}
		out.states = append(out.states, st)
	}
	return out
}

func deviationLocation(d deviation.Deviation) finding.Location {
	if d.Source != "" {
		return finding.Location{URL: d.Source}
	}
	return finding.Location{Path: deviation.File, Line: d.Line}
}

func orNone(s string) string {
	if s == "" {
		return "no control"
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func joinKinds(ks []policy.TargetKind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}
