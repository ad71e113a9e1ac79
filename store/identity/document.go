package identity

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/deletesvc/deletesvc/store"
)

// documentSelect reads an organization document: organizations joined with its state as s, each
// column named in the order scanDocument reads it. Every request of Upbooks reads one (its guard),
// so it is scanned by hand: GORM's reflection and its JSON serializer were most of a small request's
// store CPU (issue 13).
const documentSelect = "SELECT organizations.id, organizations.code, organizations.name, organizations.location, organizations.state, " +
	"organizations.logo, organizations.owner_user_id, organizations.regional_setting, organizations.tax_settings, organizations.from_email, " +
	"organizations.fiscal_year, organizations.business_settings, organizations.is_deactivated, organizations.platform_credits, " +
	"organizations.registration_source, organizations.organization_type, organizations.phone, organizations.created_at, " +
	"s.settings, s.version, s.updated_at"

// readDocument runs query (a documentSelect, extra naming its further columns) in q and scans its
// first row; store.ErrNotFound when there is none.
func readDocument(q *gorm.DB, query string, args []any, extra ...any) (Organization, error) {
	rows, err := q.Raw(query, args...).Rows()
	if err != nil {
		return Organization{}, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return Organization{}, err
		}
		return Organization{}, store.ErrNotFound
	}
	var o Organization
	var logo, fromEmail, source, orgType sql.NullString
	var regional, tax, fiscal, business, credits, phone, settings sql.RawBytes
	var created, updated sql.NullTime
	dest := append([]any{&o.ID, &o.Code, &o.Name, &o.Location, &o.State, &logo, &o.OwnerUserID, &regional, &tax, &fromEmail,
		&fiscal, &business, &o.IsDeactivated, &credits, &source, &orgType, &phone, &created, &settings, &o.Version, &updated}, extra...)
	if err := rows.Scan(dest...); err != nil {
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
		if err := json.Unmarshal(c.text, c.into); err != nil {
			return Organization{}, fmt.Errorf("organization %s: column %s: %w", o.ID, c.name, err)
		}
	}
	return o, rows.Close()
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
	org, err := readDocument(tx, documentSelect+" FROM organizations "+
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
	var role Role
	org, err := readDocument(q, documentSelect+", m.role FROM organizations "+
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
