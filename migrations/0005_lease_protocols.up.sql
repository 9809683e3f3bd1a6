-- A lease is a (port, protocol) of one worktree's key. Keys of one worktree that can never bind
-- together share a number (443/tcp and 443/udp for HTTP/3; services in disjoint profiles), so
-- the port is no longer the primary key: (worktree, key) is. Across worktrees a (port,
-- protocol) still has one holder, which the triggers below enforce (with an index).
-- Leases recorded before protocols were known claim their number for every protocol ('any').

CREATE TABLE leases_v5 (
    worktree_id  INTEGER NOT NULL REFERENCES worktrees(id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    port         INTEGER NOT NULL CHECK (port BETWEEN 1024 AND 65535),
    protocol     TEXT NOT NULL CHECK (protocol IN ('tcp', 'udp', 'sctp', 'any')),
    PRIMARY KEY (worktree_id, key)
);
INSERT INTO leases_v5 (worktree_id, key, port, protocol)
    SELECT worktree_id, key, port, 'any' FROM leases ORDER BY rowid;
DROP TABLE leases;
ALTER TABLE leases_v5 RENAME TO leases;
CREATE INDEX leases_port ON leases(port, protocol);

CREATE TRIGGER leases_one_holder_insert BEFORE INSERT ON leases
WHEN EXISTS (
    SELECT 1 FROM leases
     WHERE port = NEW.port AND worktree_id <> NEW.worktree_id
       AND (protocol = NEW.protocol OR protocol = 'any' OR NEW.protocol = 'any'))
BEGIN
    SELECT RAISE(ABORT, 'port and protocol already leased by another worktree');
END;

CREATE TRIGGER leases_one_holder_update BEFORE UPDATE OF port, protocol, worktree_id ON leases
WHEN EXISTS (
    SELECT 1 FROM leases
     WHERE port = NEW.port AND worktree_id <> NEW.worktree_id AND rowid <> OLD.rowid
       AND (protocol = NEW.protocol OR protocol = 'any' OR NEW.protocol = 'any'))
BEGIN
    SELECT RAISE(ABORT, 'port and protocol already leased by another worktree');
END;
