package identity_test

import (
	"context"
	"testing"

	"github.com/deletesvc/deletesvc/store/storetest"
)

// BenchmarkOrganizationForMember is the guard's read before every Upbooks request: the organization
// document, its state and the caller's role in one statement, outside a transaction. Its CPU per
// read is the process's (the driver's too: SQLite runs in it), not PostgreSQL's.
func BenchmarkOrganizationForMember(b *testing.B) {
	for _, backend := range []storetest.Backend{storetest.Postgres, storetest.SQLite} {
		b.Run(string(backend), func(b *testing.B) {
			db := storetest.DB(b, backend)
			ids := storetest.Identity(db)
			u, org := storetest.Tenant(b, db, "owner@example.com")
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := ids.OrganizationForMember(ctx, org.ID, u.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
