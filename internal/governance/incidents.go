package governance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/posture-dev/posture/internal/store"
)

// Phases of an incident, in order (VM-5). "closed" follows the post-incident review.
var Phases = []string{"triage", "containment", "eradication", "recovery", "review", "closed"}

// Severities of an incident.
var Severities = []string{"low", "medium", "high", "critical"}

// IncidentInput opens an incident.
type IncidentInput struct {
	Title, Severity, Owner string
	Systems                []string
}

// OpenIncident records a new incident in triage.
func (s *Service) OpenIncident(ctx context.Context, a Actor, in IncidentInput) (int64, error) {
	const action = "incident.open"
	if err := mustPerson(a); err != nil {
		return 0, s.deny(ctx, a, action, "incident:new", err)
	}
	in.Title, in.Owner = strings.TrimSpace(in.Title), strings.TrimSpace(in.Owner)
	var bad error
	switch {
	case !slices.Contains(Severities, in.Severity):
		bad = invalid("severity: low, medium, high or critical")
	case checkLen("title", in.Title, 256, true) != nil:
		bad = checkLen("title", in.Title, 256, true)
	case checkLen("owner", in.Owner, 256, true) != nil:
		bad = checkLen("owner", in.Owner, 256, true)
	}
	var systems []store.IncidentSystem
	for _, name := range in.Systems {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		sys, err := s.St.SystemByName(ctx, name)
		if errors.Is(err, store.ErrNotFound) {
			bad = fmt.Errorf("system %q: %w", name, store.ErrNotFound)
			break
		} else if err != nil {
			return 0, err
		}
		systems = append(systems, store.IncidentSystem{ID: sys.ID, Name: sys.Name})
	}
	if bad != nil {
		return 0, s.deny(ctx, a, action, "incident:new", bad)
	}
	now := s.now()
	var newID int64
	err := s.do(ctx, a, action, "incident:new", map[string]string{"severity": in.Severity, "title": in.Title}, func(tx *store.Tx) error {
		var err error
		if newID, err = tx.InsertGovIncident(ctx, store.GovIncident{Title: in.Title, Severity: in.Severity, Owner: in.Owner, OpenedBy: a.Name, OpenedAt: now, Systems: systems}); err != nil {
			return err
		}
		return tx.AddTimelineEntry(ctx, newID, store.TimelineEntry{At: now, Author: a.Name, Phase: "triage", Entry: "Incident opened: " + in.Title})
	})
	return newID, err
}

// IncidentUpdate is one step on an incident: a timeline entry, a move to another
// phase, a link, or the post-incident review; any combination.
type IncidentUpdate struct {
	Entry  string
	Phase  string // the phase to move to; "" stays
	Review string // the post-incident review text
	// LinkFinding is "system/fingerprint"; LinkChange an emergency change id.
	LinkFinding string
	LinkChange  int64
}

