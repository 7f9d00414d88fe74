-- Traffic analytics: one row per grain (1 minute, 2 hour, 3 day), bucket start and key. In the
-- shared database of a cluster; every node adds its totals to the same rows.
CREATE TABLE analytics (
  grain        SMALLINT NOT NULL,
  bucket       BIGINT   NOT NULL,
  api          TEXT     NOT NULL,
  operation    TEXT     NOT NULL,
  product      TEXT     NOT NULL,
  subscription TEXT     NOT NULL,
  status_class TEXT     NOT NULL,
  client       TEXT     NOT NULL,
  requests     BIGINT   NOT NULL,
  errors       BIGINT   NOT NULL,
  bytes_in     BIGINT   NOT NULL,
  bytes_out    BIGINT   NOT NULL,
  latency      BYTEA    NOT NULL,
  PRIMARY KEY (grain, bucket, api, operation, product, subscription, status_class, client)
);
