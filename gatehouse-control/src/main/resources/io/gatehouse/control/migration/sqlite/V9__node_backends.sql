-- The backend status (circuit breakers, pool members) a gateway node last reported with its
-- heartbeat, as JSON; NULL until it reports one.
ALTER TABLE nodes ADD COLUMN backends TEXT;
