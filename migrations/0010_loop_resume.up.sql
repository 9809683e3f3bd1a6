-- A loop run survives its coordinator: `interrupted` (the coordinator died, or the bus was gone
-- past its deadline) joins the statuses; the run records who coordinates it (pid and start time,
-- so a reused pid is not taken for it) and the options `cfn loop resume` needs. Each finished
-- step of an iteration keeps its result (`loop_steps`) and each agent turn its process or
-- container and, once it ended, its outcome (`loop_turns`), so a resumed run replays what is
-- done and runs only what is not. The CHECK changes, so both loop tables are rebuilt as in 0009.

CREATE TABLE loop_runs_v10 (
    task_id       TEXT PRIMARY KEY,
    repo_id       INTEGER REFERENCES repositories(id) ON DELETE SET NULL,
    branch        TEXT,
    epic          TEXT NOT NULL,
    mode          TEXT NOT NULL,
    bus           TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'running'
                  CHECK (status IN ('running', 'proceed', 'abort', 'exhausted', 'failed', 'budget',
                                    'escalate', 'interrupted')),
    reason        TEXT,
    iterations    INTEGER NOT NULL DEFAULT 0,
    started_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    finished_at   TEXT,
    coordinator_pid     INTEGER,
    coordinator_started INTEGER,
    options       TEXT
);
INSERT INTO loop_runs_v10 (task_id, repo_id, branch, epic, mode, bus, status, reason, iterations,
    started_at, finished_at)
    SELECT task_id, repo_id, branch, epic, mode, bus, status, reason, iterations, started_at,
    finished_at FROM loop_runs;

CREATE TABLE loop_events_v10 (
    id         INTEGER PRIMARY KEY,
    task_id    TEXT NOT NULL REFERENCES loop_runs_v10(task_id) ON DELETE CASCADE,
    iteration  INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL,
    at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
INSERT INTO loop_events_v10 SELECT id, task_id, iteration, kind, data, at FROM loop_events;

DROP TABLE loop_events;
DROP TABLE loop_runs;
ALTER TABLE loop_runs_v10 RENAME TO loop_runs;
ALTER TABLE loop_events_v10 RENAME TO loop_events;
CREATE INDEX loop_events_task ON loop_events(task_id, id);

CREATE TABLE loop_steps (
    task_id    TEXT NOT NULL REFERENCES loop_runs(task_id) ON DELETE CASCADE,
    iteration  INTEGER NOT NULL,
    step       TEXT NOT NULL,
    result     TEXT NOT NULL,
    at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (task_id, iteration, step)
);

CREATE TABLE loop_turns (
    task_id       TEXT NOT NULL REFERENCES loop_runs(task_id) ON DELETE CASCADE,
    iteration     INTEGER NOT NULL,
    agent         TEXT NOT NULL,
    pid           INTEGER,
    pid_started   INTEGER,
    container     TEXT,
    turn          TEXT,
    recorded      INTEGER NOT NULL DEFAULT 0,
    started_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (task_id, iteration, agent)
);
