-- Unfinished worktree operations, owned by a live process rather than judged by age.
--
-- operation: what is under way on the row ('add', 'adopt' or 'remove'), NULL when settled.
-- owner: the token of the operation's lock file under $CFN_HOME/ops/, held (flock) by the
--   process doing it for the operation's whole life; when nobody holds it, the operation is
--   abandoned and `cfn doctor --fix` rolls it back or finishes it.
-- owner_pid: that process, for messages only (liveness is the lock, never the pid).
-- step: the last step of the operation that completed (an add with its files rendered is
--   finished, not rolled back).
-- created_branch: the add created the branch, so rolling it back deletes the branch.
-- created_dir: the outermost directory the add created for the worktree (removed when empty).
-- delete_branch: the remove was asked to delete the branch (1 merged only, 2 even unmerged).
ALTER TABLE worktrees ADD COLUMN operation TEXT CHECK (operation IN ('add', 'adopt', 'remove'));
ALTER TABLE worktrees ADD COLUMN owner TEXT;
ALTER TABLE worktrees ADD COLUMN owner_pid INTEGER;
ALTER TABLE worktrees ADD COLUMN step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE worktrees ADD COLUMN created_branch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE worktrees ADD COLUMN created_dir TEXT;
ALTER TABLE worktrees ADD COLUMN delete_branch INTEGER NOT NULL DEFAULT 0;

-- Rows an older cfn left in 'creating' have no owner: they are abandoned adds.
UPDATE worktrees SET operation = 'add' WHERE state = 'creating';
