// Package store holds the service's data and its rules: PostgreSQL in production, an embedded
// pure-Go SQLite by default. Transactions begin and end here; *gorm.DB never leaves the package.
package store

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver used by the SQLite dialector
)

// DefaultSQLitePath is where the zero-setup database lives when no DATABASE_URL is given.
const DefaultSQLitePath = "data/deletesvc.db"

// Options tune Open.
type Options struct {
	// BcryptCost is the password hashing cost; zero means bcrypt.DefaultCost. Tests lower it.
	BcryptCost int
	// Logger receives slow-query and error logs; nil means slog.Default().
	Logger *slog.Logger
}

// Store is the service's database.
type Store struct {
	db         *gorm.DB
	sqlite     bool
	bcryptCost int
	log        *slog.Logger
}

// Open connects to url and creates or upgrades the schema. An empty url, a file path or
// "sqlite://path" opens the embedded SQLite; "postgres://" or "postgresql://" opens PostgreSQL.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	s := &Store{bcryptCost: opts.BcryptCost, log: opts.Logger}
	if s.bcryptCost == 0 {
		s.bcryptCost = bcrypt.DefaultCost
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	cfg := &gorm.Config{
		Logger:                 logger.NewSlogLogger(s.log, logger.Config{SlowThreshold: time.Second, LogLevel: logger.Warn, IgnoreRecordNotFoundError: true}),
		TranslateError:         true,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	var dialector gorm.Dialector
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		dialector = postgres.Open(url)
	default:
		path := strings.TrimPrefix(url, "sqlite://")
		if path == "" {
			path = DefaultSQLitePath
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("create sqlite directory: %w", err)
		}
		// Immediate transactions take the write lock at BEGIN, so concurrent writers wait on
		// busy_timeout instead of failing on a lock upgrade; WAL lets readers run beside them.
		dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
		dialector = sqlite.Dialector{DriverName: "sqlite", DSN: dsn}
		s.sqlite = true
	}
	db, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	s.db = db
	if err := registerStatementCounter(db); err != nil {
		return nil, fmt.Errorf("register statement counter: %w", err)
	}
	if s.sqlite {
		sqlDB, err := db.DB()
		if err != nil {
			return nil, err
		}
		// One writer at a time is SQLite's model; a small pool keeps readers concurrent.
		sqlDB.SetMaxOpenConns(4)
	}
	if err := s.Ping(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// Dialect is "postgres" or "sqlite".
func (s *Store) Dialect() string { return s.db.Dialector.Name() }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Close releases the connection pool.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// transaction runs fn in one database transaction bound to ctx.
func (s *Store) transaction(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(fn)
}
