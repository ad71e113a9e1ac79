package ultrabiz

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// Every column the models map exists in the schema the migrations make: the migrations, not
// AutoMigrate, own the schema, so a field added to a model without a migration fails here.
func TestModelsMatchMigratedSchema(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		g := db.Gorm(context.Background())
		m := g.Migrator()
		for _, model := range models {
			if !m.HasTable(model) {
				t.Errorf("%T: no table", model)
				continue
			}
			stmt := &gorm.Statement{DB: g}
			if err := stmt.Parse(model); err != nil {
				t.Fatal(err)
			}
			for _, f := range stmt.Schema.Fields {
				if f.DBName != "" && !m.HasColumn(model, f.DBName) {
					t.Errorf("%s: no column %s", stmt.Schema.Table, f.DBName)
				}
			}
		}
	})
}
