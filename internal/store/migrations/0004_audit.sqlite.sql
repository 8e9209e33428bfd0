-- The audit log (P6 item 5, controls LG-1, LG-2, LG-3, SC-6): hash-chained events, the
-- chain head every writer locks to take the next seq, and signed checkpoints.
-- seq is assigned by the writer holding the head, never by the database, so that it is
-- gapless; an identity column would leave gaps on rollback.
CREATE TABLE audit_events (
	seq        INTEGER PRIMARY KEY,
	at         TEXT NOT NULL,
	actor      TEXT NOT NULL,
	action     TEXT NOT NULL,
	object     TEXT NOT NULL,
	outcome    TEXT NOT NULL,
	request_id TEXT NOT NULL,
	source     TEXT NOT NULL,
	-- A JSON object of strings, secrets already redacted; hashed in canonical form.
	details    TEXT NOT NULL,
	prev_hash  BLOB NOT NULL,
	hash       BLOB NOT NULL
);
CREATE INDEX audit_events_at ON audit_events (at, seq);

-- One row: the last seq and its hash. Appenders lock it (BEGIN IMMEDIATE on SQLite,
-- SELECT … FOR UPDATE on PostgreSQL) so replicas sharing a database take turns.
CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  INTEGER NOT NULL,
	hash BLOB NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));

CREATE TABLE audit_checkpoints (
	seq       INTEGER PRIMARY KEY,
	hash      BLOB NOT NULL,
	at        TEXT NOT NULL,
	key_id    TEXT NOT NULL,
	algorithm TEXT NOT NULL,
	signature BLOB NOT NULL
);
