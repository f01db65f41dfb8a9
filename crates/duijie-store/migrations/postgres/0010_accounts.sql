-- Accounts with passwords (issue #19): sign-in by phone or e-mail and an argon2 password hash,
-- server-side sessions (only a hash of the session id is kept), several API tokens per
-- account, and self-registrations waiting for the bureau. `users.revoked_at` now means the
-- account is disabled: no sign-in, no session, no token. `users.token_hash` is kept for old
-- databases (each value also becomes a row of api_tokens, so existing tokens keep working);
-- accounts made without a token hold a placeholder that is never a SHA-256 hex digest.

ALTER TABLE users ADD COLUMN password_hash TEXT;
CREATE UNIQUE INDEX users_email ON users (email);
CREATE UNIQUE INDEX users_phone ON users (phone);

CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    label      TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
INSERT INTO api_tokens (id, user_id, label, token_hash, created_at)
    SELECT 'tok_' || id, id, '初始令牌', token_hash, created_at FROM users;

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE registrations (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    org_name      TEXT NOT NULL,
    credit_code   TEXT,
    contact_name  TEXT NOT NULL,
    phone         TEXT NOT NULL,
    email         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    status        TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    user_id       TEXT REFERENCES users(id),
    created_at    BIGINT NOT NULL,
    decided_at    BIGINT
);
CREATE INDEX registrations_status ON registrations (status, created_at);
CREATE INDEX registrations_phone ON registrations (phone);
CREATE INDEX registrations_email ON registrations (email);
