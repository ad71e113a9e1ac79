package upbooks

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/activity"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
	"gorm.io/gorm"
)

// Backups and restores (issue 15).
//
// A backup is every row of the organization's categories read in one snapshot (SnapshotTx), written as
// gzip-compressed JSON lines to a blob bucket (gocloud.dev/blob: a directory by default, S3 in
// production), with its manifest in ub_organization_backups: the blob's key and SHA-256, the schema
// version the rows follow, and the rows per table and category. Rows stream from the database to
// the blob and back, so memory does not grow with the organization.
//
// A restore replaces chosen categories by the backup's rows in one transaction: it deletes what the
// categories hold now with the selective delete's own plan, inserts the backup's rows in batches,
// then proves with one anti-join per foreign key that no row points at a missing one, in either
// direction (a restored row at a kept category's row the backup needs, a kept row at a row the
// backup lacks). Any such row refuses the whole restore, naming the categories (RestoreConflict).
// Figures are recomputed as after a delete.

// backupFormat names the blob's layout: lines "#table <name>" open a table's section, the other
// lines are its rows as JSON objects of column to value.
const backupFormat = "deletesvc.upbooks.backup/1"

// restoreBatch is how many rows one INSERT of a restore carries: the statement count grows with
// rows/restoreBatch, memory stays bounded by one batch.
const restoreBatch = 5000

// section is one table of a backup and how a restore selects its rows.
type section struct {
	table    string
	category string // the flag restoring it; "" for a derived-only table
	order    string // column the dump is ordered by
	kind     sectionKind
}

type sectionKind int

const (
	plainRows   sectionKind = iota
	memberRows              // memberships: restored where the user still exists, beside the kept ones
	settingsRow             // organization_state: the settings orgSettings puts back
)

// sections lists every table a backup holds, parents before children, so a restore inserts parents
// first. organizationBackups is not in a backup: a backup does not hold backups.
var sections = func() []section {
	var out []section
	for i := len(deps.order) - 1; i >= 0; i-- {
		c := deps.byName[deps.order[i]]
		if c.name == "organizationBackups" {
			continue
		}
		if c.settings {
			out = append(out, section{table: "organization_state", category: c.name, order: "organization_id", kind: settingsRow})
			continue
		}
		for j := len(c.tables) - 1; j >= 0; j-- {
			t := c.tables[j]
			if t.members {
				out = append(out, section{table: "memberships", category: c.name, order: "user_id", kind: memberRows})
				continue
			}
			out = append(out, section{table: t.name, category: c.name, order: "id"})
		}
	}
	for _, t := range derivedTables {
		out = append(out, section{table: t.name, order: "id"})
	}
	return out
}()

// Backup is a backup's manifest.
type Backup struct {
	ID            string
	OrgID         string
	CreatedAt     time.Time
	CreatedBy     string
	Key           string // the blob's key in the bucket
	SizeBytes     int64
	Checksum      string // "sha256:<hex>" of the blob
	SchemaVersion int64
	Rows          int64
	Tables        map[string]int64
	Categories    map[string]int64
}

// manifestJSON is the manifest stored beside the blob (the row in ub_organization_backups holds the
// same facts in its columns).
type manifestJSON struct {
	Format        string           `json:"format"`
	ID            string           `json:"id"`
	OrgID         string           `json:"organizationId"`
	CreatedAt     time.Time        `json:"createdAt"`
	CreatedBy     string           `json:"createdBy"`
	SchemaVersion int64            `json:"schemaVersion"`
	SizeBytes     int64            `json:"sizeBytes"`
	Checksum      string           `json:"checksum"`
	Rows          int64            `json:"rows"`
	Tables        map[string]int64 `json:"tables"`
	Categories    map[string]int64 `json:"categories"`
}

