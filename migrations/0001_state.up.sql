-- cfn's machine-wide state: repositories, worktrees, port leases, and the seed's skills and
-- approval history. Ports are a machine-wide resource, so a port is the primary key of a lease.

CREATE TABLE repositories (
    id          INTEGER PRIMARY KEY,
    root        TEXT NOT NULL UNIQUE,
    project     TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- The main checkout's ports (slot 0): never handed to a branch of any repository.
CREATE TABLE base_ports (
    repo_id  INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    port     INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    PRIMARY KEY (repo_id, key)
);
CREATE INDEX base_ports_port ON base_ports(port);

CREATE TABLE worktrees (
    id          INTEGER PRIMARY KEY,
    repo_id     INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    branch      TEXT NOT NULL,
    path        TEXT NOT NULL UNIQUE,
    project     TEXT NOT NULL UNIQUE,
    slot        INTEGER NOT NULL CHECK (slot >= 1),
    state       TEXT NOT NULL DEFAULT 'creating' CHECK (state IN ('creating', 'ready')),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (repo_id, branch),
    UNIQUE (repo_id, slot)
);

CREATE TABLE leases (
    port         INTEGER PRIMARY KEY CHECK (port BETWEEN 1024 AND 65535),
    worktree_id  INTEGER NOT NULL REFERENCES worktrees(id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    UNIQUE (worktree_id, key)
);

CREATE TABLE skills (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    content_hash  TEXT NOT NULL,
    content_path  TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE approval_history (
    id          INTEGER PRIMARY KEY,
    skill       TEXT,
    agent       TEXT NOT NULL,
    decision    TEXT NOT NULL,
    confidence  REAL,
    metadata    TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
