package store

import (
	"context"
	"fmt"
	"sort"
)

// Progress is told how many rows have been written so far.
type Progress func(done int)

// seeder fills one organization with a family's realistic, consistent demo data.
type seeder func(ctx context.Context, s *Store, orgID string, rows int, progress Progress) error

var seeders = map[string]seeder{}

func registerSeeder(family string, fn seeder) { seeders[family] = fn }

// SeedFamilies lists the families that can seed data.
func SeedFamilies() []string {
	names := make([]string, 0, len(seeders))
	for n := range seeders {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Seed fills organization orgID with about rows rows of family's data.
func (s *Store) Seed(ctx context.Context, family, orgID string, rows int, progress Progress) error {
	fn, ok := seeders[family]
	if !ok {
		return fmt.Errorf("no seeder for family %q (have %v)", family, SeedFamilies())
	}
	if progress == nil {
		progress = func(int) {}
	}
	return fn(ctx, s, orgID, rows, progress)
}
