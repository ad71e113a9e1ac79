-- One row per organization that destructive operations lock to run one at a time per organization.
-- They used to lock the organizations row; on Citus that is a reference table, and a row lock there
-- holds the table's shard on every node, so every tenant's delete waited for every other's. This
-- table is a tenant table (distributed by organization_id), so the lock routes to one shard.
-- Rows are made on first use (INSERT ... ON CONFLICT), so nothing needs backfilling.
-- +goose Up
CREATE TABLE organization_locks (
    organization_id character varying(24) NOT NULL,
    CONSTRAINT organization_locks_pkey PRIMARY KEY (organization_id),
    CONSTRAINT fk_organization_locks_organization FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE
);
-- +goose Down
DROP TABLE organization_locks;
