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

// invxSeedBatch keeps one INSERT's parameters (about 20 a row) well under SQLite's limit.
const invxSeedBatch = 500

// InvxSeedDocuments creates n documents in organization orgID, created by its owner, their
// states taken in turn from states (every state for demo data; one state for tests and
// benchmarks), and returns their ids in creation order. Documents in an answered state carry
// that answer's comments; answered and deleted ones name the owner as last updater.
func (s *Store) InvxSeedDocuments(ctx context.Context, orgID string, n int, states []InvxStatus, progress func(done int)) ([]string, error) {
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
	batch := make([]InvxDocument, 0, invxSeedBatch)
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
		nd := InvxNewDocument{
			DocNumber: fmt.Sprintf("%s%d", prefix, i+1), DocType: invxSeedDocType(i),
			DocDate:     created.Format("02/01/2006"),
			SellerGstin: sellers[i%len(sellers)], BuyerGstin: buyer, Amount: store.NewDecimal(amount),
		}
		body, _ := json.Marshal(map[string]any{"Version": "1.1", "DocDtls": map[string]string{"No": nd.DocNumber, "Dt": nd.DocDate}, "seeded": true})
		nd.Body = string(body)
		doc := newInvxDocument(orgID, org.OwnerUserID, nd, created)
		invxSeedState(&doc, states[i%len(states)], org.OwnerUserID, created.Add(30*time.Second))
		batch = append(batch, doc)
		ids = append(ids, doc.ID)
		if len(batch) == invxSeedBatch {
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

// invxSeedState puts a new document in state st as if the buyer had acted at updated.
func invxSeedState(doc *InvxDocument, st InvxStatus, userID string, updated time.Time) {
	doc.Status = st
	comment := func(s string) *string { return &s }
	switch st {
	case InvxAccepted:
		doc.AcceptanceComments = comment("Goods received in full.")
	case InvxDenied:
		doc.DenialComments = comment("Wrong rate applied.")
	case InvxDisputed:
		doc.DisputeComments = comment("Quantity disputed.")
	}
	switch st {
	case InvxAccepted, InvxDenied, InvxDisputed, InvxDeleted:
		doc.LastUpdatedByUserID = &userID
		doc.LastUpdated = updated.UnixMilli()
	}
}

// invxSeedDocType makes mostly invoices, with a credit and a debit note in every ten.
func invxSeedDocType(i int) string {
	switch i % 10 {
	case 8:
		return "110"
	case 9:
		return "120"
	}
	return "100"
}
