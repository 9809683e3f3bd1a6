-- A branch's stack may run on another Docker engine than the local one. Host ports belong to
-- the engine's host, so a (port, protocol) has one holder per engine: two branches on two
-- engines may lease the same number. `engine` is what the branch was added with (a `tcp://`
-- or `unix://` address, or a docker context's name; NULL for the local engine) and
-- `engine_id` the address it resolved to, which keys the leases ('' for the local engine).

ALTER TABLE worktrees ADD COLUMN engine TEXT;
ALTER TABLE worktrees ADD COLUMN engine_id TEXT NOT NULL DEFAULT '';

DROP TRIGGER leases_one_holder_insert;
DROP TRIGGER leases_one_holder_update;

CREATE TRIGGER leases_one_holder_insert BEFORE INSERT ON leases
WHEN EXISTS (
    SELECT 1 FROM leases l JOIN worktrees w ON w.id = l.worktree_id
     WHERE l.port = NEW.port AND l.worktree_id <> NEW.worktree_id
       AND (l.protocol = NEW.protocol OR l.protocol = 'any' OR NEW.protocol = 'any')
       AND w.engine_id = (SELECT engine_id FROM worktrees WHERE id = NEW.worktree_id))
BEGIN
    SELECT RAISE(ABORT, 'port and protocol already leased by another worktree');
END;

CREATE TRIGGER leases_one_holder_update BEFORE UPDATE OF port, protocol, worktree_id ON leases
WHEN EXISTS (
    SELECT 1 FROM leases l JOIN worktrees w ON w.id = l.worktree_id
     WHERE l.port = NEW.port AND l.worktree_id <> NEW.worktree_id AND l.rowid <> OLD.rowid
       AND (l.protocol = NEW.protocol OR l.protocol = 'any' OR NEW.protocol = 'any')
       AND w.engine_id = (SELECT engine_id FROM worktrees WHERE id = NEW.worktree_id))
BEGIN
    SELECT RAISE(ABORT, 'port and protocol already leased by another worktree');
END;

-- The remote engines a repository's worktrees were added on, kept after they are removed: what
-- is left there (claims, stacks of a remove that could not reach the engine) is found by
-- `cfn doctor` even when no worktree uses the engine any more.
CREATE TABLE engines_used (
    repo_id  INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    spec     TEXT NOT NULL,
    PRIMARY KEY (repo_id, spec)
);

-- A worktree's engine never changes: its leases were checked against that engine only.
CREATE TRIGGER worktrees_engine_fixed BEFORE UPDATE OF engine_id ON worktrees
WHEN OLD.engine_id <> NEW.engine_id
BEGIN
    SELECT RAISE(ABORT, 'a worktree stays on the engine it was added on');
END;
