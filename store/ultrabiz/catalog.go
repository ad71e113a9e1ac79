package ultrabiz

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/deletesvc/deletesvc/store"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The Ultrabiz catalogue: vendors with a running payable balance, products with their packings, and
// stock in units per product, size and colour.

// models are the tables this package maps; a test checks them against the migrated schema.
var models = []any{&Counter{}, &Vendor{}, &Product{}, &Packing{}, &Stock{}, &PurchaseInvoice{}, &PurchaseLine{}, &PurchaseReturn{}, &ReturnLine{}}

// Counter hands out per-organization integer ids (vendors, invoices): Ultrabiz's ids are
// small integers per company, and a shared database sequence would leak other tenants' volume.
type Counter struct {
	OrganizationID string `gorm:"primaryKey;size:24"`
	Name           string `gorm:"primaryKey;size:40"`
	LastValue      int64  `gorm:"not null"`
}

// Vendor is a supplier with the running balance the organization owes it.
type Vendor struct {
	OrganizationID string        `gorm:"primaryKey;size:24"`
	ID             int32         `gorm:"primaryKey;autoIncrement:false"`
	Name           string        `gorm:"size:200;not null"`
	Balance        store.Decimal `gorm:"not null;precision:20;scale:4"`
	CreatedAt      time.Time
}

// Product is an item the organization buys, identified by its code (Ultrabiz's string ProductId).
type Product struct {
	OrganizationID string    `gorm:"primaryKey;size:24"`
	ID             string    `gorm:"primaryKey;size:50"`
	Name           string    `gorm:"size:200;not null"`
	Packings       []Packing `gorm:"foreignKey:OrganizationID,ProductID;references:OrganizationID,ID;constraint:OnDelete:CASCADE"`
}

// Packing is one way a product is packed (carton, box): Multiplier units per pack.
type Packing struct {
	OrganizationID string        `gorm:"primaryKey;size:24"`
	ProductID      string        `gorm:"primaryKey;size:50"`
	ID             int32         `gorm:"primaryKey;autoIncrement:false"`
	Name           string        `gorm:"size:100;not null"`
	Multiplier     store.Decimal `gorm:"not null;precision:20;scale:4"`
}

// Stock is the units held of one product in one size and colour. SizeID 0 and ColorID 0 stand
// for "no size" and "no colour": primary key columns cannot be NULL.
type Stock struct {
	OrganizationID string        `gorm:"primaryKey;size:24"`
	ProductID      string        `gorm:"primaryKey;size:50"`
	SizeID         int32         `gorm:"primaryKey;autoIncrement:false"`
	ColorID        store.Decimal `gorm:"primaryKey;precision:20;scale:4"`
	Units          store.Decimal `gorm:"not null;precision:20;scale:4"`
	Product        Product       `gorm:"foreignKey:OrganizationID,ProductID;references:OrganizationID,ID;constraint:OnDelete:CASCADE" json:"-"`
}

// nextIDs reserves n consecutive ids of the named counter and returns the first. The statement goes
// as a batch of one, sent through pgx on PostgreSQL: the same round trip as GORM's Raw and Scan,
// without database/sql's and GORM's work around it (an Ultrabiz insert's, issue 13).
func (s *Store) nextIDs(tx *gorm.DB, orgID, name string, n int) (int64, error) {
	var last int64
	b := store.NewBatch(tx)
	b.Query(fmt.Sprintf("reserve %d %s ids", n, name), func(r store.Rows) error {
		for r.Next() {
			if err := r.Scan(&last); err != nil {
				return err
			}
		}
		return nil
	}, s.sql.nextIDs, map[string]any{"org": orgID, "name": name, "n": n})
	if err := b.Run(); err != nil {
		return 0, err // named by the batch: "reserve n name ids: …"
	}
	first, err := idRange(last, n)
	if err != nil {
		return 0, fmt.Errorf("reserve %d %s ids: %w", n, name, err)
	}
	return first, nil
}

// CreateVendor adds a vendor with an opening balance and returns it with its new id.
func (s *Store) CreateVendor(ctx context.Context, orgID, name string, opening store.Decimal) (Vendor, error) {
	vs, err := s.createVendors(ctx, orgID, []string{name}, opening)
	if err != nil {
		return Vendor{}, err
	}
	return vs[0], nil
}

