package invx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/identity"

	"github.com/shopspring/decimal"
	"gorm.io/gorm/clause"
)

// seedBatch keeps one INSERT's parameters (about 20 a row) well under SQLite's limit.
const seedBatch = 500

// SeedDocuments creates n documents in organization orgID, created by its owner, their
// states taken in turn from states (every state for demo data; one state for tests and
// benchmarks), and returns their ids in creation order. Documents in an answered state carry
// that answer's comments; answered and deleted ones name the owner as last updater.
func (s *Store) SeedDocuments(ctx context.Context, orgID string, n int, states []Status, progress func(done int)) ([]string, error) {
	if len(states) == 0 {
		return nil, fmt.Errorf("seed invx documents: no states given")
	}
	if progress == nil {
		progress = func(int) {}
	}
	var org identity.Organization
	if err := s.db.Gorm(ctx).Where("id = ?", orgID).Take(&org).Error; err != nil {
		return nil, fmt.Errorf("seed invx documents: organization %s: %w", orgID, err)
	}
	// A random series per run, so seeding the same organization twice makes new numbers.
	var series [3]byte
	if _, err := rand.Read(series[:]); err != nil {
		return nil, err
	}
	prefix := "S" + strings.ToUpper(hex.EncodeToString(series[:])) + "-"
	sellers := []string{"27AAAPI3182M002", "29AABCT1332L1ZV", "07AAACR5055K1Z6"}
	buyer := "27ACBPN2353E1ZX"
	start := time.Now().Add(-time.Duration(n) * time.Minute)
	ids := make([]string, 0, n)
	batch := make([]Document, 0, seedBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := s.db.Gorm(ctx).Omit(clause.Associations).Create(&batch).Error; err != nil {
			return fmt.Errorf("seed invx documents: %w", err)
		}
		batch = batch[:0]
		progress(len(ids))
		return nil
	}
	for i := range n {
		created := start.Add(time.Duration(i) * time.Minute)
		amount := decimal.NewFromInt(int64(1000 + (i*7919)%500000)).Shift(-2)
		nd := NewDocument{
			DocNumber: fmt.Sprintf("%s%d", prefix, i+1), DocType: seedDocType(i),
			DocDate:     created.Format("02/01/2006"),
			SellerGstin: sellers[i%len(sellers)], BuyerGstin: buyer, Amount: store.NewDecimal(amount),
		}
		body, _ := json.Marshal(map[string]any{"Version": "1.1", "DocDtls": map[string]string{"No": nd.DocNumber, "Dt": nd.DocDate}, "seeded": true})
		nd.Body = string(body)
		doc := createdDocument(orgID, org.OwnerUserID, nd, created)
		seedState(&doc, states[i%len(states)], org.OwnerUserID, created.Add(30*time.Second))
		batch = append(batch, doc)
		ids = append(ids, doc.ID)
		if len(batch) == seedBatch {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return ids, nil
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
