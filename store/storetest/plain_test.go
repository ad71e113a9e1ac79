package storetest_test

import (
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx"

	"github.com/deletesvc/deletesvc/store/storetest"
)

// TestCustomPlans connects through a CustomPlans url and finds the setting on, beside an option
// the url already carried; a SQLite url comes back as it was.
func TestCustomPlans(t *testing.T) {
	t.Parallel()
	if u := storetest.URL(t, storetest.SQLite); storetest.CustomPlans(t, storetest.SQLite, u) != u {
		t.Errorf("a SQLite url changed: %s", storetest.CustomPlans(t, storetest.SQLite, u))
	}
	u := storetest.URL(t, storetest.Postgres) // skips when PostgreSQL is unreachable
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	u += sep + "options=-c%20application_name%3Dcustom-plans-test"
	db := storetest.PlainDB(t, storetest.Postgres, storetest.CustomPlans(t, storetest.Postgres, u))
	for setting, want := range map[string]string{"plan_cache_mode": "force_custom_plan", "application_name": "custom-plans-test"} {
		var got string
		if err := db.QueryRow("SELECT current_setting($1)", setting).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", setting, got, want)
		}
	}
}