// Backup errors, worded by the server.
var (
	// ErrNoBackupStore: the service runs without a blob bucket.
	ErrNoBackupStore = errors.New("backups are not configured")
	// ErrBackupUnavailable: the backup's blob is missing or does not match its checksum.
	ErrBackupUnavailable = errors.New("backup data is missing or damaged")
	// ErrBackupsNotRestorable: organizationBackups was chosen in a restore.
	ErrBackupsNotRestorable = errors.New("organizationBackups cannot be restored: a backup does not hold backups")
)

// SchemaMismatchError refuses a restore of a backup taken at another schema version.
type SchemaMismatchError struct{ Backup, Current int64 }

func (e *SchemaMismatchError) Error() string {
	return fmt.Sprintf("backup follows schema version %d, the database is at %d", e.Backup, e.Current)
}

// Unwrap makes the error a store.ErrConflict.
func (e *SchemaMismatchError) Unwrap() error { return store.ErrConflict }

// RestoreConflict refuses a restore that would leave rows pointing at missing rows. Each Blocker
// says rows of Category would point at rows of Blocks that neither the database keeps nor the
// restore brings back: restore Blocks too (or, for a kept Category, restore it too).
type RestoreConflict struct{ Blockers []Blocker }

func (e *RestoreConflict) Error() string {
	parts := make([]string, len(e.Blockers))
	for i, b := range e.Blockers {
		parts[i] = fmt.Sprintf("%d %s rows would point at missing %s rows", b.Rows, b.Category, b.Blocks)
	}
	return "restore would leave rows pointing at missing rows: " + strings.Join(parts, "; ")
}

// Unwrap makes the error a store.ErrConflict.
func (e *RestoreConflict) Unwrap() error { return store.ErrConflict }

// Activity-log actions of backups.
const (
	ActivityBackup  = activity.Backup
	ActivityRestore = activity.Restore
)

// WithBackups gives the store a bucket for backups and how long they are kept (0: forever).
func (s *Store) WithBackups(bucket *blob.Bucket, retention time.Duration) *Store {
	s.bucket, s.retention = bucket, retention
	return s
}

// BackupRequest asks for a backup of one organization.
type BackupRequest struct {
	OrgID  string
	UserID string // the caller: must be the owner or an admin
}

// TakeBackup writes a backup of every category of the organization, read in one snapshot, and
// records its manifest. Backups older than the retention are removed afterwards.
func (s *Store) TakeBackup(ctx context.Context, req BackupRequest) (Backup, error) {
	if s.bucket == nil {
		return Backup{}, ErrNoBackupStore
	}
	b := Backup{ID: store.NewObjectID(), OrgID: req.OrgID, CreatedBy: req.UserID, Tables: map[string]int64{}, Categories: map[string]int64{}}
	b.Key = "upbooks/" + req.OrgID + "/" + b.ID + ".jsonl.gz"
	// The write is aborted (nothing stored) when ctx ends before Close: cancel on any failure.
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	err := s.db.SnapshotTx(ctx, func(tx *gorm.DB) error {
		_, err := manager(tx, SelectiveDelete{OrgID: req.OrgID, UserID: req.UserID})
		if err != nil {
			return err
		}
		b.CreatedAt = s.db.Now()
		if b.SchemaVersion, err = schemaVersion(tx); err != nil {
			return err
		}
		w, err := s.bucket.NewWriter(wctx, b.Key, &blob.WriterOptions{ContentType: "application/gzip"})
		if err != nil {
			return fmt.Errorf("open backup blob: %w", err)
		}
		sum := sha256.New()
		counted := &countingWriter{w: io.MultiWriter(w, sum)}
		gz := gzip.NewWriter(counted)
		if err = s.dump(tx, gz, req.OrgID, &b); err == nil {
			err = gz.Close()
		}
		if err != nil {
			cancel() // aborts the write: Close stores nothing
			_ = w.Close()
			return err
		}
		if err := w.Close(); err != nil {
			return fmt.Errorf("store backup blob: %w", err)
		}
		b.SizeBytes, b.Checksum = counted.n, "sha256:"+hex.EncodeToString(sum.Sum(nil))
		return nil
	})
	if err != nil {
		return Backup{}, err
	}
	m, err := json.Marshal(manifestOf(b))
	if err != nil {
		return Backup{}, err
	}
	if err := s.bucket.WriteAll(ctx, manifestKey(b.Key), m, &blob.WriterOptions{ContentType: "application/json"}); err != nil {
		s.removeBlobs(ctx, []string{b.Key})
		return Backup{}, fmt.Errorf("store backup manifest: %w", err)
	}
	var expired []string
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		row := backupRow(b)
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("record backup: %w", err)
		}
		details := map[string]any{"backupId": b.ID, "rows": b.Rows, "sizeBytes": b.SizeBytes}
		if err := activity.Record(tx, req.OrgID, req.UserID, ActivityBackup, details, s.db.Now()); err != nil {
			return err
		}
		if s.retention > 0 {
			expired, err = expireBackups(tx, req.OrgID, s.db.Now().Add(-s.retention))
		}
		return err
	})
	files := []string{b.Key, manifestKey(b.Key)}
	if err != nil {
		s.removeBlobs(ctx, files)
		return Backup{}, err
	}
	// Inside a request's transaction the row is the request's to keep: its files go if it rolls
	// back, and the expired backups' files only once their rows' deletion is committed.
	bg := context.WithoutCancel(ctx)
	store.OnRollback(ctx, func() { s.removeBlobs(bg, files) })
	store.AfterCommit(ctx, func() { s.removeBlobs(bg, expired) })
	return b, nil
}

