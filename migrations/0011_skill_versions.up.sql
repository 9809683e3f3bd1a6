-- Skills become versioned per repository: a skill's file whose content changed is a new row
-- (version + 1) rather than an overwrite, so the approval history of a run names the exact
-- content an agent was given. The name alone was unique; (repository, name, version) is now.
-- The approval history records which version of a skill it is about.

CREATE TABLE skills_v11 (
    id            INTEGER PRIMARY KEY,
    repo_id       INTEGER REFERENCES repositories(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    content_hash  TEXT NOT NULL,
    content_path  TEXT NOT NULL,
    mcp_servers   TEXT NOT NULL DEFAULT '[]',
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (repo_id, name, version)
);
INSERT INTO skills_v11 (id, name, version, content_hash, content_path, created_at, updated_at)
    SELECT id, name, 1, content_hash, content_path, created_at, updated_at FROM skills;
DROP TABLE skills;
ALTER TABLE skills_v11 RENAME TO skills;
CREATE INDEX skills_name ON skills(repo_id, name, version);

ALTER TABLE approval_history ADD COLUMN skill_version INTEGER;
