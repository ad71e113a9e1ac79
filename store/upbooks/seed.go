package upbooks

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/identity"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Seed fills an organization with a consistent Indian SME's books: masters (taxes, accounts,
// branches...), then clients, invoices with lines, payments allocated to invoices, credit notes,
// vendors, expenses, outward payments, debit notes, HR, CRM and housekeeping rows, each posting its
// client, vendor and account ledger lines; balances are then computed by the same statements a
// selective delete recomputes them with. Rows are written in one transaction, in batches.
//
// The data grows in "units" (a client with its share of everything else); the unit count is
// chosen so the total is close to rows, and writing stops at rows, always after the parents of
// whatever was written, so a small seed is a consistent prefix of a large one.
func (s *Store) Seed(ctx context.Context, ids *identity.Store, orgID string, rows int, progress func(done int)) error {
	if progress == nil {
		progress = func(int) {}
	}
	if rows < 1 {
		return fmt.Errorf("rows must be positive")
	}
	var org identity.Organization
	if err := s.db.Gorm(ctx).Where("id = ?", orgID).Take(&org).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("organization %s: %w", orgID, store.ErrNotFound)
		}
		return err
	}
	a, b := seedSizes()
	units := 1
	if per := float64(b-a) / 100; rows > a {
		units = 1 + int(float64(rows-a)/per+0.5)
	}
	// Members are users, shared by all organizations: made before the seed's transaction, which on
	// SQLite holds the only write lock.
	members, err := s.seedMembers(ctx, ids, org)
	if err != nil {
		return err
	}
	// On Citus the memberships go to a reference table inside a transaction that also writes the
	// organization's shard, and concurrent seeds can deadlock there; the victim was rolled back
	// whole, so it runs again.
	for attempt := 0; ; attempt++ {
		err := s.seedTx(ctx, orgID, rows, units, members, progress)
		if !store.IsDeadlock(err) || attempt == 4 {
			return err
		}
	}
}

// seedTx writes the seed in one transaction.
func (s *Store) seedTx(ctx context.Context, orgID string, rows, units int, members []identity.Membership, progress func(int)) error {
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		w := &seedWriter{tx: tx, budget: rows, batch: 1000, progress: progress}
		if err := generate(w, orgID, units, members); err != nil {
			return err
		}
		return s.recompute(tx, orgID, nil, nil)
	})
}

// seedSizes are the rows one unit and 101 units make: rows as a function of units is close to
// linear. They depend on nothing else, so two dry runs measure them once per process.
var seedSizes = sync.OnceValues(func() (int, int) {
	size := func(units int) int {
		w := &seedWriter{budget: 1 << 62}
		_ = generate(w, "", units, nil)
		return w.done
	}
	return size(1), size(101)
})

// seedMembers makes two users members (one admin, one member) of org, reusing them on re-seeds.
func (s *Store) seedMembers(ctx context.Context, ids *identity.Store, org identity.Organization) ([]identity.Membership, error) {
	var out []identity.Membership
	for i, role := range []identity.Role{identity.RoleAdmin, identity.RoleMember} {
		email := fmt.Sprintf("seed-%s-%d@example.com", org.ID, i+1)
		u, err := ids.CreateUser(ctx, identity.NewUser{Email: email, Name: fmt.Sprintf("Seeded %s %d", role, i+1), Password: store.NewObjectID()})
		if errors.Is(err, store.ErrConflict) {
			u, err = ids.UserByEmail(ctx, email)
		}
		if err != nil {
			return nil, fmt.Errorf("seed member: %w", err)
		}
		out = append(out, identity.Membership{OrganizationID: org.ID, UserID: u.ID, Role: role, CreatedAt: s.db.Now()})
	}
	return out, nil
}

// seedWriter writes rows in batches until its budget is spent; without tx it only counts.
type seedWriter struct {
	tx       *gorm.DB
	budget   int
	done     int
	batch    int
	progress func(done int)
}

// writeRows writes as many of rows as the budget allows and returns those written.
func writeRows[T any](w *seedWriter, rows []T) ([]T, error) {
	n := min(len(rows), w.budget-w.done)
	if n <= 0 {
		return rows[:0], nil
	}
	rows = rows[:n]
	if w.tx == nil {
		w.done += n
		return rows, nil
	}
	for i := 0; i < n; i += w.batch {
		chunk := rows[i:min(i+w.batch, n)]
		if err := w.tx.Omit(clause.Associations).Create(&chunk).Error; err != nil {
			return nil, fmt.Errorf("seed %T: %w", rows[0], err)
		}
		w.done += len(chunk)
		w.progress(w.done)
	}
	return rows, nil
}

func idsOf[T any](rows []T, id func(*T) string) []string {
	out := make([]string, len(rows))
	for i := range rows {
		out[i] = id(&rows[i])
	}
	return out
}
