package upbooks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	gen "github.com/deletesvc/deletesvc/gen/upbooks"
	"github.com/deletesvc/deletesvc/server/servertest"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
	upbooksstore "github.com/deletesvc/deletesvc/store/upbooks"
)

// A selective delete sent with Prefer: respond-async answers 202 at once; its operation reports
// the answer the synchronous call would give, and the data is gone exactly as a synchronous
// delete would leave it. A refused one (409) changes nothing. On every database.
func TestDeleteInTheBackgroundOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := servertest.Start(t, db)
		env.RunOperations(t)
		c, err := gen.NewClientWithResponses(env.URL, gen.WithHTTPClient(env.HTTP))
		if err != nil {
			t.Fatal(err)
		}
		owner, org := storetest.Tenant(t, db, "owner@example.com")
		if err := env.Upbooks.Seed(ctx, env.Identity, org.ID, 200, nil); err != nil {
			t.Fatal(err)
		}
		tok := servertest.Bearer(env.Token(t, owner, org.ID))
		count := func(category string) int64 {
			t.Helper()
			r, err := env.Upbooks.DeleteSelective(ctx, upbooksstore.SelectiveDelete{OrgID: org.ID, UserID: owner.ID, Categories: []string{category}, DryRun: true, Force: true})
			if err != nil {
				t.Fatal(err)
			}
			return r.Deleted[category]
		}
		invoices, clients := count("invoice"), count("clients")
		if invoices == 0 || clients == 0 {
			t.Fatalf("seed has %d invoices, %d clients", invoices, clients)
		}
		async := "respond-async, wait=5"
		poll := func(id string) gen.Operation {
			t.Helper()
			deadline := time.Now().Add(30 * time.Second)
			for {
				r, err := c.GetOperationWithResponse(ctx, org.ID, id, nil, tok)
				if err != nil || r.JSON200 == nil {
					t.Fatalf("get operation: %v %d %s", err, r.StatusCode(), r.Body)
				}
				if s := r.JSON200.Data.State; s != gen.Queued && s != gen.Running {
					return r.JSON200.Data
				}
				if time.Now().After(deadline) {
					t.Fatalf("operation still %s", r.JSON200.Data.State)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}

		yes := true
		del, err := c.DeleteSelectiveDataWithResponse(ctx, org.ID, &gen.DeleteSelectiveDataParams{Force: &yes, Prefer: &async}, flags("invoice"), tok)
		if err != nil || del.StatusCode() != http.StatusAccepted {
			t.Fatalf("delete: %v %d %s", err, del.StatusCode(), del.Body)
		}
		var accepted gen.OperationResponse
		if err := json.Unmarshal(del.Body, &accepted); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("/api/v1/organization/%s/operations/%s", org.ID, accepted.Data.UnderscoreId)
		if loc := del.HTTPResponse.Header.Get("Location"); loc != want || del.HTTPResponse.Header.Get("Preference-Applied") != "respond-async" {
			t.Fatalf("Location %q (want %q), Preference-Applied %q", loc, want, del.HTTPResponse.Header.Get("Preference-Applied"))
		}
		if accepted.Data.Kind != gen.DeleteSelectiveData || accepted.Data.CreatedBy != owner.ID {
			t.Fatalf("accepted: %+v", accepted.Data)
		}
		op := poll(accepted.Data.UnderscoreId)
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
		if n := count("invoice"); n != 0 {
			t.Fatalf("%d invoices left", n)
		}

		// Refused (kept categories point at clients): the answer is the 409, nothing changes.
		del, err = c.DeleteSelectiveDataWithResponse(ctx, org.ID, &gen.DeleteSelectiveDataParams{Prefer: &async}, flags("clients"), tok)
		if err != nil || del.StatusCode() != http.StatusAccepted {
			t.Fatalf("delete clients: %v %d %s", err, del.StatusCode(), del.Body)
		}
		if err := json.Unmarshal(del.Body, &accepted); err != nil {
			t.Fatal(err)
		}
		refused := poll(accepted.Data.UnderscoreId)
		var conflict gen.Conflict
		if refused.State != gen.Failed || refused.Result == nil || refused.Result.Status != 409 ||
			json.Unmarshal(refused.Result.Body, &conflict) != nil || len(conflict.Blockers) == 0 {
			t.Fatalf("refused operation: %+v", refused)
		}
		if n := count("clients"); n != clients {
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
		ctx := context.Background()
		env := servertest.Start(t, db) // operations accepted, not run until RunOperations
		c, err := gen.NewClientWithResponses(env.URL, gen.WithHTTPClient(env.HTTP))
		if err != nil {
			t.Fatal(err)
		}
		owner, org := storetest.Tenant(t, db, "owner@example.com")
		if err := env.Upbooks.Seed(ctx, env.Identity, org.ID, 100, nil); err != nil {
			t.Fatal(err)
		}
		tok := servertest.Bearer(env.Token(t, owner, org.ID))
		async, yes := "respond-async", true
		del, err := c.DeleteSelectiveDataWithResponse(ctx, org.ID, &gen.DeleteSelectiveDataParams{Force: &yes, Prefer: &async}, flags("invoice"), tok)
		if err != nil || del.StatusCode() != http.StatusAccepted {
			t.Fatalf("delete: %v %d %s", err, del.StatusCode(), del.Body)
		}
		var accepted gen.OperationResponse
		if err := json.Unmarshal(del.Body, &accepted); err != nil {
			t.Fatal(err)
		}
		id := accepted.Data.UnderscoreId
		r, err := c.CancelOperationWithResponse(ctx, org.ID, id, nil, tok)
		if err != nil || r.JSON200 == nil || r.JSON200.Data.State != gen.Cancelled {
			t.Fatalf("cancel: %v %d %s", err, r.StatusCode(), r.Body)
		}
		env.RunOperations(t)
		time.Sleep(300 * time.Millisecond) // six polls of the queue
		got, err := c.GetOperationWithResponse(ctx, org.ID, id, nil, tok)
		if err != nil || got.JSON200 == nil || got.JSON200.Data.State != gen.Cancelled || got.JSON200.Data.StartedAt != nil {
			t.Fatalf("after starting the queue: %v %s", err, got.Body)
		}
		left, err := env.Upbooks.DeleteSelective(ctx, upbooksstore.SelectiveDelete{OrgID: org.ID, UserID: owner.ID, Categories: []string{"invoice"}, DryRun: true, Force: true})
		if err != nil || left.Deleted["invoice"] == 0 {
			t.Fatalf("invoices after a cancelled delete: %v %v", left.Deleted, err)
		}
	})
}