// schemaVersion is the newest migration applied (goose's bookkeeping table, store/migrations): the
// version a backup's rows follow.
func schemaVersion(tx *gorm.DB) (int64, error) {
	var v int64
	if err := tx.Raw("SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&v).Error; err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// dump writes every section's rows of the organization to w and counts them into b.
func (s *Store) dump(tx *gorm.DB, w io.Writer, orgID string, b *Backup) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	store.ReportPlan(tx.Statement.Context, len(sections))
	for _, sec := range sections {
		q, err := s.dumpSQL(tx, sec)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(bw, "#table %s\n", sec.table); err != nil {
			return err
		}
		rows, err := tx.Raw(q, orgID).Rows()
		if err != nil {
			return fmt.Errorf("back up %s: %w", sec.table, err)
		}
		var n int64
		var line sql.RawBytes
		for rows.Next() {
			if err := rows.Scan(&line); err != nil {
				_ = rows.Close()
				return fmt.Errorf("back up %s: %w", sec.table, err)
			}
			_, _ = bw.Write(line)
			if err := bw.WriteByte('\n'); err != nil {
				_ = rows.Close()
				return err
			}
			n++
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return fmt.Errorf("back up %s: %w", sec.table, err)
		}
		b.Tables[sec.table] = n
		b.Rows += n
		if sec.category != "" {
			b.Categories[sec.category] += n
		}
		store.ReportStep(tx.Statement.Context, sec.category, n)
	}
	return bw.Flush()
}

// dumpSQL selects one section's rows of an organization as JSON text, one row per result row.
// Bound: organization_id.
func (s *Store) dumpSQL(tx *gorm.DB, sec section) (string, error) {
	if s.db.DialectName() == "postgres" {
		return "SELECT row_to_json(t)::text FROM " + sec.table + " t WHERE organization_id = ? ORDER BY " + sec.order, nil
	}
	cols, err := s.columns(tx, sec.table)
	if err != nil {
		return "", err
	}
	pairs := make([]string, len(cols))
	for i, c := range cols {
		pairs[i] = "'" + c + "', " + c
	}
	return "SELECT json_object(" + strings.Join(pairs, ", ") + ") FROM " + sec.table + " WHERE organization_id = ? ORDER BY " + sec.order, nil
}

// columns lists a table's columns in order, read once per store.
func (s *Store) columns(tx *gorm.DB, table string) ([]string, error) {
	s.colsMu.Lock()
	defer s.colsMu.Unlock()
	if cols, ok := s.cols[table]; ok {
		return cols, nil
	}
	var cols []string
	q := "SELECT name FROM pragma_table_info(?) ORDER BY cid"
	if s.db.DialectName() == "postgres" {
		q = "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position"
	}
	if err := tx.Raw(q, table).Scan(&cols).Error; err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("columns of %s: no such table", table)
	}
	if s.cols == nil {
		s.cols = map[string][]string{}
	}
	s.cols[table] = cols
	return cols, nil
}

