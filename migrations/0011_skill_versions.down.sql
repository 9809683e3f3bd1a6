-- Back to one row per skill name: the latest version of each name is kept.

ALTER TABLE approval_history DROP COLUMN skill_version;

CREATE TABLE skills_v1 (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    content_hash  TEXT NOT NULL,
    content_path  TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
INSERT OR IGNORE INTO skills_v1 (id, name, content_hash, content_path, created_at, updated_at)
    SELECT id, name, content_hash, content_path, created_at, updated_at FROM skills
    ORDER BY version DESC, id DESC;
DROP INDEX skills_name;
DROP TABLE skills;
ALTER TABLE skills_v1 RENAME TO skills;
