package ultrabiz

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"github.com/deletesvc/deletesvc/store"
)

// The demo seeder. It is not request code: it enters invoices in batches through the same insert path
// as the API (insertPurchases), so seeded stock and balances are what the API would have made.

const (
	// seedBatch invoices are entered per transaction.
	seedBatch = 200
	// seedLinesPer lines make each invoice.
	seedLinesPer = 5
)

var (
	seedVendorNames  = []string{"Al-Noor Textiles", "Gul Ahmed Traders", "Karachi Soap Works", "Lahore Foods", "Faisal Distributors", "Punjab Oil Mills", "Indus Beverages", "Sialkot Sports"}
	seedProductNames = []string{"Lawn cloth 3-piece", "Bath soap 100g", "Cooking oil 1L", "Basmati rice 5kg", "Tea 950g", "Washing powder 1kg", "Biscuits family pack", "Mineral water 1.5L"}
)

// Seed fills an organization with vendors, products (each with a carton and a half-carton packing)
// and about rows rows of purchase invoices and lines, reporting the rows written so far to progress.
// Re-running adds more: ids, product codes and bill numbers all come from the counters.
func (s *Store) Seed(ctx context.Context, orgID string, rows int, progress func(done int)) error {
	if progress == nil {
		progress = func(int) {}
	}
	rng := rand.New(rand.NewPCG(uint64(rows), 42))
	nVendors, nProducts := max(3, rows/200), max(5, rows/50)
	vendors, err := s.seedVendors(ctx, orgID, nVendors)
	if err != nil {
		return err
	}
	products, run, err := s.seedProducts(ctx, orgID, nProducts, rng)
	if err != nil {
		return err
	}
	done := nVendors + nProducts
	progress(done)
	nInvoices := max(1, (rows-done)/(seedLinesPer+1))
	return s.seedInvoices(ctx, orgID, nInvoices, run, rng, vendors, products, func(n int) { progress(done + n) })
}

// seedVendors adds n vendors with a zero opening balance.
func (s *Store) seedVendors(ctx context.Context, orgID string, n int) ([]Vendor, error) {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%s %d", seedVendorNames[i%len(seedVendorNames)], i/len(seedVendorNames)+1)
	}
	return s.createVendors(ctx, orgID, names, store.MustDecimal("0"))
}

// seedProducts adds n products with their packings, and returns them with this run's number (for
// bill numbers that do not clash with an earlier run's).
func (s *Store) seedProducts(ctx context.Context, orgID string, n int, rng *rand.Rand) ([]Product, int64, error) {
	var first, run int64
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		if first, err = s.nextIDs(tx, orgID, "seed_product", n); err != nil {
			return err
		}
		run, err = s.nextIDs(tx, orgID, "seed_run", 1)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	products := make([]Product, n)
	for i := range products {
		carton := []int64{6, 12, 24, 48}[rng.IntN(4)]
		products[i] = Product{
			ID:   fmt.Sprintf("P-%05d", first+int64(i)),
			Name: seedProductNames[i%len(seedProductNames)],
			Packings: []Packing{
				{ID: 1, Name: "Carton", Multiplier: store.DecimalFromInt(carton)},
				{ID: 2, Name: "Half carton", Multiplier: store.NewDecimal(decimal.NewFromInt(carton).Div(decimal.NewFromInt(2)))},
			},
		}
	}
	if err := s.CreateProducts(ctx, orgID, products); err != nil {
		return nil, 0, err
	}
	return products, run, nil
}

// seedInvoices enters n invoices in batches of seedBatch, one transaction each, reporting the rows
// (invoices and lines) written so far.
func (s *Store) seedInvoices(ctx context.Context, orgID string, n int, run int64, rng *rand.Rand, vendors []Vendor, products []Product, progress func(rows int)) error {
	for start := 0; start < n; start += seedBatch {
		batch := make([]NewPurchase, 0, min(seedBatch, n-start))
		for i := start; i < start+cap(batch); i++ {
			bill := fmt.Sprintf("S%d-%06d", run, i)
			batch = append(batch, seedPurchase(rng, bill, vendors[rng.IntN(len(vendors))].ID, products))
		}
		if err := s.db.Tx(ctx, func(tx *gorm.DB) error {
			_, err := s.insertPurchases(tx, orgID, batch)
			return err
		}); err != nil {
			return fmt.Errorf("seed purchase invoices: %w", err)
		}
		progress((start + len(batch)) * (seedLinesPer + 1))
	}
	return nil
}