// RestoreRequest asks to replace chosen categories by a backup's rows.
type RestoreRequest struct {
	OrgID, UserID, BackupID string
	Categories              []string // the flags set to true
}

// Restore is what a restore did.
type Restore struct {
	ID         string
	OrgID      string
	BackupID   string
	CreatedAt  time.Time
	CreatedBy  string
	Status     string
	Categories []string
	Restored   map[string]int64 // rows per chosen category, from the backup
}

// RestoreBackup replaces the chosen categories of the organization by the backup's rows, in one
// transaction, or changes nothing.
func (s *Store) RestoreBackup(ctx context.Context, req RestoreRequest) (Restore, error) {
	if s.bucket == nil {
		return Restore{}, ErrNoBackupStore
	}
	set, err := deps.checkChoice(req.Categories)
	if err != nil {
		return Restore{}, err
	}
	if set["organizationBackups"] {
		return Restore{}, ErrBackupsNotRestorable
	}
	keys, err := s.foreignKeys(ctx)
	if err != nil {
		return Restore{}, err
	}
	res := Restore{ID: store.NewObjectID(), OrgID: req.OrgID, BackupID: req.BackupID, CreatedBy: req.UserID, Status: "completed",
		Categories: req.Categories, Restored: map[string]int64{}}
	for name := range set {
		res.Restored[name] = 0
	}
	err = s.db.UncheckedTx(ctx, func(tx *gorm.DB, unchecked bool) error {
		if err := store.LockOrganization(tx, req.OrgID); err != nil {
			return err
		}
		org, err := manager(tx, SelectiveDelete{OrgID: req.OrgID, UserID: req.UserID})
		if err != nil {
			return err
		}
		b, err := findBackup(tx, req.OrgID, req.BackupID)
		if err != nil {
			return err
		}
		current, err := schemaVersion(tx)
		if err != nil {
			return err
		}
		if b.SchemaVersion != current {
			return &SchemaMismatchError{Backup: b.SchemaVersion, Current: current}
		}
		keep := []string{req.UserID, org.OwnerUserID}
		plan := deps.plan(set)
		steps := plan
		if unchecked {
			// Referenced rows first, as the delete does; the proof below covers what it leaves.
			steps = slices.Clone(plan)
			slices.Reverse(steps)
		}
		touched := map[string]bool{}
		store.ReportPlan(ctx, len(steps)+len(sections)+1) // the tables cleared, the backup's read back, the proof
		err = runSteps(ctx, tx, steps, req.OrgID, keep, func(st step, deleted int64) {
			touched[st.table] = true
			store.ReportStep(ctx, st.category, deleted)
		})
		if err != nil {
			return fmt.Errorf("clear: %w", err) // a foreign key refusing it is a RestoreConflict (below)
		}
		if err := s.load(ctx, tx, b, set, plan, touched, &res); err != nil {
			return err
		}
		if err := proveRestore(tx, req.OrgID, keys, touched, unchecked); err != nil {
			return err
		}
		store.ReportStep(ctx, "", 0)
		if err := s.recompute(tx, req.OrgID, nil, nil); err != nil {
			return err
		}
		res.CreatedAt = s.db.Now()
		row := restoreRow(res)
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("record restore: %w", err)
		}
		details := map[string]any{"backupId": req.BackupID, "categories": req.Categories, "restored": res.Restored}
		return activity.Record(tx, req.OrgID, req.UserID, ActivityRestore, details, s.db.Now())
	})
	if err != nil {
		if store.IsForeignKeyViolation(err) || store.IsUniqueViolation(err) {
			// The database's own checks (no trigger bypass) refused a row: the same conflict.
			return Restore{}, errors.Join(&RestoreConflict{}, err)
		}
		return Restore{}, err
	}
	return res, nil
}

