package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"

	"gorm.io/gorm/schema"

	"github.com/deletesvc/deletesvc/store"
)

// ModelsMatchSchema fails t unless every model's columns are exactly its migrated table's columns:
// the migrations own the schema and GORM models only map it, so the two must not drift. It reads
// the catalog, never the tables, so on Citus it stays on the coordinator.
func ModelsMatchSchema(t *testing.T, db *store.DB, models ...any) {
	t.Helper()
	q := "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?"
	if db.DialectName() == "sqlite" {
		q = "SELECT name FROM pragma_table_info(?)"
	}
	cache := &sync.Map{}
	for _, m := range models {
		sch, err := schema.Parse(m, cache, schema.NamingStrategy{})
		if err != nil {
			t.Fatal(err)
		}
		var table []string
		if err := db.Gorm(context.Background()).Raw(q, sch.Table).Scan(&table).Error; err != nil {
			t.Fatalf("columns of %s: %v", sch.Table, err)
		}
		var mapped []string
		for _, f := range sch.Fields {
			// A read-only field is another table's column, joined in (the organization's state).
			if f.DBName != "" && (f.Creatable || f.Updatable) {
				mapped = append(mapped, f.DBName)
			}
		}
		slices.Sort(table)
		slices.Sort(mapped)
		if len(table) == 0 || !slices.Equal(table, mapped) {
			t.Errorf("%s: migrated columns %v, model columns %v", sch.Table, table, mapped)
		}
	}
}
