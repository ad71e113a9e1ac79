package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// A statement that succeeds in time is not rendered: GORM's logger would build its SQL text only to
// drop it; nor is one whose error the store expects and answers (no row, a unique violation). Any
// other error or a slow statement still is, and is logged without its values.
func TestQuietTraceRendersOnlyWhatItLogs(t *testing.T) {
	var buf countingWriter // counts the lines logged
	inner := logger.NewSlogLogger(slog.New(slog.NewJSONHandler(&buf, nil)), logger.Config{SlowThreshold: time.Second, LogLevel: logger.Warn, IgnoreRecordNotFoundError: true, ParameterizedQueries: true})
	q := quietTrace{inner, time.Second}
	rendered := 0
	fc := func() (string, int64) { rendered++; return "SELECT 1", 1 }
	ctx := context.Background()
	q.Trace(ctx, time.Now(), fc, nil)
	q.Trace(ctx, time.Now(), fc, gorm.ErrRecordNotFound)
	q.Trace(ctx, time.Now(), fc, fmt.Errorf("insert: %w", gorm.ErrDuplicatedKey))
	if rendered != 0 {
		t.Fatalf("a fast statement that succeeded, found nothing or met an existing row was rendered %d times", rendered)
	}
	q.Trace(ctx, time.Now(), fc, errors.New("boom"))
	q.Trace(ctx, time.Now().Add(-2*time.Second), fc, nil)
	if rendered != 2 || buf.n != 2 {
		t.Fatalf("an error and a slow statement: rendered %d, logged %d; want 2 and 2", rendered, buf.n)
	}
	if _, ok := any(q).(gorm.ParamsFilter); !ok {
		t.Fatal("quietTrace hides the ParamsFilter that keeps bound values out of the logs")
	}
	if _, ok := q.LogMode(logger.Info).(quietTrace); ok {
		t.Fatal("at Info every statement is logged: LogMode(Info) must not be quiet")
	}
}

type countingWriter struct{ n int }

func (s *countingWriter) Write(p []byte) (int, error) { s.n++; return len(p), nil }
