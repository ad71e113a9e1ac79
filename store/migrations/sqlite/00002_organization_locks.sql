-- One row per organization that destructive operations lock to run one at a time per organization
-- (see the PostgreSQL migration for why it is not the organizations row).
-- +goose Up
CREATE TABLE `organization_locks` (`organization_id` text NOT NULL,PRIMARY KEY (`organization_id`),CONSTRAINT `fk_organization_locks_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON DELETE CASCADE);
-- +goose Down
DROP TABLE `organization_locks`;
