DROP TABLE approval_history;
DROP TABLE skills;
DROP TABLE leases;
DROP TABLE worktrees;
DROP TABLE base_ports;
DROP TABLE repositories;
