-- Governance records, part 2 (P7 items 4 and 5): attestations with encrypted evidence
-- files, and policy pack versions with their reviews (PR-1).

-- An attestation that something was done for a system (a penetration test, a restore
-- test, an access review, …) on a day, valid for cadence_days.
CREATE TABLE gov_attestations (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	system_id     INTEGER NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
	kind          TEXT NOT NULL,
	control       TEXT NOT NULL,
	performed_on  TEXT NOT NULL, -- YYYY-MM-DD
	cadence_days  INTEGER NOT NULL CHECK (cadence_days > 0),
	summary       TEXT NOT NULL,
	recorded_by   TEXT NOT NULL,
	recorded_at   TEXT NOT NULL
);
CREATE INDEX gov_attestations_system ON gov_attestations (system_id, control, performed_on);

-- Evidence files, encrypted: the ciphertext lives in DATA/evidence/<file>, sealed with
-- a random data key that only the key provider can unwrap (wrapped_key, key_id). The
-- plaintext's SHA-256 lets an auditor compare a copy they were given.
CREATE TABLE gov_evidence (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	attestation_id INTEGER NOT NULL REFERENCES gov_attestations (id) ON DELETE CASCADE,
	name           TEXT NOT NULL,
	content_type   TEXT NOT NULL,
	size           INTEGER NOT NULL,
	sha256         TEXT NOT NULL,
	key_id         TEXT NOT NULL,
	wrapped_key    BLOB NOT NULL,
	file           TEXT NOT NULL UNIQUE,
	uploaded_by    TEXT NOT NULL,
	uploaded_at    TEXT NOT NULL
);
CREATE INDEX gov_evidence_attestation ON gov_evidence (attestation_id);

-- Policy pack versions loaded on the server, as uploaded, and their reviews.
CREATE TABLE gov_policy_packs (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	name          TEXT NOT NULL,
	version       TEXT NOT NULL,
	sha256        TEXT NOT NULL UNIQUE,
	body          BLOB NOT NULL,
	last_reviewed TEXT NOT NULL,
	expires       TEXT NOT NULL,
	uploaded_by   TEXT NOT NULL,
	uploaded_at   TEXT NOT NULL
);

CREATE TABLE gov_policy_reviews (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	pack_id      INTEGER NOT NULL REFERENCES gov_policy_packs (id) ON DELETE CASCADE,
	reviewer     TEXT NOT NULL,
	reviewed_on  TEXT NOT NULL, -- YYYY-MM-DD
	notes        TEXT NOT NULL,
	recorded_by  TEXT NOT NULL,
	recorded_at  TEXT NOT NULL
);
