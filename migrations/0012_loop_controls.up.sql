-- A live loop run takes requests from outside its coordinator (`cfn loop kill-agent`,
-- `cfn loop add-agent`, `cfn loop decide`, the portal): each is a row here that the coordinator,
-- watching the database's data_version, handles and answers (`handled_at`, `outcome`, and the
-- iteration it acted in). A run waiting for a person's decision says what it waits with
-- (`loop_runs.waiting`, JSON; NULL when it does not wait).

CREATE TABLE loop_controls (
    id           INTEGER PRIMARY KEY,
    task_id      TEXT NOT NULL REFERENCES loop_runs(task_id) ON DELETE CASCADE,
    action       TEXT NOT NULL CHECK (action IN ('kill', 'spawn', 'decide')),
    agent        TEXT,
    data         TEXT NOT NULL DEFAULT '{}',
    requested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    handled_at   TEXT,
    outcome      TEXT,
    iteration    INTEGER
);
CREATE INDEX loop_controls_task ON loop_controls(task_id, id);

ALTER TABLE loop_runs ADD COLUMN waiting TEXT;
