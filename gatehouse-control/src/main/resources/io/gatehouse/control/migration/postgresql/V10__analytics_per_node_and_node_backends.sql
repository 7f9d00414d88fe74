-- Analytics rows keyed by node: each node (a server sharing this database, or a gateway node
-- reporting to a control node) writes its own rows, and queries sum them. Rows written before
-- this version keep the node '' (unknown). The receipts make a gateway node's report idempotent:
-- a batch retried after a lost answer is recognised by (node, minute, batch) and not added again.
ALTER TABLE analytics ADD COLUMN node TEXT NOT NULL DEFAULT '';
ALTER TABLE analytics DROP CONSTRAINT analytics_pkey;
ALTER TABLE analytics ADD PRIMARY KEY (grain, bucket, api, operation, product, subscription, status_class, client, node);
DROP INDEX analytics_rollup_counts;
CREATE INDEX analytics_rollup_counts ON analytics (grain, bucket, api, operation, product, subscription,
  status_class, client, node) INCLUDE (requests, errors, bytes_in, bytes_out) WHERE grain > 1;
CREATE TABLE analytics_receipts (
  node   TEXT   NOT NULL,
  minute BIGINT NOT NULL,
  batch  TEXT   NOT NULL,
  PRIMARY KEY (node, minute, batch)
);
CREATE INDEX analytics_receipts_minute ON analytics_receipts (minute);
-- The backend status (circuit breakers, pool members) a gateway node last reported with its
-- heartbeat, as JSON; NULL until it reports one (as the SQLite schema's V9).
ALTER TABLE nodes ADD COLUMN backends TEXT;
