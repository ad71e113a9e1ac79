// Package activity is an organization's activity log: one entry per destructive call of any family
// (Upbooks' selective delete, invx document deletes, Ultrabiz purchase invoice deletes), written in
// the transaction that does the deleting and read a page at a time. The entries live in
// ub_activity_logs, the table behind Upbooks' activityLogs category (so erasing that category
// erases them, and the erasure itself is then the first entry).
package activity

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/deletesvc/deletesvc/store"
)

// The actions the service records.
const (
	DeleteSelective        = "organization.deleteSelectiveData"
	Backup                 = "organization.backup"
	Restore                = "organization.restoreBackup"
	InvxDeleteDocuments    = "invx.document.delete"
	UltrabizDeletePurchase = "ultrabiz.purchaseInvoice.delete"
)

// Entry is one line of the log: who (UserID) did what (Action, Details), when.
type Entry struct {
	OrganizationID string         `gorm:"primaryKey;size:24"`
	ID             string         `gorm:"primaryKey;size:24"`
	CreatedAt      time.Time      `gorm:"not null"`
	UserID         string         `gorm:"size:36;not null"`
	Action         string         `gorm:"size:60;not null"`
	Details        map[string]any `gorm:"serializer:json;not null"`
}

// TableName is Upbooks' activity-log table.
func (Entry) TableName() string { return "ub_activity_logs" }

// Record writes one entry in transaction tx, so it exists exactly when what it records happened.
func Record(tx *gorm.DB, orgID, userID, action string, details map[string]any, now time.Time) error {
	b, err := encodeDetails(details)
	if err != nil {
		return err
	}
	return RecordJSON(tx, orgID, userID, action, string(b), now)
}

// encodeDetails is details as Entry's serializer:json writes them.
func encodeDetails(details map[string]any) ([]byte, error) {
	b, err := json.Marshal(details)
	if err != nil {
		return nil, fmt.Errorf("write activity log: %w", err)
	}
	return b, nil
}

// RecordJSON is Record with the details already encoded as a JSON object. QueueJSON queues the
// same entry in a batch, for a caller that encodes thousands of items faster than encoding/json's
// reflection does (invx's bulk delete).
func RecordJSON(tx *gorm.DB, orgID, userID, action, details string, now time.Time) error {
	e := newEncodedEntry(orgID, userID, action, details, now)
	if err := tx.Omit(clause.Associations).Create(&e).Error; err != nil {
		return fmt.Errorf("write activity log: %w", err)
	}
	return nil
}

// QueueJSON is RecordJSON queued in b, to go with the transaction's other statements. The insert
// is written without GORM's reflection (Batch.Insert, the statement GORM's Create writes: a test
// compares them): in an Ultrabiz delete it is built while the stock rows are locked. now is written
// as given (GORM's Create would put its clock in a zero one).
func QueueJSON(b *store.Batch, orgID, userID, action, details string, now time.Time) {
	e := newEncodedEntry(orgID, userID, action, details, now)
	b.Insert("write activity log", Entry{}.TableName(), entryColumns, [][]any{e.values()}, 1)
}

// Queue is Record queued in b.
func Queue(b *store.Batch, orgID, userID, action string, details map[string]any, now time.Time) error {
	encoded, err := encodeDetails(details)
	if err != nil {
		return err
	}
	QueueJSON(b, orgID, userID, action, string(encoded), now)
	return nil
}

func newEncodedEntry(orgID, userID, action, details string, now time.Time) encodedEntry {
	return encodedEntry{OrganizationID: orgID, ID: store.NewObjectID(), CreatedAt: now, UserID: userID, Action: action, Details: details}
}

// encodedEntry is Entry as written: Details is its JSON text.
type encodedEntry struct {
	OrganizationID, ID string
	CreatedAt          time.Time
	UserID, Action     string
	Details            string
}

func (encodedEntry) TableName() string { return Entry{}.TableName() }

// entryColumns are encodedEntry's columns in GORM's order (its fields').
var entryColumns = []string{"organization_id", "id", "created_at", "user_id", "action", "details"}

