package upbooks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	gen "github.com/deletesvc/deletesvc/gen/upbooks"
	"github.com/deletesvc/deletesvc/server/servertest"
	"github.com/deletesvc/deletesvc/store/identity"
	"github.com/deletesvc/deletesvc/store/storetest"
	upbooksstore "github.com/deletesvc/deletesvc/store/upbooks"
)

func flags(names ...string) gen.DeleteSelectiveDataRequest {
	m := map[string]bool{}
	for _, n := range upbooksstore.CategoryNames() {
		m[n] = false
	}
	for _, n := range names {
		m[n] = true
	}
	raw, _ := json.Marshal(m)
	var body gen.DeleteSelectiveDataRequest
	if err := json.Unmarshal(raw, &body); err != nil {
		panic(err)
	}
	return body
}

// seededOverHTTP serves a fresh SQLite database holding an owner's organization seeded with about
// 400 Upbooks rows, and a client whose answers are checked against the spec.
func seededOverHTTP(t *testing.T) (*servertest.Env, *gen.ClientWithResponses, identity.User, identity.Organization) {
	t.Helper()
	db := storetest.DB(t, storetest.SQLite)
	env := servertest.Start(t, db)
	c, err := gen.NewClientWithResponses(env.URL, gen.WithHTTPClient(env.HTTP))
	if err != nil {
		t.Fatal(err)
	}
	owner, org := storetest.Tenant(t, db, "owner@example.com")
	if err := env.Upbooks.Seed(context.Background(), env.Identity, org.ID, 400, nil); err != nil {
		t.Fatal(err)
	}
	return env, c, owner, org
}

// This test checks the HTTP shapes (status, body, spec) of the operation, so it runs on SQLite only:
// what the store beneath does is covered on every backend by store/upbooks' tests.
func TestDeleteSelectiveDataOverHTTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env, c, owner, org := seededOverHTTP(t)
	db := env.DB
	ownerTok := servertest.Bearer(env.Token(t, owner, org.ID))
	yes := true
	call := func(body gen.DeleteSelectiveDataRequest, p *gen.DeleteSelectiveDataParams, tok gen.RequestEditorFn) *gen.DeleteSelectiveDataResponse {
		t.Helper()
		r, err := c.DeleteSelectiveDataWithResponse(ctx, org.ID, p, body, tok)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	// Invoices chosen while payments and credit notes are kept: 409 naming both, nothing deleted.
	r := call(flags("invoice"), nil, ownerTok)
	if r.JSON409 == nil || len(r.JSON409.Blockers) != 2 {
		t.Fatalf("invoice alone: %d %s", r.StatusCode(), r.Body)
	}
	if r.JSON409.Code != "409" || r.JSON409.Message != "Kept data depends on data chosen for deletion" {
		t.Errorf("409 body: %s", r.Body)
	}
	for _, b := range r.JSON409.Blockers {
		if b.Blocks != "invoice" || b.Rows < 1 || (b.Category != "payments" && b.Category != "creditNotes") {
			t.Errorf("blocker %+v", b)
		}
	}
	// The same with dryRun and force: 200, what force would delete, still nothing deleted.
	r = call(flags("invoice"), &gen.DeleteSelectiveDataParams{DryRun: &yes, Force: &yes}, ownerTok)
	if r.JSON200 == nil || !r.JSON200.DryRun || r.JSON200.Deleted["invoice"] == 0 || (*r.JSON200.Forced)["payments"] == 0 || (*r.JSON200.Forced)["settlements"] == 0 {
		t.Fatalf("dry run with force: %d %s", r.StatusCode(), r.Body)
	}
	rows, err := env.Upbooks.DeleteSelective(ctx, upbooksstore.SelectiveDelete{OrgID: org.ID, UserID: owner.ID, Categories: []string{"invoice"}, Force: true, DryRun: true})
	if err != nil || rows.Deleted["invoice"] != int64(r.JSON200.Deleted["invoice"]) {
		t.Fatalf("the dry run deleted something: %v %v", err, rows.Deleted)
	}

	// Other members: a plain member is refused, a stranger does not see the organization, and
	// a header naming another organization is refused.
	member, err := env.Identity.CreateUser(ctx, identity.NewUser{Email: "member@example.com", Name: "M", Password: "password123"})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Identity.AddMember(ctx, org.ID, member.ID, identity.RoleMember); err != nil {
		t.Fatal(err)
	}
	if r := call(flags("documents"), nil, servertest.Bearer(env.Token(t, member, org.ID))); r.JSON403 == nil {
		t.Errorf("member: %d %s", r.StatusCode(), r.Body)
	}
	stranger, other := storetest.Tenant(t, db, "stranger@example.com")
	if r := call(flags("documents"), nil, servertest.Bearer(env.Token(t, stranger, other.ID))); r.JSON404 == nil {
		t.Errorf("stranger: %d %s", r.StatusCode(), r.Body)
	}
	if r := call(flags("documents"), &gen.DeleteSelectiveDataParams{OrganizationID: &other.Code}, ownerTok); r.JSON403 == nil {
		t.Errorf("mismatched header: %d %s", r.StatusCode(), r.Body)
	}
	// A missing flag is a 400 naming it.
	raw, _ := json.Marshal(flags())
	missing := strings.Replace(string(raw), `"clients":false,`, "", 1)
	bad, err := c.DeleteSelectiveDataWithBodyWithResponse(ctx, org.ID, nil, "application/json", strings.NewReader(missing), ownerTok)
	if err != nil || bad.JSON400 == nil || !strings.Contains(bad.JSON400.Message, "clients") {
		t.Errorf("missing flag: %v %d %s", err, bad.StatusCode(), bad.Body)
	}

	// All false: a no-op.
	if r := call(flags(), nil, ownerTok); r.JSON200 == nil || len(r.JSON200.Deleted) != 0 {
		t.Errorf("all false: %d %s", r.StatusCode(), r.Body)
	}
	// The seed's example body (all true) with the header naming the organization by its code.
	r = call(flags(upbooksstore.CategoryNames()...), &gen.DeleteSelectiveDataParams{OrganizationID: &org.Code}, ownerTok)
	if r.JSON200 == nil || r.JSON200.DryRun || r.JSON200.Deleted["invoice"] == 0 || r.JSON200.Deleted["orgSettings"] != 1 || len(*r.JSON200.Forced) != 0 {
		t.Fatalf("all true: %d %s", r.StatusCode(), r.Body)
	}
	if r.JSON200.Data.ID != org.ID || fmt.Sprint(r.JSON200.Data.Settings.Invoice.NextNumber) != "1" {
		t.Errorf("data: %+v", r.JSON200.Data)
	}
	after, err := env.Upbooks.DeleteSelective(ctx, upbooksstore.SelectiveDelete{OrgID: org.ID, UserID: owner.ID, Categories: []string{"invoice", "clients"}, DryRun: true})
	if err != nil || after.Deleted["invoice"] != 0 || after.Deleted["clients"] != 0 {
		t.Errorf("rows left after all true: %v %v", err, after.Deleted)
	}
}
