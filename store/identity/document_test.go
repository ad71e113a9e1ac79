package identity_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"gorm.io/gorm"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/identity"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// An organization document scanned by hand (Document, OrganizationForMember) is field for field what
// GORM's reflection and JSON serializer read from the same row: with every optional column set,
// with each left NULL, and with JSON columns holding null or nothing.
func TestDocumentReadsWhatGORMReads(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u, org := storetest.Tenant(t, db, "owner@example.com")
		ids := storetest.Identity(db)
		set := func(assignments string) {
			t.Helper()
			storetest.Exec(t, db, "UPDATE organizations SET "+assignments+" WHERE id = '"+org.ID+"'")
		}
		check := func(name string) {
			t.Helper()
			var want identity.Organization
			if err := db.Gorm(ctx).Model(&identity.Organization{}).Select("organizations.*, s.settings, s.version, s.updated_at").
				Joins("JOIN organization_state s ON s.organization_id = organizations.id").
				Where("organizations.id = ?", org.ID).Take(&want).Error; err != nil {
				t.Fatal(err)
			}
			doc, err := identity.Document(db.Gorm(ctx), org.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(doc, want) {
				t.Errorf("%s: Document read\n%+v\nGORM read\n%+v", name, doc, want)
			}
			member, role, err := identity.OrganizationForMember(db.Gorm(ctx), org.ID, u.ID)
			if err != nil || role != identity.RoleOwner {
				t.Fatalf("%s: role %q, %v", name, role, err)
			}
			if !reflect.DeepEqual(member, want) {
				t.Errorf("%s: OrganizationForMember read\n%+v\nGORM read\n%+v", name, member, want)
			}
			// The guard's read: store.QueryRow, on PostgreSQL over pgx around GORM.
			guarded, role, err := ids.OrganizationForMember(ctx, org.ID, u.ID)
			if err != nil || role != identity.RoleOwner {
				t.Fatalf("%s: the guard's read: role %q, %v", name, role, err)
			}
			if !reflect.DeepEqual(guarded, want) {
				t.Errorf("%s: the guard's read\n%+v\nGORM read\n%+v", name, guarded, want)
			}
		}
		check("as created")
		set(`logo = 'https://cdn.example.com/logo.png', from_email = 'books@example.com', registration_source = 'web',
			organization_type = 'business', fiscal_year = '{"startMonth":4,"startDay":1}',
			business_settings = '{"industry":"Textiles","pan":"AAAPL1234C"}', phone = '{"countryCode":"+91","number":"9800000000"}',
			tax_settings = '[{"taxType":"GST","registrationNumber":"27AAAPL1234C1Z5","isRegistered":true}]'`)
		check("every optional column set")
		set(`logo = NULL, from_email = NULL, registration_source = NULL, organization_type = NULL, fiscal_year = NULL,
			business_settings = NULL, phone = NULL, tax_settings = NULL`)
		check("every optional column NULL")
		set(`fiscal_year = 'null', phone = 'null', tax_settings = '', business_settings = ''`)
		check("JSON null and empty texts")
		set(`fiscal_year = '{"StartMonth":4,"startmonth":5,"unknown":1}', phone = '{"number":"1","number":"2"}'`)
		check("JSON names in another case, repeated, unknown")
		set(`regional_setting = 'null', platform_credits = '', created_at = NULL`)
		storetest.Exec(t, db, "UPDATE organization_state SET settings = '', updated_at = NULL WHERE organization_id = '"+org.ID+"'")
		check("NOT NULL JSON columns holding null or nothing, no times")
		err := db.Tx(ctx, func(tx *gorm.DB) error {
			_, _, err := identity.OrganizationForMember(tx, org.ID, u.ID)
			return err
		})
		if err != nil {
			t.Errorf("read in a transaction: %v", err)
		}
		stranger, _ := storetest.Tenant(t, db, "stranger@example.com")
		if _, _, err := identity.OrganizationForMember(db.Gorm(ctx), org.ID, stranger.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("not a member: %v, want store.ErrNotFound", err)
		}
		if _, _, err := ids.OrganizationForMember(ctx, org.ID, stranger.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the guard's read, not a member: %v, want store.ErrNotFound", err)
		}
		if _, err := identity.Document(db.Gorm(ctx), "000000000000000000000000"); err != store.ErrNotFound {
			t.Errorf("no such organization: %v, want store.ErrNotFound", err)
		}
	})
}