// values are e's values of entryColumns, as GORM binds them.
func (e encodedEntry) values() []any {
	return []any{e.OrganizationID, e.ID, e.CreatedAt, e.UserID, e.Action, e.Details}
}

// Logged is an entry with the email and name of its user (empty when the user no longer exists, or
// for entries the seeder wrote).
type Logged struct {
	Entry
	UserEmail, UserName string
}

// Query selects one page of an organization's entries.
type Query struct {
	OrgID string
	// OnlyUserID limits the request to one user's entries (GetActivityLogs: the caller's own).
	OnlyUserID string
	// Filters, empty for all: the action, and (within what the request may see) the user.
	Action, UserID   string
	PageNo, PageSize int
	// SortBy is "createdAt" or "action"; ties are broken by creation, then id.
	SortBy     string
	Descending bool
}

var sortColumns = map[string]string{"createdAt": "created_at", "action": "action"}

// Store reads the log.
type Store struct{ db *store.DB }

// New is the activity log on db.
func New(db *store.DB) *Store { return &Store{db: db} }

// List returns one page of entries, the number the request may see (total) and the number matching
// its filters (filtered). Three statements whatever the page size: two counts and the page, plus
// one read of the page's users.
func (s *Store) List(ctx context.Context, q Query) (page []Logged, total, filtered int64, err error) {
	col, ok := sortColumns[q.SortBy]
	if !ok {
		return nil, 0, 0, fmt.Errorf("sort activity log by %q: not a sortable field", q.SortBy)
	}
	visible := func() *gorm.DB {
		tx := s.db.Gorm(ctx).Model(&Entry{}).Where("organization_id = ?", q.OrgID)
		if q.OnlyUserID != "" {
			tx = tx.Where("user_id = ?", q.OnlyUserID)
		}
		return tx
	}
	if err := visible().Count(&total).Error; err != nil {
		return nil, 0, 0, fmt.Errorf("count activity log: %w", err)
	}
	matching := func() *gorm.DB {
		tx := visible()
		if q.Action != "" {
			tx = tx.Where("action = ?", q.Action)
		}
		if q.UserID != "" {
			tx = tx.Where("user_id = ?", q.UserID)
		}
		return tx
	}
	if err := matching().Count(&filtered).Error; err != nil {
		return nil, 0, 0, fmt.Errorf("count activity log: %w", err)
	}
	dir := " ASC"
	if q.Descending {
		dir = " DESC"
	}
	order := col + dir
	if col != "created_at" {
		order += ", created_at" + dir
	}
	order += ", id" + dir
	var entries []Entry
	if err := matching().Order(order).Limit(q.PageSize).Offset((q.PageNo - 1) * q.PageSize).Find(&entries).Error; err != nil {
		return nil, 0, 0, fmt.Errorf("read activity log: %w", err)
	}
	users, err := s.users(ctx, entries)
	if err != nil {
		return nil, 0, 0, err
	}
	page = make([]Logged, len(entries))
	for i, e := range entries {
		u := users[e.UserID]
		page[i] = Logged{Entry: e, UserEmail: u.Email, UserName: u.Name}
	}
	return page, total, filtered, nil
}

type user struct{ ID, Email, Name string }

// users reads the page's users in one statement.
func (s *Store) users(ctx context.Context, entries []Entry) (map[string]user, error) {
	ids := make([]string, 0, len(entries))
	seen := map[string]bool{}
	for _, e := range entries {
		if !seen[e.UserID] {
			seen[e.UserID] = true
			ids = append(ids, e.UserID)
		}
	}
	out := make(map[string]user, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []user
	if err := s.db.Gorm(ctx).Table("users").Select("id, email, name").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("read activity log users: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// QueueUserIDByNumber queues, in b, the read of the id of the user with Ultrabiz's integer user
// number, for entries written where only the number is known; id is set when b runs (left empty
// when there is no such user).
func QueueUserIDByNumber(b *store.Batch, number int64, id *string) {
	b.Query(fmt.Sprintf("find user %d", number), func(r store.Rows) error {
		for r.Next() {
			if err := r.Scan(id); err != nil {
				return err
			}
		}
		return nil
	}, "SELECT id FROM users WHERE number = ?", number)
}
