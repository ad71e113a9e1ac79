package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/ulule/limiter/v3"

	"github.com/deletesvc/deletesvc/server/api"
)

// RateLimits are the limits of each family (by name), all of which a client must be within; a
// family without limits is not limited. Upbooks documents 60 a minute and 1000 an hour.
type RateLimits map[string][]limiter.Rate

// ParseRates reads limits in the library's notation, comma-separated: "60-M,1000-H". Empty or
// "off" means none.
func ParseRates(s string) ([]limiter.Rate, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "off" {
		return nil, nil
	}
	var out []limiter.Rate
	for _, f := range strings.Split(s, ",") {
		r, err := limiter.NewRateFromFormatted(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("rate limit %q: %w", f, err)
		}
		if r.Limit < 1 {
			return nil, fmt.Errorf("rate limit %q: the limit must be at least 1", f)
		}
		out = append(out, r)
	}
	return out, nil
}

// rateLimit counts each request of family f against every one of its windows, keyed by the
// token's subject (a valid token of any of the families' schemes) or, before login, by the
// client's IP; the answer carries X-RateLimit-Limit, -Remaining and -Reset (Unix seconds) of the
// window closest to its limit, and a request over any limit is 429 in the family's shape with
// Retry-After. The windows live in the limiter store, shared by the instances on one database.
func (s *Server) rateLimit(f api.Family) echo.MiddlewareFunc {
	rates := s.rateLimits[f.Name]
	if len(rates) == 0 || s.rateStore == nil {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	limiters := make([]*limiter.Limiter, len(rates))
	for i, r := range rates {
		limiters[i] = limiter.New(s.rateStore, r)
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			client := s.rateClient(c.Request(), c.RealIP())
			// On PostgreSQL the windows are rows: a frozen database must not hold the request past
			// the deadline its other database work has (dbDeadline, which runs later).
			ctx, cancel := context.WithTimeout(c.Request().Context(), s.dbWait)
			defer cancel()
			var tight limiter.Context
			for i, l := range limiters {
				lc, err := l.Get(ctx, f.Name+":"+rates[i].Period.String()+":"+client)
				if err != nil {
					return err
				}
				if i == 0 || tighter(lc, tight) {
					tight = lc
				}
			}
			h := c.Response().Header()
			h.Set("X-RateLimit-Limit", strconv.FormatInt(tight.Limit, 10))
			h.Set("X-RateLimit-Remaining", strconv.FormatInt(tight.Remaining, 10))
			h.Set("X-RateLimit-Reset", strconv.FormatInt(tight.Reset, 10))
			if !tight.Reached {
				return next(c)
			}
			wait := max(1, tight.Reset-time.Now().Unix())
			h.Set("Retry-After", strconv.FormatInt(wait, 10))
			return &api.Error{Kind: api.KindTooManyRequests, Status: http.StatusTooManyRequests,
				Message: fmt.Sprintf("Too many requests: the limit is %d; retry after %d seconds", tight.Limit, wait)}
		}
	}
}

// tighter reports whether window a binds harder than b: a reached window over one that is not
// (the later to reset among reached ones), else the one with fewer requests left.
func tighter(a, b limiter.Context) bool {
	switch {
	case a.Reached != b.Reached:
		return a.Reached
	case a.Reached:
		return a.Reset > b.Reset
	}
	return a.Remaining < b.Remaining
}

// rateClient is who a request counts against: "user:<subject>" for a valid token in the
// Authorization (Bearer) or X-FLYNN-N-USER-TOKEN header, else "ip:<address>".
func (s *Server) rateClient(r *http.Request, ip string) string {
	for _, raw := range []string{r.Header.Get("X-FLYNN-N-USER-TOKEN"), bearerToken(r.Header.Get(echo.HeaderAuthorization))} {
		if raw == "" {
			continue
		}
		if claims, err := s.tokens.Parse(raw); err == nil && claims.Subject != "" {
			return "user:" + claims.Subject
		}
	}
	return "ip:" + ip
}

func bearerToken(h string) string {
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}
