package invx

import (
	"context"
	"slices"
	"sync"
	"testing"

	"gorm.io/gorm/schema"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// TestModelsMatchMigrations: the migrations own the schema, so every model's columns must be the
// migrated table's columns, no more and no fewer, on every backend.
func TestModelsMatchMigrations(t *testing.T) {
	t.Parallel()
	storetest.EachAllowingFanOut(t, "reading a table's columns queries every shard", func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, m := range models {
			sch, err := schema.Parse(m, &sync.Map{}, schema.NamingStrategy{})
			if err != nil {
				t.Fatal(err)
			}
			types, err := db.Gorm(ctx).Migrator().ColumnTypes(m)
			if err != nil {
				t.Fatalf("columns of %s: %v", sch.Table, err)
			}
			var table, mapped []string
			for _, c := range types {
				table = append(table, c.Name())
			}
			for _, f := range sch.Fields {
				if f.DBName != "" {
					mapped = append(mapped, f.DBName)
				}
			}
			slices.Sort(table)
			slices.Sort(mapped)
			if len(table) == 0 || !slices.Equal(table, mapped) {
				t.Errorf("%s: migrated columns %v, model columns %v", sch.Table, table, mapped)
			}
		}
	})
}
