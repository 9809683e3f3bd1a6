-- Back to the seven statuses: an interrupted run reads as failed; steps and turns go.

DROP TABLE loop_turns;
DROP TABLE loop_steps;

CREATE TABLE loop_runs_v9 (
    task_id       TEXT PRIMARY KEY,
    repo_id       INTEGER REFERENCES repositories(id) ON DELETE SET NULL,
    branch        TEXT,
    epic          TEXT NOT NULL,
    mode          TEXT NOT NULL,
    bus           TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'running'
                  CHECK (status IN ('running', 'proceed', 'abort', 'exhausted', 'failed', 'budget', 'escalate')),
    reason        TEXT,
    iterations    INTEGER NOT NULL DEFAULT 0,
    started_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    finished_at   TEXT
);
INSERT INTO loop_runs_v9 SELECT task_id, repo_id, branch, epic, mode, bus,
    CASE WHEN status = 'interrupted' THEN 'failed' ELSE status END,
    reason, iterations, started_at, finished_at FROM loop_runs;

CREATE TABLE loop_events_v9 (
    id         INTEGER PRIMARY KEY,
    task_id    TEXT NOT NULL REFERENCES loop_runs_v9(task_id) ON DELETE CASCADE,
    iteration  INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL,
    at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
INSERT INTO loop_events_v9 SELECT id, task_id, iteration, kind, data, at FROM loop_events;

DROP TABLE loop_events;
DROP TABLE loop_runs;
ALTER TABLE loop_runs_v9 RENAME TO loop_runs;
ALTER TABLE loop_events_v9 RENAME TO loop_events;
CREATE INDEX loop_events_task ON loop_events(task_id, id);
