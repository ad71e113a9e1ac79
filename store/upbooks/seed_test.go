package upbooks_test

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/deletesvc/deletesvc/store/storetest"
	"github.com/deletesvc/deletesvc/store/upbooks"
)

// seedDigest is a digest of everything an organization's seed wrote except what is random by
// design (ids, hence the values of reference columns, of which only presence counts) and the
// organization's id inside strings: per table, the row count and the sorted rows.
func seedDigest(rows map[string][]map[string]any, orgID string) (string, map[string]string) {
	perTable := map[string]string{}
	all := sha256.New()
	for _, table := range slices.Sorted(maps.Keys(rows)) {
		if table == "organizations" {
			continue // made by storetest.Tenant, not the seed
		}
		var lines []string
		for _, r := range rows[table] {
			var b strings.Builder
			for _, k := range slices.Sorted(maps.Keys(r)) {
				v := r[k]
				switch {
				case table == "memberships" && k != "role":
					continue // the seeded members are users with random ids
				case k == "id" || strings.HasSuffix(k, "_id"):
					v = v != nil
				}
				fmt.Fprintf(&b, "%s=%v;", k, v)
			}
			lines = append(lines, strings.ReplaceAll(b.String(), orgID, "ORG"))
		}
		slices.Sort(lines)
		h := sha256.New()
		for _, l := range lines {
			h.Write([]byte(l + "\n"))
		}
		perTable[table] = fmt.Sprintf("%d rows %x", len(lines), h.Sum(nil)[:6])
		fmt.Fprintf(all, "%s %s\n", table, perTable[table])
	}
	return fmt.Sprintf("%x", all.Sum(nil)[:12]), perTable
}

// The seed is deterministic for a given size: the same rows, values and references (up to ids).
// The digests pin what the seeder writes, so reorganising it cannot change its output unnoticed.
// SQLite only: the generator does not depend on the database, and the digest reads values back in
// the database's own text forms.
func TestSeedOutputIsPinned(t *testing.T) {
	t.Parallel()
	db := storetest.DB(t, storetest.SQLite)
	s := upbooks.New(db)
	for _, tc := range []struct {
		rows int
		want string
	}{
		{60, "ea770579695fa2ac5e76686d"},
		{500, "1e159a8a134194422ee7cb99"},
		{2500, "aa957cdb90af019be939c3d3"},
	} {
		_, org := seededTenant(t, db, tc.rows)
		got, perTable := seedDigest(orgRows(t, s, org.ID), org.ID)
		if got != tc.want {
			for _, table := range slices.Sorted(maps.Keys(perTable)) {
				t.Logf("%s: %s", table, perTable[table])
			}
			t.Errorf("rows=%d: seed digest %s, want %s", tc.rows, got, tc.want)
		}
	}
}
