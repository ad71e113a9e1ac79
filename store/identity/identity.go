// Package identity holds the shared tables every family uses: users, organizations and memberships,
// with login and organization lookups.
package identity

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/deletesvc/deletesvc/store"
)

// Role is a member's standing in an organization.
type Role string

// Roles, from most to least powerful.
const (
	RoleOwner  Role = "owner"
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
)

// CanManageData reports whether the role may erase organization data.
func (r Role) CanManageData() bool { return r == RoleOwner || r == RoleAdmin }

// User is shared by all tenants (no organization_id): one login across organizations.
type User struct {
	ID           string `gorm:"primaryKey;size:36"`
	Number       int64  `gorm:"uniqueIndex;not null"` // Ultrabiz's integer userId
	Email        string `gorm:"uniqueIndex;size:254;not null"`
	Name         string `gorm:"size:200;not null"`
	PasswordHash string `gorm:"size:100;not null"`
	CreatedAt    time.Time
}

// Organization is the organization document. Its identity (table organizations) is shared by all
// tenants as the organization list: a reference table on Citus. Its mutable state (Settings, Version,
// UpdatedAt) lives in organization_state, a tenant table, so that changing it (the orgSettings reset)
// writes one shard instead of a reference table on every node, which would serialise all tenants.
// The state fields are read-only here: read through Document, written through SaveState.
type Organization struct {
	ID                 string `gorm:"primaryKey;size:24"`           // ObjectId-style _id
	Code               string `gorm:"uniqueIndex;size:16;not null"` // the short business organizationId
	Name               string `gorm:"size:200;not null"`
	Location           string `gorm:"size:200;not null"`
	State              string `gorm:"size:100;not null"`
	Logo               *string
	OwnerUserID        string               `gorm:"size:36;not null;index"`
	RegionalSetting    RegionalSetting      `gorm:"serializer:json;not null"`
	TaxSettings        []TaxSetting         `gorm:"serializer:json"`
	Settings           OrganizationSettings `gorm:"->;serializer:json"`
	FromEmail          *string              `gorm:"size:254"`
	FiscalYear         *FiscalYear          `gorm:"serializer:json"`
	BusinessSettings   *BusinessSettings    `gorm:"serializer:json"`
	IsDeactivated      bool                 `gorm:"not null;default:false"`
	PlatformCredits    PlatformCredits      `gorm:"serializer:json;not null"`
	RegistrationSource *string              `gorm:"size:40"`
	OrganizationType   *string              `gorm:"size:20"`
	Phone              *Phone               `gorm:"serializer:json"`
	Version            int64                `gorm:"->"` // Mongo's __v, bumped on every change
	CreatedAt          time.Time
	UpdatedAt          time.Time `gorm:"->"`
}

// OrganizationState is an organization's mutable state, one row per organization.
type OrganizationState struct {
	OrganizationID string               `gorm:"primaryKey;size:24"`
	Settings       OrganizationSettings `gorm:"serializer:json;not null"`
	Version        int64                `gorm:"not null;default:0"`
	UpdatedAt      time.Time            `gorm:"autoUpdateTime:false"` // the change's time, set by the store
}

// TableName is organization_state: one state per organization, not a list of states.
func (OrganizationState) TableName() string { return "organization_state" }

// ResetSettings puts the settings back to a new organization's and counts it as a change; SaveState
// stores it.
func (o *Organization) ResetSettings(now time.Time) {
	o.Settings = DefaultOrganizationSettings()
	o.Version++
	o.UpdatedAt = now.Truncate(time.Microsecond) // what PostgreSQL keeps, so the answer equals a later read
}

// SaveState writes org's mutable state in tx.
func SaveState(tx *gorm.DB, org Organization) error {
	st := OrganizationState{OrganizationID: org.ID, Settings: org.Settings, Version: org.Version, UpdatedAt: org.UpdatedAt}
	err := tx.Model(&OrganizationState{}).Where("organization_id = ?", org.ID).
		Select("Settings", "Version", "UpdatedAt").Updates(&st).Error
	if err != nil {
		return fmt.Errorf("save organization state: %w", err)
	}
	return nil
}

