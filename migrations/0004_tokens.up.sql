-- Agent tokens (`cfn token`). What was issued is recorded so that `cfn token list` can show the
-- live tokens and `cfn token revoke --jti` knows a token's expiry; the token itself and the
-- signing secret are never stored here. Times are Unix seconds, as in the tokens' claims.
CREATE TABLE tokens_issued (
    jti         TEXT PRIMARY KEY,
    agent       TEXT NOT NULL,
    audience    TEXT NOT NULL,
    task_id     TEXT NOT NULL,
    role        TEXT,
    kid         TEXT NOT NULL,
    issued_at   INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX tokens_issued_expiry ON tokens_issued(expires_at);

-- A revocation keeps the token's expiry: once it has passed the token is refused as expired
-- anyway, and the row can be pruned.
CREATE TABLE token_revocations (
    jti         TEXT PRIMARY KEY,
    expires_at  INTEGER NOT NULL,
    revoked_at  INTEGER NOT NULL
);
CREATE INDEX token_revocations_expiry ON token_revocations(expires_at);
