package upbooks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

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
	// DryRun counts instead: the counts and the 409 are exactly a real call's, nothing is written.
	DryRun bool
	// Force deletes, as whole categories, the kept categories that block the chosen ones.
	Force bool
	// Guarded is the organization and the caller's role as a guard read them for this request.
	// A dry run with no category chosen reads nothing else, so it answers from them instead of
	// reading them a second time; everything else reads them again inside its transaction.
	Guarded *Guarded
}

// Guarded is an organization and the caller's role in it, as read for the current request.
type Guarded struct {
	Organization identity.Organization
	Role         identity.Role
}

// SelectiveResult is what a selective delete did (or, on a dry run, would do).
type SelectiveResult struct {
	Organization identity.Organization // after the operation
	Deleted      map[string]int64      // rows per chosen category, its derived rows included
	Forced       map[string]int64      // rows per category deleted only because of Force
}

// ActivityDeleteSelective is the activity-log action a selective delete records.
const ActivityDeleteSelective = activity.DeleteSelective

// DeleteSelective erases the chosen categories of the organization's data in one
// transaction: every chosen category is emptied, or nothing changes. It takes the organization's
// lock first, so concurrent calls on one organization run one after the other and each sees the
// other's result. Every statement is set-based and filtered by organization_id: the number of
// statements depends on the categories chosen, never on how many rows they hold.
//
// Where the connection may, the deletes run without the database's row-by-row foreign-key checks
// (store.UncheckedTx), which cost several times the deletes themselves; the transaction then
// proves before it commits that no row anywhere points at a deleted one (prove). A dry run only
// counts (dryRun).
func (s *Store) DeleteSelective(ctx context.Context, req SelectiveDelete) (SelectiveResult, error) {
	chosen, err := deps.checkChoice(req.Categories)
	if err != nil {
		return SelectiveResult{}, err
	}
	if req.DryRun {
		return s.dryRun(ctx, req, chosen)
	}
	keys, err := s.foreignKeys(ctx)
	if err != nil {
		return SelectiveResult{}, err
	}
	var res SelectiveResult
	var blobs []string // of the backups deleted, removed once the delete commits
	err = s.db.UncheckedTx(ctx, func(tx *gorm.DB, unchecked bool) error {
		blobs = nil
		if err := store.LockOrganization(tx, req.OrgID); err != nil {
			return err
		}
		// Read under the lock, so a concurrent call's settings reset is seen.
		org, set, forced, err := s.decide(tx, req, chosen)
		if err != nil {
			return err
		}
		res = newResult(set, forced)
		if set["organizationBackups"] {
			var backups []ubOrganizationBackup
			// Only the key: the rows' other columns (their counts, as JSON) would be decoded for nothing.
			if err := tx.Select("url").Where("organization_id = ?", req.OrgID).Find(&backups).Error; err != nil {
				return fmt.Errorf("find backups: %w", err)
			}
			blobs = blobKeys(backups)
		}
		touched, proven := map[string]bool{}, map[string]bool{}
		keep := []string{req.UserID, org.OwnerUserID}
		steps := deps.plan(set)
		if unchecked {
			// Referenced rows first (see prove for why).
			slices.Reverse(steps)
		}
		store.ReportPlan(ctx, len(steps))
		for _, st := range steps {
			switch {
			case st.derived != "":
				proven[st.table+"."+st.derived] = true
			case !st.members:
				proven[st.table] = true
			}
		}
		err = runSteps(ctx, tx, steps, req.OrgID, keep, func(done step, n int64) {
			if n > 0 {
				touched[done.table] = true
			}
			res.add(done.category, forced, n)
			store.ReportStep(ctx, done.category, n)
		})
		if store.IsForeignKeyViolation(err) {
			return fmt.Errorf("a reference not declared in the category table: %w", err)
		}
		if err != nil {
			return err
		}
		if unchecked {
			if err := prove(tx, req.OrgID, keys, steps, proven); err != nil {
				return err
			}
		}
		// proven names, among others, the tables emptied whole.
		if err := s.recompute(tx, req.OrgID, touched, proven); err != nil {
			return err
		}
		res.Organization = settle(org, set, s.db.Now(), res)
		// Written after the deletes, so erasing the activity log keeps the record of the erasure.
		details := map[string]any{"categories": req.Categories, "force": req.Force, "deleted": res.Deleted, "forced": res.Forced}
		if err := activity.Record(tx, req.OrgID, req.UserID, ActivityDeleteSelective, details, s.db.Now()); err != nil {
			return err
		}
		if set["orgSettings"] {
			if err := identity.SaveState(tx, res.Organization); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return SelectiveResult{}, err
	}
	bg := context.WithoutCancel(ctx)
	store.AfterCommit(ctx, func() { s.removeBlobs(bg, blobs) })
	return res, nil
}

// runSteps runs the steps' deletes in tx, in order, and calls done with each step and the rows it
// deleted. The steps go to the database together (on PostgreSQL one round trip: one per step was
// 69 of a 46-flag delete's 78 statements and about a third of its time at 10,000 rows). A call
// whose progress is watched (a background operation) sends them one by one, so that its progress
// moves step by step and a cancel stops it at the next step.
func runSteps(ctx context.Context, tx *gorm.DB, steps []step, orgID string, keep []string, done func(st step, deleted int64)) error {
	watched := store.Watched(ctx)
	deleted := make([]int64, len(steps))
	b := store.NewBatch(tx)
	reported := 0
	for i, st := range steps {
		b.Exec("delete "+st.category+" from "+st.table, &deleted[i], deleteStepSQL(st), stepArgs(st, orgID, keep)...)
		if !watched && i < len(steps)-1 {
			continue
		}
		if err := b.Run(); err != nil {
			return err
		}
		for ; reported <= i; reported++ {
			done(steps[reported], deleted[reported])
		}
	}
	return nil
}

// dryRun answers what DeleteSelective would do without doing it: the same checks and blockers, and
// one COUNT per category over the same plan the delete runs. It writes nothing and takes no lock,
// in one read-only snapshot (on SQLite, no write lock either), so it costs a read of the rows; on
// PostgreSQL two connections share that read (SplitRead).
func (s *Store) dryRun(ctx context.Context, req SelectiveDelete, chosen map[string]bool) (SelectiveResult, error) {
	var res SelectiveResult
	run := func(tx *gorm.DB) error {
		org, set, forced, err := s.decide(tx, req, chosen)
		if err != nil {
			return err
		}
		res = newResult(set, forced)
		halves := countPlan(set, req.OrgID, []string{req.UserID, org.OwnerUserID})
		var counted [2][]int64
		count := func(i int) func(tx *gorm.DB) error {
			return func(tx *gorm.DB) error {
				c := halves[i]
				if len(c.names) == 0 {
					return nil
				}
				n, err := countAll(tx, c.query, c.args, len(c.names))
				if err != nil {
					return fmt.Errorf("count %v: %w", c.names, err)
				}
				counted[i] = n
				return nil
			}
		}
		if len(halves[1].names) == 0 {
			err = count(0)(tx)
		} else {
			err = s.db.SplitRead(ctx, tx, count(0), count(1))
		}
		if err != nil {
			return err
		}
		for i, c := range halves {
			for j, name := range c.names {
				res.add(name, forced, counted[i][j])
			}
		}
		res.Organization = settle(org, set, s.db.Now(), res)
		return nil
	}
	var err error
	switch {
	case len(chosen) == 0 && req.Guarded != nil:
		org, err := manageable(req.Guarded.Organization, req.Guarded.Role)
		if err != nil {
			return SelectiveResult{}, err
		}
		return SelectiveResult{Organization: org, Deleted: map[string]int64{}, Forced: map[string]int64{}}, nil
	case len(chosen) == 0:
		err = run(s.db.Gorm(ctx)) // one statement: nothing to count, no snapshot to share
	default:
		err = s.db.ReadTx(ctx, run)
	}
	if err != nil {
		return SelectiveResult{}, err
	}
	return res, nil
}

// countStatement counts categories of a plan: one column per name, every category's count in one
// round trip, not one per category (at 10,000 rows the ~40 round trips cost as much as the delete
// itself, issue 13).
type countStatement struct {
	names []string
	query string
	args  []any
}

// countPlan is what counts the plan of set, in two statements taking every other category, which
// SplitRead runs side by side on PostgreSQL: at 1,000,000 rows one statement took 0.11x of the
// delete on one core, over the dry run's goal of 0.1x (issue 13). The second is empty when set
// has one category, both when it has none.
func countPlan(set map[string]bool, orgID string, keep []string) [2]countStatement {
	byCategory := map[string][]step{}
	for _, st := range deps.plan(set) {
		byCategory[st.category] = append(byCategory[st.category], st)
	}
	var halves [2]countStatement
	var steps [2][][]step
	n := 0
	for _, name := range deps.order {
		cat := byCategory[name]
		if len(cat) == 0 {
			continue
		}
		h := &halves[n%2]
		h.names, steps[n%2] = append(h.names, name), append(steps[n%2], cat)
		for _, st := range cat {
			h.args = append(h.args, stepArgs(st, orgID, keep)...)
		}
		n++
	}
	for i := range halves {
		if len(steps[i]) > 0 {
			halves[i].query = countCategoriesSQL(steps[i])
		}
	}
	return halves
}

// decide is what a selective delete (or its dry run) deletes: the organization for a caller who may
// manage its data, and the categories chosen plus, under Force, those that block them.
func (s *Store) decide(tx *gorm.DB, req SelectiveDelete, chosen map[string]bool) (org identity.Organization, set, forced map[string]bool, err error) {
	if org, err = manager(tx, req); err != nil {
		return org, nil, nil, err
	}
	set, forced, err = deps.resolve(chosen, req.Force, func(edges []edge) ([]int64, error) {
		return countBlocking(tx, req.OrgID, edges)
	})
	return org, set, forced, err
}

// manager reads the organization for a caller who may manage its data: store.ErrNotFound when the
// organization does not exist or the caller is not a member (it is not theirs to see),
// store.ErrForbidden when their role may not delete data.
func manager(tx *gorm.DB, req SelectiveDelete) (identity.Organization, error) {
	org, role, err := identity.OrganizationForMember(tx, req.OrgID, req.UserID)
	if err != nil {
		return identity.Organization{}, err
	}
	return manageable(org, role)
}

// manageable is org when role may manage its data, store.ErrForbidden otherwise.
func manageable(org identity.Organization, role identity.Role) (identity.Organization, error) {
	if !role.CanManageData() {
		return identity.Organization{}, store.ErrForbidden
	}
	return org, nil
}

// newResult has a zero count for every category of set, under Forced for those force added.
func newResult(set, forced map[string]bool) SelectiveResult {
	res := SelectiveResult{Deleted: map[string]int64{}, Forced: map[string]int64{}}
	for name := range set {
		res.add(name, forced, 0)
	}
	return res
}

func (r *SelectiveResult) add(category string, forced map[string]bool, n int64) {
	if forced[category] {
		r.Forced[category] += n
	} else {
		r.Deleted[category] += n
	}
}

// settle is the organization after the delete: with orgSettings chosen, its settings reset.
func settle(org identity.Organization, set map[string]bool, now time.Time, res SelectiveResult) identity.Organization {
	if set["orgSettings"] {
		org.ResetSettings(now)
		res.Deleted["orgSettings"] = 1
	}
	return org
}

// foreignKeys are the database's foreign keys between tenant tables, read once per store.
func (s *Store) foreignKeys(ctx context.Context) ([]store.ForeignKey, error) {
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	if s.keys != nil {
		return s.keys, nil
	}
	all, err := s.db.ForeignKeys(ctx)
	if err != nil {
		return nil, err
	}
	keys := []store.ForeignKey{}
	for _, k := range all {
		if k.TenantScoped() {
			keys = append(keys, k)
		}
	}
	s.keys = keys
	return keys, nil
}

// prove shows, inside the delete's transaction and after its last delete, that no row of the
// organization points at a row that is gone, when the database did not check it row by row.
//
// The delete then ran referenced rows first, so a table it deleted from needs no check: a row
// inserted into it while the delete ran either pointed at a parent the delete had already removed,
// in which case the inserter, whose own checks are on, waited for the parent's row lock and fails
// once the delete commits; or it committed before the parent's delete finished (the delete waited
// for its key-share lock), so before the later statement that deletes from its own table began,
// and that statement takes it along (read committed: each statement sees what committed before
// it). What is left are the tables kept whole with a key into a table deleted from: one anti-join
// per key there. Counting blockers found none at the start, but a row may have come since, or a
// reference the category table does not declare. Any orphan refuses the whole delete.
//
// The same holds for a derived-rows step (its rows are deleted after what they point to through its
// column): proven names the tables emptied whole and the "table.column" of those steps.
func prove(tx *gorm.DB, orgID string, keys []store.ForeignKey, steps []step, proven map[string]bool) error {
	deletedFrom := map[string]bool{}
	for _, st := range steps {
		deletedFrom[st.table] = true
	}
	byTable := map[string][]store.ForeignKey{}
	var tables []string
	for _, k := range keys {
		if !deletedFrom[k.RefTable] || proven[k.Table] || proven[k.Table+"."+k.Columns[len(k.Columns)-1]] {
			continue
		}
		if _, ok := byTable[k.Table]; !ok {
			tables = append(tables, k.Table)
		}
		byTable[k.Table] = append(byTable[k.Table], k)
	}
	if len(tables) == 0 {
		return nil
	}
	groups := make([][]store.ForeignKey, len(tables))
	for i, t := range tables {
		groups[i] = byTable[t]
	}
	n, err := orphanCounts(tx, orgID, groups)
	if err != nil {
		return err
	}
	for i, t := range tables {
		if n[i] > 0 {
			return fmt.Errorf("%d rows of %s would point at deleted rows: %w", n[i], t, ErrOrphans)
		}
	}
	return nil
}

// orphanCounts counts, per group of keys (each all of one table), the organization's rows that
// break them: one statement per table. (One statement for every table planned as a whole was 4x
// slower at 1,000,000 rows: a restore took 61 s instead of 16.)
func orphanCounts(tx *gorm.DB, orgID string, groups [][]store.ForeignKey) ([]int64, error) {
	out := make([]int64, len(groups))
	for i, keys := range groups {
		args := make([]any, len(keys))
		for j := range args {
			args[j] = orgID
		}
		if err := tx.Raw(store.OrphanCountSQL(keys, true), args...).Scan(&out[i]).Error; err != nil {
			return nil, fmt.Errorf("check references of %s: %w", keys[0].Table, err)
		}
	}
	return out, nil
}

// ErrOrphans refuses a delete that would leave rows pointing at deleted ones: a reference the
// category table does not declare, or a row inserted while the delete ran.
var ErrOrphans = errors.New("rows would point at deleted rows")

// countBlocking counts, for each edge, the rows of its table that point into its target category:
// every edge in one statement.
func countBlocking(tx *gorm.DB, orgID string, edges []edge) ([]int64, error) {
	args := make([]any, len(edges))
	for i := range args {
		args[i] = orgID
	}
	n, err := countAll(tx, countBlockingSQL(edges), args, len(edges))
	if err != nil {
		return nil, fmt.Errorf("count rows blocking the categories to delete: %w", err)
	}
	return n, nil
}

// recompute recomputes every figure whose inputs lost rows; touched nil recomputes them all.
// emptied are tables this transaction emptied for the organization: a figure stored in one is
// recomputed only if rows came into it since, which one statement asks for all of them. On an
// empty table the statements would change nothing, yet cost a plan and a round trip each (at
// 10,000 rows, a fifth of the whole delete; issue 13).
func (s *Store) recompute(tx *gorm.DB, orgID string, touched, emptied map[string]bool) error {
	var due []int
	var check []string
	for i, f := range figureDefs {
		run := touched == nil
		for _, in := range f.inputs {
			run = run || touched[in]
		}
		if !run {
			continue
		}
		due = append(due, i)
		if emptied[f.target] && !slices.Contains(check, f.target) {
			check = append(check, f.target)
		}
	}
	holds := map[string]bool{}
	if len(check) > 0 {
		args := make([]any, len(check))
		for i := range args {
			args[i] = orgID
		}
		n, err := countAll(tx, holdsRowsSQL(check), args, len(check))
		if err != nil {
			return fmt.Errorf("find figures left to recompute: %w", err)
		}
		for i, t := range check {
			holds[t] = n[i] > 0
		}
	}
	// The statements go together (store.Batch), in order: a figure may read one recomputed before it.
	return s.figurePlanning(tx, func() error {
		b := store.NewBatch(tx)
		for _, i := range due {
			f := figureDefs[i]
			if emptied[f.target] && !holds[f.target] {
				continue
			}
			for _, q := range s.q.figures[i] {
				b.Exec("recompute "+f.name, nil, q, map[string]any{"org": orgID})
			}
		}
		return b.Run()
	})
}

// figurePlanning runs fn, which sends figure statements, under the settings they are planned with.
// Each figure joins its table to its inputs on a reference column: planned without nested loops,
// so an organization the statistics do not know costs linear time (store.DB.WithoutNestedLoops).
func (s *Store) figurePlanning(tx *gorm.DB, fn func() error) error {
	return s.db.WithoutNestedLoops(tx, fn)
}

// countAll runs a one-row query of width numbers.
func countAll(tx *gorm.DB, query string, args []any, width int) ([]int64, error) {
	rows, err := tx.Raw(query, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]int64, width)
	ptrs := make([]any, width)
	for i := range out {
		ptrs[i] = &out[i]
	}
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("no row")
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	return out, rows.Err()
}
