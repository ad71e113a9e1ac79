package upbooks_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/identity"
	"github.com/deletesvc/deletesvc/store/storetest"
	"github.com/deletesvc/deletesvc/store/upbooks"
)

// backupStore is the upbooks store with backups in a fresh directory, and that directory.
func backupStore(t *testing.T, db *store.DB, retention time.Duration) (*upbooks.Store, string) {
	t.Helper()
	dir := t.TempDir()
	bucket, err := fileblob.OpenBucket(dir, &fileblob.Options{NoTempDir: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bucket.Close() })
	return upbooks.New(db).WithBackups(bucket, retention), dir
}

// everyCategoryBut lists the 46 categories without the ones named.
func everyCategoryBut(names ...string) []string {
	return slices.DeleteFunc(upbooks.CategoryNames(), func(c string) bool { return slices.Contains(names, c) })
}

// withoutRecords drops what a backup and a restore write about themselves on top of what a restore
// brings back: their rows in organizationBackups and the restore's activity-log entry.
func withoutRecords(rows map[string][]map[string]any) map[string][]map[string]any {
	rows["ub_activity_logs"] = slices.DeleteFunc(rows["ub_activity_logs"], func(r map[string]any) bool {
		return r["action"] == upbooks.ActivityRestore
	})
	delete(rows, "ub_organization_backups")
	delete(rows, "ub_backup_restores")
	return rows
}

func settingsOf(t *testing.T, db *store.DB, orgID string) string {
	t.Helper()
	var s string
	if err := db.Gorm(context.Background()).Raw("SELECT settings FROM organization_state WHERE organization_id = ?", orgID).Scan(&s).Error; err != nil {
		t.Fatal(err)
	}
	return s
}

// The round trip the issue asks for: seed, back up, delete everything, restore everything, and every
// row of every table is as before; the neighbour organization never changes.
func TestBackupDeleteRestoreRoundTrip(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, dir := backupStore(t, db, 0)
		owner, org := seededTenant(t, db, seedRows)
		_, other := seededTenant(t, db, 200)
		// A second member, so "users" has a membership to take away and bring back.
		member, _ := storetest.Tenant(t, db, "member-"+strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))+"@example.com")
		if err := storetest.Identity(db).AddMember(ctx, org.ID, member.ID, identity.RoleMember); err != nil {
			t.Fatal(err)
		}
		// Settings of its own, so the reset and the restore both show.
		var settings map[string]any
		if err := json.Unmarshal([]byte(settingsOf(t, db, org.ID)), &settings); err != nil {
			t.Fatal(err)
		}
		settings["restoreTest"] = "kept by the backup"
		custom, _ := json.Marshal(settings)
		if err := s.Exec(ctx, "UPDATE organization_state SET settings = ? WHERE organization_id = ?", string(custom), org.ID); err != nil {
			t.Fatal(err)
		}
		before := snapshot(withoutRecords(orgRows(t, s, org.ID)))
		settingsBefore := settingsOf(t, db, org.ID)
		neighbour := snapshot(orgRows(t, s, other.ID))

		b, err := s.TakeBackup(ctx, upbooks.BackupRequest{OrgID: org.ID, UserID: owner.ID})
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, n := range b.Tables {
			sum += n
		}
		if b.Rows == 0 || sum != b.Rows || b.Categories["invoice"] == 0 || b.Categories["users"] < 2 {
			t.Fatalf("manifest: rows %d, tables sum %d, invoice %d, users %d", b.Rows, sum, b.Categories["invoice"], b.Categories["users"])
		}
		if !strings.HasPrefix(b.Checksum, "sha256:") || b.SizeBytes == 0 || b.SchemaVersion == 0 {
			t.Fatalf("manifest: %+v", b)
		}
		for _, f := range []string{b.Key, strings.TrimSuffix(b.Key, ".jsonl.gz") + ".manifest.json"} {
			if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
				t.Fatalf("blob %s: %v", f, err)
			}
		}

		all := everyCategoryBut("organizationBackups")
		if _, err := s.DeleteSelective(ctx, upbooks.SelectiveDelete{OrgID: org.ID, UserID: owner.ID, Categories: all}); err != nil {
			t.Fatal(err)
		}
		if n := len(orgRows(t, s, org.ID)["ub_invoices"]); n != 0 {
			t.Fatalf("%d invoices left after the delete", n)
		}
		if settingsOf(t, db, org.ID) == settingsBefore {
			t.Fatal("orgSettings did not reset the settings: the test would not see them restored")
		}

		r, err := s.RestoreBackup(ctx, upbooks.RestoreRequest{OrgID: org.ID, UserID: owner.ID, BackupID: b.ID, Categories: all})
		if err != nil {
			t.Fatal(err)
		}
		if r.Restored["invoice"] != b.Categories["invoice"] || r.Restored["clients"] != b.Categories["clients"] {
			t.Errorf("restored %v, backup holds %v", r.Restored, b.Categories)
		}
		assertSame(t, "after restore", before, snapshot(withoutRecords(orgRows(t, s, org.ID))))
		assertNoOrphans(t, db, org.ID)
		if got := settingsOf(t, db, org.ID); got != settingsBefore {
			t.Errorf("settings after restore:\n%s\nwant\n%s", got, settingsBefore)
		}
		assertSame(t, "neighbour", neighbour, snapshot(orgRows(t, s, other.ID)))

		restores, _, err := s.ListRestores(ctx, org.ID, 1, 20)
		if err != nil || restores[0].BackupID != b.ID || restores[0].Restored["invoice"] != r.Restored["invoice"] || restores[0].CreatedBy != owner.ID {
			t.Fatalf("newest restore: %+v (%v)", restores[0], err)
		}
		backups, total, err := s.ListBackups(ctx, org.ID, 1, 100)
		if err != nil || !slices.ContainsFunc(backups, func(x upbooks.Backup) bool { return x.ID == b.ID && x.Checksum == b.Checksum }) {
			t.Fatalf("backups: %d, %v", total, err)
		}
	})
}

