// Command deletesvc runs the service: `deletesvc [serve]` (default), `deletesvc migrate
// [up|down|status]`, `deletesvc seed` or `deletesvc check-integrity`.
// Configuration comes from flags, each defaulting to an environment variable; see --help.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/ulule/limiter/v3"
	"github.com/ulule/limiter/v3/drivers/store/memory"
	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/s3blob" // s3:// backup URLs

	"github.com/deletesvc/deletesvc/server"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/demo"
	"github.com/deletesvc/deletesvc/store/identity"
	"github.com/deletesvc/deletesvc/store/migrations"
	"github.com/deletesvc/deletesvc/store/operations"
	"github.com/deletesvc/deletesvc/store/ratelimit"
)

type config struct {
	port        int
	databaseURL string
	tokenSecret string
	tokenTTL    time.Duration
	bodyLimit   string
	timeouts    server.Timeouts
	dbTimeout   time.Duration
	trustProxy  bool
	pool        store.Pool
	logLevel    string
	demo        string
	migrate     bool
	rateLimits  server.RateLimits
	idempotency server.Idempotency
	backupURL   string
	backupKeep  time.Duration
	operations  operations.Config
	// seed
	family string
	orgID  string
	rows   int
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		slog.Error("fatal", "error", err)
		os.Exit(1)
	}
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func parse(args []string) (string, string, config, error) {
	cmd, sub := "serve", ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	if cmd == "migrate" {
		sub = "up"
		if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			sub, args = args[0], args[1:]
		}
	}
	fs := flag.NewFlagSet("deletesvc "+cmd, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: deletesvc [serve|migrate [up|down|status]|seed|check-integrity] [flags]\n\n"+
			"  serve    run the HTTP service (default); applies pending migrations first unless -migrate=false\n"+
			"  migrate  up: apply pending migrations (default); down: roll back the newest; status: list them\n"+
			"  seed     fill an organization with realistic data (-family, -org, -rows)\n"+
			"  check-integrity  look for rows whose foreign key points at no row, over every key of the\n"+
			"           schema; lists them and exits non-zero when there are any\n\nFlags (each defaults to the environment variable named):\n")
		fs.PrintDefaults()
	}
	var c config
	migrate, err := strconv.ParseBool(env("MIGRATE", "true"))
	if err != nil {
		return "", "", c, fmt.Errorf("MIGRATE: %w", err)
	}
	port, err := strconv.Atoi(env("PORT", "8080"))
	if err != nil {
		return "", "", c, fmt.Errorf("PORT: %w", err)
	}
	trustProxy, err := strconv.ParseBool(env("TRUST_PROXY", "false"))
	if err != nil {
		return "", "", c, fmt.Errorf("TRUST_PROXY: %w", err)
	}
	ttl, err := time.ParseDuration(env("TOKEN_TTL", "12h"))
	if err != nil {
		return "", "", c, fmt.Errorf("TOKEN_TTL: %w", err)
	}
	fs.IntVar(&c.port, "port", port, "HTTP port ($PORT)")
	fs.StringVar(&c.databaseURL, "database-url", env("DATABASE_URL", ""), "postgres://... for PostgreSQL; empty for the embedded SQLite file "+store.DefaultSQLitePath+" ($DATABASE_URL)")
	fs.StringVar(&c.tokenSecret, "token-secret", env("TOKEN_SECRET", ""), "HMAC secret signing tokens; empty makes a random one per start ($TOKEN_SECRET)")
	fs.DurationVar(&c.tokenTTL, "token-ttl", ttl, "lifetime of issued tokens ($TOKEN_TTL)")
	fs.BoolVar(&c.trustProxy, "trust-proxy", trustProxy, "take the client's address from X-Forwarded-For / X-Real-IP (only behind a proxy that sets them); otherwise the connection's ($TRUST_PROXY)")
	for _, d := range []struct {
		target      *time.Duration
		flag, env   string
		def         time.Duration
		description string
	}{
		{&c.timeouts.ReadHeader, "read-header-timeout", "READ_HEADER_TIMEOUT", server.DefaultTimeouts.ReadHeader, "time a client has to send its request headers"},
		{&c.timeouts.Read, "read-timeout", "READ_TIMEOUT", server.DefaultTimeouts.Read, "time a client has to send a whole request"},
		{&c.timeouts.Write, "write-timeout", "WRITE_TIMEOUT", server.DefaultTimeouts.Write, "time to answer a request (sized for a 1,000,000-row delete)"},
		{&c.timeouts.Idle, "idle-timeout", "IDLE_TIMEOUT", server.DefaultTimeouts.Idle, "time a kept-alive connection may wait for its next request"},
		{&c.dbTimeout, "db-timeout", "DB_TIMEOUT", server.DefaultDBTimeout, "deadline of each request's database work; past it the request is rolled back and answered 503 (sized for a 1,000,000-row delete; keep it under the write timeout)"},
		{&c.idempotency.TTL, "idempotency-ttl", "IDEMPOTENCY_TTL", server.DefaultIdempotency.TTL, "how long an Idempotency-Key and its answer are kept (expired ones are swept hourly)"},
		{&c.idempotency.Wait, "idempotency-wait", "IDEMPOTENCY_WAIT", server.DefaultIdempotency.Wait, "how long a repeat waits for the running request with its Idempotency-Key before it is answered 409"},
		{&c.backupKeep, "backup-retention", "BACKUP_RETENTION", 30 * 24 * time.Hour, "serve: Upbooks backups older than this are removed when a new one is taken; 0 keeps them"},
		{&c.operations.Retention, "operation-retention", "OPERATION_RETENTION", 30 * 24 * time.Hour, "serve: ended background operations older than this are removed (hourly, by one instance); 0 keeps them"},
		{&c.operations.Timeout, "operation-timeout", "OPERATION_TIMEOUT", operations.DefaultTimeout, "serve: a background operation (Prefer: respond-async) running longer is cancelled, rolled back and failed"},
		{&c.pool.MaxLifetime, "db-conn-max-lifetime", "DB_CONN_MAX_LIFETIME", store.DefaultPool.MaxLifetime, "a database connection is replaced after this long"},
		{&c.pool.MaxIdleTime, "db-conn-max-idle-time", "DB_CONN_MAX_IDLE_TIME", store.DefaultPool.MaxIdleTime, "an unused database connection is closed after this long"},
	} {
		def := d.def
		if v, ok := os.LookupEnv(d.env); ok {
			if def, err = time.ParseDuration(v); err != nil {
				return "", "", c, fmt.Errorf("%s: %w", d.env, err)
			}
		}
		fs.DurationVar(d.target, d.flag, def, d.description+" ($"+d.env+")")
	}
	for _, n := range []struct {
		target      *int
		flag, env   string
		description string
	}{
		{&c.pool.MaxOpen, "db-max-open-conns", "DB_MAX_OPEN_CONNS", fmt.Sprintf("database connections open at once (default %d for PostgreSQL, %d for SQLite)", store.DefaultPool.MaxOpen, store.SQLitePool.MaxOpen)},
		{&c.pool.MaxIdle, "db-max-idle-conns", "DB_MAX_IDLE_CONNS", "database connections kept open while unused (default: as many as may be open)"},
	} {
		def := 0
		if v, ok := os.LookupEnv(n.env); ok {
			if def, err = strconv.Atoi(v); err != nil {
				return "", "", c, fmt.Errorf("%s: %w", n.env, err)
			}
		}
		fs.IntVar(n.target, n.flag, def, n.description+" ($"+n.env+")")
	}
	fs.StringVar(&c.backupURL, "backup-url", env("BACKUP_URL", ""), "serve: where Upbooks backups are kept, a gocloud.dev/blob URL: file:///dir, or s3://bucket?region=...&endpoint=... for S3 and S3-compatible stores; empty for "+defaultBackupDir+" ($BACKUP_URL)")
	fs.StringVar(&c.bodyLimit, "body-limit", env("BODY_LIMIT", "2M"), "largest accepted request body, e.g. 512K, 2M ($BODY_LIMIT)")
	fs.StringVar(&c.logLevel, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error ($LOG_LEVEL)")
	fs.StringVar(&c.demo, "demo", env("DEMO", "auto"), "create the demo user and organization: true, false, or auto (on for SQLite) ($DEMO)")
	fs.BoolVar(&c.migrate, "migrate", migrate, "serve: apply pending schema migrations at start; false leaves them to the deploy step ($MIGRATE)")
	rateFlags := map[string]*string{}
	for _, family := range []string{"upbooks", "invx", "ultrabiz"} {
		envName := "RATE_LIMIT_" + strings.ToUpper(family)
		rateFlags[family] = fs.String("rate-limit-"+family, env(envName, "60-M,1000-H"),
			"serve: "+family+"'s rate limits per client, e.g. 60-M,1000-H (S, M, H, D); off for none ($"+envName+")")
	}
	if cmd == "seed" {
		fs.StringVar(&c.family, "family", "upbooks", "seed: which family's data (upbooks, invx, ultrabiz)")
		fs.StringVar(&c.orgID, "org", "", "seed: organization _id to fill; empty means the demo organization")
		fs.IntVar(&c.rows, "rows", 1000, "seed: about how many rows to write (10 to 1000000)")
	}
	if err := fs.Parse(args); err != nil {
		return "", "", c, err
	}
	c.rateLimits = server.RateLimits{}
	for family, v := range rateFlags {
		rates, err := server.ParseRates(*v)
		if err != nil {
			return "", "", c, fmt.Errorf("-rate-limit-%s: %w", family, err)
		}
		c.rateLimits[family] = rates
	}
	return cmd, sub, c, nil
}

