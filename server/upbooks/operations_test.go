package upbooks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	gen "github.com/deletesvc/deletesvc/gen/upbooks"
	"github.com/deletesvc/deletesvc/server/servertest"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/identity"
	"github.com/deletesvc/deletesvc/store/storetest"
	upbooksstore "github.com/deletesvc/deletesvc/store/upbooks"
)

// background is an Upbooks server with a seeded organization whose owner sends calls with
// Prefer: respond-async through the generated client.
type background struct {
	t     *testing.T
	ctx   context.Context
	env   *servertest.Env
	c     *gen.ClientWithResponses
	owner identity.User
	org   identity.Organization
	tok   gen.RequestEditorFn
}

// newBackground serves db with an organization of about rows rows; its operations are accepted,
// and run once the test calls env.RunOperations.
func newBackground(t *testing.T, db *store.DB, rows int) *background {
	t.Helper()
	b := &background{t: t, ctx: context.Background(), env: servertest.Start(t, db)}
	var err error
	if b.c, err = gen.NewClientWithResponses(b.env.URL, gen.WithHTTPClient(b.env.HTTP)); err != nil {
		t.Fatal(err)
	}
	b.owner, b.org = storetest.Tenant(t, db, "owner@example.com")
	if err := b.env.Upbooks.Seed(b.ctx, b.env.Identity, b.org.ID, rows, nil); err != nil {
		t.Fatal(err)
	}
	b.tok = servertest.Bearer(b.env.Token(t, b.owner, b.org.ID))
	return b
}

// count is how many rows a delete of category (forced) would remove now.
func (b *background) count(category string) int64 {
	b.t.Helper()
	r, err := b.env.Upbooks.DeleteSelective(b.ctx, upbooksstore.SelectiveDelete{OrgID: b.org.ID, UserID: b.owner.ID, Categories: []string{category}, DryRun: true, Force: true})
	if err != nil {
		b.t.Fatal(err)
	}
	return r.Deleted[category]
}

// accepted reads a 202's operation.
func (b *background) accepted(status int, body []byte) gen.Operation {
	b.t.Helper()
	var r gen.OperationResponse
	if status != http.StatusAccepted || json.Unmarshal(body, &r) != nil {
		b.t.Fatalf("want 202, got %d %s", status, body)
	}
	return r.Data
}

// final polls the operation until it has ended.
func (b *background) final(id string) gen.Operation {
	b.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		r, err := b.c.GetOperationWithResponse(b.ctx, b.org.ID, id, nil, b.tok)
		if err != nil || r.JSON200 == nil {
			b.t.Fatalf("get operation: %v %s", err, r.Body)
		}
		if s := r.JSON200.Data.State; s != gen.Queued && s != gen.Running {
			return r.JSON200.Data
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("operation still %s", r.JSON200.Data.State)
		}
	}
}

