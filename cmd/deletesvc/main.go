// Command deletesvc runs the service: `deletesvc [serve]` (default) or `deletesvc migrate`.
// Configuration comes from flags, each defaulting to an environment variable; see --help.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/deletesvc/deletesvc/server"
	"github.com/deletesvc/deletesvc/store"
)

type config struct {
	port        int
	databaseURL string
	tokenSecret string
	tokenTTL    time.Duration
	bodyLimit   string
	logLevel    string
	demo        string
	// seed
	family string
	orgID  string
	rows   int
}

func main() {
	if err := run(os.Args[1:]); err != nil {
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

func parse(args []string) (string, config, error) {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("deletesvc "+cmd, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: deletesvc [serve|migrate|seed] [flags]\n\n"+
			"  serve    run the HTTP service (default); creates or upgrades the schema first\n"+
			"  migrate  create or upgrade the schema and exit\n"+
			"  seed     fill an organization with realistic data (-family, -org, -rows)\n\nFlags (each defaults to the environment variable named):\n")
		fs.PrintDefaults()
	}
	var c config
	port, err := strconv.Atoi(env("PORT", "8080"))
	if err != nil {
		return "", c, fmt.Errorf("PORT: %w", err)
	}
	ttl, err := time.ParseDuration(env("TOKEN_TTL", "12h"))
	if err != nil {
		return "", c, fmt.Errorf("TOKEN_TTL: %w", err)
	}
	fs.IntVar(&c.port, "port", port, "HTTP port ($PORT)")
	fs.StringVar(&c.databaseURL, "database-url", env("DATABASE_URL", ""), "postgres://... for PostgreSQL; empty for the embedded SQLite file "+store.DefaultSQLitePath+" ($DATABASE_URL)")
	fs.StringVar(&c.tokenSecret, "token-secret", env("TOKEN_SECRET", ""), "HMAC secret signing tokens; empty makes a random one per start ($TOKEN_SECRET)")
	fs.DurationVar(&c.tokenTTL, "token-ttl", ttl, "lifetime of issued tokens ($TOKEN_TTL)")
	fs.StringVar(&c.bodyLimit, "body-limit", env("BODY_LIMIT", "2M"), "largest accepted request body, e.g. 512K, 2M ($BODY_LIMIT)")
	fs.StringVar(&c.logLevel, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error ($LOG_LEVEL)")
	fs.StringVar(&c.demo, "demo", env("DEMO", "auto"), "create the demo user and organization: true, false, or auto (on for SQLite) ($DEMO)")
	if cmd == "seed" {
		fs.StringVar(&c.family, "family", "upbooks", "seed: which family's data (upbooks, invx, ultrabiz)")
		fs.StringVar(&c.orgID, "org", "", "seed: organization _id to fill; empty means the demo organization")
		fs.IntVar(&c.rows, "rows", 1000, "seed: about how many rows to write (10 to 1000000)")
	}
	if err := fs.Parse(args); err != nil {
		return "", c, err
	}
	return cmd, c, nil
}

func seed(ctx context.Context, st *store.Store, cfg config) error {
	if cfg.rows < 10 || cfg.rows > 1_000_000 {
		return fmt.Errorf("-rows must be between 10 and 1000000, got %d", cfg.rows)
	}
	orgID := cfg.orgID
	if orgID == "" {
		_, org, err := st.EnsureDemo(ctx)
		if err != nil {
			return err
		}
		orgID = org.ID
	}
	bar := progressbar.NewOptions(cfg.rows, progressbar.OptionSetDescription("seeding "+cfg.family),
		progressbar.OptionShowCount(), progressbar.OptionSetWriter(os.Stderr), progressbar.OptionThrottle(100*time.Millisecond))
	err := st.Seed(ctx, cfg.family, orgID, cfg.rows, func(done int) { _ = bar.Set(done) })
	_ = bar.Finish()
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return err
	}
	slog.Info("seeded", "family", cfg.family, "organization", orgID, "rows", cfg.rows)
	return nil
}

func run(args []string) error {
	cmd, cfg, err := parse(args)
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
	log := slog.New(server.LogHandler{Handler: slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level})})
	slog.SetDefault(log)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	st, err := store.Open(ctx, cfg.databaseURL, store.Options{Logger: log})
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("close database", "error", err)
		}
		log.Info("database closed")
	}()
	log.Info("database ready", "dialect", st.Dialect())

	switch cmd {
	case "migrate":
		return nil // Open migrated
	case "seed":
		return seed(ctx, st, cfg)
	case "serve":
	default:
		return fmt.Errorf("unknown command %q (want serve, migrate or seed)", cmd)
	}

	secret := []byte(cfg.tokenSecret)
	if len(secret) == 0 {
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return err
		}
		log.Warn("TOKEN_SECRET is empty: using a random secret, tokens will not survive a restart")
	}
	srv, err := server.New(st, server.Config{TokenSecret: secret, TokenTTL: cfg.tokenTTL, BodyLimit: cfg.bodyLimit, Logger: log})
	if err != nil {
		return err
	}
	if cfg.demo == "true" || cfg.demo == "auto" && st.Dialect() == "sqlite" {
		token, err := srv.DemoToken(ctx)
		if err != nil {
			return err
		}
		log.Info("demo ready", "email", store.DemoEmail, "password", store.DemoPassword, "token", token)
	}

	addr := fmt.Sprintf(":%d", cfg.port)
	errc := make(chan error, 1)
	go func() { errc <- srv.Start(addr) }()
	log.Info("listening", "addr", addr, "docs", fmt.Sprintf("http://localhost:%d/docs/", cfg.port))
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
		log.Info("shutting down: finishing in-flight requests")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			return fmt.Errorf("shutdown: %w", err)
		}
	}
	return nil
}
