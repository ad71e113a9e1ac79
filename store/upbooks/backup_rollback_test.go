package upbooks_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
	"github.com/deletesvc/deletesvc/store/upbooks"
)

// A background run (store.DB.Answered, as operations use it) that takes a backup and is then
// rolled back (cancelled, timed out, interrupted) leaves the backups and their files as they were.
func TestARolledBackRequestKeepsTheBackupFilesAsTheyWere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, dir := backupStore(t, db, 24*time.Hour)
		owner, org := seededTenant(t, db, 20)
		exists := func(key string) bool { _, err := os.Stat(filepath.Join(dir, key)); return err == nil }
		old, err := s.TakeBackup(ctx, upbooks.BackupRequest{OrgID: org.ID, UserID: owner.ID})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Exec(ctx, "UPDATE ub_organization_backups SET created_at = ? WHERE organization_id = ? AND id = ?", time.Now().Add(-48*time.Hour), org.ID, old.ID); err != nil {
			t.Fatal(err)
		}
		var fresh upbooks.Backup
		cancelled := errors.New("cancelled")
		_, err = db.Answered(ctx, func(*gorm.DB) error { return nil }, func(ctx context.Context) (store.StoredResponse, error) {
			fresh, err = s.TakeBackup(ctx, upbooks.BackupRequest{OrgID: org.ID, UserID: owner.ID})
			if err != nil {
				return store.StoredResponse{}, err
			}
			return store.StoredResponse{}, cancelled // e.g. DELETE on the operation during the delete that follows
		}, func(*gorm.DB, store.StoredResponse) error { return nil })
		if !errors.Is(err, cancelled) {
			t.Fatal(err)
		}
		backups, _, err := s.ListBackups(ctx, org.ID, 1, 100)
		if err != nil {
			t.Fatal(err)
		}
		listed := slices.ContainsFunc(backups, func(b upbooks.Backup) bool { return b.ID == old.ID })
		t.Logf("old backup listed %v, its blob exists %v; rolled-back backup's blob exists %v (no row)", listed, exists(old.Key), exists(fresh.Key))
		if listed && !exists(old.Key) {
			t.Error("the old backup is listed again but its blob was removed before the rollback")
		}
		if exists(fresh.Key) {
			t.Error("the rolled-back backup left its blob behind, with no row naming it")
		}
	})
}

// A request that commits keeps its backup's file and removes the expired backups' files, after
// the commit.
func TestACommittedRequestRemovesExpiredBackupFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, dir := backupStore(t, db, 24*time.Hour)
		owner, org := seededTenant(t, db, 20)
		exists := func(key string) bool { _, err := os.Stat(filepath.Join(dir, key)); return err == nil }
		old, err := s.TakeBackup(ctx, upbooks.BackupRequest{OrgID: org.ID, UserID: owner.ID})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Exec(ctx, "UPDATE ub_organization_backups SET created_at = ? WHERE organization_id = ? AND id = ?", time.Now().Add(-48*time.Hour), org.ID, old.ID); err != nil {
			t.Fatal(err)
		}
		var fresh upbooks.Backup
		_, err = db.Answered(ctx, func(*gorm.DB) error { return nil }, func(ctx context.Context) (store.StoredResponse, error) {
			var err error
			fresh, err = s.TakeBackup(ctx, upbooks.BackupRequest{OrgID: org.ID, UserID: owner.ID})
			if err == nil && !exists(old.Key) {
				t.Error("the expired backup's file was removed before the request committed")
			}
			return store.StoredResponse{Status: 201}, err
		}, func(*gorm.DB, store.StoredResponse) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		if exists(old.Key) || !exists(fresh.Key) {
			t.Fatalf("after the commit: expired file there %v, new file there %v", exists(old.Key), exists(fresh.Key))
		}
	})
}
