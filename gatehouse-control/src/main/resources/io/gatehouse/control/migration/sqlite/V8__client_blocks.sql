-- Blocked clients, shared by every server of the database: operator blocks and the threat engine's
-- automatic blocks. identity is 'ip:ADDRESS' or 'subscription:NAME'; a block ends at until_ms
-- (epoch milliseconds) or when it is deleted.
CREATE TABLE client_blocks (
  identity    VARCHAR(300) NOT NULL PRIMARY KEY,
  until_ms    BIGINT       NOT NULL,
  source      VARCHAR(100) NOT NULL,
  created_by  VARCHAR(200) NOT NULL,
  created_at  BIGINT       NOT NULL
);
CREATE INDEX client_blocks_until ON client_blocks (until_ms);
