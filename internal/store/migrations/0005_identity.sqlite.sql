-- Users, sessions, API tokens, enrolment links and login throttling for posture serve
-- (P6 items 3 and 4). Every secret the server hands out (session ID, API token,
-- enrolment link, known-device cookie) is stored only as its SHA-256, so a copy of the
-- database does not let anyone sign in. Timestamps are fixed-width UTC text
-- (Dialect.TimeValue); AUTOINCREMENT so that ids named in audit events are never reused.
CREATE TABLE users (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	name          TEXT NOT NULL,
	-- Lower-cased by the store, so uniqueness does not depend on collation.
	email         TEXT NOT NULL UNIQUE,
	role          TEXT NOT NULL CHECK (role IN ('viewer', 'engineer', 'approver', 'admin', 'auditor')),
	disabled      BOOLEAN NOT NULL DEFAULT FALSE,
	created_at    TEXT NOT NULL,
	-- argon2id in PHC string form; NULL until the user enrols a password.
	password_hash TEXT,
	-- RFC 6238 shared secret; NULL until enrolled.
	totp_secret   BLOB,
	-- The last TOTP time step accepted, so a code cannot be replayed within its window.
	totp_last_step BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
	id_hash      BLOB PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at   TEXT NOT NULL,
	last_seen_at TEXT NOT NULL,
	-- The absolute timeout, fixed at creation.
	expires_at   TEXT NOT NULL,
	revoked_at   TEXT,
	-- How the user signed in (password+totp, passkey, oidc), for the audit trail and UI.
	method       TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	token_hash   BLOB NOT NULL UNIQUE,
	name         TEXT NOT NULL,
	-- Space-separated scopes, e.g. "scans:write metrics:read".
	scopes       TEXT NOT NULL,
	created_by   TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	expires_at   TEXT NOT NULL,
	last_used_at TEXT,
	revoked_at   TEXT
);

CREATE TABLE enrolments (
	token_hash BLOB PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	used_at    TEXT
);

-- Browsers that have signed in to an account before; see docs/server.md, "Login rate
-- limiting", for why they get their own throttle bucket.
CREATE TABLE known_devices (
	id_hash      BLOB PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at   TEXT NOT NULL,
	last_used_at TEXT NOT NULL
);

CREATE TABLE login_throttle (
	bucket          TEXT PRIMARY KEY,
	failures        INTEGER NOT NULL,
	last_failure_at TEXT NOT NULL,
	locked_until    TEXT NOT NULL
);