// load streams the backup's blob and inserts the rows of the chosen categories, checking the
// blob's checksum before the transaction may commit.
func (s *Store) load(ctx context.Context, tx *gorm.DB, b Backup, set map[string]bool, plan []step, touched map[string]bool, res *Restore) error {
	r, err := s.bucket.NewReader(ctx, b.Key, nil)
	if err != nil {
		if gcerrors.Code(err) == gcerrors.NotFound {
			return fmt.Errorf("%w: %s", ErrBackupUnavailable, b.Key)
		}
		return fmt.Errorf("open backup blob: %w", err)
	}
	defer func() { _ = r.Close() }()
	sum := sha256.New()
	gz, err := gzip.NewReader(io.TeeReader(r, sum))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBackupUnavailable, err)
	}
	byTable := map[string]section{}
	for _, sec := range sections {
		byTable[sec.table] = sec
	}
	sc := bufio.NewScanner(gz)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	var (
		cur *restoreTarget
		// batch is a JSON array of rows being built: the blob's lines are JSON the dump wrote (and
		// the checksum vouches for), so they are joined as they are, not decoded and encoded again.
		batch = bytes.NewBuffer(make([]byte, 0, 1<<20))
		count int
	)
	flush := func() error {
		if cur == nil || count == 0 {
			return nil
		}
		batch.WriteByte(']')
		if err := s.insertBatch(tx, cur, batch.String(), b.OrgID, res.Restored); err != nil {
			return err
		}
		touched[cur.sec.table] = true
		batch.Reset()
		count = 0
		return nil
	}
	for sc.Scan() {
		line := sc.Bytes()
		if name, ok := strings.CutPrefix(string(line), "#table "); ok {
			if err := flush(); err != nil {
				return err
			}
			if cur != nil {
				store.ReportStep(ctx, "", 0) // the previous table is read back
			}
			sec, known := byTable[name]
			if !known {
				return fmt.Errorf("%w: unknown table %q", ErrBackupUnavailable, name)
			}
			cur = restoreTargetFor(sec, set, plan)
			continue
		}
		if cur == nil {
			return fmt.Errorf("%w: rows before any table", ErrBackupUnavailable)
		}
		if len(cur.parts) == 0 {
			continue
		}
		if count == 0 {
			batch.WriteByte('[')
		} else {
			batch.WriteByte(',')
		}
		batch.Write(line)
		count++
		if count >= restoreBatch || batch.Len() >= 8<<20 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%w: %v", ErrBackupUnavailable, err)
	}
	if err := flush(); err != nil {
		return err
	}
	if cur != nil {
		store.ReportStep(ctx, "", 0)
	}
	// Read to the end so the checksum covers the whole blob.
	if _, err := io.Copy(io.Discard, gz); err != nil {
		return fmt.Errorf("%w: %v", ErrBackupUnavailable, err)
	}
	if got := "sha256:" + hex.EncodeToString(sum.Sum(nil)); b.Checksum != "" && got != b.Checksum {
		return fmt.Errorf("%w: checksum %s, manifest says %s", ErrBackupUnavailable, got, b.Checksum)
	}
	return nil
}

// restoreTarget is a section as one restore treats it: the parts of its rows to insert, each
// counted to a category; none when the restore leaves the section alone.
type restoreTarget struct {
	sec   section
	parts []restorePart
}

type restorePart struct {
	category string
	cond     string // SQL over the row's columns selecting the part; "" for every row
}

// restoreTargetFor selects, in a section, exactly the rows the chosen categories' delete removed,
// counted to the same categories (see graph.plan): a chosen category's table whole, and in a
// derived table the rows of each derived-rows step of the plan.
func restoreTargetFor(sec section, set map[string]bool, plan []step) *restoreTarget {
	t := &restoreTarget{sec: sec}
	if sec.category != "" && set[sec.category] {
		t.parts = []restorePart{{category: sec.category}}
		return t
	}
	for _, st := range plan {
		if st.table == sec.table && st.derived != "" {
			t.parts = append(t.parts, restorePart{category: st.category, cond: st.cond})
		}
	}
	return t
}