// seedPurchase is a consistent invoice: line values, 18% sales tax and totals add up.
func seedPurchase(rng *rand.Rand, bill string, vendor int32, products []Product) NewPurchase {
	inv := PurchaseInvoice{VendorID: vendor, BillNo: bill, BillDate: time.Date(2026, time.Month(1+rng.IntN(11)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)}
	var lines []PurchaseLine
	gross, tax := decimal.Zero, decimal.Zero
	rate := decimal.NewFromInt(18)
	for range seedLinesPer {
		p := products[rng.IntN(len(products))]
		pack := p.Packings[rng.IntN(len(p.Packings))]
		price := decimal.New(int64(5000+rng.IntN(500000)), -2) // 50.00 to 5049.99 a pack
		qty := int32(1 + rng.IntN(20))
		value := price.Mul(decimal.NewFromInt32(qty))
		stax := value.Mul(rate).Div(decimal.NewFromInt(100)).Round(2)
		gross, tax = gross.Add(value), tax.Add(stax)
		lines = append(lines, PurchaseLine{
			ProductID: p.ID, PackingID: pack.ID, Multiplier: pack.Multiplier, QtyPack: qty, QtyLose: int32(rng.IntN(3)),
			BnsLose: int32(rng.IntN(2)), PricePack: store.NewDecimal(price), STaxRatio: store.NewDecimal(rate), TTLValue: store.NewDecimal(value),
			TTLSTax: store.NewDecimal(stax), IsFTaxExempted: true, NetVal: store.NewDecimal(value.Add(stax)),
			SizeID: int32(rng.IntN(3)) * 10, ColorID: store.DecimalFromInt(int64(rng.IntN(3))),
		})
	}
	inv.GrossAmount, inv.STaxAmount, inv.NetAmount = store.NewDecimal(gross), store.NewDecimal(tax), store.NewDecimal(gross.Add(tax))
	return NewPurchase{Invoice: inv, Lines: lines}
}

// The help page's DeletePurchaseInvoice sample, as the Ultrabiz spec's examples send it: invoice
// 1024 with two identical lines of product "sample string 2" (packing 3 of 4 units, size 35,
// colour 37, 5 packs + 6 loose + 7 bonus).
const (
	SampleInvoiceID = 1024
	SampleProductID = "sample string 2"
)

// SeedHelpPageSample enters the help page's sample invoice as invoice SampleInvoiceID, entered by
// user number createdBy, so the spec's example delete succeeds as it comes. The invoice counter is
// moved past the id first (later invoices follow it); an organization whose counter is already
// past it is ErrConflict.
func (s *Store) SeedHelpPageSample(ctx context.Context, orgID string, createdBy int64) error {
	vendor, err := s.CreateVendor(ctx, orgID, "Help Page Sample Vendor", store.MustDecimal("0"))
	if err != nil {
		return err
	}
	err = s.CreateProducts(ctx, orgID, []Product{{ID: SampleProductID, Name: "Help page sample product",
		Packings: []Packing{{ID: 3, Name: "Pack of 4", Multiplier: store.DecimalFromInt(4)}}}})
	if err != nil {
		return err
	}
	d := store.DecimalFromInt
	line := PurchaseLine{
		ProductID: SampleProductID, PackingID: 3, Multiplier: d(4), QtyPack: 5, QtyLose: 6, BnsLose: 7,
		PricePack: d(8), DiscRatio: d(9), DiscValPack: d(10), DiscValLose: d(11), OfferDiscount: d(12),
		STaxRatio: d(13), STaxValPack: d(14), IsValueB4Ratio: true, IsSTaxOnBns: true, IsFTaxExempted: true,
		TTLValue: d(18), TTLSTax: d(19), TTLFTax: d(20), TTITax: d(21), ExtraSTaxBns: d(22), ExtraFTaxBns: d(23),
		PerUnitCostLose: d(24), IsFreeProduct: true, OfferID: 28, IsOffered: true, Damage: 30,
		ITaxPer: d(32), ThanQty: 33, Meters: d(34), SizeID: 35, IsOpenProduct: true, ColorID: d(37), NetVal: d(38),
	}
	inv := PurchaseInvoice{VendorID: vendor.ID, BillNo: "HELP-PAGE-SAMPLE", BillDate: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		GrossAmount: d(36), STaxAmount: d(38), NetAmount: d(76), CreatedBy: createdBy}
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		var last int64
		if err := tx.Raw(s.sql.nextIDs, map[string]any{"org": orgID, "name": "purchase_invoice", "n": 0}).Scan(&last).Error; err != nil {
			return fmt.Errorf("read the invoice counter: %w", err)
		}
		if last >= SampleInvoiceID {
			return fmt.Errorf("invoice %d is already numbered: %w", SampleInvoiceID, store.ErrConflict)
		}
		if skip := SampleInvoiceID - 1 - last; skip > 0 {
			if _, err := s.nextIDs(tx, orgID, "purchase_invoice", int(skip)); err != nil {
				return err
			}
		}
		_, err := s.insertPurchases(tx, orgID, []NewPurchase{{Invoice: inv, Lines: []PurchaseLine{line, line}}})
		return err
	})
}
