-- Alerts (P7 item 7): where alerts go, and every delivery with its attempts. A delivery
-- is made by a job (alert.deliver), so a slow or failing receiver never holds up the
-- action that raised the alert; (channel_id, event_key) is unique so that an event
-- raised twice (a re-run job, two replicas) is delivered once per channel.
CREATE TABLE alert_channels (
	id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name           TEXT NOT NULL UNIQUE,
	kind           TEXT NOT NULL CHECK (kind IN ('webhook', 'slack', 'email')),
	-- JSON: {"url":…} for webhooks, {"addr":…,"from":…,"to":[…],"username":…} for e-mail.
	config         TEXT NOT NULL,
	-- The HMAC key or SMTP password, wrapped by the key provider (never stored in clear).
	secret_wrapped BYTEA,
	secret_key_id  TEXT NOT NULL DEFAULT '',
	-- Space-separated event kinds, or '*' for all.
	events         TEXT NOT NULL,
	min_severity   TEXT NOT NULL CHECK (min_severity IN ('info', 'low', 'medium', 'high', 'critical')),
	enabled        BOOLEAN NOT NULL DEFAULT TRUE,
	created_by     TEXT NOT NULL,
	created_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE alert_deliveries (
	id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	channel_id  BIGINT NOT NULL REFERENCES alert_channels (id) ON DELETE CASCADE,
	event_kind  TEXT NOT NULL,
	event_key   TEXT NOT NULL,
	-- The event as JSON, what every attempt sends.
	event       TEXT NOT NULL,
	state       TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
	attempts    INTEGER NOT NULL DEFAULT 0,
	last_error  TEXT NOT NULL DEFAULT '',
	created_at  TIMESTAMPTZ NOT NULL,
	updated_at  TIMESTAMPTZ NOT NULL,
	sent_at     TIMESTAMPTZ,
	UNIQUE (channel_id, event_key)
);
CREATE INDEX alert_deliveries_created ON alert_deliveries (created_at);

-- Vulnerability matches of stored SBOMs already alerted on, so that re-matching after a
-- database update alerts on new matches only.
CREATE TABLE vuln_matches (
	system_id     BIGINT NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
	component     TEXT NOT NULL,
	vuln_id       TEXT NOT NULL,
	first_seen_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (system_id, component, vuln_id)
);
