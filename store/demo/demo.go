// Package demo fills organizations with realistic data: the demo tenant `make run` shows, and the
// `deletesvc seed` command. It is wired by cmd, never on a request path.
package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/identity"
	"github.com/deletesvc/deletesvc/store/invx"
	"github.com/deletesvc/deletesvc/store/ultrabiz"
	"github.com/deletesvc/deletesvc/store/upbooks"
)

// Demo credentials, printed in README and logs.
const (
	Email    = "demo@example.com"
	Password = "demo12345"
	demoRows = 100
)

// The demo tenant matches the specs' examples, so Swagger UI's "Try it out" succeeds on each
// family's headline delete as it comes: Upbooks' organization `_id` and ORGANIZATION-ID code (also
// invx's org-id), Ultrabiz's userId and sample invoice, invx's sample document.
const (
	OrganizationID   = "6543a1f2c9e77b0012ab34cd"
	OrganizationCode = "000000"
	UserNumber       = 12
	InvxDocumentID   = "c3b993f2-81ab-41d4-b54e-e32a79bb7c64"
)

// Seeder fills one organization with one family's data.
type Seeder struct {
	ids      *identity.Store
	ultrabiz *ultrabiz.Store
	invx     *invx.Store
	seeders  map[string]func(ctx context.Context, orgID string, rows int, progress func(done int)) error
}

// New is a seeder over the stores on db, creating users through ids.
func New(db *store.DB, ids *identity.Store) *Seeder {
	up, inv, ub := upbooks.New(db), invx.New(db), ultrabiz.New(db)
	return &Seeder{ids: ids, ultrabiz: ub, invx: inv, seeders: map[string]func(context.Context, string, int, func(int)) error{
		"upbooks": func(ctx context.Context, orgID string, rows int, progress func(int)) error {
			return up.Seed(ctx, ids, orgID, rows, progress)
		},
		"invx": func(ctx context.Context, orgID string, rows int, progress func(int)) error {
			_, err := inv.SeedDocuments(ctx, orgID, rows, invx.Statuses, progress)
			return err
		},
		"ultrabiz": ub.Seed,
	}}
}

// Families lists the families that can seed data.
func (s *Seeder) Families() []string {
	names := make([]string, 0, len(s.seeders))
	for n := range s.seeders {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Seed fills organization orgID with about rows rows of family's data.
func (s *Seeder) Seed(ctx context.Context, family, orgID string, rows int, progress func(done int)) error {
	fn, ok := s.seeders[family]
	if !ok {
		return fmt.Errorf("no seeder for family %q (have %v)", family, s.Families())
	}
	if progress == nil {
		progress = func(int) {}
	}
	return fn(ctx, orgID, rows, progress)
}

// EnsureDemo creates the demo user and the organization they own, with a little of every family's
// data, once; later calls return them.
func (s *Seeder) EnsureDemo(ctx context.Context) (identity.User, identity.Organization, error) {
	u, err := s.ids.UserByEmail(ctx, Email)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if u, err = s.ids.CreateUser(ctx, identity.NewUser{Email: Email, Name: "Demo User", Password: Password, Number: UserNumber}); err != nil {
			return identity.User{}, identity.Organization{}, fmt.Errorf("create demo user: %w", err)
		}
	case err != nil:
		return identity.User{}, identity.Organization{}, fmt.Errorf("find demo user: %w", err)
	}
	id, err := s.ids.DefaultOrganizationID(ctx, u.ID)
	if err == nil {
		org, err := s.ids.Organization(ctx, id)
		return u, org, err
	}
	if !errors.Is(err, store.ErrNotFound) {
		return identity.User{}, identity.Organization{}, fmt.Errorf("demo organization: %w", err)
	}
	business := "business"
	org, err := s.ids.CreateOrganization(ctx, identity.NewOrganization{
		ID: OrganizationID, Code: OrganizationCode, Name: "Demo Traders Pvt Ltd", Location: "Andheri East, Mumbai", State: "Maharashtra",
		OwnerUserID: u.ID, OrganizationType: &business,
	})
	if err != nil {
		return identity.User{}, identity.Organization{}, fmt.Errorf("demo organization: %w", err)
	}
	if err := s.ultrabiz.SeedHelpPageSample(ctx, org.ID, u.Number); err != nil {
		return identity.User{}, identity.Organization{}, fmt.Errorf("demo ultrabiz sample invoice: %w", err)
	}
	// The seed page's document (invx's example docId), in state 200 so its example delete applies.
	if _, err := s.invx.CreateDocument(ctx, org.ID, u.ID, invx.NewDocument{ID: InvxDocumentID, DocNumber: "HBF54C87462494AA", DocType: "100",
		DocDate: "23/01/2023", SellerGstin: "27AAAPI3182M002", BuyerGstin: "27ACBPN2353E1ZX", Amount: store.MustDecimal("100.00"), Body: "{}"}); err != nil {
		return identity.User{}, identity.Organization{}, fmt.Errorf("demo invx sample document: %w", err)
	}
	for _, family := range s.Families() {
		if err := s.Seed(ctx, family, org.ID, demoRows, nil); err != nil {
			return identity.User{}, identity.Organization{}, fmt.Errorf("demo %s data: %w", family, err)
		}
	}
	return u, org, nil
}
