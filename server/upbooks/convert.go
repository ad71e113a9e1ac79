package upbooks

import (
	"encoding/json"

	openapi_types "github.com/oapi-codegen/runtime/types"

	gen "github.com/deletesvc/deletesvc/gen/upbooks"
	"github.com/deletesvc/deletesvc/store/identity"
	upbooksstore "github.com/deletesvc/deletesvc/store/upbooks"
)

// reshape copies between store and generated sub-documents, which share their JSON field names.
func reshape[T any](src any) T {
	var dst T
	raw, err := json.Marshal(src)
	if err != nil {
		panic(err) // plain structs always marshal
	}
	if err := json.Unmarshal(raw, &dst); err != nil {
		panic(err)
	}
	return dst
}

func reshapePtr[T any, S any](src *S) *T {
	if src == nil {
		return nil
	}
	v := reshape[T](src)
	return &v
}

func userOut(u identity.User) gen.AuthUser {
	return gen.AuthUser{ID: reshape[openapi_types.UUID](u.ID), Email: openapi_types.Email(u.Email), Name: u.Name, UserNumber: int(u.Number)}
}

func organizationOut(o identity.Organization) gen.OrganizationDocumentJSON {
	v := float64(o.Version)
	taxes := reshape[[]gen.IOrgTaxSettings](o.TaxSettings)
	credits := reshape[gen.IOrganizationPlatformCredits](o.PlatformCredits)
	return gen.OrganizationDocumentJSON{
		ID: o.ID, V: &v, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
		Name: o.Name, OrganizationId: o.Code, Location: o.Location, State: o.State, Logo: o.Logo,
		RegionalSetting:    reshape[gen.IRegionalSetting](o.RegionalSetting),
		TaxSettings:        &taxes,
		UserId:             o.OwnerUserID,
		Settings:           reshape[gen.IOrganizationSettings](o.Settings),
		FromEmail:          o.FromEmail,
		FiscalYear:         reshapePtr[gen.FiscalYear](o.FiscalYear),
		BusinessSettings:   reshapePtr[gen.BusinessSettings](o.BusinessSettings),
		IsDeactivated:      &o.IsDeactivated,
		PlatformCredits:    &credits,
		RegistrationSource: reshapePtr[gen.RegistrationSource](o.RegistrationSource),
		OrganizationType:   reshapePtr[gen.OrganizationType](o.OrganizationType),
		Phone:              reshapePtr[gen.IPhone](o.Phone),
	}
}

func newOrganization(ownerID string, in gen.AddOrganizationRequest) identity.NewOrganization {
	return identity.NewOrganization{
		Name: in.Name, Location: in.Location, State: in.State, OwnerUserID: ownerID,
		OrganizationType:   reshapePtr[string](in.OrganizationType),
		RegistrationSource: reshapePtr[string](in.RegistrationSource),
		Phone:              reshapePtr[identity.Phone](in.Phone),
		RegionalSetting:    reshapePtr[identity.RegionalSetting](in.RegionalSetting),
		FiscalYear:         reshapePtr[identity.FiscalYear](in.FiscalYear),
		FromEmail:          reshapePtr[string](in.FromEmail),
	}
}

// chosenCategories lists the flags set to true, in the request body's order. The body's JSON
// names are the category names.
func chosenCategories(body gen.DeleteSelectiveDataRequest) []string {
	flags := reshape[map[string]bool](body)
	var out []string
	for _, name := range upbooksstore.CategoryNames() {
		if flags[name] {
			out = append(out, name)
		}
	}
	return out
}

func counts(m map[string]int64) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = int(v)
	}
	return out
}

func selectiveOut(res upbooksstore.SelectiveResult, dryRun bool) gen.DeleteSelectiveDataResponseBody {
	msg := msgSelectedDeleted
	if dryRun {
		msg = msgDryRun
	}
	forced := counts(res.Forced)
	return gen.DeleteSelectiveDataResponseBody{
		Data: organizationOut(res.Organization), Message: &msg, DryRun: dryRun,
		Deleted: counts(res.Deleted), Forced: &forced,
	}
}

// page is the page a list request asks for, from the query or the headers, with the spec's
// defaults (page 1 of 20).
func page(pageNo, pageNoHeader, pageSize, pageSizeHeader *int) (no, size int) {
	no, size = 1, 20
	if p := queryOrHeader(pageNo, pageNoHeader); p != nil {
		no = *p
	}
	if p := queryOrHeader(pageSize, pageSizeHeader); p != nil {
		size = *p
	}
	return no, size
}

// queryOrHeader is a paging or sorting parameter as Upbooks takes it: from the query, else from the
// header of the same name (the vendor's own pages send them as headers).
func queryOrHeader[T any](query, header *T) *T {
	if query != nil {
		return query
	}
	return header
}
