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
	"github.com/deletesvc/deletesvc/store/identity"
	"github.com/deletesvc/deletesvc/store/storetest"
	"github.com/deletesvc/deletesvc/store/upbooks"
)

// A background run (store.DB.Answered, as operations use it) that takes a backup and is then
// rolled back (cancelled, timed out, interrupted) leaves the backups and their files as they were.
func TestARolledBackRequestKeepsTheBackupFilesAsTheyWere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := withExpiredBackup(t, db)
		s, owner, org, old, exists := f.store, f.owner, f.org, f.old, f.exists
		var err error
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
		if !slices.ContainsFunc(backups, func(b upbooks.Backup) bool { return b.ID == old.ID }) || !exists(old.Key) {
			t.Error("the expired backup is gone, or its file was removed before the rollback")
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
		f := withExpiredBackup(t, db)
		s, owner, org, old, exists := f.store, f.owner, f.org, f.old, f.exists
		var err error
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

// expiredBackup is a backup store with an organization whose one backup is past the retention:
// the next backup taken expires it.
type expiredBackup struct {
	store  *upbooks.Store
	owner  identity.User
	org    identity.Organization
	old    upbooks.Backup
	exists func(key string) bool // whether the blob store holds the file
}

func withExpiredBackup(t *testing.T, db *store.DB) expiredBackup {
	t.Helper()
	ctx := context.Background()
	s, dir := backupStore(t, db, 24*time.Hour)
	f := expiredBackup{store: s, exists: func(key string) bool { _, err := os.Stat(filepath.Join(dir, key)); return err == nil }}
	f.owner, f.org = seededTenant(t, db, 20)
	var err error
	if f.old, err = s.TakeBackup(ctx, upbooks.BackupRequest{OrgID: f.org.ID, UserID: f.owner.ID}); err != nil {
		t.Fatal(err)
	}
	if err := s.Exec(ctx, "UPDATE ub_organization_backups SET created_at = ? WHERE organization_id = ? AND id = ?", time.Now().Add(-48*time.Hour), f.org.ID, f.old.ID); err != nil {
		t.Fatal(err)
	}
	return f
}
