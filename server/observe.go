package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"
)

type requestIDKey struct{}

func withRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// LogHandler wraps a slog handler so every record logged with a request's context carries its
// request id, whichever package logs it (handlers, the store's SQL logger, the error handler).
type LogHandler struct{ slog.Handler }

// Handle adds request_id when the context has one.
func (h LogHandler) Handle(ctx context.Context, r slog.Record) error {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the wrapper around derived handlers.
func (h LogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return LogHandler{h.Handler.WithAttrs(attrs)}
}

// WithGroup keeps the wrapper around derived handlers.
func (h LogHandler) WithGroup(name string) slog.Handler { return LogHandler{h.Handler.WithGroup(name)} }

// accessLog writes one line per request after the error handler has set the final status.
func accessLog(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err) // render now so the logged status is the one sent
			}
			req := c.Request()
			log.InfoContext(req.Context(), "request",
				"method", req.Method, "path", req.URL.Path, "status", c.Response().Status,
				"bytes", c.Response().Size, "duration_ms", float64(time.Since(start).Microseconds())/1000,
				"remote", c.RealIP())
			return nil
		}
	}
}
