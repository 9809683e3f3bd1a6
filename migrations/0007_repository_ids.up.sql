-- A repository's identity, which survives moving or renaming its main checkout.
--
-- uid: the id cfn stores in the repository's git directory (`<main>/.git/cfn-repository-id`);
--   a main checkout moved elsewhere carries it along and is re-attached to its row (project
--   name, worktrees, leases and volumes stay its own). NULL for a row registered before ids
--   existed: the next command in its checkout gives it one.
ALTER TABLE repositories ADD COLUMN uid TEXT;
CREATE UNIQUE INDEX repositories_uid ON repositories(uid) WHERE uid IS NOT NULL;
