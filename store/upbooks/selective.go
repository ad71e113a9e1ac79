package upbooks

import (
	"context"
	"errors"
	"fmt"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/activity"
	"github.com/deletesvc/deletesvc/store/identity"

	"gorm.io/gorm"
)

// SelectiveDelete asks to erase chosen categories of one organization's data.
type SelectiveDelete struct {
	OrgID  string
	UserID string // the caller: must be the owner or an admin; never removed by "users"
	// Categories are the names of the flags set to true (see CategoryNames).
	Categories []string
	// DryRun does everything, then rolls back: the counts and the 409 are exactly a real call's.
	DryRun bool
	// Force deletes, as whole categories, the kept categories that block the chosen ones.
	Force bool
}

// SelectiveResult is what a selective delete did (or, on a dry run, would do).
type SelectiveResult struct {
	Organization identity.Organization // after the operation
	Deleted      map[string]int64      // rows per chosen category, its derived rows included
	Forced       map[string]int64      // rows per category deleted only because of Force
}

// ActivityDeleteSelective is the activity-log action a selective delete records.
const ActivityDeleteSelective = activity.DeleteSelective

var errDryRun = errors.New("dry run: roll back")

// DeleteSelective erases the chosen categories of the organization's data in one
// transaction: every chosen category is emptied, or nothing changes. It takes the organization's
// lock first, so concurrent calls on one organization run one after the other and each sees the
// other's result. Every statement is set-based and filtered by organization_id: the number of
// statements depends on the categories chosen, never on how many rows they hold.
func (s *Store) DeleteSelective(ctx context.Context, req SelectiveDelete) (SelectiveResult, error) {
	chosen, err := deps.checkChoice(req.Categories)
	if err != nil {
		return SelectiveResult{}, err
	}
	var res SelectiveResult
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := store.LockOrganization(tx, req.OrgID); err != nil {
			return err
		}
		// Read under the lock, so a concurrent call's settings reset is seen.
		org, err := identity.Document(tx, req.OrgID)
		if err != nil {
			return err
		}
		var m identity.Membership
		err = tx.Where("organization_id = ? AND user_id = ?", req.OrgID, req.UserID).Take(&m).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return store.ErrNotFound // not a member: the organization is not theirs to see
		}
		if err != nil {
			return fmt.Errorf("find membership: %w", err)
		}
		if !m.Role.CanManageData() {
			return store.ErrForbidden
		}
		set, forced, err := deps.resolve(chosen, req.Force, func(e edge) (int64, error) {
			return s.countBlocking(tx, req.OrgID, e)
		})
		if err != nil {
			return err
		}
		res.Deleted, res.Forced = map[string]int64{}, map[string]int64{}
		touched := map[string]bool{}
		keep := []string{req.UserID, org.OwnerUserID}
		for _, name := range deps.order {
			if !set[name] {
				continue
			}
			n, err := s.deleteCategory(tx, req.OrgID, name, set, keep, touched)
			if err != nil {
				return err
			}
			if forced[name] {
				res.Forced[name] = n
			} else {
				res.Deleted[name] = n
			}
		}
		if err := s.recompute(tx, req.OrgID, touched); err != nil {
			return err
		}
		if set["orgSettings"] {
			org.ResetSettings(s.db.Now())
			res.Deleted["orgSettings"] = 1
		}
		res.Organization = org
		if req.DryRun {
			return errDryRun
		}
		// Written after the deletes, so erasing the activity log keeps the record of the erasure.
		details := map[string]any{"categories": req.Categories, "force": req.Force, "deleted": res.Deleted, "forced": res.Forced}
		if err := activity.Record(tx, req.OrgID, req.UserID, ActivityDeleteSelective, details, s.db.Now()); err != nil {
			return err
		}
		if set["orgSettings"] {
			if err := identity.SaveState(tx, org); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	if err != nil {
		return SelectiveResult{}, err
	}
	return res, nil
}

// countBlocking counts the rows of an edge's table that point into its target category.
func (s *Store) countBlocking(tx *gorm.DB, orgID string, e edge) (int64, error) {
	var n int64
	err := tx.Raw(countBlockingSQL(e.table, e.columns), orgID).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count %s rows blocking %s: %w", e.table, e.to, err)
	}
	return n, nil
}

// deleteCategory deletes one category's rows: first the rows of other (kept) categories derived
// from it, then its own tables, children first. It records which tables lost rows in touched.
func (s *Store) deleteCategory(tx *gorm.DB, orgID, name string, set map[string]bool, keep []string, touched map[string]bool) (int64, error) {
	var total int64
	exec := func(tbl, sql string, args ...any) error {
		r := tx.Exec(sql, args...)
		if r.Error != nil {
			if store.IsForeignKeyViolation(r.Error) {
				return fmt.Errorf("delete %s from %s: a reference not declared in the category table: %w", name, tbl, r.Error)
			}
			return fmt.Errorf("delete %s from %s: %w", name, tbl, r.Error)
		}
		if r.RowsAffected > 0 {
			touched[tbl] = true
		}
		total += r.RowsAffected
		return nil
	}
	for _, c := range deps.cascades {
		if c.to != name || (c.owner != "" && set[c.owner]) {
			continue // an owner being deleted too was emptied earlier: it comes first in the order
		}
		if err := exec(c.table, deleteDerivedSQL(c.table, c.column), orgID); err != nil {
			return 0, err
		}
	}
	for _, t := range deps.byName[name].tables {
		var err error
		if t.members {
			err = exec(t.name, deleteMembersSQL, orgID, keep[0], keep[1])
		} else {
			err = exec(t.name, deleteAllSQL(t.name), orgID)
		}
		if err != nil {
			return 0, err
		}
	}
	return total, nil
}

// recompute recomputes every figure whose inputs lost rows; touched nil recomputes them all.
func (s *Store) recompute(tx *gorm.DB, orgID string, touched map[string]bool) error {
	for i, f := range figureDefs {
		run := touched == nil
		for _, in := range f.inputs {
			run = run || touched[in]
		}
		if !run {
			continue
		}
		for _, q := range s.q.figures[i] {
			if err := tx.Exec(q, map[string]any{"org": orgID}).Error; err != nil {
				return fmt.Errorf("recompute %s: %w", f.name, err)
			}
		}
	}
	return nil
}