// RegionalSetting is currency, date format, time zone and country.
type RegionalSetting struct {
	Currency       string `json:"currency"`
	CurrencySymbol string `json:"currencySymbol,omitempty"`
	DateFormat     string `json:"dateFormat"`
	TimeZone       string `json:"timeZone"`
	Country        string `json:"country"`
}

// TaxSetting is one GST or VAT registration.
type TaxSetting struct {
	TaxType            string `json:"taxType"`
	RegistrationNumber string `json:"registrationNumber"`
	IsRegistered       bool   `json:"isRegistered"`
}

// NumberingSetting is a document number series.
type NumberingSetting struct {
	Prefix     string `json:"prefix"`
	NextNumber int    `json:"nextNumber"`
	Padding    int    `json:"padding"`
}

// ReminderSetting controls payment reminders.
type ReminderSetting struct {
	Enabled       bool `json:"enabled"`
	BeforeDueDays int  `json:"beforeDueDays"`
	AfterDueDays  int  `json:"afterDueDays"`
}

// OrganizationSettings are the organization's document and reminder preferences.
type OrganizationSettings struct {
	Invoice          NumberingSetting `json:"invoice"`
	CreditNote       NumberingSetting `json:"creditNote"`
	DebitNote        NumberingSetting `json:"debitNote"`
	Proposal         NumberingSetting `json:"proposal"`
	PurchaseOrder    NumberingSetting `json:"purchaseOrder"`
	Order            NumberingSetting `json:"order"`
	PaymentTermsDays int              `json:"paymentTermsDays"`
	Reminders        ReminderSetting  `json:"reminders"`
	InvoiceOnOrder   bool             `json:"invoiceOnOrder"`
}

// FiscalYear is where the organization's accounting year starts (April 1st in India).
type FiscalYear struct {
	StartMonth int `json:"startMonth"`
	StartDay   int `json:"startDay"`
}

// BusinessSettings hold statutory identifiers.
type BusinessSettings struct {
	Industry string `json:"industry,omitempty"`
	PAN      string `json:"pan,omitempty"`
	CIN      string `json:"cin,omitempty"`
}

// PlatformCredits are prepaid message and e-invoice credits.
type PlatformCredits struct {
	SMS      int `json:"sms"`
	Email    int `json:"email"`
	WhatsApp int `json:"whatsapp"`
	EInvoice int `json:"eInvoice"`
}

// Phone is a country code and a national number.
type Phone struct {
	CountryCode string `json:"countryCode"`
	Number      string `json:"number"`
}

// Membership is a tenant row: the user's role in one organization.
type Membership struct {
	OrganizationID string `gorm:"primaryKey;size:24"`
	UserID         string `gorm:"primaryKey;size:36;index"`
	Role           Role   `gorm:"size:10;not null"`
	CreatedAt      time.Time
}

// DefaultOrganizationSettings are the settings of a new organization, and what orgSettings resets to.
func DefaultOrganizationSettings() OrganizationSettings {
	series := func(prefix string) NumberingSetting {
		return NumberingSetting{Prefix: prefix, NextNumber: 1, Padding: 4}
	}
	return OrganizationSettings{
		Invoice: series("INV-"), CreditNote: series("CN-"), DebitNote: series("DN-"),
		Proposal: series("PRO-"), PurchaseOrder: series("PO-"), Order: series("SO-"),
		PaymentTermsDays: 30,
		Reminders:        ReminderSetting{Enabled: true, BeforeDueDays: 3, AfterDueDays: 7},
	}
}

// DefaultRegionalSetting is India's.
func DefaultRegionalSetting() RegionalSetting {
	return RegionalSetting{Currency: "INR", CurrencySymbol: "₹", DateFormat: "DD/MM/YYYY", TimeZone: "Asia/Kolkata", Country: "IN"}
}

// Options tune the identity store.
type Options struct {
	// BcryptCost is the password hashing cost; zero means bcrypt.DefaultCost. Tests lower it.
	BcryptCost int
}

// Store reads and writes users, organizations and memberships.
type Store struct {
	db         *store.DB
	bcryptCost int
}

// New is the identity store on db.
func New(db *store.DB, opts Options) *Store {
	if opts.BcryptCost == 0 {
		opts.BcryptCost = bcrypt.DefaultCost
	}
	return &Store{db: db, bcryptCost: opts.BcryptCost}
}