func seed(ctx context.Context, seeder *demo.Seeder, cfg config, log *slog.Logger) error {
	if cfg.rows < 10 || cfg.rows > 1_000_000 {
		return fmt.Errorf("-rows must be between 10 and 1000000, got %d", cfg.rows)
	}
	orgID := cfg.orgID
	if orgID == "" {
		_, org, err := seeder.EnsureDemo(ctx)
		if err != nil {
			return err
		}
		orgID = org.ID
	}
	bar := progressbar.NewOptions(cfg.rows, progressbar.OptionSetDescription("seeding "+cfg.family),
		progressbar.OptionShowCount(), progressbar.OptionSetWriter(os.Stderr), progressbar.OptionThrottle(100*time.Millisecond))
	err := seeder.Seed(ctx, cfg.family, orgID, cfg.rows, func(done int) { _ = bar.Set(done) })
	_ = bar.Finish()
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return err
	}
	log.Info("seeded", "family", cfg.family, "organization", orgID, "rows", cfg.rows)
	return nil
}

// checkIntegrity runs `deletesvc check-integrity`: the anti-join of every foreign key over the
// whole database (the audit of what deletes prove per organization), a line per broken key.
func checkIntegrity(ctx context.Context, db *store.DB, out io.Writer) error {
	keys, broken, err := db.CheckIntegrity(ctx)
	if err != nil {
		return err
	}
	for _, o := range broken {
		fmt.Fprintf(out, "orphans  %d rows  %s  (%s)\n", o.Rows, o.Key, o.Key.Name)
	}
	if len(broken) > 0 {
		return fmt.Errorf("%d of %d foreign keys have rows pointing at no row", len(broken), len(keys))
	}
	fmt.Fprintf(out, "ok  %d foreign keys, no orphans\n", len(keys))
	return nil
}

