package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The SQLSTATEs the PostgreSQL connection check tells apart.
const (
	pgInvalidCatalogName    = "3D000" // the database does not exist
	pgDuplicateDatabase     = "42P04" // created meanwhile by another instance
	pgUniqueViolation       = "23505" // the same race, caught by pg_database's unique index
	pgInsufficientPrivilege = "42501"
	pgMaintenanceDatabase   = "postgres"
	pgMaintenanceFallback   = "template1"
)

// checkPostgres connects once with pgx before GORM does, so a wrong URL is one clear error rather
// than GORM's log line (which cannot encode the connection config) followed by the driver's. A
// missing database is created when create is set and the role may (CREATE DATABASE, as `migrate`
// and a migrating start do); otherwise the error says exactly what to run.
func checkPostgres(ctx context.Context, rawURL string, create bool, log *slog.Logger) error {
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err == nil {
		return conn.Close(ctx)
	}
	if sqlState(err) != pgInvalidCatalogName {
		return fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	createdb := fmt.Sprintf("createdb -h %s -p %d -U postgres -O %s %s", cfg.Host, cfg.Port, cfg.User, cfg.Database)
	where := fmt.Sprintf("database %q does not exist on %s:%d", cfg.Database, cfg.Host, cfg.Port)
	if !create {
		return fmt.Errorf("%s: run `deletesvc migrate up` with this DATABASE_URL (it creates the database when role %q may), or as a role that may create databases: %s",
			where, cfg.User, createdb)
	}
	if err := createPostgresDatabase(ctx, cfg); err != nil {
		if sqlState(err) == pgInsufficientPrivilege {
			return fmt.Errorf("%s and role %q may not create it (%v): as a role that may (e.g. postgres), run: %s", where, cfg.User, err, createdb)
		}
		return fmt.Errorf("create database %q: %w", cfg.Database, err)
	}
	log.InfoContext(ctx, "created database", "database", cfg.Database, "owner", cfg.User)
	return nil
}

// createPostgresDatabase runs CREATE DATABASE from the maintenance database (template1 when the
// role may not connect to postgres). Another instance creating it at the same moment is success.
func createPostgresDatabase(ctx context.Context, target *pgx.ConnConfig) error {
	var conn *pgx.Conn
	var err error
	for _, maint := range []string{pgMaintenanceDatabase, pgMaintenanceFallback} {
		cfg := target.Copy()
		cfg.Database = maint
		if conn, err = pgx.ConnectConfig(ctx, cfg); err == nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("connect to a maintenance database: %w", err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{target.Database}.Sanitize())
	if s := sqlState(err); s == pgDuplicateDatabase || s == pgUniqueViolation {
		return nil
	}
	return err
}

func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}