// addClientUnderContract adds to orgID a client and a contract pointing at it (copies of its first
// ones under new ids), and returns their ids: rows a backup taken before lacks.
func addClientUnderContract(t *testing.T, db *store.DB, s *upbooks.Store, orgID string) (clientID, contractID string) {
	t.Helper()
	rows := orgRows(t, s, orgID)
	client, contract := rows["ub_clients"][0], rows["ub_contracts"][0]
	clientID, contractID = "c0ffee000000000000000001", "c0ffee000000000000000002"
	client["id"], contract["id"], contract["client_id"] = clientID, contractID, clientID
	if err := db.Gorm(context.Background()).Table("ub_clients").Create(client).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Gorm(context.Background()).Table("ub_contracts").Create(contract).Error; err != nil {
		t.Fatal(err)
	}
	return clientID, contractID
}

// Without the privilege to turn PostgreSQL's row-by-row foreign-key checks off (a deployment that
// did not grant SET ON PARAMETER session_replication_role), the bulk paths keep them, deferred to
// the commit: a restore of clients alone clears rows that kept rows point at and puts them back;
// one that would leave a kept row pointing at a missing client is refused whole; a delete of every
// category and a restore of them all leave every row as it was.
func TestWithoutTheBypassTheDatabaseChecksEveryRow(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, storetest.UnprivilegedURL(t))
	ctx := context.Background()
	var bypass bool
	if err := db.Gorm(ctx).Raw("SELECT has_parameter_privilege('session_replication_role', 'SET')").Scan(&bypass).Error; err != nil || bypass {
		t.Fatalf("the role may turn the checks off (%v): the test would not run the checked path", err)
	}
	s, _ := backupStore(t, db, 0)
	owner, org := seededTenant(t, db, seedRows)
	before := snapshot(withoutRecords(orgRows(t, s, org.ID)))
	b, err := s.TakeBackup(ctx, upbooks.BackupRequest{OrgID: org.ID, UserID: owner.ID})
	if err != nil {
		t.Fatal(err)
	}

	backedUp := snapshot(withoutRecords(orgRows(t, s, org.ID)))
	if _, err := s.RestoreBackup(ctx, upbooks.RestoreRequest{OrgID: org.ID, UserID: owner.ID, BackupID: b.ID, Categories: []string{"clients"}}); err != nil {
		t.Fatalf("restoring clients alone, which kept rows point at: %v", err)
	}
	assertSame(t, "after restoring clients", backedUp, snapshot(withoutRecords(orgRows(t, s, org.ID))))

	// A contract (kept) pointing at a client the backup lacks: restoring clients would drop it.
	client, contract := addClientUnderContract(t, db, s, org.ID)
	snap := snapshot(orgRows(t, s, org.ID))
	_, err = s.RestoreBackup(ctx, upbooks.RestoreRequest{OrgID: org.ID, UserID: owner.ID, BackupID: b.ID, Categories: []string{"clients"}})
	var conflict *upbooks.RestoreConflict
	if !errors.As(err, &conflict) || !errors.Is(err, store.ErrConflict) {
		t.Fatalf("restoring clients under a contract of a newer client: want a RestoreConflict, got %v", err)
	}
	assertSame(t, "refused restore", snap, snapshot(orgRows(t, s, org.ID)))
	if err := db.Gorm(ctx).Exec("DELETE FROM ub_contracts WHERE organization_id = ? AND id = ?", org.ID, contract).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Gorm(ctx).Exec("DELETE FROM ub_clients WHERE organization_id = ? AND id = ?", org.ID, client).Error; err != nil {
		t.Fatal(err)
	}

	all := everyCategoryBut("organizationBackups")
	if _, err := s.DeleteSelective(ctx, upbooks.SelectiveDelete{OrgID: org.ID, UserID: owner.ID, Categories: all}); err != nil {
		t.Fatal(err)
	}
	if n := len(orgRows(t, s, org.ID)["ub_invoices"]); n != 0 {
		t.Fatalf("%d invoices left after the delete", n)
	}
	if _, err := s.RestoreBackup(ctx, upbooks.RestoreRequest{OrgID: org.ID, UserID: owner.ID, BackupID: b.ID, Categories: all}); err != nil {
		t.Fatal(err)
	}
	assertSame(t, "after restore", before, snapshot(withoutRecords(orgRows(t, s, org.ID))))
	if broken, _, err := s.Orphans(ctx, org.ID); err != nil || len(broken) > 0 {
		t.Fatalf("orphans after the restore: %v (%v)", broken, err)
	}
}

