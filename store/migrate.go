package store

import (
	"context"
	"fmt"
)

// models lists every table. Each aggregate's file adds its own in init, so families stay apart;
// AutoMigrate orders the creation by foreign keys.
var models = []any{&User{}, &Organization{}, &Membership{}}

func registerModels(m ...any) { models = append(models, m...) }

// Migrate creates or upgrades the schema; it is safe to run any number of times.
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.db.WithContext(ctx).AutoMigrate(models...); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}
