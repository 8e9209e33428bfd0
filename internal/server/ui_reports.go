package server

import (
	"container/list"
	"context"
	"fmt"
	"sync"
)

// The database keeps per finding what lists and diffs need; the rest of a finding
// (evidence, fix) and each control's status and reason per target stay in the stored
// report. The system and control pages read them from there, parsed once per scan.

// reportDetails is what the pages need from one stored report.
type reportDetails struct {
	Controls []controlRow
	// Findings by stored fingerprint.
	Findings map[string]findingDetail
}

type controlRow struct {
	Target, ID, Title, Section, Status, Reason string
	Findings                                   int
}

type findingDetail struct {
	Evidence string
	Redacted bool
	Fix      string
}

func detailsOf(rep *uploadedReport) *reportDetails {
	d := &reportDetails{Findings: map[string]findingDetail{}}
	for _, t := range rep.Targets {
		for _, c := range t.Controls {
			d.Controls = append(d.Controls, controlRow{Target: t.Name, ID: c.ID, Title: c.Title, Section: c.Section, Status: c.Status, Reason: c.Reason, Findings: len(c.Findings)})
			for _, f := range c.Findings {
				d.Findings[storedFingerprint(len(rep.Targets), t.Name, f.Fingerprint)] = findingDetail{Evidence: f.Evidence.Text, Redacted: f.Evidence.Redacted, Fix: f.Fix}
			}
		}
	}
	return d
}

// reportCache is a small LRU of parsed report details by scan ID.
type reportCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // of int64, most recent first
	items map[int64]*list.Element
	vals  map[int64]*reportDetails
}

func newReportCache(max int) *reportCache {
	return &reportCache{max: max, order: list.New(), items: map[int64]*list.Element{}, vals: map[int64]*reportDetails{}}
}

func (c *reportCache) get(id int64) *reportDetails {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[id]; ok {
		c.order.MoveToFront(e)
		return c.vals[id]
	}
	return nil
}

func (c *reportCache) put(id int64, d *reportDetails) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[id]; ok {
		c.order.MoveToFront(e)
		c.vals[id] = d
		return
	}
	c.items[id] = c.order.PushFront(id)
	c.vals[id] = d
	for c.order.Len() > c.max {
		e := c.order.Back()
		old := e.Value.(int64)
		c.order.Remove(e)
		delete(c.items, old)
		delete(c.vals, old)
	}
}

// scanDetails returns the parsed details of a stored scan's report; nil details (no
// error) when the scan was stored without a report.
func (s *Server) scanDetails(ctx context.Context, scanID int64) (*reportDetails, error) {
	if d := s.ui.reports.get(scanID); d != nil {
		return d, nil
	}
	raw, err := s.st.ScanReport(ctx, scanID)
	if err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, nil
	}
	rep, err := decodeReport(raw)
	if err != nil {
		// It was checked on upload; failing now means the stored copy or the decoder changed.
		return nil, fmt.Errorf("stored report of scan %d: %w", scanID, err)
	}
	d := detailsOf(rep)
	s.ui.reports.put(scanID, d)
	return d, nil
}
