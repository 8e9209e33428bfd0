-- Governance records, part 1 (P7 items 1-3): deviations approved on the server (ST-2),
-- emergency changes (CH-3, CH-4) and incidents (VM-5). Who did what is kept here for the
-- register pages; the audit log, written in the same transaction, keeps every step.
-- Statuses that follow from the clock (expired, overdue) are derived when read, never
-- stored, so every replica agrees without a background writer.

-- A deviation request and its decision. Every deviation belongs to a system; scope
-- narrows it to one repository target of the system, or to one finding fingerprint.
CREATE TABLE gov_deviations (
	id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	system_id        BIGINT NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
	control          TEXT NOT NULL,
	scope            TEXT NOT NULL CHECK (scope IN ('system', 'repository', 'fingerprint')),
	repository       TEXT NOT NULL DEFAULT '',
	fingerprint      TEXT NOT NULL DEFAULT '',
	reason           TEXT NOT NULL,
	compensating     TEXT NOT NULL,
	-- requester: the principal's actor string (user:ID:email) and user id (0 for none).
	requested_by     TEXT NOT NULL,
	requester_id     BIGINT NOT NULL,
	requested_at     TIMESTAMPTZ NOT NULL,
	expires_on       TEXT NOT NULL, -- YYYY-MM-DD, the last day the deviation holds
	state            TEXT NOT NULL CHECK (state IN ('requested', 'approved', 'rejected')),
	decided_by       TEXT NOT NULL DEFAULT '',
	decider_id       BIGINT NOT NULL DEFAULT 0,
	decided_at       TIMESTAMPTZ,
	decision_note    TEXT NOT NULL DEFAULT '',
	-- origin says where the request came from: 'server' or 'import' (the repository file).
	origin           TEXT NOT NULL DEFAULT 'server'
);
CREATE INDEX gov_deviations_system ON gov_deviations (system_id, state);

CREATE TABLE gov_incidents (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	title        TEXT NOT NULL,
	severity     TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
	owner        TEXT NOT NULL,
	phase        TEXT NOT NULL CHECK (phase IN ('triage', 'containment', 'eradication', 'recovery', 'review', 'closed')),
	opened_by    TEXT NOT NULL,
	opened_at    TIMESTAMPTZ NOT NULL,
	review       TEXT NOT NULL DEFAULT '', -- the post-incident review, required before closing
	reviewed_by  TEXT NOT NULL DEFAULT '',
	reviewed_at  TIMESTAMPTZ,
	closed_at    TIMESTAMPTZ
);

CREATE TABLE gov_incident_systems (
	incident_id BIGINT NOT NULL REFERENCES gov_incidents (id) ON DELETE CASCADE,
	system_id   BIGINT NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
	PRIMARY KEY (incident_id, system_id)
);

CREATE TABLE gov_incident_timeline (
	id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	incident_id BIGINT NOT NULL REFERENCES gov_incidents (id) ON DELETE CASCADE,
	at          TIMESTAMPTZ NOT NULL,
	author      TEXT NOT NULL,
	phase       TEXT NOT NULL,
	entry       TEXT NOT NULL
);
CREATE INDEX gov_incident_timeline_incident ON gov_incident_timeline (incident_id, at);

-- Findings (system/fingerprint) and emergency changes linked to an incident.
CREATE TABLE gov_incident_links (
	incident_id BIGINT NOT NULL REFERENCES gov_incidents (id) ON DELETE CASCADE,
	kind        TEXT NOT NULL CHECK (kind IN ('finding', 'change')),
	ref         TEXT NOT NULL,
	PRIMARY KEY (incident_id, kind, ref)
);

-- An emergency change made outside the normal process. The author (recorder) may not
-- approve it; the approval must come within 24 hours of the change.
CREATE TABLE gov_changes (
	id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	system_id     BIGINT NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
	summary       TEXT NOT NULL, -- what was changed
	reason        TEXT NOT NULL,
	changed_at    TIMESTAMPTZ NOT NULL,
	changed_by    TEXT NOT NULL, -- who made the change (as recorded)
	recorded_by   TEXT NOT NULL,
	recorder_id   BIGINT NOT NULL,
	recorded_at   TIMESTAMPTZ NOT NULL,
	incident_id   BIGINT REFERENCES gov_incidents (id) ON DELETE SET NULL,
	approved_by   TEXT NOT NULL DEFAULT '',
	approver_id   BIGINT NOT NULL DEFAULT 0,
	approved_at   TIMESTAMPTZ
);
CREATE INDEX gov_changes_system ON gov_changes (system_id, changed_at);
