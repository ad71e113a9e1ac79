// Package migrations is the only thing that changes the schema: versioned SQL files per dialect
// (postgres/, sqlite/), embedded in the binary and applied by pressly/goose, which records the
// version in goose_db_version. Migration 1 is the schema GORM's AutoMigrate made before versions
// existed; a database made by such a release is adopted at version 1 (see Up).
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"
)

// Files are the migration files, postgres/ and sqlite/.
//
//go:embed postgres/*.sql sqlite/*.sql
var Files embed.FS

// versionTable is goose's bookkeeping table.
const versionTable = "goose_db_version"

// Runner applies the embedded migrations of one dialect to one database.
type Runner struct {
	db       *sql.DB
	dialect  string
	provider *goose.Provider
	store    database.Store
}

// New prepares a runner for db, whose dialect is "postgres" or "sqlite".
func New(db *sql.DB, dialect string) (*Runner, error) {
	gd := goose.DialectPostgres
	var opts []goose.ProviderOption
	switch dialect {
	case "postgres":
		// Several instances starting at once take turns: an advisory lock held for the whole run.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	case "sqlite":
		gd = goose.DialectSQLite3
	default:
		return nil, fmt.Errorf("migrations: unknown dialect %q", dialect)
	}
	sub, err := fs.Sub(Files, dialect)
	if err != nil {
		return nil, err
	}
	st, err := database.NewStore(gd, versionTable)
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider("", db, sub, append(opts, goose.WithStore(st), goose.WithGoMigrations(riverSchema(dialect)))...)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return &Runner{db: db, dialect: dialect, provider: p, store: st}, nil
}

// Latest is the newest version the binary knows.
func (r *Runner) Latest() int64 {
	src := r.provider.ListSources()
	return src[len(src)-1].Version
}

// Version is the database's current version (0 for an empty database).
func (r *Runner) Version(ctx context.Context) (int64, error) {
	if err := r.adopt(ctx); err != nil {
		return 0, err
	}
	return r.provider.GetDBVersion(ctx)
}

// Up applies every pending migration and returns the versions it applied. With nothing pending it
// costs a few queries whatever the amount of data.
func (r *Runner) Up(ctx context.Context, log *slog.Logger) ([]int64, error) {
	if err := r.adopt(ctx); err != nil {
		return nil, err
	}
	results, err := r.provider.Up(ctx)
	var applied []int64
	for _, res := range results {
		applied = append(applied, res.Source.Version)
		if log != nil {
			log.Info("migration applied", "version", res.Source.Version, "file", sourceName(res.Source.Path), "duration", res.Duration)
		}
	}
	if err != nil {
		return applied, fmt.Errorf("migrate up: %w", err)
	}
	// On Citus, tables a migration added are distributed in the same run (a no-op otherwise).
	if err := r.distribute(ctx); err != nil {
		return applied, err
	}
	return applied, nil
}

// UpTo applies pending migrations up to and including version.
func (r *Runner) UpTo(ctx context.Context, version int64) error {
	if err := r.adopt(ctx); err != nil {
		return err
	}
	if _, err := r.provider.UpTo(ctx, version); err != nil {
		return err
	}
	return r.distribute(ctx)
}

// Down rolls back the newest applied migration and returns its version.
func (r *Runner) Down(ctx context.Context) (int64, error) {
	if err := r.adopt(ctx); err != nil {
		return 0, err
	}
	res, err := r.provider.Down(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate down: %w", err)
	}
	return res.Source.Version, nil
}

// Status is one migration and whether it is applied.
type Status struct {
	Version int64
	File    string
	Applied bool
}

// Status lists every migration the binary knows and whether the database has it.
func (r *Runner) Status(ctx context.Context) ([]Status, error) {
	if err := r.adopt(ctx); err != nil {
		return nil, err
	}
	st, err := r.provider.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate status: %w", err)
	}
	out := make([]Status, len(st))
	for i, s := range st {
		out[i] = Status{Version: s.Source.Version, File: sourceName(s.Source.Path), Applied: s.State == goose.StateApplied}
	}
	return out, nil
}

// adopt records version 1 on a database that a release before versioned migrations made: it has
// the tables of migration 1 (found by the organizations table) but no version table. Applying
// migration 1 there would fail on the existing tables.
func (r *Runner) adopt(ctx context.Context) error {
	hasVersions, err := r.tableExists(ctx, versionTable)
	if err != nil || hasVersions {
		return err
	}
	hasSchema, err := r.tableExists(ctx, "organizations")
	if err != nil || !hasSchema {
		return err
	}
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := r.store.CreateVersionTable(ctx, tx); err != nil {
		return fmt.Errorf("adopt unversioned schema: %w", err)
	}
	for _, v := range []int64{0, 1} {
		if err := r.store.Insert(ctx, tx, database.InsertRequest{Version: v}); err != nil {
			return fmt.Errorf("adopt unversioned schema: %w", err)
		}
	}
	return tx.Commit()
}

func (r *Runner) tableExists(ctx context.Context, name string) (bool, error) {
	q := "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1"
	if r.dialect == "sqlite" {
		q = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
	}
	var one int
	err := r.db.QueryRowContext(ctx, q, name).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// sourceName names a migration: its file, or for the Go one, what it does.
func sourceName(path string) string {
	if path == "" {
		return fmt.Sprintf("river.go (River's job queue schema, version %d)", riverVersion)
	}
	return path
}
