// Package ratelimit is a github.com/ulule/limiter store kept in the service's database, so every
// instance behind a load balancer counts against the same windows. Each key is one row holding a
// fixed window's count and end; one upsert counts a request and starts a new window when the old
// one has ended. (SQLite deployments are one process and use the library's memory store.)
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ulule/limiter/v3"
	"gorm.io/gorm"

	"github.com/deletesvc/deletesvc/store"
)

// incrementSQL counts @count requests against @key: a window that has ended (or none) restarts at
// @count, ending at @expires; otherwise the count grows and the end stays. Portable upsert.
const incrementSQL = `
INSERT INTO rate_limits (key, count, expires_at) VALUES (@key, @count, @expires)
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN rate_limits.expires_at <= @now THEN excluded.count ELSE rate_limits.count + excluded.count END,
  expires_at = CASE WHEN rate_limits.expires_at <= @now THEN excluded.expires_at ELSE rate_limits.expires_at END
RETURNING count, expires_at`

// Store keeps limiter windows in the rate_limits table.
type Store struct{ db *store.DB }

var _ limiter.Store = (*Store)(nil)

// New is a limiter store on db.
func New(db *store.DB) *Store { return &Store{db: db} }

type window struct {
	Count     int64
	ExpiresAt time.Time
}

// Get counts one request and returns the window after it.
func (s *Store) Get(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	return s.Increment(ctx, key, 1, rate)
}

// Increment counts count requests and returns the window after them.
func (s *Store) Increment(ctx context.Context, key string, count int64, rate limiter.Rate) (limiter.Context, error) {
	now := s.db.Now()
	var w window
	err := s.db.Gorm(ctx).Raw(incrementSQL, map[string]any{"key": key, "count": count, "expires": now.Add(rate.Period), "now": now}).Scan(&w).Error
	if err != nil {
		return limiter.Context{}, fmt.Errorf("count request for rate limit: %w", err)
	}
	return contextOf(rate, w), nil
}

// Peek returns the window without counting.
func (s *Store) Peek(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	now := s.db.Now()
	var w window
	err := s.db.Gorm(ctx).Raw("SELECT count, expires_at FROM rate_limits WHERE key = ?", key).Take(&w).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || err == nil && !w.ExpiresAt.After(now) {
		return contextOf(rate, window{ExpiresAt: now.Add(rate.Period)}), nil
	}
	if err != nil {
		return limiter.Context{}, fmt.Errorf("read rate limit: %w", err)
	}
	return contextOf(rate, w), nil
}

// Reset forgets the key's window.
func (s *Store) Reset(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	if err := s.db.Gorm(ctx).Exec("DELETE FROM rate_limits WHERE key = ?", key).Error; err != nil {
		return limiter.Context{}, fmt.Errorf("reset rate limit: %w", err)
	}
	return contextOf(rate, window{ExpiresAt: s.db.Now().Add(rate.Period)}), nil
}

// Sweep deletes the windows that have ended and returns how many. An ended window counts nothing
// (the next request starts a new one), but without a sweep every client ever seen (each IP address
// before login) keeps its row forever.
//
// On Citus the table is distributed by key, so the sweep is meant to visit every shard (FanOut): it
// runs once a minute per instance, not per request.
func (s *Store) Sweep(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.FanOut(ctx, func(tx *gorm.DB) error {
		r := tx.Exec("DELETE FROM rate_limits WHERE expires_at <= ?", s.db.Now())
		n = r.RowsAffected
		return r.Error
	})
	if err != nil {
		return 0, fmt.Errorf("sweep rate limits: %w", err)
	}
	return n, nil
}

// SweepEvery runs Sweep every interval until ctx ends; a failed sweep is logged and retried at the
// next tick.
func (s *Store) SweepEvery(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
				log.Warn("rate-limit sweep failed", "error", err)
			}
		}
	}
}

// contextOf is the library's view of a window (as its own stores compute it).
func contextOf(rate limiter.Rate, w window) limiter.Context {
	c := limiter.Context{Limit: rate.Limit, Reset: w.ExpiresAt.Unix(), Remaining: rate.Limit - w.Count}
	if c.Remaining < 0 {
		c.Remaining, c.Reached = 0, true
	}
	return c
}
