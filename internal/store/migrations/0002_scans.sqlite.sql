-- Scan history (P6 item 6): one row per uploaded scan, its findings, and per policy
-- section the counts the dashboard charts, computed once when the scan is recorded so
-- that "posture per section × system over time" never aggregates raw findings.
CREATE TABLE scans (
	id                  INTEGER PRIMARY KEY AUTOINCREMENT,
	system_id           INTEGER NOT NULL REFERENCES systems (id),
	-- Who uploaded it: an API token or user id; a placeholder until identity lands.
	uploaded_by         TEXT NOT NULL,
	started_at          TEXT NOT NULL,
	finished_at         TEXT NOT NULL,
	recorded_at         TEXT NOT NULL,
	tool_version        TEXT NOT NULL,
	pack_version        TEXT NOT NULL,
	findings_total      INTEGER NOT NULL,
	findings_open       INTEGER NOT NULL,
	findings_suppressed INTEGER NOT NULL,
	open_critical       INTEGER NOT NULL,
	open_high           INTEGER NOT NULL,
	open_medium         INTEGER NOT NULL,
	open_low            INTEGER NOT NULL,
	open_info           INTEGER NOT NULL,
	-- The report as uploaded, gzip-compressed; its size and SHA-256 are of the
	-- uncompressed bytes.
	report_gzip         BLOB,
	report_size         BIGINT NOT NULL,
	report_sha256       TEXT NOT NULL
);

CREATE TABLE findings (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	scan_id     INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
	fingerprint TEXT NOT NULL,
	control     TEXT NOT NULL,
	section     TEXT NOT NULL,
	rule        TEXT NOT NULL,
	severity    TEXT NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
	target      TEXT NOT NULL,
	location    TEXT NOT NULL,
	message     TEXT NOT NULL,
	status      TEXT NOT NULL CHECK (status IN ('open', 'suppressed')),
	-- Also the index the new/recurring/fixed comparison of two scans looks up.
	UNIQUE (scan_id, fingerprint)
);

CREATE TABLE scan_sections (
	scan_id                 INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
	section                 TEXT NOT NULL,
	controls_pass           INTEGER NOT NULL,
	controls_fail           INTEGER NOT NULL,
	controls_deviation      INTEGER NOT NULL,
	controls_not_applicable INTEGER NOT NULL,
	controls_unknown        INTEGER NOT NULL,
	findings_open           INTEGER NOT NULL,
	findings_suppressed     INTEGER NOT NULL,
	open_critical           INTEGER NOT NULL,
	open_high               INTEGER NOT NULL,
	open_medium             INTEGER NOT NULL,
	open_low                INTEGER NOT NULL,
	open_info               INTEGER NOT NULL,
	PRIMARY KEY (scan_id, section)
);
