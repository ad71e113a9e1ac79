package upbooks

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	gen "github.com/deletesvc/deletesvc/gen/upbooks"
	"github.com/deletesvc/deletesvc/store/identity"
	upbooksstore "github.com/deletesvc/deletesvc/store/upbooks"
)

// organizationOutByJSON is what organizationOut replaced: every sub-document copied through its
// JSON, which the store and the spec share. The field-by-field copy must give the same document.
func organizationOutByJSON(o identity.Organization) gen.OrganizationDocumentJSON {
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

func TestOrganizationOutAgreesWithJSON(t *testing.T) {
	str := func(s string) *string { return &s }
	now := time.Date(2026, 11, 30, 14, 0, 0, 123456789, time.UTC)
	full := identity.Organization{
		ID: "6543a1f2c9e77b0012ab34cd", Code: "ORG-1", Name: "Acme", Location: "Pune", State: "Maharashtra", Logo: str("logo.png"),
		OwnerUserID:     "u-1",
		RegionalSetting: identity.RegionalSetting{Currency: "INR", CurrencySymbol: "₹", DateFormat: "DD/MM/YYYY", TimeZone: "Asia/Kolkata", Country: "IN"},
		TaxSettings:     []identity.TaxSetting{{TaxType: "GST", RegistrationNumber: "27AAPFU0939F1ZV", IsRegistered: true}, {TaxType: "VAT"}},
		Settings:        identity.DefaultOrganizationSettings(),
		FromEmail:       str("books@acme.example"), FiscalYear: &identity.FiscalYear{StartMonth: 4, StartDay: 1},
		BusinessSettings: &identity.BusinessSettings{Industry: "Wholesale trade", PAN: "AAPFU0939F", CIN: "U51909MH2019PTC123456"},
		IsDeactivated:    true, PlatformCredits: identity.PlatformCredits{SMS: 1, Email: 2, WhatsApp: 3, EInvoice: 4},
		RegistrationSource: str("web"), OrganizationType: str("business"), Phone: &identity.Phone{CountryCode: "+91", Number: "9876543210"},
		Version: 7, CreatedAt: now, UpdatedAt: now.Add(time.Hour),
	}
	empties := full
	empties.RegionalSetting.CurrencySymbol = ""
	empties.TaxSettings = []identity.TaxSetting{}
	empties.BusinessSettings = &identity.BusinessSettings{PAN: "AAPFU0939F"}
	empties.PlatformCredits = identity.PlatformCredits{}
	empties.Settings.InvoiceOnOrder = true
	for name, o := range map[string]identity.Organization{
		"every field":                full,
		"empty strings and slices":   empties,
		"absent optional fields":     {ID: "x", TaxSettings: nil},
		"zero organization":          {},
		"new organization's default": {ID: "y", Settings: identity.DefaultOrganizationSettings(), TaxSettings: []identity.TaxSetting{}},
	} {
		got, want := organizationOut(o), organizationOutByJSON(o)
		gotJSON, _ := json.Marshal(got)
		wantJSON, _ := json.Marshal(want)
		if string(gotJSON) != string(wantJSON) || !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", name, gotJSON, wantJSON)
		}
	}
}

// chosenCategories reads the flags by field; it must name what the body's JSON sets true.
func TestChosenCategoriesReadsEveryFlag(t *testing.T) {
	names := upbooksstore.CategoryNames()
	bodies := []map[string]bool{{}, {}}
	for _, n := range names {
		bodies[1][n] = true
		bodies = append(bodies, map[string]bool{n: true})
	}
	for _, flags := range bodies {
		raw, _ := json.Marshal(flags)
		var body gen.DeleteSelectiveDataRequest
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, n := range names {
			if flags[n] {
				want = append(want, n)
			}
		}
		if got := chosenCategories(body); !reflect.DeepEqual(got, want) {
			t.Errorf("body %s: chose %v, want %v", raw, got, want)
		}
	}
}
