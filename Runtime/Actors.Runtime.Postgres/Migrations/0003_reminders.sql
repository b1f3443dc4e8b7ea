-- Durable reminders: one row per (cluster, grain, reminder name). grain_hash is the grain id's
-- StableHash (an unsigned 32-bit value) so that a silo reads the reminders of the ring range it owns.
-- ETags come from a sequence, so a reminder never sees the same ETag twice, even after a remove.
CREATE SEQUENCE IF NOT EXISTS actors_reminders_etag_seq AS bigint;

CREATE TABLE IF NOT EXISTS actors_reminders (
    cluster_id text        NOT NULL,
    grain_type text        NOT NULL,
    grain_key  text        NOT NULL,
    grain_hash bigint      NOT NULL CHECK (grain_hash BETWEEN 0 AND 4294967295),
    name       text        NOT NULL,
    start_at   timestamptz NOT NULL,
    period_ms  bigint      NOT NULL CHECK (period_ms >= 0),
    etag       bigint      NOT NULL,
    PRIMARY KEY (cluster_id, grain_type, grain_key, name)
);

CREATE INDEX IF NOT EXISTS actors_reminders_cluster_hash_idx ON actors_reminders (cluster_id, grain_hash);