// insertBatch inserts one batch of a section's backup rows (JSON objects) for the organization and
// counts them per category into restored. Rows of another organization in a blob are never
// inserted.
func (s *Store) insertBatch(tx *gorm.DB, t *restoreTarget, arr string, orgID string, restored map[string]int64) error {
	cols, err := s.columns(tx, t.sec.table)
	if err != nil {
		return err
	}
	var source string
	if s.db.DialectName() == "postgres" {
		source = "json_populate_recordset(NULL::" + t.sec.table + ", ?::json) r"
	} else {
		ex := make([]string, len(cols))
		for i, c := range cols {
			ex[i] = "json_extract(j.value, '$." + c + "') AS " + c
		}
		source = "(SELECT " + strings.Join(ex, ", ") + " FROM json_each(?) j) r"
	}
	list := strings.Join(cols, ", ")
	sel := "r." + strings.Join(cols, ", r.")
	for _, part := range t.parts {
		where := "r.organization_id = ?"
		if part.cond != "" {
			where += " AND " + part.cond
		}
		var r *gorm.DB
		switch t.sec.kind {
		case settingsRow:
			q := "UPDATE organization_state SET settings = (SELECT r.settings FROM " + source + " WHERE " + where + "), version = version + 1, updated_at = ?" +
				" WHERE organization_id = ? AND EXISTS (SELECT 1 FROM " + source + " WHERE " + where + ")"
			r = tx.Exec(q, arr, orgID, s.db.Now(), orgID, arr, orgID)
		case memberRows:
			// The caller and the owner were kept; users who no longer exist are not brought back.
			r = tx.Exec("INSERT INTO memberships ("+list+") SELECT "+sel+" FROM "+source+" WHERE "+where+
				" AND EXISTS (SELECT 1 FROM users u WHERE u.id = r.user_id) ON CONFLICT DO NOTHING", arr, orgID)
		default:
			r = tx.Exec("INSERT INTO "+t.sec.table+" ("+list+") SELECT "+sel+" FROM "+source+" WHERE "+where, arr, orgID)
		}
		if r.Error != nil {
			return fmt.Errorf("restore %s: %w", t.sec.table, r.Error)
		}
		restored[part.category] += r.RowsAffected
		store.ReportRows(tx.Statement.Context, part.category, r.RowsAffected)
	}
	return nil
}

