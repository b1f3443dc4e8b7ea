-- Cluster membership: one version row per cluster and one row per silo (address host:port@generation).
-- Every membership change is a compare-and-swap on the version row (bumped in the same transaction)
-- plus the silo row's ETag; heartbeats (i_am_alive_at) change neither. ETags come from a sequence,
-- so a silo row never sees the same ETag twice, even after it was deleted and inserted again.
CREATE SEQUENCE IF NOT EXISTS actors_membership_etag_seq AS bigint;

CREATE TABLE IF NOT EXISTS actors_membership_version (
    cluster_id text        PRIMARY KEY,
    version    bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS actors_membership (
    cluster_id    text        NOT NULL REFERENCES actors_membership_version (cluster_id) ON DELETE CASCADE,
    silo_address  text        NOT NULL,
    silo_name     text        NOT NULL,
    host          text        NOT NULL,
    port          int         NOT NULL,
    generation    bigint      NOT NULL,
    gateway_port  int         NOT NULL DEFAULT 0,
    http_port     int         NOT NULL DEFAULT 0,
    status        smallint    NOT NULL,
    started_at    timestamptz NOT NULL,
    i_am_alive_at timestamptz NOT NULL,
    -- Votes that this silo looks dead: [{"by": "host:port@generation", "at": "<ISO 8601>"}, ...]
    suspicions    jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(suspicions) = 'array'),
    etag          bigint      NOT NULL,
    PRIMARY KEY (cluster_id, silo_address)
);
