-- The durable copy of quota counters shared by the servers of one database (without Redis): each
-- server adds what it counted since its last batch (about every second) and reads back the totals.
CREATE TABLE quota_counters (
  key          TEXT   NOT NULL,
  window_start BIGINT NOT NULL,
  window_end   BIGINT NOT NULL,
  count        BIGINT NOT NULL,
  PRIMARY KEY (key, window_start)
);
CREATE INDEX quota_counters_window_end ON quota_counters (window_end);
