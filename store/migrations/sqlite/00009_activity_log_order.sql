-- The activity log is read one page at a time, newest first (GetActivityLogs, GetAllActivityLogs:
-- ORDER BY created_at DESC, id DESC): an index in that order reads the page instead of sorting
-- every entry of the organization.
-- +goose Up
CREATE INDEX idx_ub_activity_logs_org_created ON ub_activity_logs (organization_id, created_at, id);

-- +goose Down
DROP INDEX idx_ub_activity_logs_org_created;
