-- Back to one lease per port number: where keys of a worktree shared a number, the first keeps it.
CREATE TABLE leases_v4 (
    port         INTEGER PRIMARY KEY CHECK (port BETWEEN 1024 AND 65535),
    worktree_id  INTEGER NOT NULL REFERENCES worktrees(id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    UNIQUE (worktree_id, key)
);
INSERT OR IGNORE INTO leases_v4 (port, worktree_id, key)
    SELECT port, worktree_id, key FROM leases ORDER BY rowid;
DROP TABLE leases;
ALTER TABLE leases_v4 RENAME TO leases;