// NewUser describes a user to create.
type NewUser struct {
	Email, Name, Password string
	// Number is the user number to take; zero means the next one. A taken number is ErrConflict.
	Number int64
}

// CreateUser adds a user with a bcrypt password hash and the next user number.
func (s *Store) CreateUser(ctx context.Context, nu NewUser) (User, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(nu.Password), s.bcryptCost)
	if err != nil {
		return User{}, fmt.Errorf("hash password: %w", err)
	}
	u := User{ID: uuid.NewString(), Email: strings.ToLower(strings.TrimSpace(nu.Email)), Name: nu.Name, PasswordHash: string(hash)}
	// Two creators may pick the same next number; the unique index refuses the loser, which retries.
	// A deadlock victim (Citus, concurrent writes to the reference table) was rolled back: retry too.
	for attempt := 0; ; attempt++ {
		err = s.db.Tx(ctx, func(tx *gorm.DB) error {
			if u.Number = nu.Number; u.Number == 0 {
				if err := tx.Model(&User{}).Select("COALESCE(MAX(number), 0) + 1").Scan(&u.Number).Error; err != nil {
					return err
				}
			}
			return tx.Create(&u).Error
		})
		if store.IsDeadlock(err) && attempt < 4 {
			continue
		}
		if err == nil || !store.IsUniqueViolation(err) || attempt == 4 || nu.Number != 0 {
			break
		}
		var existing int64
		if s.db.Gorm(ctx).Model(&User{}).Where("email = ?", u.Email).Count(&existing); existing > 0 {
			return User{}, fmt.Errorf("create user %s: %w", u.Email, store.ErrConflict)
		}
	}
	if err != nil {
		if store.IsUniqueViolation(err) {
			return User{}, fmt.Errorf("create user %s: %w", u.Email, store.ErrConflict)
		}
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// Authenticate returns the user whose email and password match.
func (s *Store) Authenticate(ctx context.Context, email, password string) (User, error) {
	var u User
	err := s.db.Gorm(ctx).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		// Spend the same time as a real check so response timing does not reveal which emails exist.
		_ = bcrypt.CompareHashAndPassword([]byte("$2a$10$7EqJtq98hPqEX7fNZaFWoOhi5BWX4Z5E3ZJ7bXgF3XG7WwQpQm1yW"), []byte(password))
		return User{}, store.ErrInvalidCredentials
	}
	if err != nil {
		return User{}, fmt.Errorf("find user: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		return User{}, store.ErrInvalidCredentials
	}
	return u, nil
}

// UserByEmail returns the user with that email (compared case-insensitively).
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	var u User
	err := s.db.Gorm(ctx).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return User{}, store.ErrNotFound
	}
	return u, err
}

// UserByID returns one user.
func (s *Store) UserByID(ctx context.Context, id string) (User, error) {
	var u User
	err := s.db.Gorm(ctx).Where("id = ?", id).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return User{}, store.ErrNotFound
	}
	return u, err
}

// NewOrganization describes an organization to create; zero values take defaults.
type NewOrganization struct {
	// ID and Code, when set, are the _id and business code to take (the demo organization's
	// match the specs' examples); empty means new ones. A taken one is ErrConflict.
	ID, Code              string
	Name, Location, State string
	OwnerUserID           string
	OrganizationType      *string
	RegistrationSource    *string
	Phone                 *Phone
	RegionalSetting       *RegionalSetting
	FiscalYear            *FiscalYear
	FromEmail             *string
}

