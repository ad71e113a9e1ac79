package upbooks

import (
	"context"
	"slices"
	"testing"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// The migrations own the schema: the model must map exactly the migrated columns.
func TestModelsMatchMigrations(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		storetest.ModelsMatchSchema(t, db, models...)
	})
}

// The dry run counts an organization's rows in every tenant table; on PostgreSQL an index on
// organization_id alone is what lets it read far less than the table (issue 13), so a new table
// needs one too. SQLite has none: it counts from its primary key's index at 0.01-0.06x of the
// delete already, and with them its planner chose worse plans for the stored figures.
func TestEveryTenantTableHasAnOrganizationIndex(t *testing.T) {
	t.Parallel()
	storetest.OnlyPostgres(t, func(t *testing.T, db *store.DB) {
		q := `SELECT t.relname FROM pg_index i
		        JOIN pg_class t ON t.oid = i.indrelid
		        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		       WHERE i.indnatts = 1 AND i.indisvalid AND a.attname = 'organization_id'
		         AND t.relnamespace = current_schema()::regnamespace`
		var indexed []string
		if err := db.Gorm(context.Background()).Raw(q).Scan(&indexed).Error; err != nil {
			t.Fatal(err)
		}
		for _, table := range deps.tables {
			if !slices.Contains(indexed, table) {
				t.Errorf("%s has no index on organization_id alone", table)
			}
		}
	})
}
