ALTER TABLE approval_history DROP COLUMN iteration;
ALTER TABLE approval_history DROP COLUMN task_id;
DROP TABLE loop_events;
DROP TABLE loop_runs;
