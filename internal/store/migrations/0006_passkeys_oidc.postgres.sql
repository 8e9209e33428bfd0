-- Passkeys (WebAuthn) and OIDC sign-in for posture serve (P6 item 3). Ceremony state
-- (WebAuthn challenges, OIDC state/nonce/PKCE verifier) lives here, not in process
-- memory, so that any replica can finish a sign-in another one began; each row is
-- single-use (taken with DELETE … RETURNING) and expires within minutes.

-- The WebAuthn user handle of an account: 32 random bytes, so that authenticators never
-- hold the email address or a guessable id. Written when the first passkey is stored.
CREATE TABLE webauthn_handles (
	user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	handle  BYTEA NOT NULL UNIQUE
);

CREATE TABLE webauthn_credentials (
	id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	credential_id BYTEA NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	-- The verified credential record (public key, AAGUID, flags, transports) as JSON.
	data          TEXT NOT NULL,
	-- Kept out of data so that it can be advanced with a compare-and-swap UPDATE.
	sign_count    BIGINT NOT NULL DEFAULT 0,
	-- Set when an assertion's counter did not increase: the key may have been copied.
	-- Such a credential no longer signs in until an admin looks at it.
	clone_warning BOOLEAN NOT NULL DEFAULT FALSE,
	created_at    TIMESTAMPTZ NOT NULL,
	last_used_at  TIMESTAMPTZ
);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id);

CREATE TABLE webauthn_challenges (
	-- SHA-256 of the ceremony id held in the browser's cookie.
	id_hash        BYTEA PRIMARY KEY,
	purpose        TEXT NOT NULL CHECK (purpose IN ('login', 'enrol', 'register')),
	-- The account the ceremony is for; NULL for a discoverable (username-less) login.
	user_id        BIGINT REFERENCES users (id) ON DELETE CASCADE,
	-- For purpose 'enrol': the enrolment link the ceremony belongs to.
	enrolment_hash BYTEA,
	-- go-webauthn's SessionData (challenge, user handle, allowed credentials) as JSON.
	session_data   TEXT NOT NULL,
	created_at     TIMESTAMPTZ NOT NULL,
	expires_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX webauthn_challenges_expires ON webauthn_challenges (expires_at);

-- Accounts are matched by (issuer, subject), never by email: an address can be
-- reassigned, the subject of an issuer cannot.
CREATE TABLE oidc_identities (
	issuer        TEXT NOT NULL,
	subject       TEXT NOT NULL,
	user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	email         TEXT NOT NULL,
	created_at    TIMESTAMPTZ NOT NULL,
	last_login_at TIMESTAMPTZ,
	PRIMARY KEY (issuer, subject)
);
CREATE INDEX oidc_identities_user ON oidc_identities (user_id);

CREATE TABLE oidc_states (
	-- SHA-256 of the state parameter.
	state_hash    BYTEA PRIMARY KEY,
	-- SHA-256 of the pre-session cookie of the browser that began the sign-in.
	browser_hash  BYTEA NOT NULL,
	nonce         TEXT NOT NULL,
	-- The PKCE code verifier; only useful with the authorization code, and deleted with
	-- the row when the callback arrives.
	pkce_verifier TEXT NOT NULL,
	next_path     TEXT NOT NULL,
	created_at    TIMESTAMPTZ NOT NULL,
	expires_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX oidc_states_expires ON oidc_states (expires_at);
