-- Project lifecycle hooks run only once the user approved them; an approval is tied to the
-- exact command (its hash), so a changed command is asked about again.
CREATE TABLE hook_approvals (
    repo_id       INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    hook          TEXT NOT NULL,
    command_hash  TEXT NOT NULL,
    approved_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (repo_id, hook, command_hash)
);
