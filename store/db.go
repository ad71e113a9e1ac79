// Package store is the service's database: the connection and transactions shared by the family
// stores (store/identity, store/upbooks, store/invx, store/ultrabiz), the sentinel errors they
// return, and the exact Decimal type. PostgreSQL in production, an embedded pure-Go SQLite by
// default. The schema belongs to store/migrations alone; *gorm.DB never leaves store/.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/deletesvc/deletesvc/store/internal/dialect"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver used by the SQLite dialector
)

// DefaultSQLitePath is where the zero-setup database lives when no DATABASE_URL is given.
const DefaultSQLitePath = "data/deletesvc.db"

// Options tune Open.
type Options struct {
	// Logger receives slow-query and error logs; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock stamped on rows GORM times itself; nil means time.Now in UTC.
	Now func() time.Time
	// SlowQuery is how long a statement runs before it is logged as slow; zero means one second.
	SlowQuery time.Duration
	// Pool sizes the connection pool; zero fields take DefaultPool (SQLitePool for SQLite).
	Pool Pool
	// CreateDatabase creates a missing PostgreSQL database when the role may (for the commands
	// that migrate); without it a missing database is an error that says what to run.
	CreateDatabase bool
	// Tracer, when set, is the pgx tracer of the pool's PostgreSQL connections: it sees the
	// statements run on them (GORM's, QueryRow's and, when it also implements pgx.BatchTracer, each
	// of a Batch's as its result is read) under the context they were sent with. Tests count
	// statements with it (storetest.CountStatements).
	Tracer pgx.QueryTracer
}

// Pool is the connection pool's configuration (database/sql's knobs).
type Pool struct {
	MaxOpen     int           // connections open at once; more requests wait for one
	MaxIdle     int           // connections kept open while unused
	MaxLifetime time.Duration // a connection is replaced after this long (picks up server-side changes, rebalances after failover)
	MaxIdleTime time.Duration // an unused connection is closed after this long
}

// DefaultPool suits PostgreSQL on a 2-core machine: a few more connections than cores keep the
// server busy while others wait on the network; more only queue inside PostgreSQL (Go's default is
// unbounded, with 2 idle: 150 clients opened 150 connections and churned them, p95 8.5 s). Idle
// equals open so a burst does not close and reopen connections.
var DefaultPool = Pool{MaxOpen: 10, MaxIdle: 10, MaxLifetime: 30 * time.Minute, MaxIdleTime: 5 * time.Minute}

// SQLitePool: one writer at a time is SQLite's model; a small pool keeps readers concurrent.
var SQLitePool = Pool{MaxOpen: 4, MaxIdle: 4, MaxLifetime: 0, MaxIdleTime: 0}

func (p Pool) withDefaults(d Pool) Pool {
	if p.MaxOpen <= 0 {
		p.MaxOpen = d.MaxOpen
	}
	if p.MaxIdle <= 0 {
		p.MaxIdle = min(d.MaxIdle, p.MaxOpen)
	}
	if p.MaxLifetime <= 0 {
		p.MaxLifetime = d.MaxLifetime
	}
	if p.MaxIdleTime <= 0 {
		p.MaxIdleTime = d.MaxIdleTime
	}
	return p
}

// DB is one connection pool and its dialect. Family stores are built on it; it does not change the
// schema (see store/migrations).
type DB struct {
	gorm    *gorm.DB
	dialect dialect.Dialect
	now     func() time.Time
	citus   bool // the database has the citus extension: tables are distributed
	url     string
	// sqlitePath is the SQLite file ("" on PostgreSQL).
	sqlitePath string
	// prepared is, on SQLite, the session whose statements GORM keeps prepared (preparedSession).
	prepared *gorm.DB

	// What UncheckedTx found this PostgreSQL connection may do, once known.
	bypassMu    sync.Mutex
	bypassKnown bool
	bypass      bool
}

