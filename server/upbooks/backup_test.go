package upbooks_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	gen "github.com/deletesvc/deletesvc/gen/upbooks"
	"github.com/deletesvc/deletesvc/server/servertest"
	"github.com/deletesvc/deletesvc/store/identity"
	"github.com/deletesvc/deletesvc/store/storetest"
	upbooksstore "github.com/deletesvc/deletesvc/store/upbooks"
)

// The backup operations' HTTP shapes and the undo a delete with backup=true gives; the store
// beneath (round trip, conflicts, damaged files, retention) is tested on both databases in
// store/upbooks, so this runs on SQLite.
func TestBackupAndRestoreOverHTTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env, c, owner, org := seededOverHTTP(t)
	db := env.DB
	tok := servertest.Bearer(env.Token(t, owner, org.ID))
	invoices := func() int {
		t.Helper()
		r, err := env.Upbooks.DeleteSelective(ctx, upbooksstore.SelectiveDelete{OrgID: org.ID, UserID: owner.ID, Categories: []string{"invoice"}, DryRun: true, Force: true})
		if err != nil {
			t.Fatal(err)
		}
		return int(r.Deleted["invoice"])
	}
	before := invoices()

	// A delete with backup=true answers the backup's id; restoring it undoes the delete.
	yes := true
	del, err := c.DeleteSelectiveDataWithResponse(ctx, org.ID, &gen.DeleteSelectiveDataParams{Backup: &yes, Force: &yes}, flags("invoice"), tok)
	if err != nil || del.JSON200 == nil || del.JSON200.BackupId == nil || del.JSON200.Deleted["invoice"] == 0 {
		t.Fatalf("delete with backup: %v %d %s", err, del.StatusCode(), del.Body)
	}
	if invoices() != 0 {
		t.Fatal("the delete left invoices")
	}
	cats := []string{"invoice"}
	for c := range *del.JSON200.Forced {
		cats = append(cats, c)
	}
	restore, err := c.AddBackupRestoreWithResponse(ctx, org.ID, nil, gen.BackupRestoreRequest{BackupId: *del.JSON200.BackupId, Categories: flags(cats...)}, tok)
	if err != nil || restore.JSON201 == nil || restore.JSON201.Data.Status != "completed" || int(restore.JSON201.Data.Restored["invoice"]) != del.JSON200.Deleted["invoice"] {
		t.Fatalf("restore: %v %d %s", err, restore.StatusCode(), restore.Body)
	}
	if got := invoices(); got != before {
		t.Fatalf("after the undo %d invoices, before the delete %d", got, before)
	}

	// A backup on demand, listed with its manifest.
	b, err := c.AddOrganizationBackupWithResponse(ctx, org.ID, nil, tok)
	if err != nil || b.JSON201 == nil || b.JSON201.Data.Rows == 0 || !strings.HasPrefix(b.JSON201.Data.Checksum, "sha256:") {
		t.Fatalf("backup: %v %d %s", err, b.StatusCode(), b.Body)
	}
	list, err := c.GetAllBackupsWithResponse(ctx, org.ID, nil, tok)
	if err != nil || list.JSON200 == nil || list.JSON200.Data[0].UnderscoreId != b.JSON201.Data.UnderscoreId {
		t.Fatalf("backups: %v %d %s", err, list.StatusCode(), list.Body)
	}
	restores, err := c.GetAllBackupRestoresWithResponse(ctx, org.ID, nil, tok)
	if err != nil || restores.JSON200 == nil || restores.JSON200.Data[0].UnderscoreId != restore.JSON201.Data.UnderscoreId {
		t.Fatalf("restores: %v %d %s", err, restores.StatusCode(), restores.Body)
	}

	// A restore with an Idempotency-Key runs once: the retry replays the answer. On SQLite the
	// request's transaction defers its foreign-key checks to the commit, so clients can be deleted
	// and put back while kept invoices point at them.
	keyed := func(key string) gen.RequestEditorFn {
		return func(_ context.Context, r *http.Request) error { r.Header.Set("Idempotency-Key", key); return nil }
	}
	first, err := c.AddBackupRestoreWithResponse(ctx, org.ID, nil, gen.BackupRestoreRequest{BackupId: b.JSON201.Data.UnderscoreId, Categories: flags("clients")}, tok, keyed("restore-clients-1"))
	if err != nil || first.JSON201 == nil || first.JSON201.Data.Restored["clients"] == 0 {
		t.Fatalf("keyed restore: %v %d %s", err, first.StatusCode(), first.Body)
	}
	again, err := c.AddBackupRestoreWithResponse(ctx, org.ID, nil, gen.BackupRestoreRequest{BackupId: b.JSON201.Data.UnderscoreId, Categories: flags("clients")}, tok, keyed("restore-clients-1"))
	if err != nil || again.StatusCode() != 201 || again.HTTPResponse.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(first.Body) {
		t.Fatalf("retry: %v %d %q %s", err, again.StatusCode(), again.HTTPResponse.Header.Get("Idempotent-Replayed"), again.Body)
	}
	if all, err := c.GetAllBackupRestoresWithResponse(ctx, org.ID, nil, tok); err != nil || all.JSON200 == nil || all.JSON200.Data[0].UnderscoreId != first.JSON201.Data.UnderscoreId || all.JSON200.Data[1].UnderscoreId != restore.JSON201.Data.UnderscoreId {
		t.Fatalf("the retry ran again: %v %s", err, all.Body)
	}

	// Refusals, each in Upbooks' shape. Clients deleted (with everything on them), then invoices
	// restored alone: they would point at missing clients, a 409 saying so.
	if r, err := c.DeleteSelectiveDataWithResponse(ctx, org.ID, &gen.DeleteSelectiveDataParams{Force: &yes}, flags("clients"), tok); err != nil || r.JSON200 == nil {
		t.Fatalf("delete clients: %v", err)
	}
	conflict, err := c.AddBackupRestoreWithResponse(ctx, org.ID, nil, gen.BackupRestoreRequest{BackupId: b.JSON201.Data.UnderscoreId, Categories: flags("invoice")}, tok)
	if err != nil || conflict.JSON409 == nil || !slices.ContainsFunc(conflict.JSON409.Blockers, func(b gen.DependencyBlocker) bool {
		return b.Category == "invoice" && b.Blocks == "clients" && b.Rows > 0
	}) {
		t.Fatalf("restore without clients: %v %d %s", err, conflict.StatusCode(), conflict.Body)
	}
	notRestorable, err := c.AddBackupRestoreWithResponse(ctx, org.ID, nil, gen.BackupRestoreRequest{BackupId: b.JSON201.Data.UnderscoreId, Categories: flags("organizationBackups")}, tok)
	if err != nil || notRestorable.JSON400 == nil || !strings.Contains(notRestorable.JSON400.Message, "organizationBackups") {
		t.Fatalf("organizationBackups: %v %d %s", err, notRestorable.StatusCode(), notRestorable.Body)
	}
	unknown, err := c.AddBackupRestoreWithResponse(ctx, org.ID, nil, gen.BackupRestoreRequest{BackupId: "0123456789abcdef01234567", Categories: flags("tasks")}, tok)
	if err != nil || unknown.JSON404 == nil {
		t.Fatalf("unknown backup: %v %d %s", err, unknown.StatusCode(), unknown.Body)
	}
	member, err := env.Identity.CreateUser(ctx, identity.NewUser{Email: "member@example.com", Name: "M", Password: "password123"})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Identity.AddMember(ctx, org.ID, member.ID, identity.RoleMember); err != nil {
		t.Fatal(err)
	}
	memberTok := servertest.Bearer(env.Token(t, member, org.ID))
	if r, err := c.AddOrganizationBackupWithResponse(ctx, org.ID, nil, memberTok); err != nil || r.JSON403 == nil {
		t.Errorf("member backup: %v %d", err, r.StatusCode())
	}
	if r, err := c.GetAllBackupsWithResponse(ctx, org.ID, nil, memberTok); err != nil || r.JSON403 == nil {
		t.Errorf("member list: %v %d", err, r.StatusCode())
	}
	stranger, other := storetest.Tenant(t, db, "stranger@example.com")
	if r, err := c.AddBackupRestoreWithResponse(ctx, org.ID, nil, gen.BackupRestoreRequest{BackupId: b.JSON201.Data.UnderscoreId, Categories: flags("tasks")}, servertest.Bearer(env.Token(t, stranger, other.ID))); err != nil || r.JSON404 == nil {
		t.Errorf("stranger restore: %v %d", err, r.StatusCode())
	}
}
