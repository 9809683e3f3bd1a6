-- Back to one engine: every lease is the local engine's again. Refused by the triggers below
-- when two worktrees on two engines hold one port.

DROP TABLE engines_used;
DROP TRIGGER worktrees_engine_fixed;
DROP TRIGGER leases_one_holder_insert;
DROP TRIGGER leases_one_holder_update;

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

ALTER TABLE worktrees DROP COLUMN engine_id;
ALTER TABLE worktrees DROP COLUMN engine;