// A selective delete sent with Prefer: respond-async answers 202 at once; its operation reports
// the answer the synchronous call would give, and the data is gone exactly as a synchronous
// delete would leave it. A refused one (409) changes nothing. On every database.
func TestDeleteInTheBackgroundOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		bg := newBackground(t, db, 200)
		bg.env.RunOperations(t)
		ctx, c, org, tok := bg.ctx, bg.c, bg.org, bg.tok
		invoices, clients := bg.count("invoice"), bg.count("clients")
		if invoices == 0 || clients == 0 {
			t.Fatalf("seed has %d invoices, %d clients", invoices, clients)
		}
		async := "respond-async, wait=5"

		yes := true
		del, err := c.DeleteSelectiveDataWithResponse(ctx, org.ID, &gen.DeleteSelectiveDataParams{Force: &yes, Prefer: &async}, flags("invoice"), tok)
		if err != nil || del.StatusCode() != http.StatusAccepted {
			t.Fatalf("delete: %v %d %s", err, del.StatusCode(), del.Body)
		}
		accepted := bg.accepted(del.StatusCode(), del.Body)
		want := fmt.Sprintf("/api/v1/organization/%s/operations/%s", org.ID, accepted.UnderscoreId)
		if loc := del.HTTPResponse.Header.Get("Location"); loc != want || del.HTTPResponse.Header.Get("Preference-Applied") != "respond-async" {
			t.Fatalf("Location %q (want %q), Preference-Applied %q", loc, want, del.HTTPResponse.Header.Get("Preference-Applied"))
		}
		if accepted.Kind != gen.DeleteSelectiveData || accepted.CreatedBy != bg.owner.ID {
			t.Fatalf("accepted: %+v", accepted)
		}
		op := bg.final(accepted.UnderscoreId)
		if op.State != gen.Succeeded || op.Result == nil || op.Result.Status != 200 {
			t.Fatalf("operation: %+v", op)
		}
		var answer gen.DeleteSelectiveDataResponseBody
		if err := json.Unmarshal(op.Result.Body, &answer); err != nil {
			t.Fatal(err)
		}
		if int64(answer.Deleted["invoice"]) != invoices || answer.Data.ID != org.ID {
			t.Fatalf("answer: deleted %v (want %d invoices)", answer.Deleted, invoices)
		}
		if op.Progress.Steps == 0 || op.Progress.StepsDone != op.Progress.Steps || op.Progress.Categories["invoice"] == 0 {
			t.Fatalf("progress: %+v", op.Progress)
		}
		if n := bg.count("invoice"); n != 0 {
			t.Fatalf("%d invoices left", n)
		}

		// Refused (kept categories point at clients): the answer is the 409, nothing changes.
		del, err = c.DeleteSelectiveDataWithResponse(ctx, org.ID, &gen.DeleteSelectiveDataParams{Prefer: &async}, flags("clients"), tok)
		if err != nil {
			t.Fatal(err)
		}
		refused := bg.final(bg.accepted(del.StatusCode(), del.Body).UnderscoreId)
		var conflict gen.Conflict
		if refused.State != gen.Failed || refused.Result == nil || refused.Result.Status != 409 ||
			json.Unmarshal(refused.Result.Body, &conflict) != nil || len(conflict.Blockers) == 0 {
			t.Fatalf("refused operation: %+v", refused)
		}
		if n := bg.count("clients"); n != clients {
			t.Fatalf("a refused delete left %d of %d clients", n, clients)
		}

		list, err := c.GetAllOperationsWithResponse(ctx, org.ID, nil, tok)
		if err != nil || list.JSON200 == nil || list.JSON200.TotalCount != 2 || list.JSON200.Data[0].UnderscoreId != refused.UnderscoreId {
			t.Fatalf("list: %v %d %s", err, list.StatusCode(), list.Body)
		}
		if r, err := c.CancelOperationWithResponse(ctx, org.ID, op.UnderscoreId, nil, tok); err != nil || r.StatusCode() != http.StatusConflict {
			t.Fatalf("cancel a finished operation: %v %d %s", err, r.StatusCode(), r.Body)
		}
		if r, err := c.GetOperationWithResponse(ctx, org.ID, store.NewObjectID(), nil, tok); err != nil || r.StatusCode() != http.StatusNotFound {
			t.Fatalf("unknown operation: %v %d", err, r.StatusCode())
		}
	})
}

// A queued operation cancelled over HTTP never runs.
func TestCancelAQueuedDeleteOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		bg := newBackground(t, db, 100) // operations accepted, not run until RunOperations
		ctx, c, org, tok := bg.ctx, bg.c, bg.org, bg.tok
		async, yes := "respond-async", true
		del, err := c.DeleteSelectiveDataWithResponse(ctx, org.ID, &gen.DeleteSelectiveDataParams{Force: &yes, Prefer: &async}, flags("invoice"), tok)
		if err != nil {
			t.Fatal(err)
		}
		id := bg.accepted(del.StatusCode(), del.Body).UnderscoreId
		r, err := c.CancelOperationWithResponse(ctx, org.ID, id, nil, tok)
		if err != nil || r.JSON200 == nil || r.JSON200.Data.State != gen.Cancelled {
			t.Fatalf("cancel: %v %d %s", err, r.StatusCode(), r.Body)
		}
		bg.env.RunOperations(t)
		time.Sleep(300 * time.Millisecond) // six polls of the queue
		got, err := c.GetOperationWithResponse(ctx, org.ID, id, nil, tok)
		if err != nil || got.JSON200 == nil || got.JSON200.Data.State != gen.Cancelled || got.JSON200.Data.StartedAt != nil {
			t.Fatalf("after starting the queue: %v %s", err, got.Body)
		}
		if n := bg.count("invoice"); n == 0 {
			t.Fatal("a cancelled delete removed the invoices")
		}
	})
}