// A restore that would leave a row pointing at a missing one is refused whole, naming the
// categories, in both directions; restoring the missing categories too succeeds.
func TestRestoreRefusesMissingDependencies(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := backupStore(t, db, 0)
		owner, org := seededTenant(t, db, seedRows)
		b, err := s.TakeBackup(ctx, upbooks.BackupRequest{OrgID: org.ID, UserID: owner.ID})
		if err != nil {
			t.Fatal(err)
		}
		del, err := s.DeleteSelective(ctx, upbooks.SelectiveDelete{OrgID: org.ID, UserID: owner.ID, Categories: []string{"clients"}, Force: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(del.Forced) == 0 {
			t.Fatal("nothing depended on clients: the test needs the seed to link invoices to clients")
		}
		before := snapshot(orgRows(t, s, org.ID))

		// Restored invoices would point at clients that are gone.
		_, err = s.RestoreBackup(ctx, upbooks.RestoreRequest{OrgID: org.ID, UserID: owner.ID, BackupID: b.ID, Categories: []string{"invoice"}})
		var conflict *upbooks.RestoreConflict
		if !errors.As(err, &conflict) || !errors.Is(err, store.ErrConflict) {
			t.Fatalf("want a RestoreConflict, got %v", err)
		}
		if !slices.ContainsFunc(conflict.Blockers, func(x upbooks.Blocker) bool {
			return x.Category == "invoice" && x.Blocks == "clients" && x.Rows > 0
		}) {
			t.Fatalf("blockers %+v do not say invoices need clients", conflict.Blockers)
		}
		assertSame(t, "refused restore", before, snapshot(orgRows(t, s, org.ID)))

		// Everything the delete took, restored together, fits.
		set := []string{"clients"}
		for c := range del.Forced {
			set = append(set, c)
		}
		if _, err := s.RestoreBackup(ctx, upbooks.RestoreRequest{OrgID: org.ID, UserID: owner.ID, BackupID: b.ID, Categories: set}); err != nil {
			t.Fatal(err)
		}
		assertNoOrphans(t, db, org.ID)

		// A kept row pointing at a row the backup lacks: a client added after the backup, with a
		// contract (kept) pointing at it; restoring clients alone would drop that client.
		addClientUnderContract(t, db, s, org.ID)
		before = snapshot(orgRows(t, s, org.ID))
		_, err = s.RestoreBackup(ctx, upbooks.RestoreRequest{OrgID: org.ID, UserID: owner.ID, BackupID: b.ID, Categories: []string{"clients"}})
		if !errors.As(err, &conflict) || !slices.ContainsFunc(conflict.Blockers, func(x upbooks.Blocker) bool {
			return x.Category == "contracts" && x.Blocks == "clients" && x.Rows == 1
		}) {
			t.Fatalf("want contracts blocking clients (1 row), got %v", err)
		}
		assertSame(t, "refused restore", before, snapshot(orgRows(t, s, org.ID)))
		assertNoOrphans(t, db, org.ID)
	})
}

