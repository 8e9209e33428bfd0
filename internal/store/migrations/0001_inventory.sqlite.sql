-- Systems and what they consist of (P6 item 6). Timestamps are fixed-width UTC text
-- (see Dialect.TimeValue); AUTOINCREMENT so that an id is never reused, because audit
-- events refer to systems by id.
CREATE TABLE systems (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	name           TEXT NOT NULL UNIQUE,
	owner          TEXT NOT NULL,
	environment    TEXT NOT NULL CHECK (environment IN ('dev', 'staging', 'prod')),
	classification TEXT NOT NULL CHECK (classification IN ('public', 'internal', 'confidential', 'restricted')),
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL
);

CREATE TABLE system_targets (
	system_id INTEGER NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
	kind      TEXT NOT NULL CHECK (kind IN ('repo', 'endpoint', 'host')),
	locator   TEXT NOT NULL,
	PRIMARY KEY (system_id, kind, locator)
);