// UpdateIncident applies an update. Phases only move forward, and an incident cannot
// close without its post-incident review.
func (s *Service) UpdateIncident(ctx context.Context, a Actor, incidentID int64, u IncidentUpdate) error {
	action, object := "incident.update", id("incident", incidentID)
	if err := mustPerson(a); err != nil {
		return s.deny(ctx, a, action, object, err)
	}
	u.Entry, u.Review, u.LinkFinding = strings.TrimSpace(u.Entry), strings.TrimSpace(u.Review), strings.TrimSpace(u.LinkFinding)
	if u.Phase != "" && !slices.Contains(Phases, u.Phase) {
		return s.deny(ctx, a, action, object, invalid("phase %q: %s", u.Phase, strings.Join(Phases, ", ")))
	}
	if u.LinkFinding != "" {
		sys, fp, ok := strings.Cut(u.LinkFinding, "/")
		if !ok || sys == "" || !fingerprintRE.MatchString(fp) {
			return s.deny(ctx, a, action, object, invalid("a linked finding is SYSTEM/FINGERPRINT"))
		}
	}
	if u.Entry == "" && u.Phase == "" && u.Review == "" && u.LinkFinding == "" && u.LinkChange == 0 {
		return s.deny(ctx, a, action, object, invalid("nothing to record"))
	}
	if u.Phase == "closed" {
		action = "incident.close"
	}
	now := s.now()
	details := map[string]string{"phase": u.Phase}
	return s.do(ctx, a, action, object, details, func(tx *store.Tx) error {
		in, err := store.GovIncidentByID(ctx, tx, incidentID)
		if err != nil {
			return fmt.Errorf("incident %d: %w", incidentID, err)
		}
		if in.Phase == "closed" {
			return fmt.Errorf("incident %d is closed: %w", incidentID, store.ErrConflict)
		}
		if u.Review != "" {
			if err := tx.SetIncidentReview(ctx, incidentID, u.Review, a.Name, now); err != nil {
				return err
			}
			in.Review = u.Review
			if err := tx.AddTimelineEntry(ctx, incidentID, store.TimelineEntry{At: now, Author: a.Name, Phase: in.Phase, Entry: "Post-incident review recorded."}); err != nil {
				return err
			}
		}
		if u.Phase != "" && u.Phase != in.Phase {
			if slices.Index(Phases, u.Phase) < slices.Index(Phases, in.Phase) {
				return invalid("incident %d is in %s; phases only move forward", incidentID, in.Phase)
			}
			if u.Phase == "closed" && in.Review == "" {
				return invalid("a post-incident review is required before closing")
			}
			if err := tx.SetIncidentPhase(ctx, incidentID, u.Phase, now); err != nil {
				return err
			}
			if err := tx.AddTimelineEntry(ctx, incidentID, store.TimelineEntry{At: now, Author: a.Name, Phase: u.Phase, Entry: "Moved from " + in.Phase + " to " + u.Phase + "."}); err != nil {
				return err
			}
			in.Phase = u.Phase
		}
		if u.Entry != "" {
			if err := tx.AddTimelineEntry(ctx, incidentID, store.TimelineEntry{At: now, Author: a.Name, Phase: in.Phase, Entry: u.Entry}); err != nil {
				return err
			}
		}
		if u.LinkFinding != "" {
			if err := tx.AddIncidentLink(ctx, incidentID, store.IncidentLink{Kind: "finding", Ref: u.LinkFinding}); err != nil {
				return err
			}
		}
		if u.LinkChange != 0 {
			if _, err := store.GovChangeByID(ctx, tx, u.LinkChange); err != nil {
				return fmt.Errorf("change %d: %w", u.LinkChange, err)
			}
			if err := tx.AddIncidentLink(ctx, incidentID, store.IncidentLink{Kind: "change", Ref: fmt.Sprint(u.LinkChange)}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Incidents lists incidents, newest first.
func (s *Service) Incidents(ctx context.Context) ([]store.GovIncident, error) {
	return store.GovIncidents(ctx, s.St)
}

// Incident reads one incident in full.
func (s *Service) Incident(ctx context.Context, incidentID int64) (store.GovIncident, error) {
	return store.GovIncidentByID(ctx, s.St, incidentID)
}

// IncidentMarkdown exports an incident as a Markdown document.
func IncidentMarkdown(in store.GovIncident) string {
	var b strings.Builder
	esc := func(s string) string {
		// Keep the reader's Markdown from turning record text into structure.
		r := strings.NewReplacer("\r", "", "<", "&lt;", ">", "&gt;", "|", "\\|")
		return r.Replace(s)
	}
	fmt.Fprintf(&b, "# Incident %d: %s\n\n", in.ID, esc(in.Title))
	fmt.Fprintf(&b, "| | |\n|---|---|\n| Severity | %s |\n| Owner | %s |\n| Phase | %s |\n| Opened | %s by %s |\n",
		in.Severity, esc(in.Owner), in.Phase, in.OpenedAt.Format("2006-01-02 15:04 UTC"), esc(Who(in.OpenedBy)))
	if !in.ClosedAt.IsZero() {
		fmt.Fprintf(&b, "| Closed | %s |\n", in.ClosedAt.Format("2006-01-02 15:04 UTC"))
	}
	b.WriteString("\n## Affected systems\n\n")
	if len(in.Systems) == 0 {
		b.WriteString("None recorded.\n")
	}
	for _, s := range in.Systems {
		fmt.Fprintf(&b, "- %s\n", esc(s.Name))
	}
	b.WriteString("\n## Timeline\n\n")
	for _, e := range in.Timeline {
		fmt.Fprintf(&b, "- **%s** (%s, %s): %s\n", e.At.Format("2006-01-02 15:04 UTC"), e.Phase, esc(Who(e.Author)), esc(strings.ReplaceAll(e.Entry, "\n", " ")))
	}
	b.WriteString("\n## Linked findings and changes\n\n")
	if len(in.Links) == 0 {
		b.WriteString("None.\n")
	}
	for _, l := range in.Links {
		fmt.Fprintf(&b, "- %s %s\n", l.Kind, esc(l.Ref))
	}
	b.WriteString("\n## Post-incident review\n\n")
	if in.Review == "" {
		b.WriteString("Not yet written.\n")
	} else {
		fmt.Fprintf(&b, "%s\n\n_Recorded by %s on %s._\n", esc(in.Review), esc(Who(in.ReviewedBy)), in.ReviewedAt.Format("2006-01-02"))
	}
	return b.String()
}
