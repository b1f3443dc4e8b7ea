-- The ordered, durable event log of sessions (component "domain"). One row per event; seq is
-- 1, 2, 3... per session with no gaps, assigned by the session grain and committed in batches
-- (group commit) before an event is acknowledged. client_msg_id makes publishes idempotent: NULLs
-- are distinct, so events without one never collide. Retention deletes a prefix of a session's
-- rows (never its last one, so the last seq survives).
CREATE TABLE IF NOT EXISTS actors_session_events (
    session_id    text        NOT NULL,
    seq           bigint      NOT NULL CHECK (seq > 0),
    type          text        NOT NULL,
    author_id     text        NULL,
    payload       jsonb       NOT NULL,
    client_msg_id text        NULL,
    at            timestamptz NOT NULL,
    CONSTRAINT actors_session_events_pkey PRIMARY KEY (session_id, seq),
    CONSTRAINT actors_session_events_client_msg_id_key UNIQUE (session_id, client_msg_id)
);