// Open connects to url. An empty url, a file path or "sqlite://path" opens the embedded SQLite;
// "postgres://" or "postgresql://" opens PostgreSQL.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	now := opts.Now
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	slow := opts.SlowQuery
	if slow == 0 {
		slow = time.Second
	}
	cfg := &gorm.Config{
		// ParameterizedQueries: statements are logged with placeholders, never with the values
		// bound to them (emails, password hashes, comments).
		Logger:                 quietTrace{logger.NewSlogLogger(log, logger.Config{SlowThreshold: slow, LogLevel: logger.Warn, IgnoreRecordNotFoundError: true, ParameterizedQueries: true}), slow},
		TranslateError:         true,
		SkipDefaultTransaction: true,
		NowFunc:                now,
		// For QueryRow's few fixed statements: a bound that a text varying by mistake cannot
		// outgrow, and GORM's own no-eviction age, for which it starts no expiry goroutine (one
		// per database opened, never stopped) and closes no statement a request may be using.
		PrepareStmtMaxSize: 64,
		PrepareStmtTTL:     10 * 365 * 24 * time.Hour,
	}
	var dialector gorm.Dialector
	sqlitePath := ""
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		if err := checkPostgres(ctx, url, opts.CreateDatabase, log); err != nil {
			return nil, err
		}
		var connect []stdlib.OptionOpenDB
		if opts.Tracer != nil {
			connect = append(connect, stdlib.OptionBeforeConnect(func(_ context.Context, c *pgx.ConnConfig) error {
				c.Tracer = opts.Tracer
				return nil
			}))
		}
		dialector = postgres.New(postgres.Config{DSN: url, OptionOpenDB: connect})
	default:
		path := strings.TrimPrefix(url, "sqlite://")
		if path == "" {
			path = DefaultSQLitePath
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("create sqlite directory: %w", err)
		}
		dialector = sqlite.Dialector{DriverName: "sqlite", DSN: SQLiteDSN(path)}
		sqlitePath = path
	}
	g, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db := &DB{gorm: g, dialect: dialect.For(g.Dialector.Name()), now: now, url: url, sqlitePath: sqlitePath}
	if db.dialect.Name() != "postgres" {
		db.prepared = g.Session(&gorm.Session{PrepareStmt: true})
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	pool := opts.Pool.withDefaults(DefaultPool)
	if sqlitePath != "" {
		pool = opts.Pool.withDefaults(SQLitePool)
	}
	sqlDB.SetMaxOpenConns(pool.MaxOpen)
	sqlDB.SetMaxIdleConns(pool.MaxIdle)
	sqlDB.SetConnMaxLifetime(pool.MaxLifetime)
	sqlDB.SetConnMaxIdleTime(pool.MaxIdleTime)
	if err := db.Ping(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	if db.dialect.Name() == "postgres" {
		err := g.WithContext(ctx).Raw("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')").Scan(&db.citus).Error
		if err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("look for the citus extension: %w", err)
		}
	}
	return db, nil
}

// SQLiteDSN is how the service opens the SQLite file at path (sqliteDSN, writers waiting up to 10
// seconds for the lock). A baseline that must pay what the service's statements pay, and no more,
// opens its own connection with it: SQLite's default synchronous=FULL, for one, syncs the WAL at
// every commit, which the service's NORMAL does not.
func SQLiteDSN(path string) string { return sqliteDSN(path, 10*time.Second) }

// sqliteDSN opens path with the service's settings; a writer waits up to busy for the lock.
// Immediate transactions take the write lock at BEGIN, so concurrent writers wait on
// busy_timeout instead of failing on a lock upgrade; WAL lets readers run beside them.
func sqliteDSN(path string, busy time.Duration) string {
	return fmt.Sprintf("file:%s?_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate",
		path, busy.Milliseconds())
}

// SQLiteSidePool opens a second, small pool on the SQLite file whose writers wait at most busy
// for the write lock, for background machinery that must not hold the service's connections
// while a long call holds the lock (it retries instead). The caller closes it.
func (db *DB) SQLiteSidePool(busy time.Duration, maxOpen int) (*sql.DB, error) {
	if db.sqlitePath == "" {
		return nil, errors.New("not an SQLite database")
	}
	side, err := sql.Open("sqlite", sqliteDSN(db.sqlitePath, busy))
	if err != nil {
		return nil, err
	}
	side.SetMaxOpenConns(maxOpen)
	side.SetMaxIdleConns(maxOpen)
	return side, nil
}

// URL is what the database was opened with (it may hold a password: never log it).
func (db *DB) URL() string { return db.url }

// DialectName is "postgres" or "sqlite".
func (db *DB) DialectName() string { return db.dialect.Name() }

// Dialect writes the database-specific parts of the family stores' SQL.
func (db *DB) Dialect() dialect.Dialect { return db.dialect }

// Now is the store's clock.
func (db *DB) Now() time.Time { return db.now() }

// Gorm is the handle family stores query with, bound to ctx. Only packages under store/ use it.
// Inside an Idempotent request it is the request's transaction.
func (db *DB) Gorm(ctx context.Context) *gorm.DB {
	if tx := requestTx(ctx); tx != nil {
		return tx.WithContext(ctx)
	}
	return db.gorm.WithContext(ctx)
}

// preparedSession is Gorm(ctx) for a statement of fixed text that every request runs (QueryRow's;
// a text that varies, such as an IN list, would fill the cache): on SQLite its statement is
// prepared once per connection and kept (GORM's PrepareStmt), where the driver would prepare it
// anew each time, half the guard's read of the organization. On PostgreSQL pgx already keeps its
// prepared statements. Inside a request's transaction it is the transaction, unprepared: a
// statement GORM first prepared there would be closed at its end yet stay in GORM's cache.
func (db *DB) preparedSession(ctx context.Context) *gorm.DB {
	if db.prepared == nil || requestTx(ctx) != nil {
		return db.Gorm(ctx)
	}
	return db.prepared.WithContext(ctx)
}

