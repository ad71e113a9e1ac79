package store_test

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// decimalRow is a scratch table for exercising Decimal and the dec_* SQL helpers.
type decimalRow struct {
	OrganizationID string
	ID             int64
	Amount         store.Decimal
}

// openScratch creates the scratch table with the column types the migrations give decimals.
func openScratch(t *testing.T, db *store.DB) {
	t.Helper()
	amount := "numeric(20,4)"
	if db.DialectName() == "sqlite" {
		amount = "text"
	}
	err := db.Gorm(context.Background()).Exec("CREATE TABLE decimal_rows (organization_id varchar(24), id bigint, amount " + amount + " NOT NULL, PRIMARY KEY (organization_id, id))").Error
	if err != nil {
		t.Fatal(err)
	}
}

func TestDecimalsAreExactOnBothDatabases(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := db.Dialect()
		openScratch(t, db)
		ctx := context.Background()
		rows := []decimalRow{}
		for i := int64(1); i <= 10; i++ {
			rows = append(rows, decimalRow{OrganizationID: "org", ID: i, Amount: store.MustDecimal("0.1")})
		}
		rows = append(rows, decimalRow{OrganizationID: "org", ID: 11, Amount: store.MustDecimal("0.2")}, decimalRow{OrganizationID: "org", ID: 12, Amount: store.MustDecimal("12345678901234.5678")})
		if err := db.Gorm(ctx).Create(&rows).Error; err != nil {
			t.Fatal(err)
		}
		var sum store.Decimal
		if err := db.Gorm(ctx).Model(&decimalRow{}).Select(d.DecSum("amount")).Where("organization_id = ?", "org").Scan(&sum).Error; err != nil {
			t.Fatal(err)
		}
		if want := decimal.RequireFromString("12345678901235.7678"); !sum.Equal(want) {
			t.Fatalf("sum %s, want %s (float arithmetic would lose digits)", sum, want)
		}
		// Arithmetic in UPDATE and comparison in WHERE, as the bulk paths use them.
		err := db.Gorm(ctx).Exec("UPDATE decimal_rows SET amount = "+d.DecSub(d.DecAdd("amount", "?"), "?")+" WHERE "+d.DecCmp("amount", "?")+" = 0",
			"0.2", "0.1", "0.1").Error
		if err != nil {
			t.Fatal(err)
		}
		var back decimalRow
		if err := db.Gorm(ctx).Where("id = ?", 1).Take(&back).Error; err != nil {
			t.Fatal(err)
		}
		if !back.Amount.Equal(decimal.RequireFromString("0.2")) {
			t.Fatalf("0.1 + 0.2 - 0.1 = %s, want 0.2", back.Amount)
		}
		var product store.Decimal
		if err := db.Gorm(ctx).Raw("SELECT " + d.DecMul("1.1", "1.1")).Scan(&product).Error; err != nil {
			t.Fatal(err)
		}
		if !product.Equal(decimal.RequireFromString("1.21")) {
			t.Fatalf("1.1 * 1.1 = %s", product)
		}
	})
}

func TestForeignKeysAreEnforcedOnBothDatabases(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u, org := storetest.Tenant(t, db, "fk@example.com")
		other, _ := storetest.Tenant(t, db, "fk-other@example.com")
		insert := "INSERT INTO memberships (organization_id, user_id, role) VALUES (?, ?, 'member')"
		// The same statement succeeds when both parents exist, so the failure below is the key's doing.
		if err := db.Gorm(ctx).Exec(insert, org.ID, other.ID).Error; err != nil {
			t.Fatalf("membership with existing parents: %v", err)
		}
		err := db.Gorm(ctx).Exec(insert, "nope", u.ID).Error
		if !store.IsForeignKeyViolation(err) {
			t.Fatalf("a membership of an unknown organization must violate a foreign key, got %v", err)
		}
		err = db.Gorm(ctx).Exec(insert, org.ID, "nobody").Error
		if !store.IsForeignKeyViolation(err) {
			t.Fatalf("a membership of an unknown user must violate a foreign key, got %v", err)
		}
	})
}
