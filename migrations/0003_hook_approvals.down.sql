DROP TABLE hook_approvals;
