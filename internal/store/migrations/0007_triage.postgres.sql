-- Triage of findings (P6 item 7): an engineer acknowledges a finding or marks it a false
-- positive, with a reason. Keyed by system and fingerprint, not by finding row, so the
-- decision follows the finding from scan to scan while it recurs. Who and when are kept
-- here for the page; the audit log keeps every change.
CREATE TABLE finding_triage (
	system_id   BIGINT NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
	fingerprint TEXT NOT NULL,
	state       TEXT NOT NULL CHECK (state IN ('acknowledged', 'false-positive')),
	reason      TEXT NOT NULL,
	triaged_by  TEXT NOT NULL,
	triaged_at  TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (system_id, fingerprint)
);

-- The findings page filters the latest scans' findings by severity and section.
CREATE INDEX findings_scan_severity ON findings (scan_id, severity);
