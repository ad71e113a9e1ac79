-- An organization's mutable state moves out of organizations into a tenant table (see the PostgreSQL
-- migration for why).
-- +goose Up
CREATE TABLE `organization_state` (`organization_id` text NOT NULL,`settings` text NOT NULL,`version` integer NOT NULL DEFAULT 0,`updated_at` datetime,PRIMARY KEY (`organization_id`),CONSTRAINT `fk_organization_state_organization` FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON DELETE CASCADE);
INSERT INTO `organization_state` (`organization_id`, `settings`, `version`, `updated_at`)
SELECT `id`, `settings`, `version`, `updated_at` FROM `organizations`;
ALTER TABLE `organizations` DROP COLUMN `settings`;
ALTER TABLE `organizations` DROP COLUMN `version`;
ALTER TABLE `organizations` DROP COLUMN `updated_at`;
-- +goose Down
ALTER TABLE `organizations` ADD COLUMN `settings` text NOT NULL DEFAULT '{}';
ALTER TABLE `organizations` ADD COLUMN `version` integer NOT NULL DEFAULT 0;
ALTER TABLE `organizations` ADD COLUMN `updated_at` datetime;
UPDATE `organizations` SET
  `settings` = (SELECT `settings` FROM `organization_state` s WHERE s.`organization_id` = `organizations`.`id`),
  `version` = (SELECT `version` FROM `organization_state` s WHERE s.`organization_id` = `organizations`.`id`),
  `updated_at` = (SELECT `updated_at` FROM `organization_state` s WHERE s.`organization_id` = `organizations`.`id`)
WHERE `id` IN (SELECT `organization_id` FROM `organization_state`);
DROP TABLE `organization_state`;
