package identity

import (
	"database/sql"
	"errors"
	"fmt"

	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
	"gorm.io/gorm"

	"github.com/deletesvc/deletesvc/store"
)

// documentSelect reads an organization document: organizations joined with its state as s, each
// column named in the order readDocument reads it. Every request of Upbooks reads one (its guard),
// so it is scanned by hand: GORM's reflection and its JSON serializer were most of a small request's
// store CPU (issue 13).
const documentSelect = "SELECT organizations.id, organizations.code, organizations.name, organizations.location, organizations.state, " +
	"organizations.logo, organizations.owner_user_id, organizations.regional_setting, organizations.tax_settings, organizations.from_email, " +
	"organizations.fiscal_year, organizations.business_settings, organizations.is_deactivated, organizations.platform_credits, " +
	"organizations.registration_source, organizations.organization_type, organizations.phone, organizations.created_at, " +
	"s.settings, s.version, s.updated_at"

// readDocument scans, with read, the first row of query (a documentSelect, extra the destinations of
// its further columns); store.ErrNotFound when there is none.
func readDocument(read rowReader, query string, args []any, extra ...any) (Organization, error) {
	var o Organization
	var logo, fromEmail, source, orgType sql.NullString
	var regional, tax, fiscal, business, credits, phone, settings []byte
	var created, updated sql.NullTime
	dest := append([]any{&o.ID, &o.Code, &o.Name, &o.Location, &o.State, &logo, &o.OwnerUserID, &regional, &tax, &fromEmail,
		&fiscal, &business, &o.IsDeactivated, &credits, &source, &orgType, &phone, &created, &settings, &o.Version, &updated}, extra...)
	if err := read(dest, query, args...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Organization{}, store.ErrNotFound
		}
		return Organization{}, err
	}
	o.Logo, o.FromEmail, o.RegistrationSource, o.OrganizationType = textOrNil(logo), textOrNil(fromEmail), textOrNil(source), textOrNil(orgType)
	o.CreatedAt, o.UpdatedAt = created.Time, updated.Time
	// As GORM's JSON serializer: an empty or NULL column leaves the field at its zero value.
	for _, c := range []struct {
		name string
		text []byte
		into any
	}{
		{"regional_setting", regional, &o.RegionalSetting}, {"tax_settings", tax, &o.TaxSettings}, {"fiscal_year", fiscal, &o.FiscalYear},
		{"business_settings", business, &o.BusinessSettings}, {"platform_credits", credits, &o.PlatformCredits}, {"phone", phone, &o.Phone},
		{"settings", settings, &o.Settings},
	} {
		if len(c.text) == 0 {
			continue
		}
		// encoding/json's values (not its error texts) for less CPU: on SQLite encoding/json was a
		// third of the guard's read, this is a fifth (BenchmarkOrganizationForMember's profile).
		if err := jsonv2.Unmarshal(c.text, c.into, v1Semantics); err != nil {
			return Organization{}, fmt.Errorf("organization %s: column %s: %w", o.ID, c.name, err)
		}
	}
	return o, nil
}

// v1Semantics are encoding/json's rules under go-json-experiment's decoder (the options Go's own
// encoding/json runs with when built on it).
var v1Semantics = jsonv1.DefaultOptionsV1()

// rowReader scans the first row of query into dest, or returns sql.ErrNoRows.
type rowReader func(dest []any, query string, args ...any) error

// readIn is a rowReader on q, which may be a transaction.
func readIn(q *gorm.DB) rowReader {
	return func(dest []any, query string, args ...any) error { return store.ScanFirst(q, dest, query, args...) }
}

func textOrNil(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

// Document reads organization orgID's document in tx; store.ErrNotFound when there is none. Both
// tables are bound to orgID, so on Citus it reads the reference table's local copy and one shard.
func Document(tx *gorm.DB, orgID string) (Organization, error) {
	org, err := readDocument(readIn(tx), documentSelect+" FROM organizations "+
		"JOIN organization_state s ON s.organization_id = organizations.id AND s.organization_id = ? "+
		"WHERE organizations.id = ? LIMIT 1", []any{orgID, orgID})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Organization{}, fmt.Errorf("find organization: %w", err)
	}
	return org, err
}

// OrganizationForMember is Store.OrganizationForMember read with q, which may be a transaction: the
// organization and the member's role in one statement.
func OrganizationForMember(q *gorm.DB, orgID, userID string) (Organization, Role, error) {
	return organizationForMember(readIn(q), q, orgID, userID)
}

// organizationForMember is OrganizationForMember read with read; q tells, when nothing is found,
// whether the user still exists.
func organizationForMember(read rowReader, q *gorm.DB, orgID, userID string) (Organization, Role, error) {
	var role Role
	org, err := readDocument(read, documentSelect+", m.role FROM organizations "+
		"JOIN memberships m ON m.organization_id = organizations.id AND m.user_id = ? "+
		"JOIN organization_state s ON s.organization_id = organizations.id AND s.organization_id = ? "+
		"WHERE organizations.id = ? LIMIT 1", []any{userID, orgID, orgID}, &role)
	if errors.Is(err, store.ErrNotFound) {
		return Organization{}, "", notFound(q, userID, store.ErrNotFound)
	}
	if err != nil {
		return Organization{}, "", fmt.Errorf("find organization: %w", err)
	}
	return org, role, nil
}
