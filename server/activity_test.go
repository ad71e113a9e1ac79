package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/deletesvc/deletesvc/server/servertest"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/demo"
	"github.com/deletesvc/deletesvc/store/identity"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// The activity log is readable: a destructive call of each family writes one entry in its
// transaction (a dry run, and a bulk that deletes nothing, write none); the owner reads everyone's
// entries with who, when, flags and counts, paged, sorted and filtered; a member reads only their
// own, and is refused everyone's (issue 14, item 8).
func TestActivityLogReadable(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := servertest.Start(t, db)
		owner, org, err := demo.New(db, env.Identity).EnsureDemo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		member, err := env.Identity.CreateUser(ctx, identity.NewUser{Email: "clerk@example.com", Name: "Clerk", Password: "password123"})
		if err != nil {
			t.Fatal(err)
		}
		if err := env.Identity.AddMember(ctx, org.ID, member.ID, identity.RoleMember); err != nil {
			t.Fatal(err)
		}
		ownerAuth := []string{"Authorization", "Bearer " + env.Token(t, owner, org.ID)}
		memberAuth := []string{"Authorization", "Bearer " + env.Token(t, member, org.ID)}
		sel := "/api/v1/organization/" + org.ID + "/selective"
		expect := func(r response, status int) {
			t.Helper()
			if r.status != status {
				t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
			}
		}

		// 1. Upbooks: a dry run (no entry), then the real erase of two categories.
		expect(do(t, env, "DELETE", sel+"?dryRun=true", "application/json", allFlags("true"), ownerAuth...), 200)
		body := strings.NewReplacer(`"taxes":false`, `"taxes":true`, `"discounts":false`, `"discounts":true`).Replace(allFlags("false"))
		expect(do(t, env, "DELETE", sel+"?force=true", "application/json", body, ownerAuth...), 200)
		// 2. invx, by the member: one document deleted, one unknown; then a bulk deleting nothing.
		bulk := "/invx/apis/v1/orgs/" + org.ID + "/document/bulk"
		expect(do(t, env, "PATCH", bulk, "application/json", `[{"docId":"`+demo.InvxDocumentID+`","action":"del"},{"docId":"0b0c6a52-5d0e-4b8f-9a57-4e8d3c1f2a10","action":"del"}]`, memberAuth...), 200)
		expect(do(t, env, "PATCH", bulk, "application/json", `[{"docId":"`+demo.InvxDocumentID+`","action":"del"}]`, memberAuth...), 200)
		// 3. Ultrabiz: the demo invoice.
		expect(do(t, env, "DELETE", "/api/Purchase/DeletePurchaseInvoice?invoiceId=1024&userId=12", "", "", ownerAuth...), 200)

		all := "/api/v1/organization/" + org.ID + "/activityLog/all"
		r := do(t, env, "GET", all, "", "", ownerAuth...)
		expect(r, 200)
		m := r.json(t)
		entries := m["data"].([]any)
		if m["totalCount"] != 3.0 || m["filteredCount"] != 3.0 || len(entries) != 3 {
			t.Fatalf("want 3 entries: %s", r.body)
		}
		entry := func(i int) map[string]any { return entries[i].(map[string]any) }
		details := func(i int) map[string]any { return entry(i)["details"].(map[string]any) }
		// Newest first: Ultrabiz, invx, Upbooks.
		for i, want := range []struct{ action, email string }{
			{"ultrabiz.purchaseInvoice.delete", demo.Email}, {"invx.document.delete", "clerk@example.com"}, {"organization.deleteSelectiveData", demo.Email},
		} {
			e := entry(i)
			if e["action"] != want.action || e["user"].(map[string]any)["email"] != want.email || e["organizationId"] != org.ID {
				t.Errorf("entry %d: %v", i, e)
			}
		}
		if d := details(0); d["invoiceId"] != 1024.0 || d["lines"] != 2.0 || d["units"] != "66" || d["userNumber"] != 12.0 {
			t.Errorf("ultrabiz details: %v", d)
		}
		if d := details(1); d["count"] != 1.0 || d["documents"].([]any)[0].(map[string]any)["id"] != demo.InvxDocumentID {
			t.Errorf("invx details: %v", d)
		}
		d := details(2)
		if cats := d["categories"].([]any); len(cats) != 2 || d["force"] != true || len(d["forced"].(map[string]any)) == 0 {
			t.Errorf("upbooks details: %v", d)
		}
		if del := d["deleted"].(map[string]any); del["taxes"] == nil || del["discounts"] == nil {
			t.Errorf("upbooks counts: %v", d["deleted"])
		}

		// Filter, page, sort (paging also as headers).
		r = do(t, env, "GET", all+"?action=invx.document.delete", "", "", ownerAuth...)
		if m := r.json(t); m["totalCount"] != 3.0 || m["filteredCount"] != 1.0 || len(m["data"].([]any)) != 1 {
			t.Errorf("filtered: %s", r.body)
		}
		r = do(t, env, "GET", all+"?userId="+member.ID, "", "", ownerAuth...)
		if m := r.json(t); m["filteredCount"] != 1.0 {
			t.Errorf("by user: %s", r.body)
		}
		r = do(t, env, "GET", all, "", "", append(ownerAuth, "pageNo", "2", "pageSize", "1", "sortOrder", "1")...)
		if m := r.json(t); len(m["data"].([]any)) != 1 || m["data"].([]any)[0].(map[string]any)["action"] != "invx.document.delete" {
			t.Errorf("page 2 of 1, oldest first: %s", r.body)
		}
		r = do(t, env, "GET", all+"?sortBy=action&sortOrder=1&pageSize=1", "", "", ownerAuth...)
		if m := r.json(t); m["data"].([]any)[0].(map[string]any)["action"] != "invx.document.delete" {
			t.Errorf("sorted by action: %s", r.body)
		}

		// The member: own entries only, and not everyone's.
		r = do(t, env, "GET", "/api/v1/organization/"+org.ID+"/activityLog", "", "", memberAuth...)
		if m := r.json(t); r.status != 200 || m["totalCount"] != 1.0 || m["data"].([]any)[0].(map[string]any)["action"] != "invx.document.delete" {
			t.Errorf("member's own: %d %s", r.status, r.body)
		}
		assertUpbooksError(t, do(t, env, "GET", all, "", "", memberAuth...), 403, "owner or an admin")
		assertUpbooksError(t, do(t, env, "GET", all+"?action=nope", "", "", ownerAuth...), 400, "action")
	})
}
