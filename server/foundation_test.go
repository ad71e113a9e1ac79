package server_test

import (
	"context"
	"testing"

	"github.com/deletesvc/deletesvc/gen/upbooks"
	"github.com/deletesvc/deletesvc/server/servertest"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

func TestUpbooksLoginAndDetail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		env := servertest.Start(t, st)
		_, org := storetest.Tenant(t, st, "owner@example.com")
		c, err := upbooks.NewClientWithResponses(env.URL, upbooks.WithHTTPClient(env.HTTP))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		login, err := c.LoginWithResponse(ctx, upbooks.LoginJSONRequestBody{Username: "owner@example.com", Password: "password123"})
		if err != nil || login.JSON200 == nil {
			t.Fatalf("login: %v %s", err, login.Body)
		}
		if login.JSON200.Data.SelectedOrganization != org.ID {
			t.Fatalf("selected org %q, want %q", login.JSON200.Data.SelectedOrganization, org.ID)
		}
		detail, err := c.GetOrganizationDetailWithResponse(ctx, org.ID, nil, servertest.Bearer(login.JSON200.Data.Token))
		if err != nil || detail.JSON200 == nil {
			t.Fatalf("detail: %v %d %s", err, detail.StatusCode(), detail.Body)
		}
		if detail.JSON200.Data.OrganizationId != org.Code {
			t.Fatalf("organizationId %q, want %q", detail.JSON200.Data.OrganizationId, org.Code)
		}
	})
}
