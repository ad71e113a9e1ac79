-- Upbooks backups (issue 15): a backup's rows live compressed in a blob store (the url column holds
-- its key); its row here is the manifest: who took it, the blob's checksum, the schema version the
-- rows follow, and the rows per category. A restore records who ran it, which categories it
-- replaced and how many rows each got back. Defaults keep rows written before this version valid.
-- +goose Up
ALTER TABLE ub_organization_backups ADD COLUMN created_by text NOT NULL DEFAULT '';
ALTER TABLE ub_organization_backups ADD COLUMN checksum text NOT NULL DEFAULT '';
ALTER TABLE ub_organization_backups ADD COLUMN schema_version integer NOT NULL DEFAULT 0;
ALTER TABLE ub_organization_backups ADD COLUMN row_count integer NOT NULL DEFAULT 0;
ALTER TABLE ub_organization_backups ADD COLUMN counts text NOT NULL DEFAULT '{}';
ALTER TABLE ub_backup_restores ADD COLUMN created_by text NOT NULL DEFAULT '';
ALTER TABLE ub_backup_restores ADD COLUMN categories text NOT NULL DEFAULT '[]';
ALTER TABLE ub_backup_restores ADD COLUMN restored text NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE ub_backup_restores DROP COLUMN restored;
ALTER TABLE ub_backup_restores DROP COLUMN categories;
ALTER TABLE ub_backup_restores DROP COLUMN created_by;
ALTER TABLE ub_organization_backups DROP COLUMN counts;
ALTER TABLE ub_organization_backups DROP COLUMN row_count;
ALTER TABLE ub_organization_backups DROP COLUMN schema_version;
ALTER TABLE ub_organization_backups DROP COLUMN checksum;
ALTER TABLE ub_organization_backups DROP COLUMN created_by;
