-- An organization's mutable state (settings, __v, updatedAt) moves out of organizations into a tenant
-- table. organizations is a reference table on Citus: a write there is a two-phase commit on every
-- node that holds the table until commit, so the Upbooks orgSettings reset of one tenant waited for
-- every other tenant's. organization_state is distributed by organization_id: the reset writes one
-- shard. Reads join the two with organization_id bound on both.
-- +goose Up
CREATE TABLE organization_state (
    organization_id character varying(24) NOT NULL,
    settings text NOT NULL,
    version bigint DEFAULT 0 NOT NULL,
    updated_at timestamp with time zone,
    CONSTRAINT organization_state_pkey PRIMARY KEY (organization_id),
    CONSTRAINT fk_organization_state_organization FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE
);
INSERT INTO organization_state (organization_id, settings, version, updated_at)
SELECT id, settings, version, updated_at FROM organizations;
ALTER TABLE organizations DROP COLUMN settings, DROP COLUMN version, DROP COLUMN updated_at;
-- +goose Down
ALTER TABLE organizations ADD COLUMN settings text, ADD COLUMN version bigint DEFAULT 0 NOT NULL, ADD COLUMN updated_at timestamp with time zone;
UPDATE organizations o SET settings = s.settings, version = s.version, updated_at = s.updated_at
FROM organization_state s WHERE s.organization_id = o.id;
UPDATE organizations SET settings = '{}' WHERE settings IS NULL;
ALTER TABLE organizations ALTER COLUMN settings SET NOT NULL;
DROP TABLE organization_state;