// A background backup and restore answer what their synchronous calls would; an Idempotency-Key
// on a background call replays its 202 (the same operation, not a second one); a member who may
// not manage data is refused before anything is queued; /metrics shows the runs. On every database.
func TestBackupAndRestoreInTheBackgroundOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		bg := newBackground(t, db, 100)
		bg.env.RunOperations(t)
		ctx, c, env, org, tok := bg.ctx, bg.c, bg.env, bg.org, bg.tok
		async, accepted, final := "respond-async", bg.accepted, bg.final

		key := "backup-1"
		b1, err := c.AddOrganizationBackupWithResponse(ctx, org.ID, &gen.AddOrganizationBackupParams{Prefer: &async, IdempotencyKey: &key}, tok)
		if err != nil {
			t.Fatal(err)
		}
		first := accepted(b1.StatusCode(), b1.Body)
		b2, err := c.AddOrganizationBackupWithResponse(ctx, org.ID, &gen.AddOrganizationBackupParams{Prefer: &async, IdempotencyKey: &key}, tok)
		if err != nil {
			t.Fatal(err)
		}
		if again := accepted(b2.StatusCode(), b2.Body); again.UnderscoreId != first.UnderscoreId || b2.HTTPResponse.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("the repeat with the same key accepted %s (first %s), replayed %q", again.UnderscoreId, first.UnderscoreId, b2.HTTPResponse.Header.Get("Idempotent-Replayed"))
		}
		op := final(first.UnderscoreId)
		var backup gen.OrganizationBackupResponse
		if op.State != gen.Succeeded || op.Result.Status != http.StatusCreated || json.Unmarshal(op.Result.Body, &backup) != nil || backup.Data.Rows == 0 {
			t.Fatalf("background backup: %+v", op)
		}
		if list, err := c.GetAllBackupsWithResponse(ctx, org.ID, nil, tok); err != nil || list.JSON200 == nil || list.JSON200.TotalCount != 1 {
			t.Fatalf("backups after one keyed background backup sent twice: %v %s", err, list.Body)
		}

		invoices := func() int64 { return bg.count("invoice") }
		before := invoices()
		yes := true
		if del, err := c.DeleteSelectiveDataWithResponse(ctx, org.ID, &gen.DeleteSelectiveDataParams{Force: &yes}, flags("invoice"), tok); err != nil || del.JSON200 == nil {
			t.Fatalf("delete: %v %s", err, del.Body)
		} else if invoices() != 0 {
			t.Fatal("invoices left")
		} else {
			cats := []string{"invoice"}
			for c := range *del.JSON200.Forced {
				cats = append(cats, c)
			}
			r, err := c.AddBackupRestoreWithResponse(ctx, org.ID, &gen.AddBackupRestoreParams{Prefer: &async}, gen.BackupRestoreRequest{BackupId: backup.Data.UnderscoreId, Categories: flags(cats...)}, tok)
			if err != nil {
				t.Fatal(err)
			}
			restore := final(accepted(r.StatusCode(), r.Body).UnderscoreId)
			var restored gen.BackupRestoreResponse
			if restore.State != gen.Succeeded || restore.Result.Status != http.StatusCreated || json.Unmarshal(restore.Result.Body, &restored) != nil || restore.Progress.StepsDone == 0 {
				t.Fatalf("background restore: %+v", restore)
			}
		}
		if got := invoices(); got != before {
			t.Fatalf("%d invoices after the background restore, %d before the delete", got, before)
		}

		// A member who may not manage data: refused at once, nothing queued.
		member, _ := storetest.Tenant(t, db, "member@example.com")
		if err := env.Identity.AddMember(ctx, org.ID, member.ID, identity.RoleMember); err != nil {
			t.Fatal(err)
		}
		r, err := c.DeleteSelectiveDataWithResponse(ctx, org.ID, &gen.DeleteSelectiveDataParams{Prefer: &async}, flags("invoice"), servertest.Bearer(env.Token(t, member, org.ID)))
		if err != nil || r.StatusCode() != http.StatusForbidden {
			t.Fatalf("member's background delete: %v %d %s", err, r.StatusCode(), r.Body)
		}
		if list, err := c.GetAllOperationsWithResponse(ctx, org.ID, nil, tok); err != nil || list.JSON200 == nil || list.JSON200.TotalCount != 2 {
			t.Fatalf("operations: %v %s", err, list.Body)
		}

		resp, err := http.Get(env.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		metrics, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, want := range []string{`deletesvc_operations_running{kind="AddOrganizationBackup"} 0`, `deletesvc_operation_rows_total{kind="AddBackupRestore"} `, `deletesvc_operation_rows_total{kind="DeleteSelectiveData"} 0`, `deletesvc_operation_steps{kind="AddBackupRestore"} 0`} {
			if !strings.Contains(string(metrics), want) {
				t.Errorf("/metrics lacks %q", want)
			}
		}
		if strings.Contains(string(metrics), `deletesvc_operation_rows_total{kind="AddBackupRestore"} 0`) {
			t.Error("/metrics counts no rows for the restore that ran")
		}
	})
}