// A backup whose blob is damaged or gone restores nothing, and says so.
func TestDamagedBackupRestoresNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, dir := backupStore(t, db, 0)
		owner, org := seededTenant(t, db, 200)
		b, err := s.TakeBackup(ctx, upbooks.BackupRequest{OrgID: org.ID, UserID: owner.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.DeleteSelective(ctx, upbooks.SelectiveDelete{OrgID: org.ID, UserID: owner.ID, Categories: []string{"documents", "tasks"}}); err != nil {
			t.Fatal(err)
		}
		req := upbooks.RestoreRequest{OrgID: org.ID, UserID: owner.ID, BackupID: b.ID, Categories: []string{"documents", "tasks"}}
		path := filepath.Join(dir, b.Key)

		// Another backup's blob in its place: well-formed, but not the rows the manifest describes.
		later, err := s.TakeBackup(ctx, upbooks.BackupRequest{OrgID: org.ID, UserID: owner.ID})
		if err != nil {
			t.Fatal(err)
		}
		before := snapshot(withoutRecords(orgRows(t, s, org.ID)))
		swapped, err := os.ReadFile(filepath.Join(dir, later.Key))
		if err != nil {
			t.Fatal(err)
		}
		original, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, swapped, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RestoreBackup(ctx, req); !errors.Is(err, upbooks.ErrBackupUnavailable) {
			t.Fatalf("swapped blob: want ErrBackupUnavailable, got %v", err)
		}
		if err := os.WriteFile(path, original, 0o600); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// The same length, one byte changed near the end: gzip may not notice, the checksum does.
		data[len(data)-10] ^= 0xff
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RestoreBackup(ctx, req); !errors.Is(err, upbooks.ErrBackupUnavailable) {
			t.Fatalf("damaged blob: want ErrBackupUnavailable, got %v", err)
		}
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RestoreBackup(ctx, req); !errors.Is(err, upbooks.ErrBackupUnavailable) {
			t.Fatalf("missing blob: want ErrBackupUnavailable, got %v", err)
		}
		assertSame(t, "failed restores", before, snapshot(withoutRecords(orgRows(t, s, org.ID))))
	})
}

// What a restore refuses before touching anything.
func TestRestoreRefusals(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := backupStore(t, db, 0)
		owner, org := seededTenant(t, db, 100)
		otherOwner, other := seededTenant(t, db, 100)
		b, err := s.TakeBackup(ctx, upbooks.BackupRequest{OrgID: org.ID, UserID: owner.ID})
		if err != nil {
			t.Fatal(err)
		}
		member, _ := storetest.Tenant(t, db, "plain-"+strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))+"@example.com")
		if err := storetest.Identity(db).AddMember(ctx, org.ID, member.ID, identity.RoleMember); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TakeBackup(ctx, upbooks.BackupRequest{OrgID: org.ID, UserID: member.ID}); !errors.Is(err, store.ErrForbidden) {
			t.Errorf("backup by a plain member: %v", err)
		}
		cases := map[string]struct {
			req  upbooks.RestoreRequest
			want error
		}{
			"plain member":         {upbooks.RestoreRequest{OrgID: org.ID, UserID: member.ID, BackupID: b.ID, Categories: []string{"tasks"}}, store.ErrForbidden},
			"unknown backup":       {upbooks.RestoreRequest{OrgID: org.ID, UserID: owner.ID, BackupID: "000000000000000000000000", Categories: []string{"tasks"}}, store.ErrNotFound},
			"another org's backup": {upbooks.RestoreRequest{OrgID: other.ID, UserID: otherOwner.ID, BackupID: b.ID, Categories: []string{"tasks"}}, store.ErrNotFound},
			"backups themselves":   {upbooks.RestoreRequest{OrgID: org.ID, UserID: owner.ID, BackupID: b.ID, Categories: []string{"organizationBackups"}}, upbooks.ErrBackupsNotRestorable},
		}
		for name, c := range cases {
			if _, err := s.RestoreBackup(ctx, c.req); !errors.Is(err, c.want) {
				t.Errorf("%s: want %v, got %v", name, c.want, err)
			}
		}
		if err := s.Exec(ctx, "UPDATE ub_organization_backups SET schema_version = schema_version - 1 WHERE organization_id = ? AND id = ?", org.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		var mismatch *upbooks.SchemaMismatchError
		if _, err := s.RestoreBackup(ctx, upbooks.RestoreRequest{OrgID: org.ID, UserID: owner.ID, BackupID: b.ID, Categories: []string{"tasks"}}); !errors.As(err, &mismatch) {
			t.Errorf("older schema: want SchemaMismatchError, got %v", err)
		}
		if _, err := upbooks.New(db).TakeBackup(ctx, upbooks.BackupRequest{OrgID: org.ID, UserID: owner.ID}); !errors.Is(err, upbooks.ErrNoBackupStore) {
			t.Errorf("no bucket: %v", err)
		}
	})
}