func (s *Store) createVendors(ctx context.Context, orgID string, names []string, opening store.Decimal) ([]Vendor, error) {
	var out []Vendor
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		first, err := s.nextIDs(tx, orgID, "vendor", len(names))
		if err != nil {
			return err
		}
		out = make([]Vendor, len(names))
		for i, n := range names {
			// Fits: nextIDs refuses ranges beyond int32.
			out[i] = Vendor{OrganizationID: orgID, ID: int32(first + int64(i)), Name: n, Balance: opening}
		}
		return tx.Omit(clause.Associations).CreateInBatches(&out, 500).Error
	})
	if err != nil {
		return nil, fmt.Errorf("create vendors: %w", err)
	}
	return out, nil
}

// CreateProducts adds products with their packings, one statement per table.
func (s *Store) CreateProducts(ctx context.Context, orgID string, products []Product) error {
	var packings []Packing
	for i := range products {
		products[i].OrganizationID = orgID
		for _, p := range products[i].Packings {
			p.OrganizationID, p.ProductID = orgID, products[i].ID
			packings = append(packings, p)
		}
	}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Omit(clause.Associations).CreateInBatches(&products, 500).Error; err != nil {
			if store.IsUniqueViolation(err) {
				return fmt.Errorf("a product code is already used: %w", store.ErrConflict)
			}
			return err
		}
		if len(packings) == 0 {
			return nil
		}
		return tx.Omit(clause.Associations).CreateInBatches(&packings, 500).Error
	})
	if err != nil {
		return fmt.Errorf("create products: %w", err)
	}
	return nil
}

// VendorByID returns a vendor with its balance.
func (s *Store) VendorByID(ctx context.Context, orgID string, id int32) (Vendor, error) {
	var v Vendor
	err := s.db.Gorm(ctx).Where("organization_id = ? AND id = ?", orgID, id).Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return v, VendorNotFoundError{VendorID: id}
	}
	if err != nil {
		return v, fmt.Errorf("vendor %d: %w", id, err)
	}
	return v, nil
}

// ProductStock returns a product and its stock rows (by size, then colour).
func (s *Store) ProductStock(ctx context.Context, orgID, productID string) (Product, []Stock, error) {
	var p Product
	db := s.db.Gorm(ctx)
	err := db.Where("organization_id = ? AND id = ?", orgID, productID).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return p, nil, ProductNotFoundError{ProductID: productID}
	}
	if err != nil {
		return p, nil, fmt.Errorf("product %q: %w", productID, err)
	}
	var stock []Stock
	if err := db.Where("organization_id = ? AND product_id = ?", orgID, productID).Find(&stock).Error; err != nil {
		return p, nil, fmt.Errorf("stock of %q: %w", productID, err)
	}
	// Sorted here: SQLite holds color_id as text, where "10" sorts before "2".
	slices.SortFunc(stock, func(a, b Stock) int {
		if c := cmp.Compare(a.SizeID, b.SizeID); c != 0 {
			return c
		}
		return a.ColorID.Cmp(b.ColorID.Decimal)
	})
	return p, stock, nil
}

// TakeStock removes units of a product in one size and colour from stock, as a sale or a
// write-off does; it refuses (store.ErrConflict) to go below zero. The check is the update's condition.
func (s *Store) TakeStock(ctx context.Context, orgID, productID string, sizeID int32, colorID, units store.Decimal) error {
	res := s.db.Gorm(ctx).Exec(s.sql.takeStock,
		map[string]any{"org": orgID, "product": productID, "size": sizeID, "color": colorID, "units": units})
	if res.Error != nil {
		return fmt.Errorf("take stock of %q: %w", productID, res.Error)
	}
	if res.RowsAffected == 0 {
		return InsufficientStockError{ProductID: productID, SizeID: sizeID, ColorID: colorID.Decimal, Units: units.Decimal}
	}
	return nil
}

// Table names keep the family prefix the migrations gave them; the Go names lost it with the package.

// TableName implements gorm's Tabler.
func (Counter) TableName() string { return "ultrabiz_counters" }

// TableName implements gorm's Tabler.
func (Vendor) TableName() string { return "ultrabiz_vendors" }

// TableName implements gorm's Tabler.
func (Product) TableName() string { return "ultrabiz_products" }

// TableName implements gorm's Tabler.
func (Packing) TableName() string { return "ultrabiz_packings" }

// TableName implements gorm's Tabler.
func (Stock) TableName() string { return "ultrabiz_stocks" }

// TableName implements gorm's Tabler.
func (PurchaseInvoice) TableName() string { return "ultrabiz_purchase_invoices" }

// TableName implements gorm's Tabler.
func (PurchaseLine) TableName() string { return "ultrabiz_purchase_lines" }
