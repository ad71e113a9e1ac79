package invx

// Seeding makes demo and benchmark data. store/demo and the tests call it; no request does.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm/clause"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/identity"
)

// seedBatch keeps one INSERT's parameters (about 20 a row) well under SQLite's limit.
const seedBatch = 500

// The parties of seeded documents: three sellers billing one buyer.
var (
	seedSellers = []string{"27AAAPI3182M002", "29AABCT1332L1ZV", "07AAACR5055K1Z6"}
	seedBuyer   = "27ACBPN2353E1ZX"
)

// SeedDocuments creates n documents in organization orgID, created by its owner, their
// states taken in turn from states (every state for demo data; one state for tests and
// benchmarks), and returns their ids in creation order. Documents in an answered state carry
// that answer's comments; answered and deleted ones name the owner as last updater. progress, if
// not nil, hears the count done after each batch.
func (s *Store) SeedDocuments(ctx context.Context, orgID string, n int, states []Status, progress func(done int)) ([]string, error) {
	if len(states) == 0 {
		return nil, fmt.Errorf("seed invx documents: no states given")
	}
	owner, err := s.owner(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("seed invx documents: %w", err)
	}
	prefix, err := seedSeries()
	if err != nil {
		return nil, fmt.Errorf("seed invx documents: %w", err)
	}
	// One document a minute, the last one now.
	start := s.db.Now().Add(-time.Duration(n) * time.Minute)
	ids := make([]string, 0, n)
	for lo := 0; lo < n; lo += seedBatch {
		batch := make([]Document, 0, min(seedBatch, n-lo))
		for i := lo; i < lo+cap(batch); i++ {
			doc := seedDocument(orgID, owner, prefix+fmt.Sprint(i+1), seedDocType(i), seedSellers[i%len(seedSellers)],
				start.Add(time.Duration(i)*time.Minute), states[i%len(states)], seedAmount(i))
			batch = append(batch, doc)
			ids = append(ids, doc.ID)
		}
		if err := s.db.Gorm(ctx).Omit(clause.Associations).Create(&batch).Error; err != nil {
			return nil, fmt.Errorf("seed invx documents: %w", err)
		}
		if progress != nil {
			progress(len(ids))
		}
	}
	return ids, nil
}

// owner is the user who owns organization orgID.
func (s *Store) owner(ctx context.Context, orgID string) (string, error) {
	var org identity.Organization
	if err := s.db.Gorm(ctx).Select("owner_user_id").Where("id = ?", orgID).Take(&org).Error; err != nil {
		return "", fmt.Errorf("organization %s: %w", orgID, err)
	}
	return org.OwnerUserID, nil
}

// seedSeries is a random docNumber prefix per run, so seeding the same organization twice makes
// new numbers instead of colliding with the first run's.
func seedSeries() (string, error) {
	var series [3]byte
	if _, err := rand.Read(series[:]); err != nil {
		return "", err
	}
	return "S" + strings.ToUpper(hex.EncodeToString(series[:])) + "-", nil
}

// seedDocument is document number no, created by userID at created and put in state st.
func seedDocument(orgID, userID, no, docType, seller string, created time.Time, st Status, amount decimal.Decimal) Document {
	nd := NewDocument{
		DocNumber: no, DocType: docType, DocDate: created.Format("02/01/2006"),
		SellerGstin: seller, BuyerGstin: seedBuyer, Amount: store.NewDecimal(amount),
	}
	// A map of strings always encodes.
	body, _ := json.Marshal(map[string]any{"Version": "1.1", "DocDtls": map[string]string{"No": nd.DocNumber, "Dt": nd.DocDate}, "seeded": true})
	nd.Body = string(body)
	doc := createdDocument(orgID, userID, nd, created)
	seedState(&doc, st, userID, created.Add(30*time.Second))
	return doc
}

// seedState puts a new document in state st as if the buyer had acted at updated.
func seedState(doc *Document, st Status, userID string, updated time.Time) {
	doc.Status = st
	comment := func(s string) *string { return &s }
	switch st {
	case Accepted:
		doc.AcceptanceComments = comment("Goods received in full.")
	case Denied:
		doc.DenialComments = comment("Wrong rate applied.")
	case Disputed:
		doc.DisputeComments = comment("Quantity disputed.")
	}
	switch st {
	case Accepted, Denied, Disputed, Deleted:
		doc.LastUpdatedByUserID = &userID
		doc.LastUpdated = updated.UnixMilli()
	}
}

// seedDocType makes mostly invoices, with a credit and a debit note in every ten.
func seedDocType(i int) string {
	switch i % 10 {
	case 8:
		return "110"
	case 9:
		return "120"
	}
	return "100"
}

// seedAmount spreads amounts between 10.00 and 5009.99.
func seedAmount(i int) decimal.Decimal {
	return decimal.NewFromInt(int64(1000 + (i*7919)%500000)).Shift(-2)
}
