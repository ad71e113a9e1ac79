package migrations

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// riverVersion is the version of River's own schema (its job queue tables, river_*) that migration
// riverMigration brings, pinned so a River upgrade changes the schema only through a new
// migration here. Both drivers number their schema alike.
const (
	riverMigration = 11
	riverVersion   = 8
)

// riverSchema is migration 11: River's tables, made by River's own migrator (its SQL ships with the
// driver; copying it here would be a second copy to keep in step). It runs outside goose's
// transaction: on PostgreSQL River's steps cannot share one (a step uses an enum value an earlier
// one adds), so each of its versions commits alone and River's river_migration table records
// them; an interrupted run resumes where it stopped. On Citus the tables stay on the coordinator
// (see distribute).
func riverSchema(dialect string) *goose.Migration {
	migrate := func(up bool) func(ctx context.Context, db *sql.DB) error {
		return func(ctx context.Context, db *sql.DB) error {
			var driver riverdriver.Driver[*sql.Tx] = riverdatabasesql.New(db)
			if dialect == "sqlite" {
				driver = riversqlite.New(db)
			}
			m, err := rivermigrate.New(driver, nil)
			if err != nil {
				return err
			}
			dir, target := rivermigrate.DirectionUp, riverVersion
			if !up {
				dir, target = rivermigrate.DirectionDown, -1
			}
			if _, err := m.Migrate(ctx, dir, &rivermigrate.MigrateOpts{TargetVersion: target}); err != nil {
				return fmt.Errorf("river schema: %w", err)
			}
			return nil
		}
	}
	return goose.NewGoMigration(riverMigration, &goose.GoFunc{RunDB: migrate(true)}, &goose.GoFunc{RunDB: migrate(false)})
}
