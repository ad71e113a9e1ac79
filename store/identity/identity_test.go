package identity_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/identity"
	"github.com/deletesvc/deletesvc/store/storetest"
)

func TestIdentity(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := storetest.Identity(db)
		ctx := context.Background()
		alice, aliceOrg := storetest.Tenant(t, db, "Alice@Example.com")
		bob, bobOrg := storetest.Tenant(t, db, "bob@example.com")
		if alice.Number == bob.Number || alice.Number < 1 {
			t.Fatalf("user numbers %d and %d must be distinct and positive", alice.Number, bob.Number)
		}
		if _, err := s.Authenticate(ctx, "alice@example.com", "password123"); err != nil {
			t.Fatalf("login with lower-cased email: %v", err)
		}
		if _, err := s.Authenticate(ctx, "alice@example.com", "wrong"); !errors.Is(err, store.ErrInvalidCredentials) {
			t.Fatalf("wrong password: got %v", err)
		}
		if _, err := s.Authenticate(ctx, "nobody@example.com", "password123"); !errors.Is(err, store.ErrInvalidCredentials) {
			t.Fatalf("unknown user: got %v", err)
		}
		if _, err := s.CreateUser(ctx, identity.NewUser{Email: "alice@example.com", Name: "dup", Password: "x"}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate email: got %v", err)
		}
		if len(aliceOrg.ID) != 24 || len(aliceOrg.Code) != 6 {
			t.Fatalf("org ids %q %q: want 24-hex _id and 6-digit code", aliceOrg.ID, aliceOrg.Code)
		}
		if role, err := s.MemberRole(ctx, aliceOrg.ID, alice.ID); err != nil || role != identity.RoleOwner {
			t.Fatalf("owner role: %v %v", role, err)
		}
		if _, err := s.MemberRole(ctx, aliceOrg.ID, bob.ID); !errors.Is(err, store.ErrNotMember) {
			t.Fatalf("bob in alice's org: got %v", err)
		}
		if _, _, err := s.OrganizationForMember(ctx, aliceOrg.ID, bob.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("foreign org must look missing: got %v", err)
		}
		if err := s.AddMember(ctx, aliceOrg.ID, bob.ID, identity.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		got, role, err := s.OrganizationForMember(ctx, aliceOrg.ID, bob.ID)
		if err != nil || role != identity.RoleAdmin || got.Settings.Invoice.Prefix != "INV-" {
			t.Fatalf("bob as admin: %+v %v %v", got.Settings, role, err)
		}
		orgs, total, err := s.ListOrganizations(ctx, bob.ID, identity.OrganizationPage{PageNo: 1, PageSize: 1, SortBy: "name"})
		if err != nil || total != 2 || len(orgs) != 1 {
			t.Fatalf("bob's organizations: %d of %d, %v", len(orgs), total, err)
		}
		def, err := s.DefaultOrganizationID(ctx, bob.ID)
		if err != nil || def != bobOrg.ID {
			t.Fatalf("bob's default org must be his own, %s: got %s %v", bobOrg.ID, def, err)
		}
	})
}

// The migrations own the schema: the models must map exactly the migrated columns.
func TestModelsMatchMigrations(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		storetest.ModelsMatchSchema(t, db, &identity.User{}, &identity.Organization{}, &identity.OrganizationState{}, &identity.Membership{})
	})
}

// Login without an organization picks the oldest organization the user owns, else the oldest they
// belong to, whatever order the database happens to return rows in.
func TestDefaultOrganizationPrefersOwnedThenOldest(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := storetest.Identity(db)
		_, older := storetest.Tenant(t, db, "older-owner@example.com")
		user, owned := storetest.Tenant(t, db, "user@example.com")
		_, oldest := storetest.Tenant(t, db, "oldest-owner@example.com")
		for org, year := range map[string]int{oldest.ID: 2020, older.ID: 2021, owned.ID: 2022} {
			at := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
			if err := db.Gorm(ctx).Exec("UPDATE organizations SET created_at = ? WHERE id = ?", at, org).Error; err != nil {
				t.Fatal(err)
			}
		}
		for _, org := range []string{older.ID, oldest.ID} {
			if err := s.AddMember(ctx, org, user.ID, identity.RoleMember); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.DefaultOrganizationID(ctx, user.ID)
		if err != nil || got != owned.ID {
			t.Fatalf("default organization %s (%v), want the one the user owns, %s", got, err, owned.ID)
		}
		if err := db.Gorm(ctx).Exec("DELETE FROM organizations WHERE id = ?", owned.ID).Error; err != nil {
			t.Fatal(err)
		}
		got, err = s.DefaultOrganizationID(ctx, user.ID)
		if err != nil || got != oldest.ID {
			t.Fatalf("default organization %s (%v), want the oldest membership, %s", got, err, oldest.ID)
		}
	})
}
