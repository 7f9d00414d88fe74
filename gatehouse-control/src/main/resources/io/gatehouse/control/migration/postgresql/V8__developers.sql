-- Developer portal accounts (separate from management accounts), their single-use links and the
-- subscriptions they own (the subscriptions themselves are configuration entities).
CREATE TABLE developers (
  id             VARCHAR(40)  NOT NULL PRIMARY KEY,
  email          VARCHAR(320) NOT NULL UNIQUE, -- lower-cased
  name           VARCHAR(200) NOT NULL,
  password_hash  VARCHAR(300) NOT NULL,        -- PHC string, Argon2id
  status         VARCHAR(20)  NOT NULL,        -- 'active', 'pending' (awaiting an operator) or 'blocked'
  email_verified INTEGER      NOT NULL,
  failures       INTEGER      NOT NULL,
  locked_until   BIGINT       NOT NULL,
  created_at     BIGINT       NOT NULL
);

CREATE TABLE developer_links (
  token_hash   VARCHAR(100) NOT NULL PRIMARY KEY, -- SHA-256 of the link's token
  developer_id VARCHAR(40)  NOT NULL REFERENCES developers (id) ON DELETE CASCADE,
  purpose      VARCHAR(20)  NOT NULL,             -- 'verify' or 'reset'
  expires_at   BIGINT       NOT NULL
);

CREATE TABLE developer_subscriptions (
  name         VARCHAR(200) NOT NULL PRIMARY KEY, -- the configuration's subscription name
  developer_id VARCHAR(40)  NOT NULL REFERENCES developers (id) ON DELETE CASCADE,
  product      VARCHAR(200) NOT NULL,
  created_at   BIGINT       NOT NULL
);
CREATE INDEX developer_subscriptions_owner ON developer_subscriptions (developer_id);
