-- Upbooks backups (issue 15): a backup's rows live compressed in a blob store (the url column holds
-- its key); its row here is the manifest: who took it, the blob's checksum, the schema version the
-- rows follow, and the rows per category. A restore records who ran it, which categories it
-- replaced and how many rows each got back. Defaults keep rows written before this version valid.
-- +goose Up
ALTER TABLE ub_organization_backups
    ADD COLUMN created_by character varying(36) DEFAULT '' NOT NULL,
    ADD COLUMN checksum character varying(80) DEFAULT '' NOT NULL,
    ADD COLUMN schema_version bigint DEFAULT 0 NOT NULL,
    ADD COLUMN row_count bigint DEFAULT 0 NOT NULL,
    ADD COLUMN counts text DEFAULT '{}' NOT NULL;
ALTER TABLE ub_backup_restores
    ADD COLUMN created_by character varying(36) DEFAULT '' NOT NULL,
    ADD COLUMN categories text DEFAULT '[]' NOT NULL,
    ADD COLUMN restored text DEFAULT '{}' NOT NULL;

-- +goose Down
ALTER TABLE ub_backup_restores DROP COLUMN restored, DROP COLUMN categories, DROP COLUMN created_by;
ALTER TABLE ub_organization_backups DROP COLUMN counts, DROP COLUMN row_count, DROP COLUMN schema_version,
    DROP COLUMN checksum, DROP COLUMN created_by;
