-- Loop runs and everything that happened in them, so `cfn loop status` can show a run live or
-- after the fact.

CREATE TABLE loop_runs (
    task_id       TEXT PRIMARY KEY,
    repo_id       INTEGER REFERENCES repositories(id) ON DELETE SET NULL,
    branch        TEXT,
    epic          TEXT NOT NULL,
    mode          TEXT NOT NULL,
    bus           TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'running'
                  CHECK (status IN ('running', 'proceed', 'abort', 'exhausted', 'failed')),
    reason        TEXT,
    iterations    INTEGER NOT NULL DEFAULT 0,
    started_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    finished_at   TEXT
);

CREATE TABLE loop_events (
    id         INTEGER PRIMARY KEY,
    task_id    TEXT NOT NULL REFERENCES loop_runs(task_id) ON DELETE CASCADE,
    iteration  INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL,
    at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX loop_events_task ON loop_events(task_id, id);

ALTER TABLE approval_history ADD COLUMN task_id TEXT;
ALTER TABLE approval_history ADD COLUMN iteration INTEGER;