// Erasing backups through the organizationBackups flag erases their blobs; retention removes old
// backups and their blobs when a new one is taken.
func TestBackupBlobsGoWithTheirRows(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, dir := backupStore(t, db, 24*time.Hour)
		owner, org := seededTenant(t, db, 50)
		exists := func(key string) bool {
			_, err := os.Stat(filepath.Join(dir, key))
			return err == nil
		}
		old, err := s.TakeBackup(ctx, upbooks.BackupRequest{OrgID: org.ID, UserID: owner.ID})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Exec(ctx, "UPDATE ub_organization_backups SET created_at = ? WHERE organization_id = ? AND id = ?", time.Now().Add(-48*time.Hour), org.ID, old.ID); err != nil {
			t.Fatal(err)
		}
		fresh, err := s.TakeBackup(ctx, upbooks.BackupRequest{OrgID: org.ID, UserID: owner.ID})
		if err != nil {
			t.Fatal(err)
		}
		if exists(old.Key) || !exists(fresh.Key) {
			t.Fatalf("after retention: old blob exists %v, fresh blob exists %v", exists(old.Key), exists(fresh.Key))
		}
		backups, _, err := s.ListBackups(ctx, org.ID, 1, 100)
		if err != nil || slices.ContainsFunc(backups, func(b upbooks.Backup) bool { return b.ID == old.ID }) {
			t.Fatalf("expired backup still listed (%v)", err)
		}
		if _, err := s.DeleteSelective(ctx, upbooks.SelectiveDelete{OrgID: org.ID, UserID: owner.ID, Categories: []string{"organizationBackups"}}); err != nil {
			t.Fatal(err)
		}
		if exists(fresh.Key) || exists(strings.TrimSuffix(fresh.Key, ".jsonl.gz")+".manifest.json") {
			t.Fatal("organizationBackups deleted the rows but left the blobs")
		}
		var keys []string
		it := blobList(t, dir)
		keys = append(keys, it...)
		if len(keys) != 0 {
			t.Fatalf("blobs left: %v", keys)
		}
	})
}

func blobList(t *testing.T, dir string) []string {
	t.Helper()
	b, err := fileblob.OpenBucket(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = b.Close() }()
	var keys []string
	it := b.List(&blob.ListOptions{})
	for {
		obj, err := it.Next(context.Background())
		if err != nil {
			break
		}
		keys = append(keys, obj.Key)
	}
	return keys
}

