package server

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/deletesvc/deletesvc/server/api"
	"github.com/deletesvc/deletesvc/store/operations"
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

// opMetrics are the per-family, per-operation counters of /metrics: requests by status class
// (2xx, 4xx, 5xx: errors are the last two) and rows deleted. Labels come from the specs alone
// (family, operationId), so their number is fixed.
type opMetrics struct {
	requests *prometheus.CounterVec
	deleted  *prometheus.CounterVec
}

func newOpMetrics(reg prometheus.Registerer) *opMetrics {
	m := &opMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "deletesvc", Subsystem: "api", Name: "requests_total",
			Help: "Requests per family and operation, by status class."}, []string{"family", "operation", "class"}),
		deleted: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "deletesvc", Subsystem: "api", Name: "rows_deleted_total",
			Help: "Rows deleted per family and operation."}, []string{"family", "operation"}),
	}
	reg.MustRegister(m.requests, m.deleted)
	return m
}

// count wraps one operation's route: the status is the one the error handler will send.
func (m *opMetrics) count(family, operation string) echo.MiddlewareFunc {
	for _, class := range []string{"2xx", "4xx", "5xx"} {
		m.requests.WithLabelValues(family, operation, class) // series exist from the start, at 0
	}
	deleted := m.deleted.WithLabelValues(family, operation)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ctx, rows := api.WithRowsDeleted(c.Request().Context())
			c.SetRequest(c.Request().WithContext(ctx))
			err := next(c)
			status := c.Response().Status
			if err != nil {
				status = toAPIError(err).Status
			}
			m.requests.WithLabelValues(family, operation, fmt.Sprintf("%dxx", status/100)).Inc()
			if err == nil {
				deleted.Add(float64(rows.Load()))
			}
			return err
		}
	}
}

// operationsCollector shows the background operations of this instance on /metrics: per kind
// (bounded: the kinds registered), how many run, their steps planned and done, and the rows their
// runs have worked through (rows of a run later rolled back included).
type operationsCollector struct{ q *operations.Queue }

var (
	operationsRunningDesc = prometheus.NewDesc("deletesvc_operations_running", "Background operations running in this instance.", []string{"kind"}, nil)
	operationStepsDesc    = prometheus.NewDesc("deletesvc_operation_steps", "Steps planned by the running background operations.", []string{"kind"}, nil)
	operationStepsDone    = prometheus.NewDesc("deletesvc_operation_steps_done", "Steps finished by the running background operations.", []string{"kind"}, nil)
	operationRowsDesc     = prometheus.NewDesc("deletesvc_operation_rows_total", "Rows worked through by background operation runs.", []string{"kind"}, nil)
)

func (operationsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- operationsRunningDesc
	ch <- operationStepsDesc
	ch <- operationStepsDone
	ch <- operationRowsDesc
}

func (c operationsCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.q.Metrics()
	for kind, n := range s.Running {
		ch <- prometheus.MustNewConstMetric(operationsRunningDesc, prometheus.GaugeValue, float64(n), kind)
		ch <- prometheus.MustNewConstMetric(operationStepsDesc, prometheus.GaugeValue, float64(s.Steps[kind]), kind)
		ch <- prometheus.MustNewConstMetric(operationStepsDone, prometheus.GaugeValue, float64(s.StepsDone[kind]), kind)
		ch <- prometheus.MustNewConstMetric(operationRowsDesc, prometheus.CounterValue, float64(s.Rows[kind]), kind)
	}
}
