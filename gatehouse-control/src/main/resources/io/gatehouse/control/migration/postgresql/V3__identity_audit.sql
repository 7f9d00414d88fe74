-- Identity (personal access tokens, sessions, local accounts, custom roles) and the audit log.
CREATE TABLE access_tokens (
  id         VARCHAR(40)   NOT NULL PRIMARY KEY,
  name       VARCHAR(200)  NOT NULL,
  kind       VARCHAR(20)   NOT NULL, -- 'pat' or 'session'
  owner      VARCHAR(200)  NOT NULL, -- the principal that created it (whose token it is)
  roles      VARCHAR(2000) NOT NULL, -- comma-separated role names
  token_hash VARCHAR(100)  NOT NULL UNIQUE,
  created_at BIGINT        NOT NULL,
  expires_at BIGINT,                 -- epoch milliseconds, NULL = never
  revoked_at BIGINT
);

CREATE TABLE accounts (
  name          VARCHAR(200)  NOT NULL PRIMARY KEY,
  password_hash VARCHAR(300)  NOT NULL, -- PHC string, Argon2id
  roles         VARCHAR(2000) NOT NULL,
  failures      INTEGER       NOT NULL,
  locked_until  BIGINT        NOT NULL,
  created_at    BIGINT        NOT NULL
);

CREATE TABLE custom_roles (
  name        VARCHAR(100)  NOT NULL PRIMARY KEY,
  permissions VARCHAR(4000) NOT NULL, -- comma-separated
  created_at  BIGINT        NOT NULL
);

CREATE TABLE audit_log (
  seq         BIGINT        NOT NULL PRIMARY KEY,
  time        BIGINT        NOT NULL,
  actor       VARCHAR(200)  NOT NULL,
  roles       VARCHAR(2000) NOT NULL,
  source_ip   VARCHAR(64)   NOT NULL,
  action      VARCHAR(200)  NOT NULL,
  entity      VARCHAR(400)  NOT NULL,
  before_json TEXT,
  after_json  TEXT,
  result      VARCHAR(200)  NOT NULL,
  request_id  VARCHAR(128)  NOT NULL,
  prev_hash   VARCHAR(64)   NOT NULL,
  hash        VARCHAR(64)   NOT NULL
);
CREATE INDEX audit_log_time ON audit_log (time);

-- Append-only: the server never updates, deletes or truncates audit rows; the hash chain catches whoever does.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
