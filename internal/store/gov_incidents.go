package store

import (
	"context"
	"fmt"
	"time"
)

// GovIncident is a security incident (VM-5).
type GovIncident struct {
	ID         int64
	Title      string
	Severity   string
	Owner      string
	Phase      string
	OpenedBy   string
	OpenedAt   time.Time
	Review     string
	ReviewedBy string
	ReviewedAt time.Time
	ClosedAt   time.Time
	Systems    []IncidentSystem
	Timeline   []TimelineEntry
	Links      []IncidentLink
}

// IncidentSystem is a system affected by an incident.
type IncidentSystem struct {
	ID   int64
	Name string
}

// TimelineEntry is one line of an incident's timeline.
type TimelineEntry struct {
	At     time.Time
	Author string
	Phase  string
	Entry  string
}

// IncidentLink ties a finding ("system/fingerprint") or an emergency change (its id)
// to an incident.
type IncidentLink struct {
	Kind string // finding or change
	Ref  string
}

// InsertGovIncident stores a new incident in phase triage, with its affected systems.
func (t *Tx) InsertGovIncident(ctx context.Context, in GovIncident) (int64, error) {
	if err := checkTexts("insert incident", "title", in.Title, maxShortText, "severity", in.Severity, 16, "owner", in.Owner, maxShortText,
		"opened by", in.OpenedBy, maxShortText); err != nil {
		return 0, err
	}
	id, err := t.InsertID(ctx, `INSERT INTO gov_incidents (title, severity, owner, phase, opened_by, opened_at) VALUES (?, ?, ?, 'triage', ?, ?)`,
		in.Title, in.Severity, in.Owner, in.OpenedBy, t.d.TimeValue(in.OpenedAt))
	if err != nil {
		return 0, fmt.Errorf("insert incident: %w", err)
	}
	for _, s := range in.Systems {
		if _, err := t.Exec(ctx, `INSERT INTO gov_incident_systems (incident_id, system_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, s.ID); err != nil {
			return 0, fmt.Errorf("insert incident: system %d: %w", s.ID, err)
		}
	}
	return id, nil
}

// SetIncidentPhase moves an incident to a phase (closed sets closed_at).
func (t *Tx) SetIncidentPhase(ctx context.Context, id int64, phase string, at time.Time) error {
	var closed any
	if phase == "closed" {
		closed = t.d.TimeValue(at)
	}
	return mustAffect(t.Exec(ctx, `UPDATE gov_incidents SET phase = ?, closed_at = ? WHERE id = ?`, phase, closed, id))
}

// SetIncidentReview records the post-incident review.
func (t *Tx) SetIncidentReview(ctx context.Context, id int64, review, by string, at time.Time) error {
	if err := checkTexts("incident review", "review", review, maxGovText*4, "reviewed by", by, maxShortText); err != nil {
		return err
	}
	return mustAffect(t.Exec(ctx, `UPDATE gov_incidents SET review = ?, reviewed_by = ?, reviewed_at = ? WHERE id = ?`, review, by, t.d.TimeValue(at), id))
}

// AddTimelineEntry appends to an incident's timeline.
func (t *Tx) AddTimelineEntry(ctx context.Context, incidentID int64, e TimelineEntry) error {
	if err := checkTexts("timeline entry", "entry", e.Entry, maxGovText, "author", e.Author, maxShortText, "phase", e.Phase, 32); err != nil {
		return err
	}
	_, err := t.Exec(ctx, `INSERT INTO gov_incident_timeline (incident_id, at, author, phase, entry) VALUES (?, ?, ?, ?, ?)`,
		incidentID, t.d.TimeValue(e.At), e.Author, e.Phase, e.Entry)
	if err != nil {
		return fmt.Errorf("timeline entry: %w", err)
	}
	return nil
}

// AddIncidentLink links a finding or change to an incident (idempotent).
func (t *Tx) AddIncidentLink(ctx context.Context, incidentID int64, l IncidentLink) error {
	if err := checkTexts("incident link", "kind", l.Kind, 16, "ref", l.Ref, maxLocator); err != nil {
		return err
	}
	_, err := t.Exec(ctx, `INSERT INTO gov_incident_links (incident_id, kind, ref) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, incidentID, l.Kind, l.Ref)
	if err != nil {
		return fmt.Errorf("incident link: %w", err)
	}
	return nil
}

// GovIncidents lists incidents, newest first, without timelines.
func GovIncidents(ctx context.Context, q Querier) ([]GovIncident, error) {
	return queryIncidents(ctx, q, ` ORDER BY id DESC`)
}

// GovIncidentByID reads an incident with its systems, timeline and links.
func GovIncidentByID(ctx context.Context, q Querier, id int64) (GovIncident, error) {
	in, err := one(queryIncidents(ctx, q, ` WHERE id = ?`, id))
	if err != nil {
		return in, err
	}
	rows, err := q.Query(ctx, `SELECT s.id, s.name FROM gov_incident_systems i JOIN systems s ON s.id = i.system_id WHERE i.incident_id = ? ORDER BY s.name`, id)
	if err != nil {
		return in, fmt.Errorf("incident %d: %w", id, err)
	}
	for rows.Next() {
		var s IncidentSystem
		if err := rows.Scan(&s.ID, &s.Name); err != nil {
			rows.Close()
			return in, err
		}
		in.Systems = append(in.Systems, s)
	}
	rows.Close()
	rows, err = q.Query(ctx, `SELECT at, author, phase, entry FROM gov_incident_timeline WHERE incident_id = ? ORDER BY at, id`, id)
	if err != nil {
		return in, fmt.Errorf("incident %d: %w", id, err)
	}
	for rows.Next() {
		var e TimelineEntry
		if err := rows.Scan(TimeScanner(&e.At), &e.Author, &e.Phase, &e.Entry); err != nil {
			rows.Close()
			return in, err
		}
		in.Timeline = append(in.Timeline, e)
	}
	rows.Close()
	rows, err = q.Query(ctx, `SELECT kind, ref FROM gov_incident_links WHERE incident_id = ? ORDER BY kind, ref`, id)
	if err != nil {
		return in, fmt.Errorf("incident %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var l IncidentLink
		if err := rows.Scan(&l.Kind, &l.Ref); err != nil {
			return in, err
		}
		in.Links = append(in.Links, l)
	}
	return in, rowsErr("incident links", rows)
}

// IncidentIDsOfSystem lists the incidents affecting a system.
func IncidentIDsOfSystem(ctx context.Context, q Querier, systemID int64) ([]int64, error) {
	rows, err := q.Query(ctx, `SELECT incident_id FROM gov_incident_systems WHERE system_id = ? ORDER BY incident_id`, systemID)
	if err != nil {
		return nil, fmt.Errorf("incidents of system %d: %w", systemID, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rowsErr("incidents of system", rows)
}

func queryIncidents(ctx context.Context, q Querier, where string, args ...any) ([]GovIncident, error) {
	rows, err := q.Query(ctx, `SELECT id, title, severity, owner, phase, opened_by, opened_at, review, reviewed_by, reviewed_at, closed_at FROM gov_incidents`+where, args...)
	if err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	defer rows.Close()
	var out []GovIncident
	for rows.Next() {
		var in GovIncident
		if err := rows.Scan(&in.ID, &in.Title, &in.Severity, &in.Owner, &in.Phase, &in.OpenedBy, TimeScanner(&in.OpenedAt), &in.Review, &in.ReviewedBy,
			optTime{&in.ReviewedAt}, optTime{&in.ClosedAt}); err != nil {
			return nil, fmt.Errorf("incidents: %w", err)
		}
		out = append(out, in)
	}
	return out, rowsErr("incidents", rows)
}
