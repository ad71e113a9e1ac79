-- Long-running operations (store/operations): one row per request run in the background
-- (Prefer: respond-async). The row is the operation's record (state, progress, the answer the
-- synchronous call would have given); the job queue (River, migration 11) only dispatches it. A
-- tenant table, so on Citus an organization's operations live on its shard.
-- +goose Up
CREATE TABLE operations (
    organization_id varchar(24) NOT NULL,
    id varchar(24) NOT NULL,
    kind varchar(64) NOT NULL,
    state varchar(16) NOT NULL,
    cancel_requested boolean NOT NULL DEFAULT false,
    created_by varchar(36) NOT NULL,
    request blob NOT NULL DEFAULT x'',
    progress text NOT NULL DEFAULT '{}',
    status integer NOT NULL DEFAULT 0,
    content_type varchar(255) NOT NULL DEFAULT '',
    body blob NOT NULL DEFAULT x'',
    job_id bigint NOT NULL DEFAULT 0,
    attempt integer NOT NULL DEFAULT 0,
    created_at datetime NOT NULL,
    started_at datetime,
    finished_at datetime,
    PRIMARY KEY (organization_id, id)
);
CREATE INDEX operations_listing ON operations (organization_id, created_at, id);

-- +goose Down
DROP TABLE operations;
