-- Grain state: one row per (grain type, grain key, state name), JSON in jsonb.
-- ETags come from a sequence so that a key never sees the same ETag twice, even after a clear
-- deleted its row and a later write inserted it again (no ABA).
CREATE SEQUENCE IF NOT EXISTS actors_grain_state_etag_seq AS bigint;

CREATE TABLE IF NOT EXISTS actors_grain_state (
    grain_type     text        NOT NULL,
    grain_key      text        NOT NULL,
    state_name     text        NOT NULL,
    etag           bigint      NOT NULL,
    schema_version int         NOT NULL,
    state          jsonb       NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (grain_type, grain_key, state_name)
);
