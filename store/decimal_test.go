package store

import (
	"context"
	"errors"
	"testing"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"github.com/deletesvc/deletesvc/store/testdb"
)

// decimalRow is a scratch table for exercising Decimal and the dec_* SQL helpers.
type decimalRow struct {
	OrganizationID string  `gorm:"primaryKey;size:24"`
	ID             int64   `gorm:"primaryKey"`
	Amount         Decimal `gorm:"precision:20;scale:4;not null"`
}

func openScratch(t *testing.T, s *Store) {
	t.Helper()
	if err := s.db.AutoMigrate(&decimalRow{}); err != nil {
		t.Fatal(err)
	}
}

func TestDecimalsAreExactOnBothDatabases(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		openScratch(t, s)
		ctx := context.Background()
		rows := []decimalRow{}
		for i := int64(1); i <= 10; i++ {
			rows = append(rows, decimalRow{OrganizationID: "org", ID: i, Amount: MustDecimal("0.1")})
		}
		rows = append(rows, decimalRow{OrganizationID: "org", ID: 11, Amount: MustDecimal("0.2")}, decimalRow{OrganizationID: "org", ID: 12, Amount: MustDecimal("12345678901234.5678")})
		if err := s.db.WithContext(ctx).Create(&rows).Error; err != nil {
			t.Fatal(err)
		}
		var sum Decimal
		if err := s.db.WithContext(ctx).Model(&decimalRow{}).Select(s.decSum("amount")).Where("organization_id = ?", "org").Scan(&sum).Error; err != nil {
			t.Fatal(err)
		}
		if want := decimal.RequireFromString("12345678901235.7678"); !sum.Equal(want) {
			t.Fatalf("sum %s, want %s (float arithmetic would lose digits)", sum, want)
		}
		// Arithmetic in UPDATE and comparison in WHERE, as the bulk paths use them.
		err := s.db.WithContext(ctx).Exec("UPDATE decimal_rows SET amount = "+s.decSub(s.decAdd("amount", "?"), "?")+" WHERE "+s.decCmp("amount", "?")+" = 0",
			"0.2", "0.1", "0.1").Error
		if err != nil {
			t.Fatal(err)
		}
		var back decimalRow
		if err := s.db.WithContext(ctx).Where("id = ?", 1).Take(&back).Error; err != nil {
			t.Fatal(err)
		}
		if !back.Amount.Equal(decimal.RequireFromString("0.2")) {
			t.Fatalf("0.1 + 0.2 - 0.1 = %s, want 0.2", back.Amount)
		}
		var product Decimal
		if err := s.db.WithContext(ctx).Raw("SELECT " + s.decMul("1.1", "1.1")).Scan(&product).Error; err != nil {
			t.Fatal(err)
		}
		if !product.Equal(decimal.RequireFromString("1.21")) {
			t.Fatalf("1.1 * 1.1 = %s", product)
		}
	})
}

func TestForeignKeysAreEnforcedOnBothDatabases(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		err := s.db.Create(&Membership{OrganizationID: "nope", UserID: "nobody", Role: RoleMember}).Error
		if err == nil || !IsForeignKeyViolation(err) {
			t.Fatalf("a membership of an unknown organization must violate a foreign key, got %v", err)
		}
		if errors.Is(err, gorm.ErrRecordNotFound) {
			t.Fatal("unexpected not found")
		}
	})
}

// eachBackend runs fn on a fresh migrated store per backend (storetest.Each, for internal tests).
func eachBackend(t *testing.T, fn func(t *testing.T, s *Store)) {
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			s, err := Open(context.Background(), testdb.NewDatabaseURL(t, b), Options{BcryptCost: 4})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			fn(t, s)
		})
	}
}