// proveRestore shows, before the restore commits, that no row of the organization points at a
// missing row through any key into or out of a table the restore wrote: one anti-join per table,
// and on failure one per key to name the categories. Unchecked (the database checked no row), it
// first locks the kept rows the restored ones point at (store.KeyShareParentsSQL), as the
// database's check of each inserted row would have: a parent deleted after the proof would
// otherwise leave the restored rows pointing at nothing.
func proveRestore(tx *gorm.DB, orgID string, keys []store.ForeignKey, touched map[string]bool, unchecked bool) error {
	if unchecked {
		for _, k := range keys {
			if !touched[k.Table] || touched[k.RefTable] {
				continue // parents the restore wrote itself no other transaction can see yet
			}
			var locked int64
			if err := tx.Raw(store.KeyShareParentsSQL(k), orgID, orgID).Scan(&locked).Error; err != nil {
				return fmt.Errorf("lock rows %s points at: %w", k.Table, err)
			}
		}
	}
	byTable := map[string][]store.ForeignKey{}
	var tables []string
	for _, k := range keys {
		if !touched[k.Table] && !touched[k.RefTable] {
			continue
		}
		if _, ok := byTable[k.Table]; !ok {
			tables = append(tables, k.Table)
		}
		byTable[k.Table] = append(byTable[k.Table], k)
	}
	conflict := &RestoreConflict{}
	seen := map[[2]string]int{}
	groups := make([][]store.ForeignKey, len(tables))
	for i, t := range tables {
		groups[i] = byTable[t]
	}
	var perTable []int64
	if len(groups) > 0 {
		var err error
		if perTable, err = orphanCounts(tx, orgID, groups); err != nil {
			return err
		}
	}
	for i, t := range tables {
		if perTable[i] == 0 {
			continue
		}
		// A table breaks: which of its keys, for the 409 (asked only then).
		perKey := make([][]store.ForeignKey, len(byTable[t]))
		for j, k := range byTable[t] {
			perKey[j] = []store.ForeignKey{k}
		}
		counts, err := orphanCounts(tx, orgID, perKey)
		if err != nil {
			return err
		}
		for j, k := range byTable[t] {
			n := counts[j]
			if n == 0 {
				continue
			}
			pair := [2]string{tableCategory(k.Table), tableCategory(k.RefTable)}
			if i, ok := seen[pair]; ok {
				conflict.Blockers[i].Rows += n
				continue
			}
			seen[pair] = len(conflict.Blockers)
			conflict.Blockers = append(conflict.Blockers, Blocker{Category: pair[0], Blocks: pair[1], Rows: n})
		}
	}
	if len(conflict.Blockers) > 0 {
		return conflict
	}
	return nil
}

// tableCategory names the category declaring a table; a derived-only table is named after itself.
func tableCategory(table string) string {
	for _, c := range categories {
		for _, t := range c.tables {
			if t.name == table {
				return c.name
			}
		}
	}
	return table
}

// ListBackups lists one page of the organization's backups, newest first, and how many there are.
func (s *Store) ListBackups(ctx context.Context, orgID string, pageNo, pageSize int) ([]Backup, int64, error) {
	rows, total, err := newestFirst[ubOrganizationBackup](ctx, s.db, orgID, pageNo, pageSize)
	if err != nil {
		return nil, 0, fmt.Errorf("list backups: %w", err)
	}
	out := make([]Backup, len(rows))
	for i, r := range rows {
		out[i] = r.backup()
	}
	return out, total, nil
}

// ListRestores lists one page of the organization's restores, newest first, and how many there are.
func (s *Store) ListRestores(ctx context.Context, orgID string, pageNo, pageSize int) ([]Restore, int64, error) {
	rows, total, err := newestFirst[ubBackupRestore](ctx, s.db, orgID, pageNo, pageSize)
	if err != nil {
		return nil, 0, fmt.Errorf("list restores: %w", err)
	}
	out := make([]Restore, len(rows))
	for i, r := range rows {
		out[i] = r.restore()
	}
	return out, total, nil
}

// newestFirst reads one page of an organization's rows of model M, newest first, and how many it
// has, in one snapshot.
func newestFirst[M any](ctx context.Context, db *store.DB, orgID string, pageNo, pageSize int) ([]M, int64, error) {
	var rows []M
	var total int64
	err := db.ReadTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(new(M)).Where("organization_id = ?", orgID).Count(&total).Error; err != nil {
			return err
		}
		return tx.Where("organization_id = ?", orgID).Order("created_at DESC, id DESC").
			Offset((pageNo - 1) * pageSize).Limit(pageSize).Find(&rows).Error
	})
	return rows, total, err
}

func findBackup(tx *gorm.DB, orgID, id string) (Backup, error) {
	var row ubOrganizationBackup
	err := tx.Where("organization_id = ? AND id = ?", orgID, id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Backup{}, store.ErrNotFound
	}
	if err != nil {
		return Backup{}, fmt.Errorf("read backup: %w", err)
	}
	return row.backup(), nil
}

