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

// The dry run counts an organization's rows in every tenant table; an index on organization_id
// alone is what lets it read far less than the table (issue 13), so a new table needs one too.
func TestEveryTenantTableHasAnOrganizationIndex(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		q := `SELECT t.relname FROM pg_index i
		        JOIN pg_class t ON t.oid = i.indrelid
		        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		       WHERE i.indnatts = 1 AND i.indisvalid AND a.attname = 'organization_id'
		         AND t.relnamespace = current_schema()::regnamespace`
		if db.DialectName() == "sqlite" {
			q = `SELECT m.name FROM sqlite_master m, pragma_index_list(m.name) l
			      WHERE m.type = 'table'
			        AND (SELECT count(*) FROM pragma_index_info(l.name)) = 1
			        AND (SELECT name FROM pragma_index_info(l.name)) = 'organization_id'`
		}
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