// CreateOrganization creates an organization with its owner's membership in one transaction.
func (s *Store) CreateOrganization(ctx context.Context, no NewOrganization) (Organization, error) {
	org := Organization{
		ID: cmp.Or(no.ID, store.NewObjectID()), Name: no.Name, Location: no.Location, State: no.State, OwnerUserID: no.OwnerUserID,
		RegionalSetting: DefaultRegionalSetting(), Settings: DefaultOrganizationSettings(),
		FiscalYear:       &FiscalYear{StartMonth: 4, StartDay: 1},
		OrganizationType: no.OrganizationType, RegistrationSource: no.RegistrationSource,
		Phone: no.Phone, FromEmail: no.FromEmail, TaxSettings: []TaxSetting{},
	}
	if no.RegionalSetting != nil {
		org.RegionalSetting = *no.RegionalSetting
	}
	if no.FiscalYear != nil {
		org.FiscalYear = no.FiscalYear
	}
	for attempt := 0; ; attempt++ {
		org.Code = cmp.Or(no.Code, newOrganizationCode())
		err := s.db.Tx(ctx, func(tx *gorm.DB) error {
			if err := tx.Omit(clause.Associations).Create(&org).Error; err != nil {
				return err
			}
			org.UpdatedAt = org.CreatedAt
			if err := tx.Create(&OrganizationState{OrganizationID: org.ID, Settings: org.Settings, UpdatedAt: org.UpdatedAt}).Error; err != nil {
				return err
			}
			return tx.Omit(clause.Associations).Create(&Membership{OrganizationID: org.ID, UserID: org.OwnerUserID, Role: RoleOwner}).Error
		})
		if err == nil {
			return org, nil
		}
		if store.IsForeignKeyViolation(err) {
			// The owner is the insert's only reference that can be missing: deleted since their
			// token was issued.
			return Organization{}, fmt.Errorf("create organization: %w", store.ErrUnknownUser)
		}
		// A clash of the random business code is the only expected unique violation; draw again. A
		// deadlock victim (Citus reference tables) was rolled back whole: run it again.
		if store.IsUniqueViolation(err) && (no.ID != "" || no.Code != "") {
			return Organization{}, fmt.Errorf("create organization %s (%s): %w", org.ID, org.Code, store.ErrConflict)
		}
		if !(store.IsUniqueViolation(err) || store.IsDeadlock(err)) || attempt == 4 {
			return Organization{}, fmt.Errorf("create organization: %w", err)
		}
	}
}

func newOrganizationCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// AddMember gives user a role in org (or changes it).
func (s *Store) AddMember(ctx context.Context, orgID, userID string, role Role) error {
	m := Membership{OrganizationID: orgID, UserID: userID, Role: role}
	err := s.db.Gorm(ctx).Omit(clause.Associations).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "organization_id"}, {Name: "user_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"role"}),
	}).Create(&m).Error
	if err != nil {
		return fmt.Errorf("add member: %w", err)
	}
	return nil
}

// MemberRoleQuery is MemberRole's statement, with ? placeholders: the organization, then the user.
// invx's validated floor in scripts/bench sends it as the guard does.
const MemberRoleQuery = "SELECT role FROM memberships WHERE organization_id = ? AND user_id = ? LIMIT 1"

// MemberRole is the user's role in the organization, or store.ErrNotMember.
func (s *Store) MemberRole(ctx context.Context, orgID, userID string) (Role, error) {
	// The one column, through store.QueryRow: every request to an organization's data runs this.
	var role Role
	err := s.db.QueryRow(ctx, []any{&role}, MemberRoleQuery, orgID, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound(s.db.Gorm(ctx), userID, store.ErrNotMember)
	}
	if err != nil {
		return "", fmt.Errorf("find membership: %w", err)
	}
	return role, nil
}

// notFound is what a lookup by userID that found nothing means: the user no longer exists
// (store.ErrUnknownUser), or else the lookup's own verdict. It costs a query only on that path, so
// the requests that succeed pay nothing for telling a deleted user's token apart (issue 10, defect 7).
func notFound(q *gorm.DB, userID string, verdict error) error {
	var n int64
	if err := q.Model(&User{}).Where("id = ?", userID).Limit(1).Count(&n).Error; err != nil {
		return fmt.Errorf("find user: %w", err)
	}
	if n == 0 {
		return store.ErrUnknownUser
	}
	return verdict
}

// DefaultOrganizationID is the organization a login selects when none is asked for: the oldest one
// the user owns, else the oldest they belong to.
func (s *Store) DefaultOrganizationID(ctx context.Context, userID string) (string, error) {
	var id string
	err := s.db.Gorm(ctx).Model(&Organization{}).Select("organizations.id").
		Joins("JOIN memberships m ON m.organization_id = organizations.id AND m.user_id = ?", userID).
		// Order() would drop a clause.Expr (no ORDER BY at all); an OrderBy clause keeps it.
		Clauses(clause.OrderBy{Expression: clause.Expr{SQL: "CASE WHEN m.role = ? THEN 0 ELSE 1 END, organizations.created_at, organizations.id", Vars: []any{RoleOwner}}}).
		Limit(1).Scan(&id).Error
	if err == nil && id == "" {
		return "", store.ErrNotFound
	}
	return id, err
}

