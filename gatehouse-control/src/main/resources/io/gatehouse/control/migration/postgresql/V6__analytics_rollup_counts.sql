-- Counts-only analytics queries over hour and day rows read this index instead of the table (an
-- index-only scan), never the latency histograms; as the SQLite schema's analytics V5.
CREATE INDEX analytics_rollup_counts ON analytics (grain, bucket, api, operation, product, subscription,
  status_class, client) INCLUDE (requests, errors, bytes_in, bytes_out) WHERE grain > 1;
