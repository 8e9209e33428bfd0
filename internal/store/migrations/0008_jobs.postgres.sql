-- The job queue and schedules (P7 item 6): jobs live in the database so that any replica
-- can run any job and a job survives the replica that was running it. A job is claimed
-- under a lease (lease_token, lease_until) that its worker renews; a worker that dies
-- stops renewing, the lease expires and another worker takes the job over.
CREATE TABLE jobs (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind         TEXT NOT NULL,
	-- JSON, written and read by the handler of kind.
	payload      TEXT NOT NULL,
	-- Set by callers that must not enqueue the same work twice (a schedule's run at
	-- one time, one alert to one channel); NULL otherwise.
	dedup_key    TEXT UNIQUE,
	state        TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
	run_at       TIMESTAMPTZ NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	max_attempts INTEGER NOT NULL,
	lease_token  TEXT,
	lease_owner  TEXT,
	lease_until  TIMESTAMPTZ,
	-- When the current or last attempt started.
	started_at   TIMESTAMPTZ,
	last_error   TEXT NOT NULL DEFAULT '',
	created_at   TIMESTAMPTZ NOT NULL,
	updated_at   TIMESTAMPTZ NOT NULL,
	finished_at  TIMESTAMPTZ
);
CREATE INDEX jobs_due ON jobs (state, run_at, id);
CREATE INDEX jobs_lease ON jobs (state, lease_until);
CREATE INDEX jobs_finished ON jobs (finished_at);

-- One row per attempt that ended (or whose lease expired): the job log.
CREATE TABLE job_runs (
	id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	job_id      BIGINT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
	attempt     INTEGER NOT NULL,
	worker      TEXT NOT NULL,
	started_at  TIMESTAMPTZ NOT NULL,
	finished_at TIMESTAMPTZ NOT NULL,
	outcome     TEXT NOT NULL CHECK (outcome IN ('done', 'retry', 'failed', 'lease-expired', 'lease-lost')),
	error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX job_runs_job ON job_runs (job_id, attempt);
CREATE INDEX job_runs_finished ON job_runs (finished_at);

-- Recurring work: a scan of a system, a backup, the retention purge. The scheduler
-- enqueues a job with dedup_key schedule:<id>:<due time>, so two replicas ticking at once
-- enqueue each run once.
CREATE TABLE schedules (
	id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	system_id   BIGINT REFERENCES systems (id) ON DELETE CASCADE,
	job_kind    TEXT NOT NULL,
	payload     TEXT NOT NULL,
	spec        TEXT NOT NULL,
	enabled     BOOLEAN NOT NULL DEFAULT TRUE,
	next_run_at TIMESTAMPTZ NOT NULL,
	last_run_at TIMESTAMPTZ,
	created_by  TEXT NOT NULL,
	created_at  TIMESTAMPTZ NOT NULL,
	updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX schedules_due ON schedules (enabled, next_run_at);
