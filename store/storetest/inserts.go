package storetest

import (
	"context"
	"reflect"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/deletesvc/deletesvc/store"
)

// SameInsertAsGORM fails t unless the insert store.Batch.Insert writes for rows of columns into
// table is the one GORM's Create of model (a pointer to the same rows as models) writes: the same
// text on PostgreSQL, where a statement is prepared by its text, and the same bound values on both
// databases. A field added to a model and not to its column list fails here.
func SameInsertAsGORM(t testing.TB, db *store.DB, model any, table string, columns []string, rows [][]any) {
	t.Helper()
	g := db.Gorm(context.Background())
	want := g.Session(&gorm.Session{DryRun: true}).Omit(clause.Associations).Create(model).Statement
	sql, vars := store.InsertStatement(g, table, columns, rows)
	if db.DialectName() == "postgres" && sql != want.SQL.String() {
		t.Errorf("%s:\n%s\nGORM:\n%s", table, sql, want.SQL.String())
	}
	if !reflect.DeepEqual(vars, want.Vars) {
		t.Errorf("%s: values\n%#v\nGORM:\n%#v", table, vars, want.Vars)
	}
}