// migrateCmd runs `deletesvc migrate up|down|status`.
func migrateCmd(ctx context.Context, r *migrations.Runner, sub string, out io.Writer, log *slog.Logger) error {
	switch sub {
	case "up":
		applied, err := r.Up(ctx, log)
		if err != nil {
			return err
		}
		log.Info("schema up to date", "applied", len(applied), "version", r.Latest())
		return nil
	case "down":
		v, err := r.Down(ctx)
		if err != nil {
			return err
		}
		log.Info("migration rolled back", "version", v)
		return nil
	case "status":
		st, err := r.Status(ctx)
		if err != nil {
			return err
		}
		for _, m := range st {
			state := "pending"
			if m.Applied {
				state = "applied"
			}
			fmt.Fprintf(out, "%05d  %-8s %s\n", m.Version, state, m.File)
		}
		dist, err := r.Distribution(ctx)
		if err != nil {
			return err
		}
		for _, d := range dist {
			fmt.Fprintf(out, "citus  %-12s %s\n", d.Kind, d.Table)
		}
		return nil
	default:
		return fmt.Errorf("unknown migrate command %q (want up, down or status)", sub)
	}
}

// defaultBackupDir keeps backups beside the default SQLite file.
const defaultBackupDir = "data/backups"

// openBackups opens the bucket of Upbooks backups: url, or a directory made under ./data.
func openBackups(ctx context.Context, url string) (*blob.Bucket, error) {
	if url != "" {
		b, err := blob.OpenBucket(ctx, url)
		if err != nil {
			return nil, fmt.Errorf("backup bucket %s: %w", url, err)
		}
		return b, nil
	}
	dir, err := filepath.Abs(defaultBackupDir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("backup directory: %w", err)
	}
	// Temporary files beside the blobs: renamed into place, never across file systems.
	return fileblob.OpenBucket(dir, &fileblob.Options{NoTempDir: true})
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	cmd, sub, cfg, err := parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.logLevel)); err != nil {
		return fmt.Errorf("log level: %w", err)
	}
	log := slog.New(server.LogHandler{Handler: slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: level})})
	slog.SetDefault(log)
	switch cmd {
	case "serve":
		server.TuneGC()
	case "migrate", "seed", "check-integrity":
	default:
		return fmt.Errorf("unknown command %q (want serve, migrate, seed or check-integrity)", cmd)
	}

	// Every command but a non-migrating serve applies migrations, so it may create the database.
	createDB := cmd != "serve" || cfg.migrate
	db, err := store.Open(ctx, cfg.databaseURL, store.Options{Logger: log, Pool: cfg.pool, CreateDatabase: createDB})
	if err != nil {
		return err
	}
	defer func() {
		if err := db.Close(); err != nil {
			log.Error("close database", "error", err)
		}
		log.Info("database closed")
	}()
	sqlDB, err := db.SQL()
	if err != nil {
		return err
	}
	runner, err := migrations.New(sqlDB, db.DialectName())
	if err != nil {
		return err
	}
	if cmd == "migrate" {
		return migrateCmd(ctx, runner, sub, stdout, log)
	}
	if cmd == "check-integrity" {
		return checkIntegrity(ctx, db, stdout)
	}
	if cmd == "serve" && !cfg.migrate {
		// The deploy step migrates; refuse to serve a schema this binary does not know.
		v, err := runner.Version(ctx)
		if err != nil {
			return err
		}
		if v != runner.Latest() {
			return fmt.Errorf("schema is at version %d, this binary needs %d: run `deletesvc migrate up` (or start without -migrate=false)", v, runner.Latest())
		}
	} else if _, err := runner.Up(ctx, log); err != nil {
		return err
	}
	log.Info("database ready", "dialect", db.DialectName(), "schema", runner.Latest())
	ids := identity.New(db, identity.Options{})
	seeder := demo.New(db, ids)
	if cmd == "seed" {
		return seed(ctx, seeder, cfg, log)
	}

	secret := []byte(cfg.tokenSecret)
	if len(secret) == 0 {
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return err
		}
		log.Warn("TOKEN_SECRET is empty: using a random secret, tokens will not survive a restart")
	}
	// Instances on one PostgreSQL share their windows; a SQLite file has one process.
	var rateStore limiter.Store = memory.NewStore()
	if db.DialectName() == "postgres" {
		windows := ratelimit.New(db)
		go windows.SweepEvery(ctx, time.Minute, log)
		rateStore = windows
	}
	backups, err := openBackups(ctx, cfg.backupURL)
	if err != nil {
		return err
	}
	defer func() { _ = backups.Close() }()
	srv, err := server.New(db, ids, server.Config{TokenSecret: secret, TokenTTL: cfg.tokenTTL, BodyLimit: cfg.bodyLimit, Timeouts: cfg.timeouts, DBTimeout: cfg.dbTimeout, TrustProxy: cfg.trustProxy, Logger: log,
		RateLimits: cfg.rateLimits, RateLimitStore: rateStore, Idempotency: cfg.idempotency, Backups: backups, BackupRetention: cfg.backupKeep,
		Operations: cfg.operations})
	if err != nil {
		return err
	}
	if err := srv.StartOperations(ctx); err != nil {
		return err
	}
	go sweepIdempotencyKeys(ctx, db, log)
	if cfg.demo == "true" || cfg.demo == "auto" && db.DialectName() == "sqlite" {
		u, org, err := seeder.EnsureDemo(ctx)
		if err != nil {
			return err
		}
		token, err := srv.Token(u, org.ID)
		if err != nil {
			return err
		}
		log.Info("demo ready", "email", demo.Email, "password", demo.Password, "token", token)
	}

	addr := fmt.Sprintf(":%d", cfg.port)
	errc := make(chan error, 1)
	go func() { errc <- srv.Start(addr) }()
	log.Info("listening", "addr", addr, "docs", fmt.Sprintf("http://localhost:%d/docs/", cfg.port))
	select {
	case err := <-errc:
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// The server is gone: background operations still get their graceful stop.
		stopErr := srv.StopOperations(stopCtx)
		if errors.Is(err, http.ErrServerClosed) {
			return stopErr
		}
		return errors.Join(err, stopErr)
	case <-ctx.Done():
		log.Info("shutting down: finishing in-flight requests")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			return fmt.Errorf("shutdown: %w", err)
		}
		// Background operations get what is left of the 30 s, then are cancelled: rolled back,
		// marked failed; their callers send them again.
		if err := srv.StopOperations(shutdownCtx); err != nil {
			return fmt.Errorf("stop operations: %w", err)
		}
	}
	return nil
}

// sweepIdempotencyKeys deletes expired idempotency keys every hour until ctx ends; every instance
// may run it (the delete is idempotent).
func sweepIdempotencyKeys(ctx context.Context, db *store.DB, log *slog.Logger) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if n, err := db.SweepIdempotencyKeys(ctx); err != nil {
				log.Warn("sweep idempotency keys", "error", err)
			} else if n > 0 {
				log.Info("swept expired idempotency keys", "keys", n)
			}
		}
	}
}
