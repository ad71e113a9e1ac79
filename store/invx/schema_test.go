package invx

import (
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
