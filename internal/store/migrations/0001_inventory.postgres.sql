-- Systems and what they consist of (P6 item 6).
CREATE TABLE systems (
	id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name           TEXT NOT NULL UNIQUE,
	owner          TEXT NOT NULL,
	environment    TEXT NOT NULL CHECK (environment IN ('dev', 'staging', 'prod')),
	classification TEXT NOT NULL CHECK (classification IN ('public', 'internal', 'confidential', 'restricted')),
	created_at     TIMESTAMPTZ NOT NULL,
	updated_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE system_targets (
	system_id BIGINT NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
	kind      TEXT NOT NULL CHECK (kind IN ('repo', 'endpoint', 'host')),
	locator   TEXT NOT NULL,
	PRIMARY KEY (system_id, kind, locator)
);
