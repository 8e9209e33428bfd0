-- Users, sessions, API tokens, enrolment links and login throttling for posture serve
-- (P6 items 3 and 4). Every secret the server hands out (session ID, API token,
-- enrolment link, known-device cookie) is stored only as its SHA-256, so a copy of the
-- database does not let anyone sign in. Identity columns so that ids named in audit events
-- are never reused.
CREATE TABLE users (
	id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name          TEXT NOT NULL,
	-- Lower-cased by the store, so uniqueness does not depend on collation.
	email         TEXT NOT NULL UNIQUE,
	role          TEXT NOT NULL CHECK (role IN ('viewer', 'engineer', 'approver', 'admin', 'auditor')),
	disabled      BOOLEAN NOT NULL DEFAULT FALSE,
	created_at    TIMESTAMPTZ NOT NULL,
	-- argon2id in PHC string form; NULL until the user enrols a password.
	password_hash TEXT,
	-- RFC 6238 shared secret; NULL until enrolled.
	totp_secret   BYTEA,
	-- The last TOTP time step accepted, so a code cannot be replayed within its window.
	totp_last_step BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
	id_hash      BYTEA PRIMARY KEY,
	user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at   TIMESTAMPTZ NOT NULL,
	last_seen_at TIMESTAMPTZ NOT NULL,
	-- The absolute timeout, fixed at creation.
	expires_at   TIMESTAMPTZ NOT NULL,
	revoked_at   TIMESTAMPTZ,
	-- How the user signed in (password+totp, passkey, oidc), for the audit trail and UI.
	method       TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	token_hash   BYTEA NOT NULL UNIQUE,
	name         TEXT NOT NULL,
	-- Space-separated scopes, e.g. "scans:write metrics:read".
	scopes       TEXT NOT NULL,
	created_by   TEXT NOT NULL,
	created_at   TIMESTAMPTZ NOT NULL,
	expires_at   TIMESTAMPTZ NOT NULL,
	last_used_at TIMESTAMPTZ,
	revoked_at   TIMESTAMPTZ
);

CREATE TABLE enrolments (
	token_hash BYTEA PRIMARY KEY,
	user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	used_at    TIMESTAMPTZ
);

-- Browsers that have signed in to an account before; see docs/server.md, "Login rate
-- limiting", for why they get their own throttle bucket.
CREATE TABLE known_devices (
	id_hash      BYTEA PRIMARY KEY,
	user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at   TIMESTAMPTZ NOT NULL,
	last_used_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE login_throttle (
	bucket          TEXT PRIMARY KEY,
	failures        INTEGER NOT NULL,
	last_failure_at TIMESTAMPTZ NOT NULL,
	locked_until    TIMESTAMPTZ NOT NULL
);
