-- Rate-limit windows shared by every instance (store/ratelimit): one row per client key, its
-- fixed window's request count and end. Not tenant data: keyed by the client (token subject or IP).
-- +goose Up
CREATE TABLE rate_limits (
    key varchar(200) NOT NULL PRIMARY KEY,
    count bigint NOT NULL,
    expires_at timestamp with time zone NOT NULL
);

-- +goose Down
DROP TABLE rate_limits;
