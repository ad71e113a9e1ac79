package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// Demo credentials, printed in README and logs.
const (
	DemoEmail    = "demo@example.com"
	DemoPassword = "demo12345"
	demoRows     = 100
)

// EnsureDemo creates the demo user and the organization they own, once; later calls return them.
func (s *Store) EnsureDemo(ctx context.Context) (User, Organization, error) {
	var u User
	err := s.db.WithContext(ctx).Where("email = ?", DemoEmail).Take(&u).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		if u, err = s.CreateUser(ctx, NewUser{Email: DemoEmail, Name: "Demo User", Password: DemoPassword}); err != nil {
			return User{}, Organization{}, fmt.Errorf("create demo user: %w", err)
		}
	case err != nil:
		return User{}, Organization{}, fmt.Errorf("find demo user: %w", err)
	}
	org, err := s.DefaultOrganization(ctx, u.ID)
	if err == nil {
		return u, org, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return User{}, Organization{}, fmt.Errorf("demo organization: %w", err)
	}
	business := "business"
	org, err = s.CreateOrganization(ctx, NewOrganization{
		Name: "Demo Traders Pvt Ltd", Location: "Andheri East, Mumbai", State: "Maharashtra",
		OwnerUserID: u.ID, OrganizationType: &business,
	})
	if err != nil {
		return User{}, Organization{}, fmt.Errorf("demo organization: %w", err)
	}
	// A new demo organization gets a little of every family's data, so each API has something to show.
	for _, family := range SeedFamilies() {
		if err := s.Seed(ctx, family, org.ID, demoRows, nil); err != nil {
			return User{}, Organization{}, fmt.Errorf("demo %s data: %w", family, err)
		}
	}
	return u, org, nil
}
