-- Traffic analytics: one row per grain (1 minute, 2 hour, 3 day), bucket start and key.
-- Kept in its own database file (analytics.db) so that its steady writes and retention deletes
-- never hold the configuration database's write lock.
CREATE TABLE analytics (
  grain        INTEGER NOT NULL,
  bucket       INTEGER NOT NULL,
  api          TEXT    NOT NULL,
  operation    TEXT    NOT NULL,
  product      TEXT    NOT NULL,
  subscription TEXT    NOT NULL,
  status_class TEXT    NOT NULL,
  client       TEXT    NOT NULL,
  requests     INTEGER NOT NULL,
  errors       INTEGER NOT NULL,
  bytes_in     INTEGER NOT NULL,
  bytes_out    INTEGER NOT NULL,
  latency      BLOB    NOT NULL,
  PRIMARY KEY (grain, bucket, api, operation, product, subscription, status_class, client)
) WITHOUT ROWID;
