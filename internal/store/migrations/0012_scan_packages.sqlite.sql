-- Packages of a scan (P7 item 6): what the scan found installed or locked, so that the
-- vulnerability database can be matched against a system again after it is updated,
-- without a rescan. Scans the server runs itself store every locked package of their
-- repository targets; uploaded scans store the packages their VM-3 findings name.
CREATE TABLE scan_packages (
	scan_id   INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
	target    TEXT NOT NULL,
	ecosystem TEXT NOT NULL,
	name      TEXT NOT NULL,
	version   TEXT NOT NULL,
	PRIMARY KEY (scan_id, target, ecosystem, name, version)
);

-- The vulnerability database the last re-match ran against (one row), so that a
-- periodic check re-matches only when `posture db update` has brought newer data.
CREATE TABLE vulndb_state (
	id           INTEGER PRIMARY KEY CHECK (id = 1),
	data_time    TEXT NOT NULL,
	rematched_at TEXT NOT NULL
);
