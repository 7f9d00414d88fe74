-- Counts-only analytics queries (the usage report, dashboards without percentiles) over hour and
-- day rows read this index instead of the table, so they never touch the latency histograms
-- (hundreds of bytes to kilobytes per rollup row). Partial: minute rows, the bulk of the table,
-- carry small histograms and are not worth a second copy of their keys.
CREATE INDEX analytics_rollup_counts ON analytics (grain, bucket, api, operation, product, subscription,
  status_class, client, requests, errors, bytes_in, bytes_out) WHERE grain > 1;
