DROP TABLE token_revocations;
DROP TABLE tokens_issued;