// expireBackups deletes the organization's backups (and their restores) taken before cutoff and
// returns their blobs' keys, to remove once the transaction commits.
func expireBackups(tx *gorm.DB, orgID string, cutoff time.Time) ([]string, error) {
	var old []ubOrganizationBackup
	if err := tx.Where("organization_id = ? AND created_at < ?", orgID, cutoff).Find(&old).Error; err != nil {
		return nil, fmt.Errorf("find expired backups: %w", err)
	}
	if len(old) == 0 {
		return nil, nil
	}
	ids := make([]string, len(old))
	for i, b := range old {
		ids[i] = b.ID
	}
	if err := tx.Where("organization_id = ? AND backup_id IN ?", orgID, ids).Delete(&ubBackupRestore{}).Error; err != nil {
		return nil, fmt.Errorf("expire restores: %w", err)
	}
	if err := tx.Where("organization_id = ? AND id IN ?", orgID, ids).Delete(&ubOrganizationBackup{}).Error; err != nil {
		return nil, fmt.Errorf("expire backups: %w", err)
	}
	return blobKeys(old), nil
}

// blobKeys are the blobs of backups this service wrote (seeded rows carry a URL, not a key).
func blobKeys(backups []ubOrganizationBackup) []string {
	var keys []string
	for _, b := range backups {
		if strings.HasPrefix(b.URL, "upbooks/") {
			keys = append(keys, b.URL, manifestKey(b.URL))
		}
	}
	return keys
}

// removeBlobs deletes blobs whose rows are gone. A failure leaves an unreferenced blob, which is
// logged: it holds data the organization asked to erase.
func (s *Store) removeBlobs(ctx context.Context, keys []string) {
	if s.bucket == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	for _, k := range keys {
		if err := s.bucket.Delete(ctx, k); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
			slog.Warn("backup blob not removed", "key", k, "err", err)
		}
	}
}

func manifestKey(blobKey string) string {
	return strings.TrimSuffix(blobKey, ".jsonl.gz") + ".manifest.json"
}

func manifestOf(b Backup) manifestJSON {
	return manifestJSON{Format: backupFormat, ID: b.ID, OrgID: b.OrgID, CreatedAt: b.CreatedAt, CreatedBy: b.CreatedBy,
		SchemaVersion: b.SchemaVersion, SizeBytes: b.SizeBytes, Checksum: b.Checksum, Rows: b.Rows, Tables: b.Tables, Categories: b.Categories}
}

func backupRow(b Backup) ubOrganizationBackup {
	return ubOrganizationBackup{Row: Row{OrganizationID: b.OrgID, ID: b.ID, CreatedAt: b.CreatedAt}, URL: b.Key, SizeBytes: b.SizeBytes,
		CreatedBy: b.CreatedBy, Checksum: b.Checksum, SchemaVersion: b.SchemaVersion, RowCount: b.Rows,
		Counts: backupCounts{Tables: b.Tables, Categories: b.Categories}}
}

func (r ubOrganizationBackup) backup() Backup {
	return Backup{ID: r.ID, OrgID: r.OrganizationID, CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy, Key: r.URL, SizeBytes: r.SizeBytes,
		Checksum: r.Checksum, SchemaVersion: r.SchemaVersion, Rows: r.RowCount,
		Tables: nonNil(r.Counts.Tables), Categories: nonNil(r.Counts.Categories)}
}

func restoreRow(r Restore) ubBackupRestore {
	return ubBackupRestore{Row: Row{OrganizationID: r.OrgID, ID: r.ID, CreatedAt: r.CreatedAt}, BackupID: r.BackupID, Status: r.Status,
		CreatedBy: r.CreatedBy, Categories: r.Categories, Restored: r.Restored}
}

func (r ubBackupRestore) restore() Restore {
	cats := r.Categories
	if cats == nil {
		cats = []string{}
	}
	return Restore{ID: r.ID, OrgID: r.OrganizationID, BackupID: r.BackupID, CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy, Status: r.Status,
		Categories: cats, Restored: nonNil(r.Restored)}
}

// nonNil is m, or an empty map for rows written before the column existed (the API's counts are
// objects, never null).
func nonNil(m map[string]int64) map[string]int64 {
	if m == nil {
		return map[string]int64{}
	}
	return m
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
