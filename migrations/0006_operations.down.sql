ALTER TABLE worktrees DROP COLUMN delete_branch;
ALTER TABLE worktrees DROP COLUMN created_dir;
ALTER TABLE worktrees DROP COLUMN created_branch;
ALTER TABLE worktrees DROP COLUMN step;
ALTER TABLE worktrees DROP COLUMN owner_pid;
ALTER TABLE worktrees DROP COLUMN owner;
ALTER TABLE worktrees DROP COLUMN operation;
