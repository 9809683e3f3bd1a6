-- Requests to live runs go; no run waits for a person any more.

DROP TABLE loop_controls;
ALTER TABLE loop_runs DROP COLUMN waiting;