// Tx runs fn in one database transaction bound to ctx: committed if fn returns nil, rolled back
// otherwise (GORM's helper, which also reports a failed commit). Inside an Idempotent request it
// is a savepoint of the request's transaction: rolled back alone on error, committed with the
// request. Either way a Batch in it pipelines on PostgreSQL.
func (db *DB) Tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if requestTx(ctx) == nil {
		return db.transaction(ctx, fn)
	}
	return db.Gorm(ctx).Transaction(fn)
}

// FanOut runs fn in one transaction whose statements are meant to span organizations, and so on
// Citus many shards (a listing of a user's organizations). Everywhere else a statement binds one
// organization; the suite on Citus makes any multi-shard statement an error, except under FanOut.
func (db *DB) FanOut(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if !db.citus {
		return fn(db.Gorm(ctx))
	}
	return db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec("SET LOCAL citus.multi_task_query_log_level = 'off'").Error; err != nil {
			return err
		}
		return fn(tx)
	})
}

// WithoutNestedLoops runs fn in tx with PostgreSQL's nested-loop joins off, then puts the setting
// back. It is for statements that join two of one organization's tables on a reference column
// that no index holds together with organization_id. When the statistics do not know the
// organization (a small one beside a large one, or rows bulk-loaded since the last ANALYZE), the
// planner expects one row on each side and loops, reading one side again for every row of the
// other: a 10,000-row organization's stored figures took 30 s to recompute beside a
// 1,000,000-row one (issue 13). Hash and merge joins stay linear whatever the estimate. On Citus
// the setting goes to the workers with the statements. SQLite: fn as it is.
func (db *DB) WithoutNestedLoops(tx *gorm.DB, fn func() error) error {
	if db.DialectName() == "sqlite" {
		return fn()
	}
	if db.citus {
		if err := tx.Exec("SET LOCAL citus.propagate_set_commands = 'local'").Error; err != nil {
			return fmt.Errorf("propagate settings: %w", err)
		}
	}
	if err := tx.Exec("SET LOCAL enable_nestloop = off").Error; err != nil {
		return fmt.Errorf("turn off nested loops: %w", err)
	}
	if err := fn(); err != nil {
		return err
	}
	if err := tx.Exec("SET LOCAL enable_nestloop TO DEFAULT").Error; err != nil {
		return fmt.Errorf("turn nested loops back on: %w", err)
	}
	return nil
}

// SQL is the underlying pool, for the migration runner.
func (db *DB) SQL() (*sql.DB, error) { return db.gorm.DB() }

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Close releases the connection pool.
func (db *DB) Close() error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// LockOrganization takes organization orgID's lock for the rest of transaction tx, so destructive
// operations on one organization run one after another while other organizations' go on. The lock
// is a row of organization_locks, a tenant table: on Citus it lives on the organization's shard
// (a lock on the organizations row would hold the reference table on every node for everyone).
// SQLite has one writer at a time, which already serialises. An unknown organization is ErrNotFound.
func LockOrganization(tx *gorm.DB, orgID string) error {
	err := tx.Exec(`INSERT INTO organization_locks (organization_id) VALUES (?)
		ON CONFLICT (organization_id) DO UPDATE SET organization_id = excluded.organization_id`, orgID).Error
	if IsForeignKeyViolation(err) {
		return ErrNotFound // the lock row's one key is to the organization
	}
	if err != nil {
		return fmt.Errorf("lock organization %s: %w", orgID, err)
	}
	return nil
}

// quietTrace passes GORM's trace of a statement on only when it will be logged (an error, or
// slower than slow): GORM's slog logger renders every statement's SQL text before deciding, which
// cost 5.8% of the CPU of an Ultrabiz request that logged nothing (issue 13).
type quietTrace struct {
	logger.Interface
	slow time.Duration
}

func (q quietTrace) LogMode(level logger.LogLevel) logger.Interface {
	if level >= logger.Info { // db.Debug(): every statement is logged, so each is rendered
		return q.Interface.LogMode(level)
	}
	return quietTrace{q.Interface.LogMode(level), q.slow}
}

// A missing row and a unique violation are not logged: the store asks for them (a lookup, an
// insert that loses a race or meets an existing row) and answers them itself, as a 404 or 409 or by
// reading the row; logged as errors they told an operator of failures that were none (every
// `deletesvc seed` of the demo organization logged two).
func (q quietTrace) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	expected := errors.Is(err, gorm.ErrRecordNotFound) || IsUniqueViolation(err)
	if (err != nil && !expected) || time.Since(begin) > q.slow {
		q.Interface.Trace(ctx, begin, fc, err)
	}
}

// ParamsFilter keeps the bound values out of the logged SQL: GORM asks the logger it holds.
func (q quietTrace) ParamsFilter(ctx context.Context, sql string, params ...any) (string, []any) {
	if f, ok := q.Interface.(gorm.ParamsFilter); ok {
		return f.ParamsFilter(ctx, sql, params...)
	}
	return sql, params
}
