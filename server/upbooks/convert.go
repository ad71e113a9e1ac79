package upbooks

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

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

// organizationOut is the organization document every Upbooks request that names an organization
// answers with, field by field: the JSON round trip of reshape cost a tenth of such a request's
// CPU (issue 13). TestOrganizationOutAgreesWithJSON holds it to what reshape gives.
func organizationOut(o identity.Organization) gen.OrganizationDocumentJSON {
	v := float64(o.Version)
	var taxes []gen.IOrgTaxSettings
	if o.TaxSettings != nil {
		taxes = make([]gen.IOrgTaxSettings, len(o.TaxSettings))
		for i, t := range o.TaxSettings {
			taxes[i] = gen.IOrgTaxSettings{TaxType: gen.IOrgTaxSettingsTaxType(t.TaxType), RegistrationNumber: t.RegistrationNumber, IsRegistered: t.IsRegistered}
		}
	}
	c := o.PlatformCredits
	credits := gen.IOrganizationPlatformCredits{Sms: &c.SMS, Email: &c.Email, Whatsapp: &c.WhatsApp, EInvoice: &c.EInvoice}
	r := o.RegionalSetting
	doc := gen.OrganizationDocumentJSON{
		ID: o.ID, V: &v, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
		Name: o.Name, OrganizationId: o.Code, Location: o.Location, State: o.State, Logo: o.Logo,
		RegionalSetting: gen.IRegionalSetting{Currency: r.Currency, CurrencySymbol: nonEmpty(r.CurrencySymbol),
			DateFormat: gen.IRegionalSettingDateFormat(r.DateFormat), TimeZone: r.TimeZone, Country: r.Country},
		TaxSettings:        &taxes,
		UserId:             o.OwnerUserID,
		Settings:           settingsOut(o.Settings),
		FromEmail:          o.FromEmail,
		IsDeactivated:      &o.IsDeactivated,
		PlatformCredits:    &credits,
		RegistrationSource: (*gen.RegistrationSource)(o.RegistrationSource),
		OrganizationType:   (*gen.OrganizationType)(o.OrganizationType),
	}
	if f := o.FiscalYear; f != nil {
		doc.FiscalYear = &gen.FiscalYear{StartMonth: f.StartMonth, StartDay: f.StartDay}
	}
	if b := o.BusinessSettings; b != nil {
		doc.BusinessSettings = &gen.BusinessSettings{Industry: nonEmpty(b.Industry), Pan: nonEmpty(b.PAN), Cin: nonEmpty(b.CIN)}
	}
	if p := o.Phone; p != nil {
		doc.Phone = &gen.IPhone{CountryCode: p.CountryCode, Number: p.Number}
	}
	return doc
}

func settingsOut(s identity.OrganizationSettings) gen.IOrganizationSettings {
	series := func(n identity.NumberingSetting) gen.NumberingSetting {
		return gen.NumberingSetting{Prefix: n.Prefix, NextNumber: n.NextNumber, Padding: n.Padding}
	}
	return gen.IOrganizationSettings{
		Invoice: series(s.Invoice), CreditNote: series(s.CreditNote), DebitNote: series(s.DebitNote),
		Proposal: series(s.Proposal), PurchaseOrder: series(s.PurchaseOrder), Order: series(s.Order),
		PaymentTermsDays: s.PaymentTermsDays,
		Reminders:        gen.ReminderSetting{Enabled: s.Reminders.Enabled, BeforeDueDays: s.Reminders.BeforeDueDays, AfterDueDays: s.Reminders.AfterDueDays},
		InvoiceOnOrder:   s.InvoiceOnOrder,
	}
}

// nonEmpty is s as an optional field: absent when empty, as the store's omitempty writes it.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
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
	v := reflect.ValueOf(body)
	var out []string
	for i, name := range upbooksstore.CategoryNames() {
		if v.Field(flagFields[i]).Bool() {
			out = append(out, name)
		}
	}
	return out
}

// flagFields are the request body's field indexes of the categories, in CategoryNames' order,
// found once by their JSON names (a JSON round trip per request cost as much as the rest of an
// empty dry run's handler, issue 13). A category the spec lacks fails at start.
var flagFields = func() []int {
	t := reflect.TypeFor[gen.DeleteSelectiveDataRequest]()
	byName := map[string]int{}
	for i := range t.NumField() {
		if f := t.Field(i); f.Type.Kind() == reflect.Bool {
			byName[strings.Split(f.Tag.Get("json"), ",")[0]] = i
		}
	}
	names := upbooksstore.CategoryNames()
	out := make([]int, len(names))
	for i, name := range names {
		idx, ok := byName[name]
		if !ok {
			panic(fmt.Sprintf("upbooks: the DeleteSelectiveData body has no boolean %q", name))
		}
		out[i] = idx
	}
	return out
}()

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
