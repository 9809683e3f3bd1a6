DROP INDEX repositories_uid;
ALTER TABLE repositories DROP COLUMN uid;
