-- Idempotency keys (store/idempotency.go): one row per key a caller sent to a destructive or
-- creating call, written in the same transaction as the call's effects, with the response to
-- replay. A tenant table (organization_id first in the key; '' for calls that act in no
-- organization yet, such as AddOrganization), so on Citus each organization's keys live on its shard.
-- +goose Up
CREATE TABLE idempotency_keys (
    organization_id varchar(24) NOT NULL,
    caller_id varchar(64) NOT NULL,
    key varchar(255) NOT NULL,
    fingerprint varchar(64) NOT NULL,
    status integer NOT NULL DEFAULT 0,
    content_type varchar(255) NOT NULL DEFAULT '',
    body blob NOT NULL DEFAULT x'',
    created_at datetime NOT NULL,
    expires_at datetime NOT NULL,
    PRIMARY KEY (organization_id, caller_id, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (organization_id, expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
