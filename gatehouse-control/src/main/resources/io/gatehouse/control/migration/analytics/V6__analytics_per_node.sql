-- Analytics rows keyed by node (see the PostgreSQL schema's V10): a WITHOUT ROWID table cannot
-- change its primary key, so the table is copied; rows written before keep the node ''.
CREATE TABLE analytics_by_node (
  grain        INTEGER NOT NULL,
  bucket       INTEGER NOT NULL,
  api          TEXT    NOT NULL,
  operation    TEXT    NOT NULL,
  product      TEXT    NOT NULL,
  subscription TEXT    NOT NULL,
  status_class TEXT    NOT NULL,
  client       TEXT    NOT NULL,
  node         TEXT    NOT NULL,
  requests     INTEGER NOT NULL,
  errors       INTEGER NOT NULL,
  bytes_in     INTEGER NOT NULL,
  bytes_out    INTEGER NOT NULL,
  latency      BLOB    NOT NULL,
  PRIMARY KEY (grain, bucket, api, operation, product, subscription, status_class, client, node)
) WITHOUT ROWID;
INSERT INTO analytics_by_node SELECT grain, bucket, api, operation, product, subscription, status_class, client, '',
  requests, errors, bytes_in, bytes_out, latency FROM analytics;
DROP TABLE analytics;
ALTER TABLE analytics_by_node RENAME TO analytics;
CREATE INDEX analytics_rollup_counts ON analytics (grain, bucket, api, operation, product, subscription,
  status_class, client, node, requests, errors, bytes_in, bytes_out) WHERE grain > 1;
CREATE TABLE analytics_receipts (
  node   TEXT    NOT NULL,
  minute INTEGER NOT NULL,
  batch  TEXT    NOT NULL,
  PRIMARY KEY (node, minute, batch)
) WITHOUT ROWID;
CREATE INDEX analytics_receipts_minute ON analytics_receipts (minute);