// A kept row that restored rows point at cannot be deleted under them. A tax is kept and the
// services pointing at it are restored; another transaction deletes the tax while the restore,
// its proof passed, has not committed. On PostgreSQL the restore checks no row itself (its
// foreign-key triggers are off) and proves its rows set-based; it also takes the lock the
// database's check would take for each row, so the delete waits for the restore, then sees the
// service and is refused. Without that lock the delete went straight through and the restored
// service pointed at nothing. On SQLite the one writer's lock and the deferred checks give the
// same end.
func TestParentDeletedWhileRestoreLeavesNoOrphans(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := backupStore(t, db, 0)
		owner, org := seededTenant(t, db, 0)
		tax, service := store.NewObjectID(), store.NewObjectID()
		if err := s.Exec(ctx, "INSERT INTO ub_taxes (organization_id, id, created_at, name, rate, kind) VALUES (?, ?, ?, 'GST 18', '18', 'gst')", org.ID, tax, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		if err := s.Exec(ctx, "INSERT INTO ub_services (organization_id, id, created_at, tax_id, name, sac, rate) VALUES (?, ?, ?, ?, 'audit', '998313', '1')", org.ID, service, time.Now().UTC(), tax); err != nil {
			t.Fatal(err)
		}
		backup, err := s.TakeBackup(ctx, upbooks.BackupRequest{OrgID: org.ID, UserID: owner.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.DeleteSelective(ctx, upbooks.SelectiveDelete{OrgID: org.ID, UserID: owner.ID, Categories: []string{"services"}}); err != nil {
			t.Fatal(err)
		}

		pause := &pauseAtLastStep{reached: make(chan struct{}), release: make(chan struct{})}
		restored := make(chan error, 1)
		go func() {
			_, err := s.RestoreBackup(store.WithProgress(ctx, pause), upbooks.RestoreRequest{OrgID: org.ID, UserID: owner.ID, BackupID: backup.ID, Categories: []string{"services"}})
			restored <- err
		}()
		select {
		case <-pause.reached:
		case err := <-restored:
			t.Fatalf("the restore ended before the step after its proof: %v", err)
		}
		deleted := make(chan error, 1)
		go func() {
			deleted <- s.Exec(ctx, "DELETE FROM ub_taxes WHERE organization_id = ? AND id = ?", org.ID, tax)
		}()
		done, deleteErr := waitForWaitingDelete(t, db, "DELETE FROM ub_taxes %", deleted)
		close(pause.release)
		if err := <-restored; err != nil {
			t.Fatalf("restore: %v", err)
		}
		if !done {
			deleteErr = <-deleted
		}
		if !store.IsForeignKeyViolation(deleteErr) {
			t.Errorf("deleting the tax a restored service points at: %v, want a foreign-key violation", deleteErr)
		}
		var taxes, services int64
		if err := db.Gorm(ctx).Raw("SELECT (SELECT count(*) FROM ub_taxes WHERE organization_id = ? AND id = ?), (SELECT count(*) FROM ub_services WHERE organization_id = ? AND id = ?)",
			org.ID, tax, org.ID, service).Row().Scan(&taxes, &services); err != nil {
			t.Fatal(err)
		}
		if taxes != 1 || services != 1 {
			t.Errorf("%d taxes and %d services left, want the tax kept and its service restored", taxes, services)
		}
		assertNoOrphans(t, db, org.ID)
	})
}

// pauseAtLastStep is a store.Progress that holds the call in its last step until released.
type pauseAtLastStep struct {
	mu               sync.Mutex
	planned, steps   int
	reached, release chan struct{}
}

func (p *pauseAtLastStep) Plan(steps int)     { p.mu.Lock(); p.planned = steps; p.mu.Unlock() }
func (p *pauseAtLastStep) Rows(string, int64) {}
func (p *pauseAtLastStep) Step(string, int64) {
	p.mu.Lock()
	p.steps++
	last := p.steps == p.planned
	p.mu.Unlock()
	if last {
		close(p.reached)
		<-p.release
	}
}

// waitForWaitingDelete returns once a delete whose statement is LIKE like has ended, reporting to
// done (true, its error; a nil done never reports), or waits for a lock (PostgreSQL; on Citus the
// coordinator's session waits on its worker rather than on a lock of its own, so an active delete
// will do after a moment; on SQLite, after a moment in which the writer reaches its busy wait).
func waitForWaitingDelete(t *testing.T, db *store.DB, like string, done <-chan error) (bool, error) {
	t.Helper()
	if db.DialectName() != "postgres" {
		select {
		case err := <-done:
			return true, err
		case <-time.After(500 * time.Millisecond):
			return false, nil
		}
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		select {
		case err := <-done:
			return true, err
		case <-time.After(20 * time.Millisecond):
		}
		var n int64
		err := db.Gorm(context.Background()).Raw(`SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND state = 'active' AND query LIKE ?
			  AND (wait_event_type = 'Lock' OR EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus'))`, like).Scan(&n).Error
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			time.Sleep(200 * time.Millisecond)
			return false, nil
		}
	}
	t.Fatal("the delete neither ended nor waited for a lock")
	return false, nil
}
