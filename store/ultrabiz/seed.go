package ultrabiz

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/deletesvc/deletesvc/store"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// Batch sizes of the seeder: one transaction enters this many invoices through the same insert path
// as the API (insertPurchases), so seeded stock and balances are what the API would have made.
const (
	seedBatch    = 200
	seedLinesPer = 5
)

var (
	seedVendors  = []string{"Al-Noor Textiles", "Gul Ahmed Traders", "Karachi Soap Works", "Lahore Foods", "Faisal Distributors", "Punjab Oil Mills", "Indus Beverages", "Sialkot Sports"}
	seedProducts = []string{"Lawn cloth 3-piece", "Bath soap 100g", "Cooking oil 1L", "Basmati rice 5kg", "Tea 950g", "Washing powder 1kg", "Biscuits family pack", "Mineral water 1.5L"}
)

// Seed fills an organization with vendors, products (each with a carton and a box packing) and
// about rows rows of purchase invoices and lines. Re-running adds more: ids come from the counters and
// bill numbers carry the run's time.
func (s *Store) Seed(ctx context.Context, orgID string, rows int, progress func(done int)) error {
	if progress == nil {
		progress = func(int) {}
	}
	rng := rand.New(rand.NewPCG(uint64(rows), 42))
	nVendors, nProducts := max(3, rows/200), max(5, rows/50)
	names := make([]string, nVendors)
	for i := range names {
		names[i] = fmt.Sprintf("%s %d", seedVendors[i%len(seedVendors)], i/len(seedVendors)+1)
	}
	vendors, err := s.createVendors(ctx, orgID, names, store.MustDecimal("0"))
	if err != nil {
		return err
	}
	var products []Product
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		first, err := s.nextIDs(tx, orgID, "seed_product", nProducts)
		if err != nil {
			return err
		}
		for i := range nProducts {
			carton := []int64{6, 12, 24, 48}[rng.IntN(4)]
			products = append(products, Product{
				ID:   fmt.Sprintf("P-%05d", first+int64(i)),
				Name: seedProducts[i%len(seedProducts)],
				Packings: []Packing{
					{ID: 1, Name: "Carton", Multiplier: store.DecimalFromInt(carton)},
					{ID: 2, Name: "Half carton", Multiplier: store.NewDecimal(decimal.NewFromInt(carton).Div(decimal.NewFromInt(2)))},
				},
			})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.CreateProducts(ctx, orgID, products); err != nil {
		return err
	}
	done := nVendors + nProducts
	progress(done)

	run := strconv.FormatInt(time.Now().Unix(), 36)
	nInvoices := max(1, (rows-done)/(seedLinesPer+1))
	for start := 0; start < nInvoices; start += seedBatch {
		batch := make([]NewPurchase, 0, min(seedBatch, nInvoices-start))
		for i := start; i < start+cap(batch); i++ {
			batch = append(batch, seedPurchase(rng, fmt.Sprintf("S%s-%06d", run, i), vendors[rng.IntN(len(vendors))].ID, products))
		}
		if err := s.db.Tx(ctx, func(tx *gorm.DB) error {
			_, err := s.insertPurchases(tx, orgID, batch)
			return err
		}); err != nil {
			return fmt.Errorf("seed purchase invoices: %w", err)
		}
		done += len(batch) * (seedLinesPer + 1)
		progress(done)
	}
	return nil
}

// seedPurchase is a consistent invoice: line values, 18% sales tax and totals add up.
func seedPurchase(rng *rand.Rand, bill string, vendor int32, products []Product) NewPurchase {
	inv := PurchaseInvoice{VendorID: vendor, BillNo: bill, BillDate: time.Date(2026, time.Month(1+rng.IntN(11)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)}
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
		inv.Lines = append(inv.Lines, PurchaseLine{
			ProductID: p.ID, PackingID: pack.ID, Multiplier: pack.Multiplier, QtyPack: qty, QtyLose: int32(rng.IntN(3)),
			BnsLose: int32(rng.IntN(2)), PricePack: store.NewDecimal(price), STaxRatio: store.NewDecimal(rate), TTLValue: store.NewDecimal(value),
			TTLSTax: store.NewDecimal(stax), IsFTaxExempted: true, NetVal: store.NewDecimal(value.Add(stax)),
			SizeID: int32(rng.IntN(3)) * 10, ColorID: store.DecimalFromInt(int64(rng.IntN(3))),
		})
	}
	lines := inv.Lines
	inv.Lines = nil
	inv.GrossAmount, inv.STaxAmount, inv.NetAmount = store.NewDecimal(gross), store.NewDecimal(tax), store.NewDecimal(gross.Add(tax))
	return NewPurchase{Invoice: inv, Lines: lines}
}