// OrganizationIDByRef is the id of the organization whose _id or short business code is ref.
func (s *Store) OrganizationIDByRef(ctx context.Context, ref string) (string, error) {
	var id string
	err := s.db.Gorm(ctx).Model(&Organization{}).Select("id").Where("id = ? OR code = ?", ref, ref).Limit(1).Scan(&id).Error
	if err == nil && id == "" {
		return "", store.ErrNotFound
	}
	return id, err
}

// Organization is organization orgID's document.
func (s *Store) Organization(ctx context.Context, orgID string) (Organization, error) {
	return Document(s.db.Gorm(ctx), orgID)
}

// OrganizationForMember returns the organization if userID belongs to it; store.ErrNotFound otherwise, so
// that organizations the caller cannot see are indistinguishable from missing ones.
// Every request to an Upbooks organization runs it (the guard), so it goes through store.QueryRow.
func (s *Store) OrganizationForMember(ctx context.Context, orgID, userID string) (Organization, Role, error) {
	read := func(dest []any, query string, args ...any) error { return s.db.QueryRow(ctx, dest, query, args...) }
	return organizationForMember(read, s.db.Gorm(ctx), orgID, userID)
}

// OrganizationPage asks for one page of a user's organizations.
type OrganizationPage struct {
	PageNo, PageSize int
	SortBy           string // "name" or "createdAt"
	Descending       bool
}

// ListOrganizations returns a page of the user's organizations and how many they have in all. The
// page's states are one read across its organizations: on Citus, the one intended fan-out (a page
// holds at most PageSize organizations, so at most that many shards).
func (s *Store) ListOrganizations(ctx context.Context, userID string, p OrganizationPage) ([]Organization, int64, error) {
	var orgs []Organization
	var total int64
	err := s.db.FanOut(ctx, func(tx *gorm.DB) error {
		q := tx.Model(&Organization{}).
			Joins("JOIN memberships m ON m.organization_id = organizations.id AND m.user_id = ?", userID)
		if err := q.Count(&total).Error; err != nil {
			return fmt.Errorf("count organizations: %w", err)
		}
		column := "organizations.created_at"
		if p.SortBy == "name" {
			column = "organizations.name"
		}
		// organizations.* rather than GORM's column list, which would name the state's fields.
		err := q.Select("organizations.*").Order(clause.OrderByColumn{Column: clause.Column{Name: column, Raw: true}, Desc: p.Descending}).
			Order("organizations.id").
			Offset((p.PageNo - 1) * p.PageSize).Limit(p.PageSize).Find(&orgs).Error
		if err != nil || len(orgs) == 0 {
			return err
		}
		ids := make([]string, len(orgs))
		for i, o := range orgs {
			ids[i] = o.ID
		}
		var states []OrganizationState
		if err := tx.Where("organization_id IN ?", ids).Find(&states).Error; err != nil {
			return fmt.Errorf("organization states: %w", err)
		}
		byID := make(map[string]OrganizationState, len(states))
		for _, st := range states {
			byID[st.OrganizationID] = st
		}
		for i := range orgs {
			st := byID[orgs[i].ID]
			orgs[i].Settings, orgs[i].Version, orgs[i].UpdatedAt = st.Settings, st.Version, st.UpdatedAt
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list organizations: %w", err)
	}
	if total == 0 {
		if err := notFound(s.db.Gorm(ctx), userID, nil); err != nil {
			return nil, 0, err
		}
	}
	return orgs, total, nil
}

// MembershipView is one of a user's organizations with their role in it.
type MembershipView struct {
	OrganizationID   string
	OrganizationName string
	Role             Role
}

// Memberships lists the user's organizations, oldest first.
func (s *Store) Memberships(ctx context.Context, userID string) ([]MembershipView, error) {
	var out []MembershipView
	err := s.db.Gorm(ctx).Model(&Membership{}).
		Select("memberships.organization_id, o.name AS organization_name, memberships.role").
		Joins("JOIN organizations o ON o.id = memberships.organization_id").
		Where("memberships.user_id = ?", userID).
		Order("o.created_at, o.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list memberships: %w", err)
	}
	return out, nil
}
