-- What happened to the registry itself: a damaged state database moved aside ('set_aside'),
-- or a repository's worktrees registered again from what their files and the engine knew
-- ('rebuilt'). `cfn doctor` shows the recent ones, so a lost registry never passes silently.
CREATE TABLE registry_events (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    kind       TEXT NOT NULL CHECK (kind IN ('set_aside', 'rebuilt')),
    repo_root  TEXT,
    message    TEXT NOT NULL
);
CREATE INDEX registry_events_kind ON registry_events(kind, repo_root);
